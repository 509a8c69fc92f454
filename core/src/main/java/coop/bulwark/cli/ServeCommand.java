package coop.bulwark.cli;

import coop.bulwark.admin.AdminServer;
import coop.bulwark.admin.DurationText;
import coop.bulwark.edge.ConfigReloader;
import coop.bulwark.edge.EdgeServer;
import coop.bulwark.site.ConfigException;
import coop.bulwark.site.ConfigLoader;
import coop.bulwark.site.ConfigProblem;
import coop.bulwark.site.EdgeConfig;
import coop.bulwark.site.HostPort;
import coop.bulwark.warmup.JitWarmup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/**
 * {@code bulwark serve --config FILE}: runs the edge until SIGTERM/SIGINT (graceful drain); SIGHUP or a change to
 * the file reloads it; the admin API listens on {@code admin.listen} unless disabled. Exit 2 when the config is invalid, 1 when the edge cannot start (e.g. port in use).
 */
@Command(name = "serve", description = "Run the edge. SIGHUP or editing the file reloads; SIGTERM drains and stops.")
final class ServeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The YAML config file.")
    Path config;

    @Option(
            names = "--warmup",
            paramLabel = "DURATION|off",
            description = "Compile the request paths before listening, for at most this long (default: 30s; off: not at"
                    + " all). See BENCHMARKS.md, \"Warm-up\".")
    String warmup = "30s";

    /** The longest warm-up accepted: beyond it the edge would be away for longer than any restart should take. */
    private static final Duration MAX_WARMUP = Duration.ofMinutes(5);

    @Override
    public Integer call() {
        EdgeConfig cfg;
        try {
            cfg = ConfigLoader.load(config);
        } catch (ConfigException e) {
            for (ConfigProblem p : e.problems()) {
                System.err.println(p);
            }
            return 2;
        }
        Duration warmFor;
        if (warmup.equals("off")) {
            warmFor = Duration.ZERO;
        } else {
            warmFor = DurationText.parse(warmup);
            if (warmFor == null || warmFor.compareTo(MAX_WARMUP) > 0) {
                System.err.println(
                        "bulwark: --warmup " + warmup + " (expected: off, or a duration up to 5m, like 20s or 1m)");
                return 2;
            }
        }
        String transport = EdgeServer.transportProblem(cfg.listen().transport());
        if (transport != null) {
            System.err.println("bulwark: " + transport);
            return 1;
        }
        if (!warmFor.isZero()) {
            // A port in use should be said at once, not after the warm-up.
            String busy = unbindable(cfg);
            if (busy != null) {
                System.err.println("bulwark: " + busy);
                return 1;
            }
            warm(cfg, warmFor);
        }
        EdgeServer server;
        try {
            server = EdgeServer.start(cfg, BulwarkVersion.current());
        } catch (IOException e) {
            System.err.println("bulwark: " + e.getMessage());
            return 1;
        }
        ConfigReloader reloader = new ConfigReloader(config, server, ConfigLoader::load, Duration.ofSeconds(1));
        AdminServer admin = null;
        if (cfg.admin().enabled()) {
            try {
                admin = AdminServer.start(
                        cfg.admin(), server, reloader::reload, Clock.systemUTC(), BulwarkVersion.current());
            } catch (IOException e) {
                // Never run unobservable: an edge whose admin API was asked for but cannot start stops again.
                System.err.println("bulwark: " + e.getMessage());
                reloader.close();
                server.close();
                return 1;
            }
        }
        AdminServer adminServer = admin;
        try {
            Signal.handle(new Signal("HUP"), s -> reloader.requestReload("SIGHUP"));
        } catch (IllegalArgumentException e) {
            LOG.warn("SIGHUP is not available on this platform; reload by editing the file");
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            LOG.info("shutting down: draining in-flight requests");
                            if (adminServer != null) {
                                adminServer.close();
                            }
                            reloader.close();
                            server.close();
                            stopped.countDown();
                        },
                        "bulwark-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** Why a configured listener cannot be bound now, or null when each can (tried and released at once). */
    private static String unbindable(EdgeConfig cfg) {
        for (var where : List.of(cfg.listen().http(), cfg.listen().https())) {
            if (where.isEmpty()) {
                continue;
            }
            HostPort hp = where.get();
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(hp.host(), hp.port()));
            } catch (IOException e) {
                return "cannot listen on " + hp + ": " + e.getMessage();
            }
        }
        return null;
    }

    private static void warm(EdgeConfig cfg, Duration max) {
        LOG.info(
                "warm-up: compiling the request paths before listening (at most {} s; --warmup off skips it)",
                max.toSeconds());
        try {
            JitWarmup.Result r = JitWarmup.run(cfg, max);
            LOG.info(
                    "warm-up: {} requests in {} ms ({} challenge pages, {} solved, {} attacks, {} bans, {} from the"
                            + " cache, {} refused by a bulkhead), {} ms of compiling; {}",
                    r.requests(),
                    r.took().toMillis(),
                    r.paths().challengePages(),
                    r.paths().challengesSolved(),
                    r.paths().attacksDeclared(),
                    r.paths().bans(),
                    r.paths().cacheAnswers(),
                    r.paths().bulkheadRefusals(),
                    r.compiling().toMillis(),
                    r.settled() ? "the compiler settled" : "time was up before the compiler settled");
        } catch (IOException | RuntimeException e) {
            LOG.warn("warm-up: skipped ({}); the edge starts cold", e.getMessage());
        }
        // The warm-up's garbage (its throw-away edge, clients and origin) fills most of the young generation; left
        // there, it was collected in a pause at whatever came next, as often as not a flood's onset, when every
        // request waits it out. Collected now, before the edge listens, the young generation starts empty.
        long start = System.nanoTime();
        System.gc();
        LOG.info("warm-up: its garbage collected in {} ms", (System.nanoTime() - start) / 1_000_000);
    }
}
