package coop.bulwark.proxy;

import io.netty.channel.Channel;
import java.util.concurrent.TimeUnit;

/**
 * Holds a banned client's connection open without reading from it, then closes it: the client's own socket and
 * timers stay busy while the edge spends one idle channel and one timer. Used at accept ({@code ConnectionGate}) and
 * for a source banned while connected.
 */
public final class Tarpit {
    /** How long a tarpitted connection is held before it is closed. */
    public static final long SECONDS = 10;

    private Tarpit() {}

    /** Stops reading {@code ch} and closes it after {@link #SECONDS}. Call on its event loop. */
    public static void hold(Channel ch) {
        ch.config().setAutoRead(false);
        ch.eventLoop().schedule(() -> ch.close(), SECONDS, TimeUnit.SECONDS);
    }
}
