package coop.bulwark.site;

import java.util.Objects;
import java.util.Optional;

/**
 * Client-facing listeners. At least one of {@code http}/{@code https} is present.
 *
 * @param http plain-text listener (HTTP/1.1 and h2c with prior knowledge)
 * @param https TLS listener (HTTP/1.1 and h2 via ALPN), certificate chosen by SNI
 * @param eventLoops number of event-loop threads; 0 means one per core
 * @param transport the event loops' socket transport
 */
public record Listen(Optional<HostPort> http, Optional<HostPort> https, int eventLoops, SocketTransport transport) {
    /** Listeners on the best transport the machine offers. */
    public Listen(Optional<HostPort> http, Optional<HostPort> https, int eventLoops) {
        this(http, https, eventLoops, SocketTransport.AUTO);
    }

    public Listen {
        Objects.requireNonNull(transport, "transport");
        if (http.isEmpty() && https.isEmpty()) {
            throw new IllegalArgumentException("listen: neither http nor https (expected: at least one)");
        }
        if (eventLoops < 0) {
            throw new IllegalArgumentException("event_loops: " + eventLoops + " (expected: >= 0)");
        }
    }
}
