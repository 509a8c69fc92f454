package coop.bulwark.origin;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.site.HostPort;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The per-loop origin pool against a loopback listener, its idle timeout on a fake clock: reuse, expiry, the cap on
 * idle connections, and connections that cannot be reused.
 */
class OriginPoolTest {
    static final Duration CONNECT = Duration.ofSeconds(2);

    volatile long now = 1_000_000_000L;
    EventLoopGroup group;
    EventLoop loop;
    OriginPool pool;
    ServerSocket listener;
    final List<Socket> accepted = new ArrayList<>();
    Origin origin;

    @BeforeEach
    void start() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        loop = group.next();
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    Socket s = listener.accept();
                    synchronized (accepted) {
                        accepted.add(s);
                    }
                }
            } catch (Exception e) {
                // closed
            }
        });
        var address = new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort());
        origin = new Origin(new HostPort("127.0.0.1", listener.getLocalPort()), address, 8);
        pool = onLoop(() -> new OriginPool(loop, NioSocketChannel.class, () -> now));
        onLoop(() -> {
            pool.configure(2, Duration.ofSeconds(4));
            return null;
        });
    }

    @AfterEach
    void stop() throws Exception {
        listener.close();
        synchronized (accepted) {
            for (Socket s : accepted) {
                s.close();
            }
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    <T> T onLoop(Callable<T> task) throws Exception {
        return loop.submit(task).get(5, TimeUnit.SECONDS);
    }

    OriginConnection acquire(boolean allowPooled) throws Exception {
        var got = new CompletableFuture<OriginConnection>();
        onLoop(() -> {
            pool.acquire(origin, CONNECT, allowPooled, got::complete, got::completeExceptionally);
            return null;
        });
        return got.get(5, TimeUnit.SECONDS);
    }

    void release(OriginConnection c, boolean reusable) throws Exception {
        onLoop(() -> {
            c.release(reusable, now);
            return null;
        });
    }

    @Test
    void releasedConnection_isReused_untilItHasBeenIdleForTheIdleTimeout() throws Exception {
        OriginConnection first = acquire(true);
        assertThat(first.reused()).isFalse();
        release(first, true);

        now += Duration.ofSeconds(3).toNanos();
        OriginConnection again = acquire(true);
        assertThat(again).isSameAs(first);
        assertThat(again.reused()).isTrue();
        release(again, true);

        now += Duration.ofSeconds(4).toNanos();
        OriginConnection fresh = acquire(true);
        assertThat(fresh).isNotSameAs(first);
        first.channel().closeFuture().await(5, TimeUnit.SECONDS);
        assertThat(first.channel().isOpen()).as("the expired one is closed").isFalse();
        release(fresh, false);
    }

    @Test
    void noPooledConnection_whenNotAllowed_orNotReusable() throws Exception {
        OriginConnection a = acquire(true);
        release(a, true);
        assertThat(acquire(false)).isNotSameAs(a);

        OriginConnection b = acquire(true);
        assertThat(b).isSameAs(a);
        onLoop(() -> {
            b.markNotReusable();
            return null;
        });
        release(b, true);
        b.channel().closeFuture().await(5, TimeUnit.SECONDS);
        assertThat(b.channel().isOpen()).isFalse();
    }

    @Test
    void idleConnections_beyondTheCap_areClosed() throws Exception {
        OriginConnection a = acquire(true);
        OriginConnection b = acquire(true);
        OriginConnection c = acquire(true);
        release(a, true);
        release(b, true);
        release(c, true); // the third over maxIdlePerOrigin = 2
        c.channel().closeFuture().await(5, TimeUnit.SECONDS);
        assertThat(c.channel().isOpen()).isFalse();
        assertThat(a.channel().isOpen()).isTrue();
        assertThat(b.channel().isOpen()).isTrue();
    }

    @Test
    void unreachableOrigin_failsTheAcquire() throws Exception {
        // Port 1: nothing listens there, and unlike a just-closed ephemeral port, a loopback connect cannot land on
        // itself (the kernel may pick the destination port as the local port: a self-connection that "succeeds").
        var dead =
                new Origin(new HostPort("127.0.0.1", 1), new InetSocketAddress(InetAddress.getLoopbackAddress(), 1), 8);
        var got = new CompletableFuture<OriginConnection>();
        onLoop(() -> {
            pool.acquire(dead, CONNECT, true, got::complete, got::completeExceptionally);
            return null;
        });
        assertThat(got).failsWithin(Duration.ofSeconds(5));
    }
}
