package coop.bulwark.site;

import java.util.Optional;

/**
 * Client-facing listeners. At least one of {@code http}/{@code https} is present.
 *
 * @param http plain-text listener (HTTP/1.1 and h2c with prior knowledge)
 * @param https TLS listener (HTTP/1.1 and h2 via ALPN), certificate chosen by SNI
 * @param eventLoops number of event-loop threads; 0 means one per core
 */
public record Listen(Optional<HostPort> http, Optional<HostPort> https, int eventLoops) {
    public Listen {
        if (http.isEmpty() && https.isEmpty()) {
            throw new IllegalArgumentException("listen: neither http nor https (expected: at least one)");
        }
        if (eventLoops < 0) {
            throw new IllegalArgumentException("event_loops: " + eventLoops + " (expected: >= 0)");
        }
    }
}
