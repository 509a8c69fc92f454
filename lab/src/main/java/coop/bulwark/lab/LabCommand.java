package coop.bulwark.lab;

import coop.bulwark.cli.BulwarkVersion;
import coop.bulwark.lab.uplink.UplinkLab;
import coop.bulwark.notify.EventLog;
import coop.bulwark.site.ConfigException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bulwark lab --scenario NAME} (run by {@link LabMain}, which {@code ./bulwark lab} launches): reproduces an attack on this machine, against no protection and against
 * Bulwark, and scores the collateral damage (scenarios/README.md). Exit 2 for a bad scenario or option, 1 when a run
 * cannot start.
 */
@Command(
        name = "lab",
        mixinStandardHelpOptions = true,
        versionProvider = BulwarkVersion.class,
        description = "Reproduce an attack on this machine (shared origin, many sites, people and bots on loopback)"
                + " and score it: unprotected vs bulwark.")
final class LabCommand implements Callable<Integer> {
    @Option(names = "--scenario", defaultValue = "seed", paramLabel = "NAME", description = "Scenario (default: seed).")
    String scenario;

    @Option(
            names = "--scenarios",
            // The launcher exports BULWARK_HOME (the checkout), so the lab finds its scenarios from any directory.
            defaultValue = "${env:BULWARK_HOME:-.}/scenarios",
            paramLabel = "DIR",
            description = "Directory of scenario files (default: the checkout's scenarios/).")
    Path scenarios;

    @Option(names = "--quick", description = "Short phases: both runs in about a minute.")
    boolean quick;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the outcome as JSON.")
    Path json;

    @Option(
            names = "--html",
            paramLabel = "FILE",
            description = "Where to write the HTML report, the one-page story (default: DIR/lab-SCENARIO.html under"
                    + " --reports).")
    Path html;

    @Option(
            names = "--edge",
            paramLabel = "HOST:PORT",
            description = "Aim the traffic at an external edge (one run) that proxies every site to the origin model"
                    + " already running on --origin-port (started with --origin-only); starts no origin or edge.")
    String edge;

    @Option(
            names = "--edge-pid",
            split = ",",
            paramLabel = "PID",
            description = "With --edge: the external edge's processes (their children are counted too), whose CPU the"
                    + " run reports as edge.cpu_seconds and edge.cpu_us_per_request.")
    List<Long> edgePids = new ArrayList<>();

    @Option(
            names = "--clients",
            defaultValue = "all",
            paramLabel = "all|people|attack",
            description = "With --edge: run only the people (measuring clients) or only the attack in this process,"
                    + " so the two can run in separate processes at different priorities (default: all).")
    String clients;

    @Option(
            names = "--start-at",
            paramLabel = "EPOCH_MS",
            description = "With --edge: begin the run at this wall-clock time (milliseconds since the epoch), so a"
                    + " --clients people and a --clients attack process keep one clock (default: now).")
    Long startAt;

    @Option(
            names = "--share-cores",
            description = "Let the lab's clients and origin model use every core, the edge's too (by default they keep"
                    + " off CPU 0, where the edge runs, on a machine with three or more).")
    boolean shareCores;

    @Option(names = "--run-name", defaultValue = "external", description = "Name of the external run.")
    String runName;

    @Option(
            names = "--origin-port",
            defaultValue = "18090",
            description = "Port of the origin model with --edge or --origin-only (default: 18090).")
    int originPort;

    @Option(
            names = "--origin-only",
            description = "Only run the scenario's origin model on --origin-port, until stopped.")
    boolean originOnly;

    @Option(
            names = "--merge",
            arity = "1..*",
            paramLabel = "FILE",
            description = "Run nothing: join the runs of these lab JSON files (same scenario and length) into one"
                    + " report, print its table and write it with --json.")
    List<Path> merge;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed of the traffic (default: 1).")
    long seed;

    @Option(
            names = "--reports",
            defaultValue = "lab-reports",
            paramLabel = "DIR",
            description = "Where the protected run's edge writes incident reports (default: lab-reports).")
    Path reports;

    @Option(
            names = "--targets-under-attack",
            description = "Start the targets under_attack in the Bulwark run (pinned, as an operator would), instead"
                    + " of leaving it to detection: the challenge is on from the first second.")
    boolean targetsUnderAttack;

    @Option(
            names = "--untuned",
            description = "Leave origin_capacity unset in the Bulwark run (a new user's config): the edge learns the"
                    + " origin's concurrency limit from its answers instead of being told its worker count.")
    boolean untuned;

    @Option(
            names = "--edges",
            defaultValue = "1",
            paramLabel = "N",
            description = "Run N Bulwark processes side by side, people and attackers sharing them round-robin as DNS"
                    + " would; the protected run's edges form a cluster on a redis-server the lab starts on loopback"
                    + " (default: 1).")
    int edges;

    @Override
    public Integer call() throws Exception {
        if (merge != null) {
            return merge();
        }
        // The lab tells its story in at most 100 columns: detection's events in its own progress lines, the report
        // paths at the end. The embedded edges' INFO lines (and the JSON event log, which would print each event
        // twice) would only break it up; their warnings still show.
        for (String name : List.of(EventLog.LOGGER, "bulwark", "coop.bulwark")) {
            if (LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger quiet) {
                quiet.setLevel(ch.qos.logback.classic.Level.WARN);
            }
        }
        if (scenario.equals("uplink") && !originOnly && edge == null) {
            return uplink();
        }
        Scenario s;
        try {
            s = ScenarioReader.load(scenarios, scenario);
        } catch (ScenarioException e) {
            e.problems().forEach(System.err::println);
            return 2;
        }
        if (originOnly) {
            return originOnly(s);
        }
        if (edges < 1 || edges > 8 || (edges > 1 && edge != null)) {
            System.err.println("--edges: " + edges + " (expected: 1-8, and 1 with --edge)");
            return 2;
        }
        LabRun.External external = null;
        if (edge != null) {
            int colon = edge.lastIndexOf(':');
            if (colon < 1) {
                System.err.println("--edge: " + edge + " (expected: HOST:PORT)");
                return 2;
            }
            ClientSide side;
            try {
                side = ClientSide.valueOf(clients.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                System.err.println("--clients: " + clients + " (expected: all, people or attack)");
                return 2;
            }
            Instant at = startAt == null ? null : Instant.ofEpochMilli(startAt);
            if (at != null
                    && (at.isBefore(Instant.now().minusSeconds(5))
                            || at.isAfter(Instant.now().plusSeconds(600)))) {
                System.err.println(
                        "--start-at: " + startAt + " (expected: within the next 10 minutes, ms since the epoch)");
                return 2;
            }
            external = new LabRun.External(
                    new InetSocketAddress(edge.substring(0, colon), Integer.parseInt(edge.substring(colon + 1))),
                    originPort,
                    edgePids,
                    side,
                    at);
        } else if (!clients.equals("all") || startAt != null) {
            System.err.println("--clients and --start-at need --edge (the lab's own runs drive every client)");
            return 2;
        }
        System.err.print(Lab.wrap(String.format(
                Locale.ROOT,
                "lab: scenario %s (%s), %d sites, %d s per run",
                s.name(),
                s.description(),
                s.sites(),
                s.duration(quick).toSeconds())));
        if (external == null && !shareCores) {
            Lab.keepOffCpuZero();
        }
        Lab.Outcome outcome;
        try {
            outcome = Lab.run(
                    new Lab.Plan(s, quick, seed, external, runName, reports, targetsUnderAttack, untuned, edges),
                    System.err,
                    System.console() != null);
        } catch (IOException | ConfigException e) {
            System.err.println("lab: " + e.getMessage());
            return 1;
        }
        Path page = html != null ? html : reports.resolve("lab-" + s.name() + ".html");
        if (page.toAbsolutePath().getParent() != null) {
            Files.createDirectories(page.toAbsolutePath().getParent());
        }
        Files.writeString(page, LabHtml.render(outcome.report(), outcome.series()));
        if (json != null) {
            Lab.json().writeValue(json.toFile(), outcome.report());
        }
        System.out.println();
        System.out.print(Lab.table(outcome.report()));
        System.out.println();
        System.out.print(Lab.wrap(Verdict.of(outcome.report()).headline()));
        System.out.println();
        System.out.println("report:  " + page.toAbsolutePath());
        if (json != null) {
            System.out.println("json:    " + json.toAbsolutePath());
        }
        for (var run : outcome.report().runs()) {
            if (run.cluster() != null) {
                System.out.printf(
                        Locale.ROOT,
                        "cluster (%s): %d edges, %d bans shared, %d challenge passes across edges%n",
                        run.name(),
                        run.cluster().edges(),
                        run.cluster().bansShared(),
                        run.cluster().challengePassesAcrossEdges());
            }
            for (String r : run.attack().reports()) {
                System.out.println("incident (" + run.name() + "): " + r);
            }
        }
        return 0;
    }

    /** {@code --scenario uplink}: built in (namespaces, BIRD, ExaBGP), not read from a file. */
    private int uplink() throws IOException, InterruptedException {
        String why = UplinkLab.unavailableReason();
        if (why != null) {
            System.err.println("lab: " + why);
            return 1;
        }
        System.err.print(Lab.wrap("lab: scenario uplink (a full uplink: HTTP flood on 2 of 40 sites, then a UDP flood"
                + " 4x the uplink toward their address; edge alone vs the edge telling the upstream what to drop)"));
        UplinkLab.Outcome outcome;
        try {
            outcome = UplinkLab.run(quick ? "quick" : "full", seed, reports, System.err);
        } catch (IOException e) {
            System.err.println("lab: " + e.getMessage());
            return 1;
        }
        Path page = html != null ? html : reports.resolve("lab-uplink.html");
        if (page.toAbsolutePath().getParent() != null) {
            Files.createDirectories(page.toAbsolutePath().getParent());
        }
        Files.writeString(page, UplinkLab.html(outcome));
        if (json != null) {
            Lab.json().writeValue(json.toFile(), outcome.report());
        }
        System.out.println();
        System.out.print(Lab.table(outcome.report()));
        System.out.println();
        System.out.print(Lab.wrap(UplinkLab.headline(outcome.report())));
        System.out.println("report:  " + page.toAbsolutePath());
        if (json != null) {
            System.out.println("json:    " + json.toAbsolutePath());
        }
        return 0;
    }

    private int merge() throws IOException {
        LabReport merged;
        try {
            List<LabReport> reports = new ArrayList<>();
            for (Path f : merge) {
                reports.add(Lab.json().readValue(f.toFile(), LabReport.class));
            }
            merged = Lab.merge(reports);
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("lab: --merge: " + e.getMessage());
            return 2;
        }
        System.out.print(Lab.table(merged));
        System.out.println();
        System.out.print(Lab.wrap(Verdict.of(merged).headline()));
        if (json != null) {
            Lab.json().writeValue(json.toFile(), merged);
        }
        return 0;
    }

    private int originOnly(Scenario s) throws InterruptedException {
        // The model knows the attacked sites by Host, as LabRun starts it.
        Set<String> targets = s.targets().stream()
                .map(t -> Scenario.siteHost(Integer.parseInt(t.substring("site-".length()))))
                .collect(Collectors.toUnmodifiableSet());
        try (OriginModel origin = OriginModel.start(s.origin(), targets, originPort)) {
            System.err.printf(
                    "lab: origin model of %s on %s (%d workers); every site's Host is site-NNNN.lab.test; Ctrl-C stops%n",
                    s.name(), origin.address(), s.origin().workers());
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "lab-origin-stop"));
            stop.await();
        }
        return 0;
    }
}
