package coop.bulwark.detect;

import coop.bulwark.site.DetectionSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * The edge-wide {@code uplink: ok | saturated} state, from each tick's utilisation with hysteresis: saturated once
 * utilisation has stayed at or above {@code saturated_share} for {@code saturated_after}; ok again once it has
 * stayed below {@code recovered_share} for {@code recovered_after}. The gap between the two shares and the long
 * recovery keep a link that hovers near full from flapping, which matters because what hangs on this state (upstream
 * announcements) is slow and rate-limited.
 *
 * <p>A tick's sample covers the interval before it, so the first sample above the share counts from the start of its
 * interval. An unknown sample (NaN: a counter unreadable, the interface reset) changes nothing and interrupts neither
 * run. Not thread-safe: confined to the detection tick; {@link #view()} is safe from any thread.
 */
public final class UplinkState {
    /** The state as others read it. */
    public record View(boolean saturated, Instant since, double utilisation, double droppedPerSecond) {}

    private DetectionSettings.Uplink settings;
    private boolean saturated;
    private Instant since;
    private Instant aboveSince;
    private Instant belowSince;
    private volatile View view;

    public UplinkState(DetectionSettings.Uplink settings, Instant now) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.since = now;
        this.view = new View(false, now, Double.NaN, Double.NaN);
    }

    /** New thresholds (reload); the current state and runs carry over. */
    public void retune(DetectionSettings.Uplink next) {
        this.settings = Objects.requireNonNull(next, "next");
    }

    public DetectionSettings.Uplink settings() {
        return settings;
    }

    /**
     * Feeds one tick's sample.
     *
     * @param seconds the interval the sample covers
     * @return the change this sample caused, or null
     */
    public DetectionEvent.UplinkChanged step(Instant now, double seconds, double utilisation, double droppedPerSecond) {
        DetectionEvent.UplinkChanged change = null;
        if (!Double.isNaN(utilisation)) {
            Instant start = now.minusNanos((long) (seconds * 1e9));
            if (!saturated) {
                aboveSince =
                        utilisation >= settings.saturatedShare() ? (aboveSince != null ? aboveSince : start) : null;
                if (aboveSince != null
                        && !Duration.between(aboveSince, now)
                                .minus(settings.saturatedAfter())
                                .isNegative()) {
                    saturated = true;
                    since = now;
                    aboveSince = null;
                    change = new DetectionEvent.UplinkChanged(
                            now,
                            true,
                            utilisation,
                            droppedPerSecond,
                            String.format(
                                    Locale.ROOT,
                                    "uplink %s at %.0f%% of %s for %s or more (saturated_share %.2f)%s",
                                    settings.iface(),
                                    utilisation * 100,
                                    rate(settings.capacityBitsPerSecond()),
                                    text(settings.saturatedAfter()),
                                    settings.saturatedShare(),
                                    drops(droppedPerSecond)));
                }
            } else {
                belowSince = utilisation < settings.recoveredShare() ? (belowSince != null ? belowSince : start) : null;
                if (belowSince != null
                        && !Duration.between(belowSince, now)
                                .minus(settings.recoveredAfter())
                                .isNegative()) {
                    saturated = false;
                    since = now;
                    belowSince = null;
                    change = new DetectionEvent.UplinkChanged(
                            now,
                            false,
                            utilisation,
                            droppedPerSecond,
                            String.format(
                                    Locale.ROOT,
                                    "uplink %s below %.0f%% of %s for %s (now %.0f%%)",
                                    settings.iface(),
                                    settings.recoveredShare() * 100,
                                    rate(settings.capacityBitsPerSecond()),
                                    text(settings.recoveredAfter()),
                                    utilisation * 100));
                }
            }
        }
        view = new View(saturated, since, utilisation, droppedPerSecond);
        return change;
    }

    public boolean saturated() {
        return saturated;
    }

    /** The latest state, sample and drops; safe from any thread. */
    public View view() {
        return view;
    }

    private static String drops(double perSecond) {
        return Double.isNaN(perSecond) || perSecond <= 0
                ? ""
                : String.format(Locale.ROOT, ", %.0f receive drops/s", perSecond);
    }

    /** A bit rate as operators write it: {@code 20 Mbit/s}, {@code 10 Gbit/s}. */
    static String rate(long bitsPerSecond) {
        String[] units = {"bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s"};
        double v = bitsPerSecond;
        int u = 0;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return (v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.1f", v)) + " " + units[u];
    }

    private static String text(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
