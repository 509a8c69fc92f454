package coop.bulwark.site;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Binds {@code detection:} (thresholds and the uplink) and {@code reports:} into {@link DetectionSettings}. Every
 * key of {@link DetectionConfig} has the snake_case name its javadoc gives; a bad value is reported at its line and
 * the default is used so binding can go on. Constraints between keys (attack above suspect, calm below suspect,
 * long window above short) are checked after all keys are read and reported at the {@code detection:} line.
 *
 * <p>Stateless; called on the loading thread only.
 */
final class DetectionBinder {
    /** {@code 1Gbit/s}, {@code 100Mbit/s}, {@code 10Gbps}, {@code 500000000bit/s}. */
    private static final Pattern BITRATE = Pattern.compile("(\\d{1,12}(?:\\.\\d{1,6})?)\\s?([kKMGT]?)(?:bit/s|bps)");

    private static final List<String> EVENT_KEYS =
            Arrays.stream(WebhookEvent.values()).map(WebhookEvent::key).toList();

    private DetectionBinder() {}

    static DetectionSettings bind(ConfigSection top, Path configDir) {
        ConfigSection d = top.section("detection");
        ConfigSection r = top.section("reports");
        DetectionSettings defaults = DetectionSettings.defaults(configDir);
        DetectionConfig t = defaults.thresholds();
        boolean enabled = d.flag("enabled", defaults.enabled());
        DetectionConfig thresholds = thresholds(d, t);
        Optional<DetectionSettings.Uplink> uplink = uplink(d.section("uplink"));
        d.finish();
        Path dir = r.file("dir").orElse(defaults.reportsDir());
        int keep = r.count("keep", defaults.keepReports(), 1, DetectionSettings.MAX_KEEP_REPORTS);
        List<String> languages = r.choices("languages", DetectionSettings.REPORT_LANGUAGES, defaults.reportLanguages());
        r.finish();
        List<WebhookConfig> webhooks = new ArrayList<>();
        List<YamlNode> items = top.list("webhooks");
        for (int i = 0; i < items.size(); i++) {
            ConfigSection w = ConfigSection.of(items.get(i), "webhooks[" + i + "]", top.problems(), top.baseDir());
            webhook(w).ifPresent(webhooks::add);
        }
        return new DetectionSettings(enabled, thresholds, uplink, dir, keep, languages, webhooks);
    }

    /** One {@code webhooks[]} item: {url, events, secret | secret_file, timeout, max_retries}. */
    private static Optional<WebhookConfig> webhook(ConfigSection w) {
        Optional<String> urlText = w.text("url");
        Set<WebhookEvent> events = EnumSet.noneOf(WebhookEvent.class);
        List<YamlNode> eventNodes = w.list("events");
        for (int i = 0; i < eventNodes.size(); i++) {
            YamlNode n = eventNodes.get(i);
            String key = n instanceof YamlNode.Scalar sc ? sc.text() : "";
            try {
                events.add(WebhookEvent.fromKey(key));
            } catch (IllegalArgumentException e) {
                w.problems()
                        .invalid(n, w.path("events") + "[" + i + "]", ConfigSection.expectedChoice(key, EVENT_KEYS));
            }
        }
        if (eventNodes.isEmpty()) {
            events.addAll(WebhookConfig.DEFAULT_EVENTS);
        }
        Optional<String> secret = w.text("secret");
        Optional<Path> secretFile = w.file("secret_file");
        var timeout = w.duration("timeout", WebhookConfig.DEFAULT_TIMEOUT, false);
        int retries = w.count("max_retries", WebhookConfig.DEFAULT_MAX_RETRIES, 0, 20);
        w.finish();
        if (urlText.isEmpty()) {
            w.missing("url", "the receiver's http or https URL");
            return Optional.empty();
        }
        URI url;
        try {
            url = new URI(urlText.get());
        } catch (URISyntaxException e) {
            w.problems()
                    .invalid(
                            w.node("url").orElseThrow(), w.path("url"), "an http or https URL (" + e.getReason() + ")");
            return Optional.empty();
        }
        String key = null;
        if (secret.isPresent() && secretFile.isPresent()) {
            w.problems()
                    .invalid(
                            w.node("secret_file").orElseThrow(),
                            w.path("secret_file"),
                            "secret or secret_file, not both");
        } else if (secret.isPresent()) {
            key = secret.get();
        } else if (secretFile.isPresent()) {
            try {
                key = Files.readString(secretFile.get(), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                w.problems()
                        .invalid(
                                w.node("secret_file").orElseThrow(),
                                w.path("secret_file"),
                                "a readable file (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
                return Optional.empty();
            }
        }
        if (key != null && key.length() < 16) {
            YamlNode at = w.node(secret.isPresent() ? "secret" : "secret_file").orElseThrow();
            w.problems()
                    .invalid(
                            at,
                            w.path(secret.isPresent() ? "secret" : "secret_file"),
                            "a secret of at least 16 characters");
            return Optional.empty();
        }
        try {
            return Optional.of(new WebhookConfig(url, events, key, timeout, retries));
        } catch (IllegalArgumentException e) {
            w.problems()
                    .invalid(
                            w.node("url").orElseThrow(),
                            w.path("url"),
                            "an http or https URL with a host, no user:password@");
            return Optional.empty();
        }
    }

    private static DetectionConfig thresholds(ConfigSection d, DetectionConfig t) {
        var shortWindow = d.duration("short_window", t.shortWindow(), false);
        var longWindow = d.duration("long_window", t.longWindow(), false);
        var warmup = d.duration("warmup", t.warmup(), true);
        double suspectRatio = d.decimal("suspect_ratio", t.suspectRatio(), 1);
        double suspectFloor = d.decimal("suspect_floor_rps", t.suspectFloorRps(), 0);
        double attackRatio = d.decimal("attack_ratio", t.attackRatio(), 1);
        double attackFloor = d.decimal("attack_floor_rps", t.attackFloorRps(), 0);
        double calmRatio = d.decimal("calm_ratio", t.calmRatio(), 1);
        double calmFloor = d.decimal("calm_floor_rps", t.calmFloorRps(), 0);
        int confirmTicks = d.count("confirm_ticks", t.confirmTicks(), 1, 60);
        int calmTicks = d.count("calm_ticks", t.calmTicks(), 1, 3600);
        var minSuspect = d.duration("min_suspect", t.minSuspect(), true);
        var minUnderAttack = d.duration("min_under_attack", t.minUnderAttack(), true);
        var minRecovering = d.duration("min_recovering", t.minRecovering(), true);
        double unvouched = share(d, "unvouched_excess_share", t.unvouchedExcessShare());
        double failureRatio = d.decimal("failure_ratio", t.failureRatio(), 1);
        double failureFloor = share(d, "failure_share_floor", t.failureShareFloor());
        double failureMin = d.decimal("failure_min_per_second", t.failureMinPerSecond(), 0);
        double entropy = share(d, "high_entropy_share", t.highEntropyShare());
        double concentrated = share(d, "concentrated_share", t.concentratedShare());
        double sigmas = d.decimal("noise_sigmas", t.noiseSigmas(), 0);
        int maxTargets = d.count("max_targets", t.maxTargets(), 1, 1000);
        try {
            return new DetectionConfig(
                    shortWindow,
                    longWindow,
                    warmup,
                    suspectRatio,
                    suspectFloor,
                    attackRatio,
                    attackFloor,
                    calmRatio,
                    calmFloor,
                    confirmTicks,
                    calmTicks,
                    minSuspect,
                    minUnderAttack,
                    minRecovering,
                    unvouched,
                    failureRatio,
                    failureFloor,
                    failureMin,
                    entropy,
                    concentrated,
                    sigmas,
                    maxTargets);
        } catch (IllegalArgumentException e) {
            // Only constraints between keys get here: each key alone was checked above.
            d.problems().add(d.line(), d.column(), e.getMessage());
            return t;
        }
    }

    private static double share(ConfigSection s, String key, double defaultValue) {
        double v = s.decimal(key, defaultValue, 0);
        if (v > 1) {
            s.problems().invalid(s.node(key).orElseThrow(), s.path(key), "a share from 0 to 1, like 0.5");
            return defaultValue;
        }
        return v;
    }

    private static Optional<DetectionSettings.Uplink> uplink(ConfigSection u) {
        Optional<String> iface = u.text("interface");
        Optional<String> capacityText = u.text("capacity");
        double saturated = share(u, "saturated_share", DetectionSettings.Uplink.DEFAULT_SATURATED_SHARE);
        if (saturated == 0) {
            u.problems().invalid(u.node("saturated_share").orElseThrow(), u.path("saturated_share"), "a share above 0");
            saturated = DetectionSettings.Uplink.DEFAULT_SATURATED_SHARE;
        }
        double recovered =
                share(u, "recovered_share", Math.min(DetectionSettings.Uplink.DEFAULT_RECOVERED_SHARE, saturated));
        if (recovered == 0 || recovered > saturated) {
            u.problems()
                    .invalid(
                            u.node("recovered_share").orElseThrow(),
                            u.path("recovered_share"),
                            "a share above 0 and at most saturated_share (" + saturated + ")");
            recovered = Math.min(DetectionSettings.Uplink.DEFAULT_RECOVERED_SHARE, saturated);
        }
        Duration saturatedAfter = u.duration("saturated_after", DetectionSettings.Uplink.DEFAULT_SATURATED_AFTER, true);
        Duration recoveredAfter = u.duration("recovered_after", DetectionSettings.Uplink.DEFAULT_RECOVERED_AFTER, true);
        u.finish();
        if (iface.isEmpty() && capacityText.isEmpty()) {
            return Optional.empty();
        }
        if (iface.isEmpty()) {
            u.missing("interface", "the uplink's network interface, like eth0");
            return Optional.empty();
        }
        if (!iface.get().matches("[A-Za-z0-9_.:@-]{1,15}") || iface.get().startsWith(".")) {
            u.problems().invalid(u.node("interface").orElseThrow(), u.path("interface"), "an interface name like eth0");
            return Optional.empty();
        }
        if (capacityText.isEmpty()) {
            u.missing("capacity", "the uplink's capacity, like 1Gbit/s");
            return Optional.empty();
        }
        long capacity = bitsPerSecond(capacityText.get());
        if (capacity <= 0) {
            u.problems()
                    .invalid(
                            u.node("capacity").orElseThrow(),
                            u.path("capacity"),
                            "a bit rate above zero, like 1Gbit/s, 100Mbit/s or 10Gbps");
            return Optional.empty();
        }
        return Optional.of(new DetectionSettings.Uplink(
                iface.get(), capacity, saturated, saturatedAfter, recovered, recoveredAfter));
    }

    /** Bits per second of {@code 1Gbit/s}-style text, or -1 when it is not one. */
    static long bitsPerSecond(String text) {
        Matcher m = BITRATE.matcher(text.trim());
        if (!m.matches()) {
            return -1;
        }
        double n = Double.parseDouble(m.group(1));
        double scale = switch (m.group(2).toUpperCase(Locale.ROOT)) {
            case "K" -> 1e3;
            case "M" -> 1e6;
            case "G" -> 1e9;
            case "T" -> 1e12;
            default -> 1;
        };
        double bits = n * scale;
        return bits >= 1 && bits < Long.MAX_VALUE ? (long) bits : -1;
    }
}
