package coop.bulwark.lab;

import com.fasterxml.jackson.databind.JsonNode;
import coop.bulwark.site.ConfigException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.DoubleSupplier;
import java.util.function.IntSupplier;

/**
 * One run of a scenario against one edge: starts a fresh origin model and a fresh Bulwark from a generated config (or,
 * for an external edge, reads the counters of the origin model another process runs),
 * drives the scenario's traffic phase by phase, prints a progress line every second,
 * then stops everything and returns the outcome. Every client loop ends by itself at the run's end; sockets still
 * open then are closed so that no loop waits on a read.
 */
public final class LabRun {
    /** Share of attack requests sent per second that may reach the origin for the attack to count as mitigated. */
    static final double MITIGATED_FRACTION = 0.10;

    /**
     * How long a cluster run waits after its end for its edges to agree on their attacks' ids (two detection ticks and
     * the claim's round trip): an edge that declared in the run's last second renames its attack after it.
     */
    static final Duration CLUSTER_RENAME_WAIT = Duration.ofSeconds(3);

    /** How the run reaches an edge. */
    public sealed interface EdgeChoice {}

    /**
     * Bulwark, started by the lab as its own process ({@link LabEdgeProcess}: its own JVM, pinned to its own core),
     * protection on or off; {@code targetsUnderAttack} starts the targets in
     * {@code under_attack} (as detection would put them), so their challenge is on from the start; {@code untuned}
     * leaves {@code origin_capacity} unset, so the edge learns the origin's limit.
     */
    public record Spawned(boolean protect, boolean targetsUnderAttack, boolean untuned) implements EdgeChoice {
        public Spawned(boolean protect) {
            this(protect, false, false);
        }
    }

    /**
     * An edge someone else started (nginx, HAProxy...) proxying every site to the origin model's fixed port; with
     * {@code pids}, its processes (and their children, e.g. nginx's workers), whose CPU the run measures;
     * {@code clients}, which of the scenario's clients this process runs; {@code startAt}, when the run's first second
     * begins (null: now), so two processes running the two sides keep one clock.
     */
    public record External(InetSocketAddress edge, int originPort, List<Long> pids, ClientSide clients, Instant startAt)
            implements EdgeChoice {
        public External {
            pids = List.copyOf(pids);
        }

        public External(InetSocketAddress edge, int originPort, List<Long> pids) {
            this(edge, originPort, pids, ClientSide.ALL, null);
        }

        public External(InetSocketAddress edge, int originPort) {
            this(edge, originPort, List.of());
        }

        /** The CPU seconds of the edge's processes so far; null without pids. */
        DoubleSupplier cpu() {
            return pids.isEmpty() ? null : () -> ProcessCpu.seconds(pids);
        }
    }

    /**
     * What a run produced.
     *
     * @param passesAcrossEdges see {@link LabReport.Cluster#challengePassesAcrossEdges()}
     */
    public record Result(LabReport.Run run, LabReport.Series series, long passesAcrossEdges) {}

    private final Scenario scenario;
    private final boolean quick;
    private final long seed;
    private final PrintStream progress;
    private final boolean interactive;
    private final Path reportsDir;
    private final int edges;

    public LabRun(Scenario scenario, boolean quick, long seed, PrintStream progress, boolean interactive) {
        this(scenario, quick, seed, progress, interactive, Path.of("lab-reports"), 1);
    }

    /**
     * @param reportsDir where the protected run's edge writes its incident reports
     * @param edges how many Bulwark processes share each run's traffic (round-robin, as DNS would); with more than one,
     *     the protected run's edges form a cluster on a {@code redis-server} the lab starts
     */
    public LabRun(
            Scenario scenario,
            boolean quick,
            long seed,
            PrintStream progress,
            boolean interactive,
            Path reportsDir,
            int edges) {
        if (edges < 1 || edges > 8) {
            throw new IllegalArgumentException("edges: " + edges + " (expected: 1-8)");
        }
        this.edges = edges;
        this.reportsDir = reportsDir;
        this.scenario = scenario;
        this.quick = quick;
        this.seed = seed;
        this.progress = progress;
        this.interactive = interactive;
    }

    public Result run(String name, EdgeChoice choice) throws IOException, InterruptedException, ConfigException {
        List<String> targetHosts = new ArrayList<>();
        Set<Integer> targetRanks = new HashSet<>();
        for (String t : scenario.targets()) {
            int rank = Integer.parseInt(t.substring("site-".length()));
            targetRanks.add(rank);
            targetHosts.add(Scenario.siteHost(rank));
        }
        if (choice instanceof External ext) {
            // The origin model runs in its own process (bulwark lab --origin-only), started with the edge in front.
            RemoteOrigin origin = RemoteOrigin.connect(ext.originPort(), scenario, Set.copyOf(targetHosts), progress);
            return drive(
                    name,
                    origin,
                    List.of(ext.edge()),
                    targetRanks,
                    targetHosts,
                    null,
                    null,
                    ext.cpu(),
                    ext.clients(),
                    ext.startAt());
        }
        Spawned p = (Spawned) choice;
        DetectionWatch watch = new DetectionWatch(progress, Instant.now());
        Result result;
        Path edgeDir = Files.createTempDirectory("bulwark-lab-edge-");
        boolean clustered = edges > 1 && p.protect();
        List<LabEdgeProcess> started = new ArrayList<>();
        LabReport.Cluster cluster = null;
        try (OriginModel origin = OriginModel.start(scenario.origin(), Set.copyOf(targetHosts), 0);
                LabRedis redis = clustered ? LabRedis.start() : null) {
            String yaml = LabEdgeConfig.forProcess(
                    scenario,
                    origin.address().getPort(),
                    p.protect(),
                    quick,
                    reportsDir,
                    p.targetsUnderAttack(),
                    p.untuned());
            try {
                for (int i = 1; i <= edges; i++) {
                    String own = redis == null
                            ? yaml
                            : yaml + "cluster: {redis: \"" + redis.url() + "\", node: edge-" + i
                                    + ", key_prefix: lab}\n";
                    started.add(LabEdgeProcess.start(
                            own, edges == 1 ? edgeDir : edgeDir.resolve("edge-" + i), watch::onEvent, progress));
                }
                LabEdgeProcess first = started.get(0);
                result = drive(
                        name,
                        origin,
                        started.stream().map(LabEdgeProcess::httpAddress).toList(),
                        targetRanks,
                        targetHosts,
                        watch,
                        () -> started.stream()
                                .mapToInt(LabEdgeProcess::activeBans)
                                .max()
                                .orElse(0),
                        () -> started.stream()
                                .mapToDouble(LabEdgeProcess::cpuSeconds)
                                .sum(),
                        ClientSide.ALL,
                        null);
                if (clustered) {
                    long adopted = 0;
                    for (LabEdgeProcess e : started) {
                        JsonNode c = e.admin("/api/cluster");
                        adopted += c == null ? 0 : c.path("bans_adopted").asLong();
                    }
                    cluster = new LabReport.Cluster(edges, adopted, result.passesAcrossEdges());
                }
                LabReport.EdgeCost cost = result.run().edge();
                JsonNode site = first.admin("/api/sites/" + Scenario.siteName(1));
                progress.printf(
                        "%s: origin backlog at most %d of %d, %d requests refused by the origin (backlog full);"
                                + " edge CPU %.2f s (%s µs per request)%s%n",
                        name,
                        origin.peakQueued(),
                        scenario.origin().backlog(),
                        origin.refused(),
                        cost == null ? Double.NaN : cost.cpuSeconds(),
                        cost == null || cost.cpuUsPerRequest() == null
                                ? "-"
                                : cost.cpuUsPerRequest().toString(),
                        p.protect() && site != null
                                ? ", edge limit at the end "
                                        + site.path("origins")
                                                .path(0)
                                                .path("limit")
                                                .asText("-")
                                : "");
            } finally {
                for (LabEdgeProcess e : started) {
                    e.close();
                }
            }
        } finally {
            ScratchFiles.deleteTree(edgeDir);
        }
        // The edge has stopped, so every report it had to write is on disk (an attack still open at the end is
        // written as it stood).
        List<String> reports = new ArrayList<>();
        for (String id : watch.attackIds()) {
            Path md = reportsDir.resolve(id + ".md");
            if (Files.exists(md)) {
                reports.add(md.toAbsolutePath().toString());
            }
        }
        LabReport.Run run = result.run();
        LabReport.Attack a = run.attack();
        LabReport.Attack withReports = new LabReport.Attack(
                a.requestsSent(),
                a.requestsReachingOrigin(),
                a.detectedAfterS(),
                a.mitigatedAfterS(),
                a.namedTargets(),
                a.attacksDeclared(),
                reports);
        return new Result(
                new LabReport.Run(
                        run.name(),
                        run.bystanders(),
                        run.targets(),
                        withReports,
                        run.challengesSolved(),
                        null,
                        null,
                        run.edge(),
                        cluster),
                result.series(),
                result.passesAcrossEdges());
    }

    private Result drive(
            String name,
            OriginView origin,
            List<InetSocketAddress> edgeAddresses,
            Set<Integer> targetRanks,
            List<String> targetHosts,
            DetectionWatch watch,
            IntSupplier activeBans,
            DoubleSupplier edgeCpu,
            ClientSide clients,
            Instant startAt)
            throws InterruptedException {
        int seconds = (int) scenario.duration(quick).toSeconds();
        List<Integer> starts = new ArrayList<>();
        int t = 0;
        int attackFrom = -1;
        int attackTo = -1;
        for (Scenario.Phase p : scenario.phases()) {
            starts.add(t);
            if (!p.attacks().isEmpty()) {
                attackFrom = attackFrom < 0 ? t : attackFrom;
                attackTo = t + (int) p.duration(quick).toSeconds();
            }
            t += (int) p.duration(quick).toSeconds();
        }
        // The window the headline figures describe: the attack; without one, everything after the first phase.
        int windowFrom = attackFrom >= 0 ? attackFrom : (scenario.phases().size() > 1 ? starts.get(1) : 0);
        int windowTo = attackFrom >= 0 ? attackTo : seconds;
        if (startAt != null) {
            long wait = Duration.between(Instant.now(), startAt).toNanos();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
        }
        double cpu0 = edgeCpu == null ? Double.NaN : edgeCpu.getAsDouble();
        long start = System.nanoTime();
        Instant startedAt = Instant.now();
        long end = start + seconds * 1_000_000_000L;
        RunRecorder rec = new RunRecorder(seconds, start, windowFrom, windowTo);
        List<LabReport.Marker> markers = new ArrayList<>();
        int bansBefore = 0;
        SocketRegistry sockets = new SocketRegistry();
        Popularity popularity =
                new Popularity(scenario.sites(), scenario.legit().zipfExponent());
        TrafficContext ctx = new TrafficContext(
                edgeAddresses, new AtomicInteger(), scenario.sites(), targetRanks, popularity, rec, sockets, end);
        Scenario.LegitTraffic legit = scenario.legit();
        ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        ChromiumReaders chromium = null;
        try {
            int index = 0;
            if (clients.people() && legit.chromiumReaders() > 0) {
                try {
                    chromium = ChromiumReaders.start();
                } catch (IOException e) {
                    progress.println("lab: no Chromium readers: " + e.getMessage());
                }
            }
            for (int i = 0; chromium != null && i < legit.chromiumReaders(); i++) {
                ChromiumReaders readers = chromium;
                int n = i;
                threads.execute(() -> readers.read(ctx, legit, n, seed * 31 + 900_000 + n));
            }
            for (int i = 0; clients.people() && i < legit.browsers(); i++, index++) {
                int n = index;
                threads.execute(() -> LegitClients.browser(ctx, legit, n, seed * 31 + n));
            }
            for (int i = 0; clients.people() && i < legit.feedReaders(); i++, index++) {
                int n = index;
                threads.execute(() -> LegitClients.feedReader(ctx, legit, n, seed * 31 + n));
            }
            for (int i = 0; clients.people() && i < legit.crawlers(); i++, index++) {
                int n = index;
                threads.execute(() -> LegitClients.crawler(ctx, legit, n, seed * 31 + n));
            }
            for (int i = 0; clients.people() && i < legit.nojsReaders(); i++, index++) {
                int n = index;
                threads.execute(() -> LegitClients.nojsReader(ctx, legit, n, seed * 31 + n));
            }
            for (int i = 0; clients.people() && i < legit.natPeople(); i++) {
                long s = seed * 31 + 500_000 + i;
                threads.execute(() -> LegitClients.natBrowser(ctx, legit, s));
            }
            OriginView.Sample o0 = origin.sample();
            long originAttack0 = o0.attackArrived();
            long originLegit0 = o0.legitArrived();
            for (int p = 0; p < scenario.phases().size(); p++) {
                Scenario.Phase phase = scenario.phases().get(p);
                long phaseEnd = start + (starts.get(p) + phase.duration(quick).toSeconds()) * 1_000_000_000L;
                if (clients.attack()) {
                    startAttacks(threads, ctx, phase, targetHosts, phaseEnd, p);
                }
                if (clients.people() && phase.crowd().isPresent()) {
                    var crowd = phase.crowd().get();
                    int rank = Integer.parseInt(crowd.site().substring("site-".length()));
                    for (int i = 0; i < crowd.browsers(); i++, index++) {
                        int n = index;
                        long until = phaseEnd;
                        threads.execute(() -> LegitClients.crowdBrowser(ctx, legit, n, seed * 31 + n, rank, until));
                    }
                }
                // One tick a second: sample the origin, show progress.
                for (int s = starts.get(p);
                        s < starts.get(p) + phase.duration(quick).toSeconds();
                        s++) {
                    ctx.sleepUntil(start + (s + 1) * 1_000_000_000L);
                    OriginView.Sample o = origin.sample();
                    long a = o.attackArrived();
                    long l = o.legitArrived();
                    rec.originAttack[s] = a - originAttack0;
                    rec.originLegit[s] = l - originLegit0;
                    originAttack0 = a;
                    originLegit0 = l;
                    rec.originBusy[s] = o.busy();
                    if (activeBans != null) {
                        int banned = activeBans.getAsInt();
                        if (bansBefore == 0 && banned > 0) {
                            markers.add(new LabReport.Marker(
                                    s + 1, "ban", "first ban" + (banned == 1 ? "" : "s: " + banned + " active")));
                        }
                        bansBefore = banned;
                    }
                    rec.originQueued[s] = o.queued();
                    progress(name, phase.name(), s + 1, seconds, rec, s);
                }
            }
        } finally {
            sockets.closeAll();
            threads.shutdownNow();
            if (chromium != null) {
                chromium.close();
            }
            if (!threads.awaitTermination(10, TimeUnit.SECONDS)) {
                progress.println("lab: some client threads did not stop within 10 s");
            }
            sockets.closeAll();
        }
        if (interactive) {
            progress.println();
        }
        Instant attackStart = attackFrom >= 0 ? startedAt.plusSeconds(attackFrom) : null;
        double edgeSeconds = edgeCpu == null ? 0 : edgeCpu.getAsDouble() - cpu0; // before any wait below
        if (watch != null && edgeAddresses.size() > 1) {
            watch.awaitOneIdPerAttack(CLUSTER_RENAME_WAIT);
        }
        LabReport.Run run = RunOutcome.of(scenario, name, rec, windowFrom, windowTo, watch, attackStart, clients);
        if (edgeCpu != null) {
            run = run.withEdge(RunOutcome.edgeCost(edgeSeconds, rec));
        }
        if (watch != null) {
            markers.addAll(watch.markers(startedAt));
        }
        if (run.attack().mitigatedAfterS() != null) {
            markers.add(new LabReport.Marker(
                    windowFrom + run.attack().mitigatedAfterS(),
                    "mitigation",
                    "from here on, at most 10% of the attack reached the origin"));
        }
        markers.sort(Comparator.comparingDouble(LabReport.Marker::atS));
        return new Result(run, RunOutcome.series(scenario, name, rec, starts, markers), rec.passesAcrossEdges.get());
    }

    private void startAttacks(
            ExecutorService threads,
            TrafficContext ctx,
            Scenario.Phase phase,
            List<String> targetHosts,
            long phaseEnd,
            int phaseIndex) {
        long base = seed * 1_000_003L + phaseIndex * 7919L;
        for (Scenario.Attack attack : phase.attacks()) {
            switch (attack) {
                case Scenario.GetFlood f -> {
                    for (int b = 0; b < f.sources(); b++) {
                        int bot = b;
                        threads.execute(() -> Attackers.getFloodBot(ctx, f, targetHosts, bot, phaseEnd, base + bot));
                    }
                }
                case Scenario.RandomSource r -> {
                    int senders = (int) Math.max(1, Math.min(400, r.ratePerSecond() / 2));
                    for (int i = 0; i < senders; i++) {
                        long s = base + 100_000 + i;
                        threads.execute(() -> Attackers.randomSourceSender(
                                ctx, r, r.ratePerSecond() / senders, targetHosts, phaseEnd, s));
                    }
                }
                case Scenario.Slowloris sl -> {
                    for (int i = 0; i < sl.connections(); i++) {
                        int n = i;
                        threads.execute(
                                () -> Attackers.slowloris(ctx, sl, targetHosts, n, phaseEnd, base + 200_000 + n));
                    }
                }
                case Scenario.H2RapidReset rr -> {
                    for (int i = 0; i < rr.connections(); i++) {
                        int n = i;
                        threads.execute(() -> RapidReset.attacker(
                                ctx, rr.streamsPerSecond(), targetHosts, n, phaseEnd, base + 300_000 + n));
                    }
                }
                case Scenario.NatFlood nf -> {
                    for (int i = 0; i < nf.connections(); i++) {
                        long s = base + 400_000 + i;
                        threads.execute(() -> Attackers.natBot(
                                ctx, nf, nf.ratePerSecond() / nf.connections(), targetHosts, phaseEnd, s));
                    }
                }
                case Scenario.ConnectionFlood cf -> {
                    for (int i = 0; i < cf.connections(); i++) {
                        int n = i;
                        threads.execute(() -> Attackers.connectionHolder(ctx, n, phaseEnd));
                    }
                }
            }
        }
    }

    private void progress(String run, String phase, int second, int total, RunRecorder rec, int s) {
        if (!interactive && second % 5 != 0 && second != total) {
            return;
        }
        // Live rates over the last three seconds (the current one is still being filled by slow requests).
        int from = Math.max(0, s - 2);
        // At most 100 columns, so the line rewritten in place never wraps; the origin's load is in the HTML charts.
        String line = String.format(
                Locale.ROOT,
                "%-11.11s %-11.11s %3d/%-3ds  bystanders %s  targets %s  attack %5d/s → origin %5d/s",
                run,
                phase,
                second,
                total,
                pct(RunRecorder.sum(rec.bystanderOk, from, s + 1), RunRecorder.sum(rec.bystanderFailed, from, s + 1)),
                pct(RunRecorder.sum(rec.targetOk, from, s + 1), RunRecorder.sum(rec.targetFailed, from, s + 1)),
                rec.attackSent.get(s),
                rec.originAttack[s]);
        if (interactive) {
            progress.print("\r" + line);
        } else {
            progress.println(line);
        }
        progress.flush();
    }

    private static String pct(long ok, long failed) {
        Double r = Outcomes.successRate(ok, failed);
        return r == null ? "   -  " : String.format("%5.1f%%", r * 100);
    }
}
