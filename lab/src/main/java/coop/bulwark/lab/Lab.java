package coop.bulwark.lab;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import coop.bulwark.site.ConfigException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code bulwark lab}: runs a scenario's traffic against each edge in turn ({@code unprotected}, then
 * {@code bulwark}; or one external edge) and reports the outcome as a table, JSON and HTML.
 */
public final class Lab {
    private Lab() {}

    /**
     * What to run. {@code external} null: the two runs of Bulwark, each started as its own process.
     *
     * @param reportsDir where the protected run's edge writes its incident reports
     * @param targetsUnderAttack see {@link LabRun.Spawned}
     * @param untuned see {@link LabRun.Spawned}
     * @param edges how many Bulwark processes share the traffic (a cluster on the lab's redis-server when more than one)
     */
    public record Plan(
            Scenario scenario,
            boolean quick,
            long seed,
            LabRun.External external,
            String externalName,
            Path reportsDir,
            boolean targetsUnderAttack,
            boolean untuned,
            int edges) {
        public Plan(Scenario scenario, boolean quick, long seed, LabRun.External external, String externalName) {
            this(scenario, quick, seed, external, externalName, Path.of("lab-reports"), false, false, 1);
        }
    }

    /** The report and the per-second series behind it. */
    public record Outcome(LabReport report, List<LabReport.Series> series) {}

    public static Outcome run(Plan plan, PrintStream progress, boolean interactive)
            throws IOException, InterruptedException, ConfigException {
        LabRun runner = new LabRun(
                plan.scenario(), plan.quick(), plan.seed(), progress, interactive, plan.reportsDir(), plan.edges());

        List<LabReport.Run> runs = new ArrayList<>();
        List<LabReport.Series> series = new ArrayList<>();
        if (plan.external() != null) {
            LabRun.Result r = runner.run(plan.externalName(), plan.external());
            runs.add(r.run());
            series.add(r.series());
        } else {
            for (boolean protect : new boolean[] {false, true}) {
                LabRun.Result r = runner.run(
                        protect ? "bulwark" : "unprotected",
                        new LabRun.Spawned(protect, plan.targetsUnderAttack(), plan.untuned()));
                runs.add(r.run());
                series.add(r.series());
            }
        }
        Scenario s = plan.scenario();
        return new Outcome(
                new LabReport(s.name(), s.sites(), s.duration(plan.quick()).toSeconds(), machine(), runs), series);
    }

    /**
     * Moves this process (the lab's clients and origin model) off CPU 0, where the edge under test runs, when at least
     * two other cores are left for it. On a 2-core machine the lab shares: the seed scenario's 3,300 clients queue on
     * one core, and the lab would then measure its own queueing (people's p99 3.3 s with the clients on CPU 1 alone
     * against 0.56 s shared, the edge's CPU the same 16–19 s). Best effort (taskset from util-linux). For the command
     * line only: it pins the whole process for the rest of its life.
     */
    static void keepOffCpuZero() {
        int cpus = Runtime.getRuntime().availableProcessors();
        if (cpus < 3) {
            return;
        }
        try {
            Process p = new ProcessBuilder(
                            "taskset",
                            "-a",
                            "-p",
                            "-c",
                            "1-" + (cpus - 1),
                            Long.toString(ProcessHandle.current().pid()))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            p.waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            // no taskset: the lab and the edge share the machine
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * One report of every run in {@code reports}, in order (e.g. the lab's own two runs, then nginx's and HAProxy's
     * from {@code bench/lab-peers.sh}). They must describe the same scenario, site count and run length; scenario,
     * sites, duration and machine are the first report's.
     */
    public static LabReport merge(List<LabReport> reports) {
        if (reports.isEmpty()) {
            throw new IllegalArgumentException("nothing to merge");
        }
        LabReport first = reports.get(0);
        List<LabReport.Run> runs = new ArrayList<>();
        for (LabReport r : reports) {
            if (!r.scenario().equals(first.scenario())
                    || r.sites() != first.sites()
                    || r.durationS() != first.durationS()) {
                throw new IllegalArgumentException(String.format(
                        Locale.ROOT,
                        "scenario %s (%d sites, %d s) does not match %s (%d sites, %d s)",
                        r.scenario(),
                        r.sites(),
                        r.durationS(),
                        first.scenario(),
                        first.sites(),
                        first.durationS()));
            }
            runs.addAll(r.runs());
        }
        return new LabReport(first.scenario(), first.sites(), first.durationS(), first.machine(), runs);
    }

    /** This machine, in one line. */
    public static String machine() {
        return String.format(
                Locale.ROOT,
                "%s %s %s, %d cores, Java %s, %.1f GiB RAM",
                System.getProperty("os.name"),
                System.getProperty("os.version"),
                System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"),
                totalMemoryGiB());
    }

    private static double totalMemoryGiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0 / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        return Runtime.getRuntime().maxMemory() / (1024.0 * 1024 * 1024);
    }

    public static ObjectMapper json() {
        return new ObjectMapper()
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(SerializationFeature.INDENT_OUTPUT);
    }

    /** The widest line {@link #table} and {@link #wrap} print: a terminal of 100 columns shows it unbroken. */
    static final int COLUMNS = 100;

    /**
     * The outcome as a compact text table, one row per run, at most {@link #COLUMNS} wide: the headline figures
     * only (latency medians, edge details and the per-second story are in the JSON and HTML).
     */
    public static String table(LabReport report) {
        StringBuilder b = new StringBuilder();
        List<String> targets = report.runs().isEmpty()
                ? List.of()
                : report.runs().get(0).targets().sites();
        b.append(cut(String.format(
                        Locale.ROOT,
                        "scenario %s: %d sites, %d s per run, targets %s",
                        report.scenario(),
                        report.sites(),
                        report.durationS(),
                        targets.isEmpty() ? "none" : String.join(", ", targets))))
                .append('\n');
        String row = "%-11.11s %10s %6s %7s %6s %11s %9s %8s %9s %10s%n";
        b.append(String.format(
                Locale.ROOT,
                row,
                "run",
                "bystanders",
                "p99",
                "targets",
                "p99",
                "attack sent",
                "at origin",
                "detected",
                "mitigated",
                "challenges"));
        for (LabReport.Run r : report.runs()) {
            b.append(String.format(
                    Locale.ROOT,
                    row,
                    r.name(),
                    pct(r.bystanders().legitSuccessRate()),
                    ms(r.bystanders().p99Ms()),
                    pct(r.targets().legitSuccessRate()),
                    ms(r.targets().p99Ms()),
                    String.format(Locale.ROOT, "%,d", r.attack().requestsSent()),
                    String.format(Locale.ROOT, "%,d", r.attack().requestsReachingOrigin()),
                    r.attack().detectedAfterS() == null ? "-" : r.attack().detectedAfterS() + " s",
                    r.attack().mitigatedAfterS() == null ? "-" : r.attack().mitigatedAfterS() + " s",
                    r.challengesSolved() == null ? "-" : String.format(Locale.ROOT, "%,d", r.challengesSolved())));
        }
        List<String> costs = new ArrayList<>();
        for (LabReport.Run r : report.runs()) {
            if (r.edge() != null) {
                costs.add(String.format(
                        Locale.ROOT,
                        "%s %.1f s%s",
                        r.name(),
                        r.edge().cpuSeconds(),
                        r.edge().cpuUsPerRequest() == null
                                ? ""
                                : String.format(
                                        Locale.ROOT,
                                        " (%.0f µs/request)",
                                        r.edge().cpuUsPerRequest())));
            }
        }
        if (!costs.isEmpty()) {
            b.append(wrap("edge CPU: " + String.join(", ", costs)));
        }
        for (LabReport.Run r : report.runs()) {
            if (r.bystanders().nojsSuccessRate() != null || r.targets().nojsSuccessRate() != null) {
                b.append(cut(r.name() + " people without JavaScript: bystanders "
                                + pct(r.bystanders().nojsSuccessRate()) + ", targets "
                                + pct(r.targets().nojsSuccessRate())))
                        .append('\n');
            }
        }
        for (LabReport.Run r : report.runs()) {
            LabReport.Onset o = r.bystanders().onset();
            if (o != null && o.legitSuccessRate() != null) {
                b.append(cut(r.name() + " bystanders in the attack's first " + o.seconds() + " s: "
                                + pct(o.legitSuccessRate()) + ", p50 " + ms(o.p50Ms()) + ", p99 "
                                + ms(o.p99Ms())))
                        .append('\n');
            }
            LabReport.Chromium c = r.targets().chromium();
            if (c != null) {
                b.append(cut(r.name() + " people in Chromium on the targets: " + pct(c.successRate()) + " of "
                                + c.visits() + " visits, p50 " + ms(c.p50Ms())))
                        .append('\n');
            }
        }
        for (LabReport.Run r : report.runs()) {
            if (!r.attack().namedTargets().isEmpty()) {
                b.append(cut(r.name() + " named as targets: "
                                + String.join(", ", r.attack().namedTargets())))
                        .append('\n');
            }
        }
        return b.toString();
    }

    /** {@code text} broken at spaces into lines of at most {@link #COLUMNS}, each ending in a newline. */
    static String wrap(String text) {
        StringBuilder b = new StringBuilder(text.length() + 8);
        int line = 0;
        for (String word : text.split(" ")) {
            if (line > 0 && line + 1 + word.length() > COLUMNS) {
                b.append('\n');
                line = 0;
            } else if (line > 0) {
                b.append(' ');
                line++;
            }
            b.append(word);
            line += word.length();
        }
        return b.append('\n').toString();
    }

    private static String cut(String line) {
        return line.length() > COLUMNS ? line.substring(0, COLUMNS - 1) + "…" : line;
    }

    private static String pct(Double rate) {
        return rate == null ? "-" : String.format(Locale.ROOT, "%.2f%%", rate * 100);
    }

    /** "382ms", "9999ms", "12.3s": at most six characters. */
    private static String ms(Long millis) {
        if (millis == null) {
            return "-";
        }
        return millis < 10_000 ? millis + "ms" : String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
    }
}
