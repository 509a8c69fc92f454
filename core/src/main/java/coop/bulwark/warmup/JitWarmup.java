package coop.bulwark.warmup;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import coop.bulwark.edge.EdgeServer;
import coop.bulwark.incident.DetectionLoop;
import coop.bulwark.incident.IncidentDesk;
import coop.bulwark.site.ConfigException;
import coop.bulwark.site.ConfigLoader;
import coop.bulwark.site.EdgeConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/**
 * Compiles the request paths before the edge listens: a throw-away edge on a loopback port, in front of a
 * {@linkplain WarmupOrigin small origin}, gets {@linkplain WarmupTraffic the traffic of a quiet day and of a flood}
 * until the JIT stops finding work ({@link #SETTLED}) or {@code max} has passed, and is then stopped.
 *
 * <p>Why: a fresh JVM compiles its hot paths while they run. On the one core an edge often has, that compilation
 * competes with the event loop exactly when a flood begins (the defence paths are cold until an attack needs them):
 * measured in the lab, a cold edge spent 21 CPU-seconds on a run a warmed one served with 6, and its bystanders' p99
 * was 2.7 s against 0.16 s (BENCHMARKS.md, "Warm-up"). nginx has nothing to compile; this is our equivalent of being
 * ready.
 *
 * <p>The throw-away edge shares nothing with the real one, which starts after it: its own ports, ban list, keys and
 * metrics, no admin API, an access log written to /dev/null (so the line-building is compiled too), incident reports in a temporary directory that is deleted, and Bulwark's own
 * log lines held back while it runs (its bans and attacks are not the operator's business). Real time, not an
 * injected clock: what is measured is the JVM's compiler.
 */
public final class JitWarmup {
    /** The JIT counts as settled when it compiled less than this share of the last second. */
    static final double SETTLED = 0.05;

    /** When the flood on the site detection must find begins (after its quiet baseline). */
    static final Duration FLOOD_AFTER = Duration.ofSeconds(3);

    /** The least time it runs: the flood on the flooded site begins at 3 s and is declared an attack some seconds later. */
    static final Duration MIN = Duration.ofSeconds(10);

    /**
     * Nor before this many requests: on a core the compiler itself keeps busy, the warm-up's clients can be slow, and a
     * quiet second of the compiler after a few thousand requests said "settled" while most paths had not run often
     * enough to be compiled at all (bench/flood-cost.sh: 8,498 requests in 10.8 s, then a flood onset with bystanders'
     * p99 at 1.2 s; settled runs with 145,000 requests in 28 s met it with 0.14-0.16 s).
     */
    static final long MIN_REQUESTS = 60_000;

    /**
     * What it did.
     *
     * @param took how long it ran
     * @param requests requests sent to the throw-away edge
     * @param compiling time the JIT spent compiling meanwhile (from {@link CompilationMXBean}; -1 when not known)
     * @param settled whether the JIT settled before the time was up
     * @param paths what the throw-away edge did with them, which says which paths were taken
     */
    public record Result(Duration took, long requests, Duration compiling, boolean settled, Paths paths) {}

    /**
     * The paths the warm-up took, as the throw-away edge counted them.
     *
     * @param challengePages challenge pages served
     * @param challengesSolved puzzles solved and accepted
     * @param attacksDeclared attacks its detection declared
     * @param bans sources it banned
     * @param cacheAnswers requests its micro-cache answered (fresh or stale)
     * @param bulkheadRefusals requests its bulkheads refused (queue full or timed out)
     */
    public record Paths(
            long challengePages,
            long challengesSolved,
            long attacksDeclared,
            int bans,
            long cacheAnswers,
            long bulkheadRefusals) {}

    private JitWarmup() {}

    /**
     * Runs the warm-up for at most {@code max}, with {@code real}'s number of event loops (the JIT's profiles depend
     * on the threads that run the code).
     *
     * @throws IOException when the throw-away edge or its origin cannot start (the caller goes on without it)
     */
    public static Result run(EdgeConfig real, Duration max) throws IOException {
        return run(real, max, true);
    }

    /** As {@link #run(EdgeConfig, Duration)}; {@code quietLogs} false lets the throw-away edge's lines through (tests). */
    static Result run(EdgeConfig real, Duration max, boolean quietLogs) throws IOException {
        long start = System.nanoTime();
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean measurable = jit != null && jit.isCompilationTimeMonitoringSupported();
        long compiled0 = measurable ? jit.getTotalCompilationTime() : 0;
        Path dir = Files.createTempDirectory("bulwark-warmup-");
        Map<String, Level> quieted = quietLogs ? quiet() : Map.of();
        List<Thread> clients = new ArrayList<>();
        long requests = 0;
        boolean settled = false;
        Paths paths = new Paths(0, 0, 0, 0, 0, 0);
        try (WarmupOrigin origin = WarmupOrigin.start()) {
            EdgeServer edge = EdgeServer.start(config(real, origin.port(), dir));
            try {
                var flag = new Object() {
                    volatile boolean running = true;
                };
                WarmupTraffic traffic = new WarmupTraffic(edge.httpAddress(), fillers(real), () -> flag.running);
                clients.add(client("reader", traffic::reader));
                clients.add(client("visitor", traffic::visitor));
                clients.add(client("bot-1", () -> traffic.bot(WarmupTraffic.ATTACKED, 8)));
                // The flooded site's bots come once detection has learned its quiet baseline: a flood from the first
                // second would be the baseline, and no attack would be declared.
                clients.add(client("bot-2", () -> {
                    long from = System.nanoTime() + FLOOD_AFTER.toNanos();
                    while (flag.running && System.nanoTime() < from) {
                        LockSupport.parkNanos(50_000_000L);
                    }
                    traffic.bot(WarmupTraffic.FLOODED, 16);
                }));
                clients.add(client("hit-and-run", traffic::hitAndRun));
                clients.add(client("detection-drill", () -> new DetectionDrill(drillSites(real)).run()));
                clients.add(client("swarm", traffic::swarm));
                clients.add(client("buster", traffic::buster));
                for (int i = 0; i < WarmupTraffic.CROWD; i++) {
                    clients.add(client("crowd-" + i, traffic::crowd));
                }
                settled = waitUntilSettled(jit, measurable, start, max, traffic::requests);
                flag.running = false;
                for (Thread t : clients) {
                    t.join(5_000);
                }
                requests = traffic.requests();
                var challenges = edge.challengeStats();
                paths = new Paths(
                        challenges.pagesServed(),
                        challenges.solved(),
                        edge.detection()
                                .incidents()
                                .map(IncidentDesk::attacksDeclared)
                                .orElse(0L),
                        edge.gatekeeper().bans().size(),
                        edge.cacheStats().map(c -> c.hits() + c.staleHits()).orElse(0L),
                        edge.snapshot().guardsByName().values().stream()
                                .mapToLong(g -> g.budget().rejectedCount())
                                .sum());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                edge.close();
            }
        } finally {
            restore(quieted);
            deleteTree(dir);
        }
        Duration compiling =
                measurable ? Duration.ofMillis(jit.getTotalCompilationTime() - compiled0) : Duration.ofMillis(-1);
        return new Result(Duration.ofNanos(System.nanoTime() - start), requests, compiling, settled, paths);
    }

    private static Thread client(String name, Runnable body) {
        Thread t = new Thread(body, "bulwark-warmup-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * Polls the JIT's accumulated compile time four times a second; true when it settled before {@code max}: at least
     * {@link #MIN} and {@link #MIN_REQUESTS} behind it, and under {@link #SETTLED} of the last second compiling.
     */
    private static boolean waitUntilSettled(
            CompilationMXBean jit, boolean measurable, long start, Duration max, LongSupplier requests)
            throws InterruptedException {
        long[] window = new long[4]; // compile time at each of the last four polls: one second
        int polls = 0;
        while (true) {
            Thread.sleep(250);
            long elapsed = System.nanoTime() - start;
            if (elapsed >= max.toNanos()) {
                return false;
            }
            if (!measurable) {
                continue; // no way to tell: run to the end
            }
            long now = jit.getTotalCompilationTime();
            long secondAgo = window[polls % 4];
            window[polls % 4] = now;
            polls++;
            if (polls > 4
                    && elapsed >= MIN.toNanos()
                    && requests.getAsLong() >= MIN_REQUESTS
                    && now - secondAgo < SETTLED * 1000) {
                return true;
            }
        }
    }

    /** The real edge's detector's site indexes, as its detection loop counts them ({@link DetectionDrill}). */
    static int drillSites(EdgeConfig real) {
        return Math.min(8128, DetectionLoop.accountedSites(real.sites().size() - 1));
    }

    /** Quiet sites added so the throw-away edge has as many as the real one (at most {@link #MAX_SITES}). */
    static int fillers(EdgeConfig real) {
        return Math.max(0, Math.min(real.sites().size(), MAX_SITES) - 3);
    }

    /**
     * The most sites the throw-away edge gets: enough for lookups and per-site tables past their smallest shape
     * (detection accounts sites in blocks of 64); each site has its own origin pool and health checks, whose start
     * would eat the warm-up's time for nothing if it copied a real edge of 850.
     */
    static final int MAX_SITES = 80;

    /**
     * The throw-away edge: an open site, one under attack from the start (an easy puzzle), one whose flood detection
     * has to find (a short detection warm-up, so an attack is declared, reported and ended as in a real one), and
     * quiet fillers, all on the warm-up's origin.
     */
    static EdgeConfig config(EdgeConfig real, int originPort, Path dir) throws IOException {
        String origin = "127.0.0.1:" + originPort;
        StringBuilder fill = new StringBuilder();
        for (int i = 0; i < fillers(real); i++) {
            fill.append("  - {name: warm-fill-")
                    .append(i)
                    .append(", hosts: [")
                    .append(WarmupTraffic.filler(i))
                    .append("], origins: [")
                    .append(origin)
                    .append("]}\n");
        }
        String yaml = """
                # the JIT warm-up's throw-away edge (coop.bulwark.warmup.JitWarmup)
                listen: {http: 127.0.0.1:%d, event_loops: %d, transport: %s}
                admin: {enabled: false}
                drain_timeout: 0s
                access_log: {file: /dev/null}
                reports: {dir: "%s"}
                protection: {origin_capacity: 16}
                detection: {warmup: 1s, min_under_attack: 2s, calm_ticks: 2}
                sites:
                  - {name: warm-open, hosts: [%s], origins: [%s]}
                  - {name: warm-flooded, hosts: [%s], origins: [%s], challenge: {under_attack_difficulty: 4}}
                  - name: warm-attacked
                    hosts: [%s]
                    origins: [%s]
                    state: under_attack
                    challenge: {mode: auto, under_attack_difficulty: 4}
                  - name: warm-crowded
                    hosts: [%s]
                    origins: [%s]
                    protection: {normal: {bulkhead: {max_concurrent: 2, queue: 2, queue_timeout: 10ms}}}
                """.formatted(
                                freePort(),
                                real.listen().eventLoops(),
                                real.listen().transport().configName(),
                                dir.resolve("reports"),
                                WarmupTraffic.OPEN,
                                origin,
                                WarmupTraffic.FLOODED,
                                origin,
                                WarmupTraffic.ATTACKED,
                                origin,
                                WarmupTraffic.CROWDED,
                                origin)
                + fill;
        try {
            return ConfigLoader.parse(yaml, dir.resolve("warmup.yaml"));
        } catch (ConfigException e) {
            throw new IllegalStateException("the warm-up's own config is refused: " + e.getMessage(), e);
        }
    }

    /** A free loopback port (the config wants a number; taken by someone else in between, the start fails once). */
    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Holds back Bulwark's own log lines (events, bans, attacks) while the throw-away edge runs. */
    private static Map<String, Level> quiet() {
        Map<String, Level> before = new HashMap<>();
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return before;
        }
        for (String name : List.of("bulwark", "bulwark.events", "coop.bulwark", "io.netty")) {
            Logger l = ctx.getLogger(name);
            before.put(name, l.getLevel());
            l.setLevel(Level.OFF);
        }
        return before;
    }

    private static void restore(Map<String, Level> before) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return;
        }
        before.forEach((name, level) -> ctx.getLogger(name).setLevel(level));
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            // a temporary directory left behind is no reason to stop the edge
        }
    }
}
