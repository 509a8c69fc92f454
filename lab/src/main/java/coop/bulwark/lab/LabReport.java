package coop.bulwark.lab;

import com.fasterxml.jackson.annotation.JsonIgnore;
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
            @JsonIgnore Long challengesSolved) {
        public Run(String name, Bystanders bystanders, Targets targets, Attack attack) {
            this(name, bystanders, targets, attack, null);
        }
    }

    /**
     * Legitimate requests to sites that are not attacked. Null figures: no request in the window.
     *
     * @param nojsSuccessRate the success rate of the people who run no JavaScript (their requests also count in
     *     {@code legitSuccessRate}); null when the scenario has none or they made no request here
     */
    public record Bystanders(Double legitSuccessRate, Long p50Ms, Long p99Ms, Double nojsSuccessRate) {
        public Bystanders(Double legitSuccessRate, Long p50Ms, Long p99Ms) {
            this(legitSuccessRate, p50Ms, p99Ms, null);
        }
    }

    /** Legitimate requests to the attacked sites; {@code nojsSuccessRate} as for {@link Bystanders}. */
    public record Targets(List<String> sites, Double legitSuccessRate, Long p99Ms, Double nojsSuccessRate) {
        public Targets {
            sites = List.copyOf(sites);
        }

        public Targets(List<String> sites, Double legitSuccessRate, Long p99Ms) {
            this(sites, legitSuccessRate, p99Ms, null);
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
