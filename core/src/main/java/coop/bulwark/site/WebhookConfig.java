package coop.bulwark.site;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One webhook receiver: an immutable snapshot, validated on construction (every problem in one message).
 *
 * @param url where to POST, {@code http} or {@code https} with a host
 * @param events the events to send, at least one
 * @param secret when not null, each request carries {@code X-Bulwark-Signature: sha256=<hex>}, the HMAC-SHA256 of
 *     the exact body bytes keyed with this secret's UTF-8 bytes; at least 16 characters
 * @param timeout for one attempt (connect and response), 100 ms to 5 min
 * @param maxRetries attempts after the first on a network error, a timeout, 429 or 5xx; 0 to 20
 */
public record WebhookConfig(URI url, Set<WebhookEvent> events, String secret, Duration timeout, int maxRetries) {
    /**
     * The events sent when none are configured: the attack's start, new targets and end, the uplink's state, and what
     * the upstream is told (all rare; only state_changed is noisy).
     */
    public static final Set<WebhookEvent> DEFAULT_EVENTS =
            Set.copyOf(EnumSet.complementOf(EnumSet.of(WebhookEvent.STATE_CHANGED)));

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_RETRIES = 5;

    public WebhookConfig {
        List<String> problems = new ArrayList<>();
        if (url == null) {
            problems.add("url: null (expected: an http or https URL)");
        } else if (!("http".equalsIgnoreCase(url.getScheme()) || "https".equalsIgnoreCase(url.getScheme()))
                || url.getHost() == null
                || url.getHost().isEmpty()) {
            problems.add("url: " + url + " (expected: an http or https URL with a host)");
        } else if (url.getRawUserInfo() != null) {
            problems.add("url: " + url.getScheme() + "://…@" + url.getHost() + " (expected: no user info; use secret)");
        }
        if (events == null || events.isEmpty()) {
            problems.add("events: " + events + " (expected: at least one of attack_started, attack_updated,"
                    + " attack_ended, state_changed)");
        }
        if (secret != null && secret.length() < 16) {
            problems.add("secret: " + secret.length() + " characters (expected: at least 16)");
        }
        if (timeout == null
                || timeout.compareTo(Duration.ofMillis(100)) < 0
                || timeout.compareTo(Duration.ofMinutes(5)) > 0) {
            problems.add("timeout: " + timeout + " (expected: 100ms-5m)");
        }
        if (maxRetries < 0 || maxRetries > 20) {
            problems.add("max_retries: " + maxRetries + " (expected: 0-20)");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("webhook: " + String.join("; ", problems));
        }
        events = Set.copyOf(EnumSet.copyOf(events));
    }

    /** A receiver of the default events, unsigned, with the default timeout and retries. */
    public static WebhookConfig of(URI url) {
        return new WebhookConfig(url, DEFAULT_EVENTS, null, DEFAULT_TIMEOUT, DEFAULT_MAX_RETRIES);
    }

    public boolean wants(WebhookEvent event) {
        return events.contains(Objects.requireNonNull(event, "event"));
    }

    /**
     * The URL without path, query or user info, for logs: many receivers (chat services) put their token in the
     * path.
     */
    public String redactedUrl() {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort()) + "/…";
    }

    /** The secret and the URL's path are left out, so the config can be logged. */
    @Override
    public String toString() {
        return "WebhookConfig[url=" + redactedUrl() + ", events=" + events + ", secret="
                + (secret == null ? "none" : "***") + ", timeout=" + timeout + ", maxRetries=" + maxRetries + "]";
    }
}
