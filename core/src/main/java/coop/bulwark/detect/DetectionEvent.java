package coop.bulwark.detect;

import java.time.Instant;
import java.util.Objects;

/** What {@link Detector#tick} reports: a closed set, switched on exhaustively by the edge, the log and reports. */
public sealed interface DetectionEvent {
    /** When the tick that produced the event ran. */
    Instant at();

    /**
     * A site changed state. The edge applies {@code to.policyKey()} through {@code SiteGuard.detected}.
     *
     * @param reason a short human-readable cause, for the event log
     * @param signals what the detector saw at this tick
     */
    record StateChanged(
            Instant at, int site, String siteName, SiteState from, SiteState to, String reason, Signals signals)
            implements DetectionEvent {
        public StateChanged {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
            if (from == to) {
                throw new IllegalArgumentException("to: " + to + " (expected: different from " + from + ")");
            }
        }
    }

    /** A first site entered {@link SiteState#UNDER_ATTACK}: a new attack. */
    record AttackStarted(Instant at, Attack attack) implements DetectionEvent {}

    /** An open attack gained a target, a new peak or new top prefixes worth reporting. */
    record AttackUpdated(Instant at, Attack attack) implements DetectionEvent {}

    /** Every target of the attack is back to {@link SiteState#NORMAL}. */
    record AttackEnded(Instant at, Attack attack) implements DetectionEvent {}

    /**
     * The edge-wide uplink entered or left the saturated state ({@code detection.uplink}'s hysteresis).
     *
     * @param saturated true when it entered saturated, false when it recovered
     * @param utilisation the busier direction's share of the capacity at this tick
     * @param droppedPerSecond receive drops per second at this tick, NaN when unknown
     * @param reason a short human-readable cause, for the event log and reports
     */
    record UplinkChanged(Instant at, boolean saturated, double utilisation, double droppedPerSecond, String reason)
            implements DetectionEvent {
        public UplinkChanged {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
