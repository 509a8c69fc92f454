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

/**
 * {@code bulwark lab}: runs a scenario's traffic against each edge in turn ({@code unprotected}, then
 * {@code bulwark}; or one external edge) and reports the outcome as a table, JSON and HTML.
 */
public final class Lab {
    private Lab() {}

    /**
     * What to run. {@code external} null: the two in-process runs.
     *
     * @param reportsDir where the protected run's edge writes its incident reports
     * @param targetsUnderAttack see {@link LabRun.InProcess}
     * @param untuned see {@link LabRun.InProcess}
     */
    public record Plan(
            Scenario scenario,
            boolean quick,
            long seed,
            LabRun.External external,
            String externalName,
            Path reportsDir,
            boolean targetsUnderAttack,
            boolean untuned) {
        public Plan(Scenario scenario, boolean quick, long seed, LabRun.External external, String externalName) {
            this(scenario, quick, seed, external, externalName, Path.of("lab-reports"), false, false);
        }
    }

    /** The report and the per-second series behind it. */
    public record Outcome(LabReport report, List<LabReport.Series> series) {}

    public static Outcome run(Plan plan, PrintStream progress, boolean interactive)
            throws IOException, InterruptedException, ConfigException {
        LabRun runner =
                new LabRun(plan.scenario(), plan.quick(), plan.seed(), progress, interactive, plan.reportsDir());
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
                        new LabRun.InProcess(protect, plan.targetsUnderAttack(), plan.untuned()));
                runs.add(r.run());
                series.add(r.series());
            }
        }
        Scenario s = plan.scenario();
        return new Outcome(
                new LabReport(s.name(), s.sites(), s.duration(plan.quick()).toSeconds(), machine(), runs), series);
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

    /** The outcome as a text table, one row per run. */
    public static String table(LabReport report) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(
                Locale.ROOT,
                "scenario %s: %d sites, %d s per run, targets %s%n",
                report.scenario(),
                report.sites(),
                report.durationS(),
                report.runs().isEmpty() ? "-" : report.runs().get(0).targets().sites()));
        b.append(String.format(
                Locale.ROOT,
                "%-12s | %-28s | %-20s | %-37s | %-10s | %s%n",
                "run",
                "bystanders ok   p50    p99",
                "targets ok     p99",
                "attack sent -> at origin  mitigated",
                "challenges",
                "detected  named targets"));
        for (LabReport.Run r : report.runs()) {
            b.append(String.format(
                    Locale.ROOT,
                    "%-12s | %8s %6s %6s | %8s %9s | %11d -> %9d %11s | %10s | %8s  %s%n",
                    r.name(),
                    pct(r.bystanders().legitSuccessRate()),
                    ms(r.bystanders().p50Ms()),
                    ms(r.bystanders().p99Ms()),
                    pct(r.targets().legitSuccessRate()),
                    ms(r.targets().p99Ms()),
                    r.attack().requestsSent(),
                    r.attack().requestsReachingOrigin(),
                    r.attack().mitigatedAfterS() == null ? "-" : r.attack().mitigatedAfterS() + " s",
                    r.challengesSolved() == null ? "-" : r.challengesSolved(),
                    r.attack().detectedAfterS() == null ? "-" : r.attack().detectedAfterS() + " s",
                    r.attack().namedTargets().isEmpty()
                            ? "-"
                            : String.join(", ", r.attack().namedTargets())));
        }
        return b.toString();
    }

    private static String pct(Double rate) {
        return rate == null ? "-" : String.format(Locale.ROOT, "%.2f%%", rate * 100);
    }

    private static String ms(Long millis) {
        return millis == null ? "-" : millis + "ms";
    }
}
