package coop.bulwark.site;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A {@code host:port} pair from the config ({@code 127.0.0.1:8080}, {@code [::1]:443}, {@code origin.lan:80}).
 *
 * <p>The host is kept as written (an IP literal without brackets, or a DNS name); it is resolved only when a
 * connection is made, never on an event loop.
 */
public record HostPort(String host, int port) {
    public HostPort {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("host: empty (expected: a name or IP address)");
        }
        // 0 is allowed for listeners (an ephemeral port, for tests and the lab); origins need a real port.
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0-65535)");
        }
    }

    /**
     * Parses {@code host:port}, {@code [v6]:port}; throws {@link IllegalArgumentException} with a message naming the
     * problem.
     */
    public static HostPort parse(String text) {
        String s = text.trim();
        String host;
        String portText;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0 || close + 1 >= s.length() || s.charAt(close + 1) != ':') {
                throw new IllegalArgumentException(text + " (expected: [ipv6]:port)");
            }
            host = s.substring(1, close);
            portText = s.substring(close + 2);
        } else {
            int colon = s.lastIndexOf(':');
            if (colon <= 0 || s.indexOf(':') != colon) {
                throw new IllegalArgumentException(text + " (expected: host:port, or [ipv6]:port)");
            }
            host = s.substring(0, colon);
            portText = s.substring(colon + 1);
        }
        int port;
        try {
            port = Integer.parseInt(portText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(text + " (expected: a port number 1-65535 after the colon)");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(text + " (expected: a port number 1-65535 after the colon)");
        }
        return new HostPort(host, port);
    }

    /** An unresolved socket address; resolution happens off the event loop when the connection is made. */
    public InetSocketAddress toUnresolved() {
        return InetSocketAddress.createUnresolved(host, port);
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
