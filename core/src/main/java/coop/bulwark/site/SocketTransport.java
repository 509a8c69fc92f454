package coop.bulwark.site;

import java.util.Arrays;
import java.util.List;

/**
 * How the event loops talk to the kernel ({@code listen.transport}). {@link #AUTO} takes the cheapest one this machine
 * offers: io_uring, then epoll, then Java's NIO. io_uring is refused by some kernels and container sandboxes (a seccomp
 * profile, {@code kernel.io_uring_disabled}); naming a transport makes the edge refuse to start without it rather than
 * run on another one unnoticed.
 */
public enum SocketTransport {
    AUTO("auto"),
    IO_URING("io_uring"),
    EPOLL("epoll"),
    NIO("nio");

    private final String configName;

    SocketTransport(String configName) {
        this.configName = configName;
    }

    /** The value as written in the config file. */
    public String configName() {
        return configName;
    }

    /** Every accepted value, in the order the config reference lists them. */
    public static List<String> configNames() {
        return Arrays.stream(values()).map(SocketTransport::configName).toList();
    }

    /** The transport written as {@code name} in a config file. */
    public static SocketTransport fromConfig(String name) {
        for (SocketTransport t : values()) {
            if (t.configName.equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("transport: " + name + " (expected: one of " + configNames() + ")");
    }
}
