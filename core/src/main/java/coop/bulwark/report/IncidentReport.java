package coop.bulwark.report;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One attack's incident report, as known when it was built: immutable, and serialised by {@link ReportJson} with
 * snake_case field names, which are a contract (docs/reports.md). Rates are per second; shares are 0-1; times are
 * ISO-8601 UTC; a value that cannot be known (no traffic, nothing mitigated) is null.
 *
 * @param id the attack's id, e.g. {@code atk-1764063600-1}
 * @param status ongoing or ended
 * @param start when the detector declared the attack (the first target entered under_attack)
 * @param end when the last target was back to normal; null while ongoing
 * @param detectedAt when Bulwark knew: the tick that declared the attack (equal to {@code start})
 * @param onset the first tick a target left normal or went over its suspect threshold, in the run-up to the attack
 * @param timeToDetectS {@code detectedAt - onset}
 * @param timeToMitigateS the first mitigation on a target or edge-wide (the detector's switch to the under_attack
 *     policy counts) minus {@code onset}; null when nothing was mitigated
 * @param targets the named targets, largest peak excess first
 * @param peakRps the highest one-tick rate over all targets together
 * @param topPrefixes the heaviest source prefixes sending to the targets while under attack
 * @param signature what the targets' traffic looked like while under attack
 * @param mitigations every mitigation applied, in time order
 * @param effect what reached the targets' origins before and after the first mitigation
 * @param collateral how the other sites fared
 * @param edge the whole edge's load during the attack
 * @param stateChanges state changes of any site during the attack and of the targets in its run-up
 * @param timeline per-tick series, from up to a minute before the attack
 * @param generatedAt when this report was built
 */
public record IncidentReport(
        String id,
        Status status,
        Instant start,
        Instant end,
        Instant detectedAt,
        Instant onset,
        Double timeToDetectS,
        Double timeToMitigateS,
        List<Target> targets,
        double peakRps,
        List<Prefix> topPrefixes,
        Signature signature,
        List<Mitigation> mitigations,
        Effect effect,
        Collateral collateral,
        EdgeLoad edge,
        List<StateChange> stateChanges,
        Timeline timeline,
        Instant generatedAt) {

    public IncidentReport {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(start, "start");
        targets = List.copyOf(targets);
        topPrefixes = List.copyOf(topPrefixes);
        mitigations = List.copyOf(mitigations);
        stateChanges = List.copyOf(stateChanges);
    }

    public enum Status {
        @JsonProperty("ongoing")
        ONGOING,
        @JsonProperty("ended")
        ENDED
    }

    /** The attack's length so far: from onset to end (or to {@code generatedAt} while ongoing). */
    public Duration duration() {
        Instant from = onset != null ? onset : start;
        Instant to = end != null ? end : generatedAt != null ? generatedAt : start;
        return Duration.between(from, to).isNegative() ? Duration.ZERO : Duration.between(from, to);
    }

    /** The targets' names, in rank order. */
    public List<String> targetNames() {
        return targets.stream().map(Target::name).toList();
    }

    /**
     * One named target.
     *
     * @param name the site's name
     * @param since when it entered under_attack
     * @param underAttackUntil when it left under_attack (for recovering); null while still under attack
     * @param peakRps its highest one-tick rate
     * @param baselineRps its long baseline when it was named
     * @param peakExcessRps its highest rate above baseline: the ranking key
     * @param requests requests it received from onset to end
     * @param mitigatedAt its first mitigation (on it or edge-wide); null if none
     * @param originRpsBaseline requests/s that reached its origin in the minute before onset
     * @param originRpsBeforeMitigation requests/s that reached its origin from onset to its first mitigation
     * @param originRpsAfterMitigation requests/s that reached its origin after its first mitigation while under
     *     attack
     */
    public record Target(
            String name,
            Instant since,
            Instant underAttackUntil,
            double peakRps,
            double baselineRps,
            double peakExcessRps,
            long requests,
            Instant mitigatedAt,
            Double originRpsBaseline,
            Double originRpsBeforeMitigation,
            Double originRpsAfterMitigation) {}

    /**
     * One heavy source prefix.
     *
     * @param prefix e.g. {@code 203.0.113.0/24} or {@code 2001:db8:1::/48}
     * @param count requests counted from it (Space-Saving estimate: never below the true count)
     * @param share its share of the targets' requests while under attack (approximate)
     */
    public record Prefix(String prefix, long count, double share) {}

    /**
     * The targets' traffic while under attack. Paths and user agents are only known as hashes and are not shown.
     *
     * @param requests requests counted
     * @param methods the method mix
     * @param highEntropyQueryShare share of requests with a cache-busting-looking query
     * @param vouchedShare share from returning or cookied clients
     * @param distinctSourcesPeak the most distinct source addresses seen in one tick, summed over the targets (an
     *     upper bound where targets share sources)
     */
    public record Signature(
            long requests,
            MethodMix methods,
            Double highEntropyQueryShare,
            Double vouchedShare,
            double distinctSourcesPeak,
            List<Sample> topPaths,
            List<Sample> topUserAgents) {
        public Signature {
            topPaths = topPaths == null ? List.of() : List.copyOf(topPaths);
            topUserAgents = topUserAgents == null ? List.of() : List.copyOf(topUserAgents);
        }
    }

    /**
     * One of the heaviest paths or User-Agents sent to the targets while under attack (Space-Saving estimates).
     *
     * @param text the path (without its query) or the User-Agent; {@code null} when no sample of it was kept
     * @param share of the requests to the targets while under attack
     */
    public record Sample(String text, long count, double share) {}

    /** Shares of requests by method; null when there were none. */
    public record MethodMix(Double get, Double head, Double post, Double other) {}

    /**
     * One mitigation.
     *
     * @param site the site it applies to; null for edge-wide
     * @param kind e.g. {@code under_attack_policy}, {@code ban}, {@code challenge}, {@code state_forced}
     */
    public record Mitigation(Instant at, String site, String kind, String detail) {
        /**
         * Whether this entry records what was seen rather than something done (the uplink filling up or recovering):
         * such entries are in the timeline but do not count as the attack's first mitigation.
         */
        public boolean observation() {
            return kind.startsWith("uplink_");
        }
    }

    /**
     * The targets' origin load around the first mitigation, summed over the targets. The edge cannot tell attack
     * requests from legitimate ones at the origin; the excess over {@code originRpsBaseline} is the attack's part.
     *
     * @param mitigatedAt the first mitigation on a target or edge-wide; null if none
     * @param originRpsBaseline requests/s at the targets' origins in the minute before onset
     * @param originRpsBefore from onset to the first mitigation
     * @param originRpsAfter after it, while the targets were under attack
     * @param requestsRpsBefore requests/s the targets received from onset to the first mitigation
     * @param requestsRpsAfter after it, while under attack
     */
    public record Effect(
            Instant mitigatedAt,
            Double originRpsBaseline,
            Double originRpsBefore,
            Double originRpsAfter,
            Double requestsRpsBefore,
            Double requestsRpsAfter) {}

    /**
     * The sites that were not targets (bystanders), during the attack and in the minute before onset.
     *
     * @param sites how many bystander sites there are
     * @param requests their requests during the attack
     * @param successShare their requests not answered 5xx or 504, during the attack
     * @param successShareBefore the same before onset
     * @param originMillis their mean origin latency during the attack
     * @param originMillisBefore the same before onset
     * @param rpsBefore their requests/s before onset
     * @param rpsDuring their requests/s during the attack
     * @param worst up to five bystanders with the lowest success share during the attack (only those below 1)
     */
    public record Collateral(
            int sites,
            long requests,
            Double successShare,
            Double successShareBefore,
            Double originMillis,
            Double originMillisBefore,
            Double rpsBefore,
            Double rpsDuring,
            List<SiteImpact> worst) {
        public Collateral {
            worst = List.copyOf(worst);
        }
    }

    /**
     * The whole edge during the attack.
     *
     * @param peakTotalRps the highest one-tick rate over all sites
     * @param baselineTotalRps the edge's long baseline rate at the attack's start
     * @param peakUplinkUtilisation the busier direction's highest share of the uplink; null when not measured
     * @param peakOriginSaturation the highest origin saturation (0-1); null when not measured
     */
    public record EdgeLoad(
            double peakTotalRps, Double baselineTotalRps, Double peakUplinkUtilisation, Double peakOriginSaturation) {}

    /** One bystander's outcome during the attack. */
    public record SiteImpact(String name, long requests, double successShare) {}

    /** One state change, as the detector (or an operator) made it. */
    public record StateChange(Instant at, String site, String from, String to, String reason) {}

    /**
     * Per-tick series. Each has its own time axis {@code t} (epoch milliseconds at the end of each point) and
     * {@code seconds} (the time each point covers): one point per tick for the first 30 minutes of the attack,
     * then buckets of 10 s or more; at most 3,060 points per series with the minute before the attack.
     */
    public record Timeline(List<TargetSeries> targets, BystanderSeries bystanders) {
        public Timeline {
            targets = List.copyOf(targets);
        }
    }

    /**
     * One target's series; rates are per second, a share is null for a point without requests.
     *
     * @param failuresPs 5xx and 504 responses per second
     */
    public record TargetSeries(
            String name,
            List<Long> t,
            List<Double> seconds,
            List<Double> rps,
            List<Double> originRps,
            List<Double> failuresPs,
            List<Double> vouchedShare,
            List<Double> distinctSources) {}

    /**
     * All bystanders together; a share or latency is null for a point without requests.
     *
     * @param successShare requests not answered 5xx or 504
     * @param originMs mean origin latency
     */
    public record BystanderSeries(
            List<Long> t, List<Double> seconds, List<Double> rps, List<Double> successShare, List<Double> originMs) {}
}
