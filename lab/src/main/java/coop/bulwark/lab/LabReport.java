package coop.bulwark.lab;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The lab's outcome, serialised as JSON with snake_case names (the contract of issue 4): one entry per run, the same
 * traffic in each.
 *
 * @param scenario the scenario's name
 * @param sites number of member sites
 * @param durationS length of one run in seconds
 * @param machine the machine it ran on (OS, cores, Java, memory)
 * @param runs one per edge tried
 */
public record LabReport(String scenario, int sites, long durationS, String machine, List<Run> runs) {
    public LabReport {
        runs = List.copyOf(runs);
    }

    /** One run: the figures over its measurement window (the attack; for a scenario without attack, after warm-up). */
    /**
     * One run's outcome.
     *
     * @param challengesSolved challenges the simulated browsers solved during the run, for the terminal table; not in
     *     the JSON, whose shape is fixed (null: not counted, e.g. a run read from a JSON file)
     */
    public record Run(
            String name,
            Bystanders bystanders,
            Targets targets,
            Attack attack,
            @JsonIgnore Long challengesSolved,
            @JsonInclude(JsonInclude.Include.NON_NULL) Uplink uplink,
            @JsonInclude(JsonInclude.Include.NON_NULL) Upstream upstream,
            @JsonInclude(JsonInclude.Include.NON_NULL) EdgeCost edge,
            @JsonInclude(JsonInclude.Include.NON_NULL) Cluster cluster) {
        public Run(
                String name,
                Bystanders bystanders,
                Targets targets,
                Attack attack,
                Long challengesSolved,
                Uplink uplink,
                Upstream upstream,
                EdgeCost edge) {
            this(name, bystanders, targets, attack, challengesSolved, uplink, upstream, edge, null);
        }

        public Run(String name, Bystanders bystanders, Targets targets, Attack attack) {
            this(name, bystanders, targets, attack, null);
        }

        public Run(String name, Bystanders bystanders, Targets targets, Attack attack, Long challengesSolved) {
            this(name, bystanders, targets, attack, challengesSolved, null, null, null);
        }

        /** This run with {@code cost} as its edge's. */
        public Run withEdge(EdgeCost cost) {
            return new Run(name, bystanders, targets, attack, challengesSolved, uplink, upstream, cost, cluster);
        }

        /** This run with {@code c} as its cluster's figures. */
        public Run withCluster(Cluster c) {
            return new Run(name, bystanders, targets, attack, challengesSolved, uplink, upstream, edge, c);
        }
    }

    /**
     * A run on several edges sharing one Redis ({@code --edges N}, the protected run).
     *
     * @param edges how many edges shared the traffic
     * @param bansShared bans one edge took from another (summed over the edges)
     * @param challengePassesAcrossEdges pages a person got without a challenge from an edge other than the one where
     *     they solved it (their pass cookie accepted by another edge)
     */
    public record Cluster(int edges, long bansShared, long challengePassesAcrossEdges) {}

    /**
     * What the edge under test cost, measured on its own process (null for an edge the lab did not start and was not
     * told the process of).
     *
     * @param cpuSeconds user and system CPU of the edge's process over the run
     * @param cpuUsPerRequest that CPU per request the edge handled (people's and the attack's), in microseconds
     */
    public record EdgeCost(double cpuSeconds, Double cpuUsPerRequest) {}

    /**
     * Legitimate requests to sites that are not attacked. Null figures: no request in the window.
     *
     * @param nojsSuccessRate the success rate of the people who run no JavaScript (their requests also count in
     *     {@code legitSuccessRate}); null when the scenario has none or they made no request here
     * @param afterReliefSuccessRate the uplink scenario only: from the upstream's relief to the flood's end (null
     *     elsewhere, or when there was no relief)
     * @param onset the attack's first {@link RunRecorder#ONSET_SECONDS} seconds, when an edge has not yet adapted
     *     (null without an attack)
     * @param p99MsBySecond the p99 of the requests begun in each second of the window, from its first (null entries:
     *     no request that second); where in the run the slow answers were, which a p99 over the window hides
     */
    public record Bystanders(
            Double legitSuccessRate,
            Long p50Ms,
            Long p99Ms,
            Double nojsSuccessRate,
            @JsonInclude(JsonInclude.Include.NON_NULL) Double afterReliefSuccessRate,
            @JsonInclude(JsonInclude.Include.NON_NULL) Onset onset,
            @JsonInclude(JsonInclude.Include.NON_NULL) List<Long> p99MsBySecond) {
        public Bystanders {
            p99MsBySecond = p99MsBySecond == null ? null : Collections.unmodifiableList(new ArrayList<>(p99MsBySecond));
        }

        public Bystanders(Double legitSuccessRate, Long p50Ms, Long p99Ms) {
            this(legitSuccessRate, p50Ms, p99Ms, null, null, null, null);
        }

        public Bystanders(Double legitSuccessRate, Long p50Ms, Long p99Ms, Double nojsSuccessRate) {
            this(legitSuccessRate, p50Ms, p99Ms, nojsSuccessRate, null, null, null);
        }

        public Bystanders(
                Double legitSuccessRate,
                Long p50Ms,
                Long p99Ms,
                Double nojsSuccessRate,
                Double afterReliefSuccessRate) {
            this(legitSuccessRate, p50Ms, p99Ms, nojsSuccessRate, afterReliefSuccessRate, null, null);
        }
    }

    /**
     * Bystanders over the attack's first seconds. Null figures: no request then.
     *
     * @param seconds how many seconds from the attack's start: 5, or the whole attack when it is shorter
     */
    public record Onset(int seconds, Double legitSuccessRate, Long p50Ms, Long p99Ms) {}

    /**
     * The people reading the attacked sites in a real headless Chromium ({@code legit.chromium_readers}), over the
     * window: visits that showed the site within {@link ChromiumReaders#PATIENCE}, and their median time to it.
     */
    public record Chromium(int readers, long visits, Double successRate, Long p50Ms) {}

    /**
     * The uplink scenario: the link from the upstream router to the edge, measured at the router.
     *
     * @param peakUtilisation the busiest second's carried bytes against the link's capacity
     * @param saturatedSeconds seconds the link carried at least 90 % of its capacity
     */
    public record Uplink(double peakUtilisation, int saturatedSeconds) {}

    /**
     * The uplink scenario: what the upstream was told, as the router saw it.
     *
     * @param firstAnnouncementAfterS from the link's saturation to the first rule or route in the router
     * @param reliefAfterS from that first announcement until the link stayed below 70 % of its capacity
     * @param announcements every rule and route the router held during the run
     */
    public record Upstream(
            Double firstAnnouncementAfterS, Double reliefAfterS, List<UpstreamAnnouncement> announcements) {
        public Upstream {
            announcements = List.copyOf(announcements);
        }
    }

    /**
     * One announcement as the router held it.
     *
     * @param kind {@code flowspec} or {@code rtbh}
     * @param match what it matches: {@code source S destination D}, or the blackholed prefix
     * @param withdrawnAtS null: still there at the run's end
     */
    public record UpstreamAnnouncement(String kind, String match, double announcedAtS, Double withdrawnAtS) {}

    /**
     * Legitimate requests to the attacked sites; {@code nojsSuccessRate} as for {@link Bystanders}; {@code chromium}
     * null when the scenario has no Chromium readers.
     */
    public record Targets(
            List<String> sites,
            Double legitSuccessRate,
            Long p99Ms,
            Double nojsSuccessRate,
            @JsonInclude(JsonInclude.Include.NON_NULL) Chromium chromium) {
        public Targets {
            sites = List.copyOf(sites);
        }

        public Targets(List<String> sites, Double legitSuccessRate, Long p99Ms) {
            this(sites, legitSuccessRate, p99Ms, null, null);
        }

        public Targets(List<String> sites, Double legitSuccessRate, Long p99Ms, Double nojsSuccessRate) {
            this(sites, legitSuccessRate, p99Ms, nojsSuccessRate, null);
        }
    }

    /**
     * The attack's side.
     *
     * @param detectedAfterS seconds (0.1 s resolution) from the attack's start until the edge declared an attack;
     *     null: none declared (or an external edge, which does not tell)
     * @param mitigatedAfterS seconds from the attack's start after which, to its end, at most 10% of attack requests
     *     sent each second reached the origin; null if that never held
     * @param namedTargets the sites the edge named as targets, over every attack it declared during the run
     * @param attacksDeclared how many attacks the edge declared during the run (0 is right for quiet and viral)
     * @param reports the incident reports the edge wrote during the run (Markdown paths)
     */
    public record Attack(
            long requestsSent,
            long requestsReachingOrigin,
            Double detectedAfterS,
            Integer mitigatedAfterS,
            List<String> namedTargets,
            int attacksDeclared,
            List<String> reports) {
        public Attack {
            namedTargets = List.copyOf(namedTargets);
            reports = List.copyOf(reports);
        }
    }

    /**
     * Per-second series of one run, for the HTML report (not part of the JSON contract).
     *
     * @param markers what happened when, in time order: drawn on every chart of the run
     */
    public record Series(
            String name,
            List<String> phases,
            List<Integer> phaseStarts,
            double[] bystanderSuccess,
            double[] targetSuccess,
            double[] bystanderP99Ms,
            long[] attackSent,
            long[] originAttack,
            long[] originLegit,
            long[] originBusy,
            long[] originQueued,
            List<Marker> markers) {
        public Series {
            phases = List.copyOf(phases);
            phaseStarts = List.copyOf(phaseStarts);
            markers = List.copyOf(markers);
        }
    }

    /**
     * A moment of a run worth marking on its charts. The page draws every kind the same way (a colour per kind, in
     * order of first appearance), so a new kind needs no page code.
     *
     * @param atS seconds from the run's start
     * @param kind what sort of event: {@code detection}, {@code state}, {@code ban}, …
     * @param label what happened, in a few words
     */
    public record Marker(double atS, String kind, String label) {}
}
