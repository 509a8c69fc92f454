package coop.bulwark.lab;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Attack loops, each for one virtual thread, stopping by themselves at the end of their phase (or of the run). Bots
 * behave like the attack, not like people: no cookies, no assets, high rate, random query strings.
 */
final class Attackers {
    private static final String[] BOT_UAS = {
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
        "python-requests/2.31.0",
        "Go-http-client/1.1"
    };
    /** Slowloris and connection-flood bots live after the GET flood's in the botnet range. */
    private static final int HOLDER_OFFSET = 200_000;

    private Attackers() {}

    /**
     * One bot of a GET flood: sends at {@code ratePerSecond} (the flood's rate divided among its bots) on a keep-alive
     * connection, to a random target site, the page with a random query when cache-busting; gives up on a response
     * after the flood's timeout and reconnects, as flood tools do.
     */
    static void getFloodBot(
            TrafficContext ctx, Scenario.GetFlood flood, List<String> targetHosts, int bot, long endNanos, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] source = AddressPlan.bot(bot, flood.perPrefix());
        double perBot = flood.ratePerSecond() / flood.sources();
        long interval = (long) (1e9 / perBot);
        int timeout = (int) flood.timeout().toMillis();
        String ua = BOT_UAS[rnd.nextInt(BOT_UAS.length)];
        String accept = ua.startsWith("Mozilla/") ? "text/html,application/xhtml+xml,*/*;q=0.8" : "*/*";
        long next = System.nanoTime() + (long) (rnd.nextDouble() * interval);
        LabConnection conn = null;
        while (ctx.running() && System.nanoTime() < endNanos) {
            ctx.sleepUntil(Math.min(next, endNanos));
            if (!ctx.running() || System.nanoTime() >= endNanos) {
                break;
            }
            long now = System.nanoTime();
            // Open loop with no catch-up burst: a bot that fell behind (slow answers) resumes its pace from now.
            next = Math.max(next + interval, now);
            String host = targetHosts.get(rnd.nextInt(targetHosts.size()));
            String path = flood.cacheBust() ? CacheBuster.bust("/", rnd) : "/";
            try {
                if (conn == null) {
                    conn = LabConnection.open(ctx.edge(), source, timeout, ctx.sockets());
                }
                ctx.recorder().attackSent(now);
                // Bots posing as browsers send a browser's Accept; script clients send */*. Neither keeps cookies.
                LabConnection.Response r = conn.get(host, path, ua, accept, "");
                if (r.close()) {
                    conn.close();
                    conn = null;
                }
            } catch (IOException | RuntimeException e) {
                if (conn != null) {
                    conn.close();
                    conn = null;
                }
            }
        }
        if (conn != null) {
            conn.close();
        }
    }

    /**
     * One connection of the bots behind the NAT ({@link AddressPlan#nat}, the people's address): like
     * {@link #getFloodBot} at {@code ratePerSecond}, marked for the origin model by {@link OriginModel#BOT_HEADER}.
     */
    static void natBot(
            TrafficContext ctx,
            Scenario.NatFlood flood,
            double ratePerSecond,
            List<String> targetHosts,
            long endNanos,
            long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        long interval = (long) (1e9 / ratePerSecond);
        int timeout = (int) flood.timeout().toMillis();
        String ua = BOT_UAS[rnd.nextInt(BOT_UAS.length)];
        long next = System.nanoTime() + (long) (rnd.nextDouble() * interval);
        LabConnection conn = null;
        while (ctx.running() && System.nanoTime() < endNanos) {
            ctx.sleepUntil(Math.min(next, endNanos));
            if (!ctx.running() || System.nanoTime() >= endNanos) {
                break;
            }
            long now = System.nanoTime();
            next = Math.max(next + interval, now);
            String host = targetHosts.get(rnd.nextInt(targetHosts.size()));
            try {
                if (conn == null) {
                    conn = LabConnection.open(ctx.edge(), AddressPlan.nat(), timeout, ctx.sockets());
                }
                ctx.recorder().attackSent(now);
                LabConnection.Response r = conn.get(
                        host,
                        CacheBuster.bust("/", rnd),
                        ua,
                        "text/html,*/*;q=0.8",
                        OriginModel.BOT_HEADER + ": 1\r\n");
                if (r.close()) {
                    conn.close();
                    conn = null;
                }
            } catch (IOException | RuntimeException e) {
                if (conn != null) {
                    conn.close();
                    conn = null;
                }
            }
        }
        if (conn != null) {
            conn.close();
        }
    }

    /**
     * A random-source sender: each request on a new connection from a new random address
     * ({@link AddressPlan#random}), at {@code ratePerSecond} for this sender.
     */
    static void randomSourceSender(
            TrafficContext ctx,
            Scenario.RandomSource attack,
            double ratePerSecond,
            List<String> targetHosts,
            long endNanos,
            long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        long interval = (long) (1e9 / ratePerSecond);
        int timeout = (int) attack.timeout().toMillis();
        long next = System.nanoTime() + (long) (rnd.nextDouble() * interval);
        while (ctx.running() && System.nanoTime() < endNanos) {
            ctx.sleepUntil(Math.min(next, endNanos));
            if (!ctx.running() || System.nanoTime() >= endNanos) {
                break;
            }
            long now = System.nanoTime();
            next = Math.max(next + interval, now);
            String host = targetHosts.get(rnd.nextInt(targetHosts.size()));
            String path = attack.cacheBust() ? CacheBuster.bust("/", rnd) : "/";
            try (LabConnection c = LabConnection.open(ctx.edge(), AddressPlan.random(rnd), timeout, ctx.sockets())) {
                ctx.recorder().attackSent(now);
                c.get(host, path, BOT_UAS[rnd.nextInt(BOT_UAS.length)], "");
            } catch (IOException | RuntimeException e) {
                // refused or dropped: the next request comes from another address anyway
            }
        }
    }

    /**
     * A slowloris connection: starts a request and sends one more header line every interval, never ending the
     * header; when the edge closes it, it reconnects after a second. Each started request counts as sent.
     */
    static void slowloris(
            TrafficContext ctx,
            Scenario.Slowloris attack,
            List<String> targetHosts,
            int index,
            long endNanos,
            long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] source = AddressPlan.bot(HOLDER_OFFSET + index, 50);
        long interval = attack.lineInterval().toNanos();
        ctx.sleepUntil(System.nanoTime() + (long) (rnd.nextDouble() * 1e9));
        while (ctx.running() && System.nanoTime() < endNanos) {
            try (LabConnection c = LabConnection.open(
                    ctx.edge(), source, (int) Math.max(1000, interval / 1_000_000 * 3), ctx.sockets())) {
                ctx.recorder().attackSent(System.nanoTime());
                c.sendRaw("GET /?" + rnd.nextInt(1_000_000) + " HTTP/1.1\r\nHost: "
                        + targetHosts.get(rnd.nextInt(targetHosts.size())) + "\r\n");
                while (ctx.running() && System.nanoTime() < endNanos) {
                    ctx.sleepUntil(Math.min(System.nanoTime() + interval, endNanos));
                    c.sendRaw("X-" + Integer.toHexString(rnd.nextInt()) + ": " + rnd.nextInt() + "\r\n");
                    if (c.socket().getInputStream().available() > 0) {
                        break; // the edge answered (408/400): it will close; start over
                    }
                }
            } catch (IOException | RuntimeException e) {
                // closed by the edge: come back
            }
            ctx.sleepUntil(Math.min(System.nanoTime() + 1_000_000_000L, endNanos));
        }
    }

    /** A connection-flood connection: opened and held idle; reopened a second after the edge closes it. */
    static void connectionHolder(TrafficContext ctx, int index, long endNanos) {
        byte[] source = AddressPlan.bot(HOLDER_OFFSET + 100_000 + index, 50);
        while (ctx.running() && System.nanoTime() < endNanos) {
            try (LabConnection c = LabConnection.open(ctx.edge(), source, 1000, ctx.sockets())) {
                while (ctx.running() && System.nanoTime() < endNanos) {
                    try {
                        if (c.socket().getInputStream().read() < 0) {
                            break;
                        }
                    } catch (SocketTimeoutException e) {
                        // still open: keep holding it
                    }
                }
            } catch (IOException | RuntimeException e) {
                // refused or closed: come back
            }
            ctx.sleepUntil(Math.min(System.nanoTime() + 1_000_000_000L, endNanos));
        }
    }
}
