package coop.bulwark.lab.uplink;

import coop.bulwark.lab.LabConnection;
import coop.bulwark.lab.LatencyList;
import coop.bulwark.lab.Scenario;
import coop.bulwark.lab.SocketRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The {@code inet} side of the uplink lab, its own process inside the {@code inet} namespace (a JVM cannot put one
 * socket in one namespace and the next in another): people on the bystander sites and on the targets, the HTTP flood
 * on the targets from {@link UplinkPlan#BOTNET}, and the UDP flood toward the targets' address. It prints {@code go}
 * when its clock starts, one {@code sec} line per second of results, and a {@code latency} line at the end; the lab
 * (in the host namespace) reads them. Every loop ends by itself at the run's end.
 */
public final class UplinkTraffic {
    private static final int PAYLOAD = 1400;

    private final UplinkPlan plan;
    private final long start;
    private final long end;
    private final SocketRegistry sockets = new SocketRegistry();
    private final AtomicLongArray bystanderOk;
    private final AtomicLongArray bystanderFailed;
    private final AtomicLongArray targetOk;
    private final AtomicLongArray targetFailed;
    private final AtomicLongArray attackSent;
    private final AtomicLongArray floodBytes;
    private final LatencyList bystanderLatency = new LatencyList();
    private final LatencyList targetLatency = new LatencyList();

    private UplinkTraffic(UplinkPlan plan, long start) {
        this.plan = plan;
        this.start = start;
        this.end = start + plan.durationS() * 1_000_000_000L;
        int n = plan.durationS() + 1;
        bystanderOk = new AtomicLongArray(n);
        bystanderFailed = new AtomicLongArray(n);
        targetOk = new AtomicLongArray(n);
        targetFailed = new AtomicLongArray(n);
        attackSent = new AtomicLongArray(n);
        floodBytes = new AtomicLongArray(n);
    }

    /** {@code UplinkTraffic full|quick|brief SEED}. */
    public static void main(String[] args) throws Exception {
        UplinkPlan plan = UplinkPlan.of(args[0]);
        long seed = Long.parseLong(args[1]);
        PrintStream out = System.out;
        long start = System.nanoTime();
        out.println("go");
        out.flush();
        new UplinkTraffic(plan, start).run(seed, out);
        System.exit(0);
    }

    private void run(long seed, PrintStream out) throws InterruptedException {
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        try {
            for (int i = 0; i < plan.bystanderPeople(); i++) {
                int n = i;
                threads.execute(() -> person(n, false, seed * 31 + n));
            }
            for (int i = 0; i < plan.targetPeople(); i++) {
                int n = i;
                threads.execute(() -> person(plan.bystanderPeople() + n, true, seed * 37 + n));
            }
            for (int b = 0; b < plan.httpBots(); b++) {
                int n = b;
                threads.execute(() -> bot(n, seed * 41 + n));
            }
            Thread flood = Thread.ofPlatform().name("uplink-udp-flood").start(this::udpFlood);
            for (int s = 0; s < plan.durationS(); s++) {
                sleepUntil(start + (s + 1) * 1_000_000_000L);
                // The second just ended; slow answers that finish later are counted in the second they finish.
                out.printf(
                        Locale.ROOT,
                        "sec %d %d %d %d %d %d %d%n",
                        s,
                        bystanderOk.get(s),
                        bystanderFailed.get(s),
                        targetOk.get(s),
                        targetFailed.get(s),
                        attackSent.get(s),
                        floodBytes.get(s));
                out.flush();
            }
            flood.join(5_000);
        } finally {
            sockets.closeAll();
            threads.shutdownNow();
            threads.awaitTermination(10, TimeUnit.SECONDS);
        }
        out.printf(
                Locale.ROOT,
                "latency %d %d %d %d%n",
                orNone(bystanderLatency.percentile(50)),
                orNone(bystanderLatency.percentile(99)),
                orNone(targetLatency.percentile(50)),
                orNone(targetLatency.percentile(99)));
        out.flush();
    }

    /** A percentile for the {@code latency} line: -1 when there was no successful request. */
    private static long orNone(Long millis) {
        return millis == null ? -1 : millis;
    }

    private int second(long now) {
        return (int) Math.clamp((now - start) / 1_000_000_000L, 0, plan.durationS());
    }

    /** A person: a page of a site every think time, over keep-alive, reconnecting after a failure. */
    private void person(int n, boolean onTargets, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] source = address("192.0.2." + (1 + n % 126));
        InetSocketAddress edge =
                new InetSocketAddress(onTargets ? UplinkPlan.TARGET_ADDRESS : UplinkPlan.BYSTANDER_ADDRESS, 80);
        int timeout = (int) plan.timeout().toMillis();
        LabConnection c = null;
        pause(rnd, (long) (rnd.nextDouble() * plan.thinkTime().toNanos()));
        while (System.nanoTime() < end) {
            int rank = onTargets
                    ? plan.targetRanks().get(rnd.nextInt(plan.targetRanks().size()))
                    : bystander(rnd);
            long t0 = System.nanoTime();
            boolean ok;
            try {
                if (c == null) {
                    c = LabConnection.open(edge, source, timeout, sockets);
                }
                LabConnection.Response r =
                        c.get(Scenario.siteHost(rank), "/articles/" + rnd.nextInt(500), "Mozilla/5.0 (lab person)", "");
                // A page, or the edge's challenge (a browser solves it): the site answered. A 5xx other than the
                // challenge's 503, or nothing within the timeout, is a person left without the page.
                ok = r.status() < 500 || r.body() != null;
                if (r.close()) {
                    c.close();
                    c = null;
                }
            } catch (IOException | RuntimeException e) {
                ok = false;
                if (c != null) {
                    c.close();
                    c = null;
                }
            }
            long t1 = System.nanoTime();
            if (t1 >= end + plan.timeout().toNanos()) {
                break;
            }
            int s = second(t1);
            (onTargets ? (ok ? targetOk : targetFailed) : (ok ? bystanderOk : bystanderFailed)).incrementAndGet(s);
            if (ok) {
                (onTargets ? targetLatency : bystanderLatency).add((t1 - t0) / 1_000_000);
            }
            pause(rnd, (long)
                    (-Math.log(1 - rnd.nextDouble()) * plan.thinkTime().toNanos()));
        }
        if (c != null) {
            c.close();
        }
    }

    private int bystander(SplittableRandom rnd) {
        while (true) {
            int rank = 1 + rnd.nextInt(plan.sites());
            if (!plan.isTarget(rank)) {
                return rank;
            }
        }
    }

    /** A bot of the HTTP flood: cache-busting GETs on the targets at its share of the rate, keep-alive. */
    private void bot(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] source = address("198.51.100." + (1 + n % 254));
        InetSocketAddress edge = new InetSocketAddress(UplinkPlan.TARGET_ADDRESS, 80);
        long interval = 1_000_000_000L * plan.httpBots() / plan.httpRatePerSecond();
        long next = start + plan.httpFrom() * 1_000_000_000L + (long) (rnd.nextDouble() * interval);
        long stop = start + plan.floodTo() * 1_000_000_000L;
        LabConnection c = null;
        while (next < stop) {
            sleepUntil(next);
            next += interval;
            attackSent.incrementAndGet(second(System.nanoTime()));
            try {
                if (c == null) {
                    c = LabConnection.open(edge, source, 2_000, sockets);
                }
                int rank = plan.targetRanks().get(rnd.nextInt(plan.targetRanks().size()));
                LabConnection.Response r =
                        c.get(Scenario.siteHost(rank), "/?s=" + Long.toHexString(rnd.nextLong()), "flood/1.0", "");
                if (r.close()) {
                    c.close();
                    c = null;
                }
            } catch (IOException | RuntimeException e) {
                if (c != null) {
                    c.close();
                    c = null;
                }
            }
        }
        if (c != null) {
            c.close();
        }
    }

    /**
     * The volumetric flood: UDP datagrams to the targets' address at the plan's rate, paced datagram by datagram, from 64
     * reflector addresses (/30s of {@link UplinkPlan#REFLECTORS}) and, for a quarter of it, from the botnet's /24.
     */
    private void udpFlood() {
        try {
            DatagramChannel[] senders = new DatagramChannel[80];
            for (int i = 0; i < senders.length; i++) {
                String from = i < 64 ? "192.0.2." + (128 + i) : "198.51.100." + (1 + (i - 64) * 16);
                senders[i] = DatagramChannel.open(StandardProtocolFamily.INET)
                        .bind(new InetSocketAddress(InetAddress.getByAddress(address(from)), 0));
                senders[i].connect(new InetSocketAddress(UplinkPlan.TARGET_ADDRESS, 9));
            }
            ByteBuffer payload = ByteBuffer.allocateDirect(PAYLOAD);
            // Paced datagram by datagram (whatever is due when the thread wakes), not in bursts: a burst every few
            // milliseconds leaves the router's queue room between bursts, and people's packets would slip through
            // the gaps that a real flood, arriving from everywhere at once, does not leave.
            double perNano = plan.floodBitsPerSecond() / 8.0 / PAYLOAD / 1e9;
            long from = start + plan.floodFrom() * 1_000_000_000L;
            long stop = start + plan.floodTo() * 1_000_000_000L;
            sleepUntil(from);
            long k = 0;
            long now;
            while ((now = System.nanoTime()) < stop) {
                long due = (long) ((now - from) * perNano);
                long sent = 0;
                for (; k < due; k++) {
                    // Three of four datagrams from the reflectors, one from the botnet's /24.
                    int i = (k & 3) == 3 ? 64 + (int) ((k >>> 2) % 16) : (int) ((k >>> 2) % 64);
                    payload.clear();
                    try {
                        sent += senders[i].write(payload);
                    } catch (IOException e) {
                        // ICMP port unreachable from the edge comes back as an error on a connected socket: ignore
                    }
                }
                floodBytes.addAndGet(second(now), sent);
                LockSupport.parkNanos(50_000);
            }
            for (DatagramChannel d : senders) {
                d.close();
            }
        } catch (IOException e) {
            System.err.println("uplink lab: the UDP flood could not start: " + e.getMessage());
        }
    }

    private void pause(SplittableRandom rnd, long nanos) {
        sleepUntil(Math.min(end, System.nanoTime() + nanos));
    }

    private static void sleepUntil(long deadline) {
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
        }
    }

    private static byte[] address(String dotted) {
        try {
            return InetAddress.getByName(dotted).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(dotted, e); // a literal address never needs a lookup
        }
    }
}
