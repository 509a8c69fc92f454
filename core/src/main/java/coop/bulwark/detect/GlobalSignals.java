package coop.bulwark.detect;

import java.time.Instant;

/**
 * The whole edge at one tick: what no single site shows. Produced by {@link Detector#tick} and read through
 * {@link Detector#globalSignals()}.
 *
 * @param at the tick's time
 * @param totalRps requests per second over all sites
 * @param baselineTotalRps its long-window baseline (learned while no site is under attack)
 * @param distinctSources distinct client addresses over all sites in the interval
 * @param uplinkUtilisation the busier direction's share of the uplink's capacity, NaN when not measured
 * @param uplinkDroppedPerSecond packets the uplink's interface dropped on receive per second, NaN when unknown
 * @param originSaturation the caller's measure of origin saturation (e.g. bulkhead queue occupancy, 0-1), NaN
 *     when not supplied
 */
public record GlobalSignals(
        Instant at,
        double totalRps,
        double baselineTotalRps,
        double distinctSources,
        double uplinkUtilisation,
        double uplinkDroppedPerSecond,
        double originSaturation) {
    /** Whether the uplink is at or above {@code threshold} of its capacity (false when not measured). */
    public boolean uplinkAbove(double threshold) {
        return uplinkUtilisation >= threshold;
    }
}
