package coop.bulwark.lab.uplink;

import com.fasterxml.jackson.databind.JsonNode;
import coop.bulwark.lab.Lab;
import coop.bulwark.lab.LabReport;
import coop.bulwark.lab.Outcomes;
import coop.bulwark.lab.ScratchFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code bulwark lab --scenario uplink}: two runs of the same attack in freshly built namespaces, {@code edge_only}
 * ({@code upstream.mode: off}: everything Bulwark can do on the box) and {@code upstream} ({@code auto}: Bulwark tells
 * the router what to drop through ExaBGP). Each run: topology, router, edge side, then the traffic process; while it
 * runs, the lab samples the uplink at the router once a second and, four times a second, enforces the router's
 * FlowSpec table and notes which announcements the router holds. Everything is torn down by name and PID at the end of
 * each run, whatever happened.
 */
public final class UplinkLab {
    /** The report and each run's second-by-second record, for the HTML page. */
    public record Outcome(LabReport report, List<RunView> runs) {}

    /** One run's per-second story, for the page. */
    public record RunView(
            String name,
            int floodFrom,
            int floodTo,
            int httpFrom,
            double[] utilisation,
            double[] bystanderSuccess,
            double[] targetSuccess,
            List<LabReport.UpstreamAnnouncement> announcements) {}

    private UplinkLab() {}

    /** Null when this machine can run the lab, else why not, in one line. */
    public static String unavailableReason() {
        if (!isRoot()) {
            return "--scenario uplink needs root: it builds network namespaces, shapes a link with tc and runs BIRD"
                    + " and ExaBGP in them (run it as root, e.g. sudo ./bulwark lab --scenario uplink)";
        }
        List<String> missing = new ArrayList<>();
        for (String tool : List.of("ip", "tc", "nft", "bird", "birdc", "exabgp", "curl", "taskset")) {
            if (Namespace.run(List.of("sh", "-c", "command -v " + tool)).code() != 0) {
                missing.add(tool);
            }
        }
        if (!missing.isEmpty()) {
            return "--scenario uplink needs " + String.join(", ", missing)
                    + " (apt-get install iproute2 nftables bird2 exabgp curl util-linux)";
        }
        return null;
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0"); // effective uid
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return false;
    }

    /**
     * Both runs.
     *
     * @param size {@code full}, {@code quick} or {@code brief}
     * @param reportsDir each run's files (configs, logs, incident reports) go to {@code uplink-RUN/} under it
     */
    public static Outcome run(String size, long seed, Path reportsDir, PrintStream progress)
            throws IOException, InterruptedException {
        UplinkPlan plan = UplinkPlan.of(size);
        List<LabReport.Run> runs = new ArrayList<>();
        List<RunView> views = new ArrayList<>();
        for (boolean upstream : new boolean[] {false, true}) {
            String name = upstream ? "upstream" : "edge_only";
            Path dir = reportsDir.resolve("uplink-" + name).toAbsolutePath();
            ScratchFiles.deleteTree(dir);
            Files.createDirectories(dir);
            UplinkRecord rec = new UplinkRecord(plan);
            LabReport.Run run = runOnce(name, plan, size, seed, upstream, dir, rec, progress);
            runs.add(run);
            views.add(view(name, plan, rec));
        }
        return new Outcome(new LabReport("uplink", plan.sites(), plan.durationS(), Lab.machine(), runs), views);
    }

    private static LabReport.Run runOnce(
            String name,
            UplinkPlan plan,
            String size,
            long seed,
            boolean upstream,
            Path dir,
            UplinkRecord rec,
            PrintStream progress)
            throws IOException, InterruptedException {
        progress.printf(
                Locale.ROOT,
                "%s: building inet -> upstream -> edge (uplink %d Mbit/s)%n",
                name,
                plan.uplinkBitsPerSecond() / 1_000_000);
        try (Topology topo = Topology.build(plan);
                Router router = Router.start(topo.upstream, dir);
                EdgeSide edge = EdgeSide.start(topo.edge, dir, plan, size, upstream)) {
            // 150 s: the edge's JIT warm-up (30 s unless turned off) on a busy machine, then ExaBGP's connection
            // retries.
            long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
            while (!(edge.ready() && router.established())) {
                String dead = edge.dead();
                if (dead != null) {
                    throw new IOException(name + ": " + dead + " stopped while starting");
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException(name + ": the edge or the BGP session did not come up within 150 s (logs in "
                            + dir + ")\n" + router.log());
                }
                Thread.sleep(250);
            }
            JsonNode origin0 = edge.origin();
            return drive(name, plan, size, seed, topo, router, edge, rec, origin0, progress);
        }
    }

    private static LabReport.Run drive(
            String name,
            UplinkPlan plan,
            String size,
            long seed,
            Topology topo,
            Router router,
            EdgeSide edge,
            UplinkRecord rec,
            JsonNode origin0,
            PrintStream progress)
            throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>();
        if (Runtime.getRuntime().availableProcessors() > 1) {
            command.addAll(List.of("taskset", "-c", "1-" + (Runtime.getRuntime().availableProcessors() - 1)));
        }
        command.addAll(List.of(
                java,
                "-Xmx512m",
                "-cp",
                System.getProperty("java.class.path"),
                UplinkTraffic.class.getName(),
                size,
                Long.toString(seed)));
        Process traffic = new ProcessBuilder(topo.inet.exec(command))
                .redirectError(edge.dir().resolve("traffic.log").toFile())
                .start();
        BufferedReader lines =
                new BufferedReader(new InputStreamReader(traffic.getInputStream(), StandardCharsets.UTF_8));
        String first = lines.readLine();
        if (!"go".equals(first)) {
            traffic.destroyForcibly();
            throw new IOException(name + ": the traffic process did not start (" + first + "; see "
                    + edge.dir().resolve("traffic.log") + ")");
        }
        long go = System.nanoTime();
        Instant goAt = Instant.now();
        Thread watcher = Thread.ofPlatform().name("uplink-router").start(() -> watchRouter(router, rec, go));
        Thread sampler = Thread.ofPlatform().name("uplink-sampler").start(() -> sampleLink(topo, edge, rec, go));
        long[] latency = {-1, -1, -1, -1};
        String line;
        try {
            while ((line = lines.readLine()) != null) {
                String[] w = line.split(" ");
                if (w[0].equals("sec") && w.length == 8) {
                    int s = Integer.parseInt(w[1]);
                    if (s < rec.seconds) {
                        rec.bystanderOk[s] = Long.parseLong(w[2]);
                        rec.bystanderFailed[s] = Long.parseLong(w[3]);
                        rec.targetOk[s] = Long.parseLong(w[4]);
                        rec.targetFailed[s] = Long.parseLong(w[5]);
                        rec.attackSent[s] = Long.parseLong(w[6]);
                        rec.floodBytes[s] = Long.parseLong(w[7]);
                        progress(progress, name, plan, rec, s);
                    }
                } else if (w[0].equals("latency") && w.length == 5) {
                    for (int i = 0; i < 4; i++) {
                        latency[i] = Long.parseLong(w[i + 1]);
                    }
                }
            }
        } finally {
            if (!traffic.waitFor(30, TimeUnit.SECONDS)) {
                traffic.destroyForcibly();
            }
            watcher.interrupt();
            sampler.interrupt();
            watcher.join(5_000);
            sampler.join(5_000);
        }
        return outcome(name, plan, rec, edge, origin0, goAt, latency);
    }

    private static void progress(PrintStream out, String name, UplinkPlan plan, UplinkRecord rec, int s) {
        if ((s + 1) % 5 != 0 && s + 1 != rec.seconds) {
            return;
        }
        int from = Math.max(0, s - 2);
        Double by = UplinkRecord.rate(rec.bystanderOk, rec.bystanderFailed, from, s + 1);
        double u = rec.utilisation[Math.max(0, s - 1)];
        out.printf(
                Locale.ROOT,
                "%-9s %3d/%-3ds  uplink %4s  bystanders %6s  flood %5.1f Mbit/s  http %4d/s  announced %d%n",
                name,
                s + 1,
                plan.durationS(),
                Double.isNaN(u) ? "-" : String.format(Locale.ROOT, "%3.0f%%", u * 100),
                by == null ? "-" : String.format(Locale.ROOT, "%5.1f%%", by * 100),
                rec.floodBytes[s] * 8 / 1e6,
                rec.attackSent[s],
                rec.announcements().stream()
                        .filter(a -> a.withdrawnAtS() == null)
                        .count());
        out.flush();
    }

    /** Four times a second: the router's FlowSpec table enforced, and what the router holds noted. */
    private static void watchRouter(Router router, UplinkRecord rec, long go) {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                List<FlowRule> flows = router.flows();
                router.enforceFlows(flows);
                Map<String, Set<String>> holds = new LinkedHashMap<>();
                Set<String> matches = new LinkedHashSet<>();
                flows.forEach(f -> matches.add(f.match()));
                holds.put("flowspec", matches);
                holds.put("rtbh", router.blackholes());
                rec.routerHolds((System.nanoTime() - go) / 1e9, holds);
                Thread.sleep(250);
            } catch (InterruptedException e) {
                return;
            } catch (IOException e) {
                System.err.println("uplink lab: " + e.getMessage());
            }
        }
    }

    /** Once a second: the uplink's carried bytes and drops at the router, and the attack reaching the origin. */
    private static void sampleLink(Topology topo, EdgeSide edge, UplinkRecord rec, long go) {
        LinkSample last = topo.sample();
        long lastAttack = -1;
        for (int s = 0; s < rec.seconds; s++) {
            long due = go + (s + 1) * 1_000_000_000L;
            try {
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            } catch (InterruptedException e) {
                return;
            }
            LinkSample now = topo.sample();
            rec.utilisation[s] = now.utilisationSince(last, rec.plan.uplinkBitsPerSecond());
            rec.dropped[s] = now.droppedSince(last);
            last = now;
            JsonNode o = edge.origin();
            if (o != null) {
                long a = o.path("attack_arrived").asLong(-1);
                if (lastAttack >= 0 && a >= lastAttack) {
                    rec.originAttack[s] = a - lastAttack;
                }
                lastAttack = a;
            }
        }
    }

    private static LabReport.Run outcome(
            String name,
            UplinkPlan plan,
            UplinkRecord rec,
            EdgeSide edge,
            JsonNode origin0,
            Instant goAt,
            long[] latency) {
        int from = plan.floodFrom();
        int to = plan.floodTo();
        int saturated = rec.saturatedAt();
        double first = rec.firstAnnouncement();
        int relief = rec.reliefAt(first);
        Double afterRelief = relief < 0 ? null : UplinkRecord.rate(rec.bystanderOk, rec.bystanderFailed, relief, to);
        var bystanders = new LabReport.Bystanders(
                UplinkRecord.rate(rec.bystanderOk, rec.bystanderFailed, from, to),
                latency[0] < 0 ? null : latency[0],
                latency[1] < 0 ? null : latency[1],
                null,
                afterRelief);
        var targets = new LabReport.Targets(
                plan.targetNames(),
                UplinkRecord.rate(rec.targetOk, rec.targetFailed, from, to),
                latency[3] < 0 ? null : latency[3]);
        // The edge's own account: when it declared the attack, whom it named, the reports it wrote.
        Double detected = null;
        List<String> named = new ArrayList<>();
        int declared = 0;
        JsonNode attacks = edge.get("/api/attacks");
        if (attacks != null) {
            for (JsonNode a : attacks.isArray() ? attacks : attacks.path("attacks")) {
                declared++;
                a.path("targets").forEach(t -> {
                    if (!named.contains(t.asText())) {
                        named.add(t.asText());
                    }
                });
                Instant start = Instant.parse(a.path("start").asText(goAt.toString()));
                double after = Duration.between(goAt.plusSeconds(plan.httpFrom()), start)
                                .toMillis()
                        / 1000.0;
                detected = detected == null ? UplinkRecord.round(after) : detected;
            }
        }
        long sent = 0;
        long reached = 0;
        for (int s = 0; s < rec.seconds; s++) {
            sent += rec.attackSent[s];
            reached += rec.originAttack[s];
        }
        long[] windowSent = new long[to - plan.httpFrom()];
        long[] windowReached = new long[to - plan.httpFrom()];
        for (int s = plan.httpFrom(); s < to; s++) {
            windowSent[s - plan.httpFrom()] = rec.attackSent[s];
            windowReached[s - plan.httpFrom()] = rec.originAttack[s];
        }
        var attack = new LabReport.Attack(
                sent,
                reached,
                detected,
                Outcomes.mitigatedAfter(windowSent, windowReached, 0.10),
                named,
                declared,
                reports(edge.dir().resolve("reports")));
        var uplink = new LabReport.Uplink(rec.peakUtilisation(), rec.saturatedSeconds());
        var upstream = new LabReport.Upstream(
                Double.isNaN(first) || saturated < 0 ? null : UplinkRecord.round(first - saturated),
                relief < 0 ? null : UplinkRecord.round(Math.max(0, relief - first)),
                rec.announcements());
        return new LabReport.Run(name, bystanders, targets, attack, null, uplink, upstream, null);
    }

    private static List<String> reports(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".md"))
                    .map(f -> f.toAbsolutePath().toString())
                    .sorted()
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static RunView view(String name, UplinkPlan plan, UplinkRecord rec) {
        double[] by = new double[rec.seconds];
        double[] tg = new double[rec.seconds];
        for (int s = 0; s < rec.seconds; s++) {
            Double b = Outcomes.successRate(rec.bystanderOk[s], rec.bystanderFailed[s]);
            Double t = Outcomes.successRate(rec.targetOk[s], rec.targetFailed[s]);
            by[s] = b == null ? Double.NaN : b;
            tg[s] = t == null ? Double.NaN : t;
        }
        return new RunView(
                name,
                plan.floodFrom(),
                plan.floodTo(),
                plan.httpFrom(),
                rec.utilisation.clone(),
                by,
                tg,
                rec.announcements());
    }

    /** The page: both runs on one time axis each, with the figures. */
    public static String html(Outcome outcome) {
        return UplinkHtml.render(outcome.report(), outcome.runs());
    }

    /** The outcome in one or two sentences, from the figures. */
    public static String headline(LabReport report) {
        StringBuilder b = new StringBuilder();
        for (LabReport.Run r : report.runs()) {
            LabReport.Upstream u = r.upstream();
            b.append(String.format(
                    Locale.ROOT,
                    "%s: bystanders %s during the flood (uplink full %d s)",
                    r.name(),
                    pct(r.bystanders().legitSuccessRate()),
                    r.uplink() == null ? 0 : r.uplink().saturatedSeconds()));
            if (u != null && u.firstAnnouncementAfterS() != null) {
                b.append(String.format(
                        Locale.ROOT, ", first announcement %.1f s after the link filled", u.firstAnnouncementAfterS()));
            }
            if (u != null && u.reliefAfterS() != null) {
                b.append(String.format(
                        Locale.ROOT,
                        ", relief %.1f s after it, bystanders %s from then on",
                        u.reliefAfterS(),
                        pct(r.bystanders().afterReliefSuccessRate())));
            }
            b.append(". ");
        }
        return b.toString().strip();
    }

    private static String pct(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.1f%%", v * 100);
    }
}
