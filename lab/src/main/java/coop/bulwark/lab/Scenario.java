package coop.bulwark.lab;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One lab scenario, as loaded from {@code scenarios/NAME.yaml} by {@link ScenarioReader}: the sites on the shared
 * origin, the origin model, the legitimate population, and the phases of the run with their attacks.
 *
 * <p>Sites are named {@code site-0001}...; the number is the site's popularity rank (1 = most visited), and its host
 * is {@code site-0001.lab.test}.
 *
 * @param name the scenario's name (the file name without {@code .yaml})
 * @param description one line for the report
 * @param sites how many member sites share the origin
 * @param targets the attacked sites' names (empty when nothing is attacked)
 * @param origin the shared origin model
 * @param legit the legitimate population
 * @param phases the run's phases, in order; each lasts its own duration and runs its own attacks
 */
public record Scenario(
        String name,
        String description,
        int sites,
        List<String> targets,
        OriginModelConfig origin,
        LegitTraffic legit,
        List<Phase> phases) {

    public Scenario {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        targets = List.copyOf(targets);
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(legit, "legit");
        phases = List.copyOf(phases);
        if (sites < 1) {
            throw new IllegalArgumentException("sites: " + sites + " (expected: >= 1)");
        }
        if (phases.isEmpty()) {
            throw new IllegalArgumentException("phases: empty (expected: at least one phase)");
        }
    }

    /** The name of the site with popularity rank {@code rank} (1-based). */
    public static String siteName(int rank) {
        return String.format("site-%04d", rank);
    }

    /** The host name of the site with popularity rank {@code rank}. */
    public static String siteHost(int rank) {
        return siteName(rank) + ".lab.test";
    }

    /** The total duration in full or quick mode. */
    public Duration duration(boolean quick) {
        Duration d = Duration.ZERO;
        for (Phase p : phases) {
            d = d.plus(p.duration(quick));
        }
        return d;
    }

    /**
     * The shared origin: one web server with a fixed worker pool hosting every site (one Apache/PHP box).
     *
     * @param workers requests served at once (Apache MaxRequestWorkers, php-fpm pm.max_children)
     * @param backlog requests waiting for a worker beyond which new ones get 503 at once (the listen backlog)
     * @param pageService time a worker spends on a page (PHP render)
     * @param assetService time a worker spends on a static asset
     * @param feedService time a worker spends on a feed
     * @param pageMaxAge {@code Cache-Control: max-age} on pages (zero: pages are {@code no-cache}, as PHP sessions do)
     */
    public record OriginModelConfig(
            int workers,
            int backlog,
            Duration pageService,
            Duration assetService,
            Duration feedService,
            Duration pageMaxAge) {
        public OriginModelConfig {
            if (workers < 1) {
                throw new IllegalArgumentException("origin.workers: " + workers + " (expected: >= 1)");
            }
            if (backlog < 0) {
                throw new IllegalArgumentException("origin.backlog: " + backlog + " (expected: >= 0)");
            }
        }
    }

    /**
     * The legitimate population, spread over the sites with a Zipf popularity skew.
     *
     * @param browsers people browsing: a page, then its assets, on a keep-alive connection with cookies
     * @param feedReaders feed readers polling a few sites' feeds
     * @param crawlers search crawlers walking every site at a steady rate
     * @param zipfExponent the popularity skew: site of rank k is visited in proportion to 1 / k^s
     * @param thinkTime mean pause of a person between pages (exponentially distributed)
     * @param feedInterval time between two polls of one feed reader
     * @param crawlRate requests per second of one crawler
     * @param timeout how long a legitimate client waits for a response before it counts as a failure
     * @param nojsReaders people without JavaScript (a text browser, a reader app, a script): front pages, cookies kept,
     *     no script run, so a challenge page is a failure for them
     * @param natPeople people behind one shared address ({@link AddressPlan#nat}, a university's NAT), browsing the
     *     attacked sites like {@code browsers} (challenge solved, cookies kept), a new connection per page
     * @param chromiumReaders people reading the attacked sites in a real headless Chromium ({@link ChromiumReaders}):
     *     the challenge solved by the page's own script, as a visitor's browser would
     */
    public record LegitTraffic(
            int browsers,
            int feedReaders,
            int crawlers,
            double zipfExponent,
            Duration thinkTime,
            Duration feedInterval,
            double crawlRate,
            Duration timeout,
            int nojsReaders,
            int natPeople,
            int chromiumReaders) {
        public LegitTraffic {
            if (browsers < 0
                    || feedReaders < 0
                    || crawlers < 0
                    || nojsReaders < 0
                    || natPeople < 0
                    || chromiumReaders < 0) {
                throw new IllegalArgumentException("legit: negative client count (expected: >= 0)");
            }
            if (zipfExponent < 0) {
                throw new IllegalArgumentException("legit.zipf_exponent: " + zipfExponent + " (expected: >= 0)");
            }
        }

        /** A population without people who run no JavaScript. */
        public LegitTraffic(
                int browsers,
                int feedReaders,
                int crawlers,
                double zipfExponent,
                Duration thinkTime,
                Duration feedInterval,
                double crawlRate,
                Duration timeout) {
            this(browsers, feedReaders, crawlers, zipfExponent, thinkTime, feedInterval, crawlRate, timeout, 0, 0, 0);
        }
    }

    /**
     * One phase of a run.
     *
     * @param name shown in the progress line and the report
     * @param seconds its duration in a full run
     * @param quickSeconds its duration with {@code --quick}
     * @param attacks the attacks running during the phase (empty: legitimate traffic only)
     */
    public record Phase(String name, int seconds, int quickSeconds, List<Attack> attacks, Optional<Crowd> crowd) {
        public Phase {
            Objects.requireNonNull(name, "name");
            attacks = List.copyOf(attacks);
            Objects.requireNonNull(crowd, "crowd");
            if (seconds < 1 || quickSeconds < 1) {
                throw new IllegalArgumentException("phase " + name + ": seconds < 1 (expected: >= 1)");
            }
        }

        public Phase(String name, int seconds, int quickSeconds, List<Attack> attacks) {
            this(name, seconds, quickSeconds, attacks, Optional.empty());
        }

        public Duration duration(boolean quick) {
            return Duration.ofSeconds(quick ? quickSeconds : seconds);
        }
    }

    /**
     * A legitimate surge ("the news went viral"): {@code browsers} more people, all reading one site during the
     * phase, browsing like everyone else (pages, assets, cookies, think time). Not an attack: the edge must serve
     * them and must not declare one.
     *
     * @param site the site's name ({@code site-NNNN})
     */
    public record Crowd(String site, int browsers) {
        public Crowd {
            Objects.requireNonNull(site, "site");
            if (browsers < 1) {
                throw new IllegalArgumentException("crowd.browsers: " + browsers + " (expected: >= 1)");
            }
        }
    }

    /** An attack on the target sites. */
    public sealed interface Attack {}

    /**
     * HTTP GET flood: {@code sources} bot addresses (in {@code perPrefix}-address groups per /24) sending
     * {@code ratePerSecond} requests per second in total, no cookies, keep-alive, each request's page with a random
     * query string when {@code cacheBust}.
     *
     * @param timeout a bot gives up on a response after this and reconnects
     */
    public record GetFlood(double ratePerSecond, int sources, int perPrefix, boolean cacheBust, Duration timeout)
            implements Attack {}

    /**
     * Slowloris: {@code connections} connections to the target sites that send a request header one line at a time,
     * one line every {@code lineInterval}, never finishing it; reopened when the edge closes them.
     */
    public record Slowloris(int connections, Duration lineInterval) implements Attack {}

    /**
     * GET flood from the shared address of {@code legit.nat_people} ({@link AddressPlan#nat}): bots behind the same
     * NAT as the people, {@code ratePerSecond} in total over {@code connections} keep-alive connections, random queries,
     * no cookies.
     */
    public record NatFlood(double ratePerSecond, int connections, Duration timeout) implements Attack {}

    /** Connection flood: {@code connections} connections opened to the edge and held idle, reopened when closed. */
    public record ConnectionFlood(int connections) implements Attack {}

    /**
     * Random-source flood: {@code ratePerSecond} requests per second, each from a new address drawn across
     * 127.128.0.0–127.254.255.255 (about 32,000 /24 prefixes) on its own connection.
     */
    public record RandomSource(double ratePerSecond, boolean cacheBust, Duration timeout) implements Attack {}

    /**
     * HTTP/2 rapid reset (CVE-2023-44487): {@code connections} h2c connections, each opening streams and resetting
     * them at once, {@code streamsPerSecond} per connection.
     */
    public record H2RapidReset(int connections, double streamsPerSecond) implements Attack {}
}
