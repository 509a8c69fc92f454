package coop.bulwark.site;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Attack detection and incident reporting ({@code detection:} and {@code reports:} in the config file).
 *
 * @param enabled whether the edge accounts traffic and runs the per-site state machines; when off, site states
 *     change only by config or by the operator
 * @param thresholds the detector's windows, ratios, floors and dwell times
 * @param uplink the uplink to watch for saturation, if configured
 * @param reportsDir where incident reports (JSON, Markdown, HTML) are written
 * @param keepReports how many of the latest reports the edge keeps in memory and lists (files are never deleted)
 * @param reportLanguages the languages each report's Markdown and HTML are written in ({@code <id>.md} in English,
 *     {@code <id>.es.md} in Spanish), the first being what the admin API serves by default; codes from {@link
 *     #REPORT_LANGUAGES}
 * @param webhooks receivers of attack (and optionally state) events ({@code webhooks:})
 */
public record DetectionSettings(
        boolean enabled,
        DetectionConfig thresholds,
        Optional<Uplink> uplink,
        Path reportsDir,
        int keepReports,
        List<String> reportLanguages,
        List<WebhookConfig> webhooks) {
    /** Default {@code reports.dir}, next to the config file. */
    public static final String DEFAULT_REPORTS_DIR = "reports";

    public static final int DEFAULT_KEEP_REPORTS = 100;

    /**
     * The languages incident reports can be written in ({@code reports.languages}), as ISO 639-1 codes: contract
     * names, matched by the report package's translation table (a test checks they agree).
     */
    public static final List<String> REPORT_LANGUAGES = List.of("en", "es");

    /** Default {@code reports.languages}. */
    public static final List<String> DEFAULT_REPORT_LANGUAGES = List.of("en");

    /** The most reports kept in memory. */
    public static final int MAX_KEEP_REPORTS = 1_000;

    /**
     * The uplink whose utilisation is a global signal ({@code detection.uplink}), and the hysteresis of the edge-wide
     * {@code uplink: ok | saturated} state.
     *
     * @param iface the network interface, as in {@code /sys/class/net/IFACE}
     * @param capacityBitsPerSecond its capacity in each direction
     * @param saturatedShare utilisation at or above which the uplink counts as saturated
     * @param saturatedAfter how long utilisation must stay at or above {@code saturatedShare} to enter saturated
     * @param recoveredShare utilisation below which a saturated uplink starts recovering (at most {@code
     *     saturatedShare})
     * @param recoveredAfter how long utilisation must stay below {@code recoveredShare} to return to ok
     */
    public record Uplink(
            String iface,
            long capacityBitsPerSecond,
            double saturatedShare,
            Duration saturatedAfter,
            double recoveredShare,
            Duration recoveredAfter) {
        public static final double DEFAULT_SATURATED_SHARE = 0.9;
        public static final Duration DEFAULT_SATURATED_AFTER = Duration.ofSeconds(3);
        public static final double DEFAULT_RECOVERED_SHARE = 0.7;
        public static final Duration DEFAULT_RECOVERED_AFTER = Duration.ofSeconds(30);

        public Uplink {
            Objects.requireNonNull(iface, "iface");
            if (capacityBitsPerSecond <= 0) {
                throw new IllegalArgumentException("capacity: " + capacityBitsPerSecond + " (expected: > 0)");
            }
            if (!(saturatedShare > 0 && saturatedShare <= 1)) {
                throw new IllegalArgumentException("saturated_share: " + saturatedShare + " (expected: 0-1)");
            }
            if (!(recoveredShare > 0 && recoveredShare <= saturatedShare)) {
                throw new IllegalArgumentException(
                        "recovered_share: " + recoveredShare + " (expected: above 0, at most saturated_share)");
            }
            Objects.requireNonNull(saturatedAfter, "saturatedAfter");
            Objects.requireNonNull(recoveredAfter, "recoveredAfter");
            if (saturatedAfter.isNegative() || recoveredAfter.isNegative()) {
                throw new IllegalArgumentException("saturated_after, recovered_after: expected >= 0");
            }
        }

        /** The defaults for the hysteresis, with a given saturation share. */
        public Uplink(String iface, long capacityBitsPerSecond, double saturatedShare) {
            this(
                    iface,
                    capacityBitsPerSecond,
                    saturatedShare,
                    DEFAULT_SATURATED_AFTER,
                    Math.min(DEFAULT_RECOVERED_SHARE, saturatedShare),
                    DEFAULT_RECOVERED_AFTER);
        }
    }

    public DetectionSettings {
        Objects.requireNonNull(thresholds, "thresholds");
        Objects.requireNonNull(uplink, "uplink");
        Objects.requireNonNull(reportsDir, "reportsDir");
        if (keepReports < 1 || keepReports > MAX_KEEP_REPORTS) {
            throw new IllegalArgumentException(
                    "keepReports: " + keepReports + " (expected: 1-" + MAX_KEEP_REPORTS + ")");
        }
        reportLanguages = List.copyOf(reportLanguages);
        if (reportLanguages.isEmpty()
                || !REPORT_LANGUAGES.containsAll(reportLanguages)
                || reportLanguages.stream().distinct().count() != reportLanguages.size()) {
            throw new IllegalArgumentException(
                    "reportLanguages: " + reportLanguages + " (expected: one or more of " + REPORT_LANGUAGES + ")");
        }
        webhooks = List.copyOf(webhooks);
    }

    /** The defaults for a config file in {@code configDir}: detection on, shipped thresholds. */
    public static DetectionSettings defaults(Path configDir) {
        return new DetectionSettings(
                true,
                DetectionConfig.defaults(),
                Optional.empty(),
                configDir.resolve(DEFAULT_REPORTS_DIR),
                DEFAULT_KEEP_REPORTS,
                DEFAULT_REPORT_LANGUAGES,
                List.of());
    }
}
