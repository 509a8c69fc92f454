package coop.bulwark.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Lockouts per address, within their window, and for no address but the one that failed. */
class AuthFailuresTest {
    private final AtomicLong millis = new AtomicLong(1_000_000);
    private final InstantSource clock = () -> Instant.ofEpochMilli(millis.get());

    @Test
    void lockedOut_afterMaxFailures_untilTheWindowEnds() throws Exception {
        var f = new AuthFailures(clock, 3, Duration.ofMinutes(1), 100);
        InetAddress a = InetAddress.getByName("192.0.2.7");
        f.record(a);
        f.record(a);
        assertThat(f.lockedOut(a)).isFalse();
        f.record(a);
        assertThat(f.lockedOut(a)).isTrue();
        assertThat(f.lockedOut(InetAddress.getByName("192.0.2.8"))).isFalse();
        millis.addAndGet(45_000);
        assertThat(f.retryAfterSeconds(a)).isEqualTo(15);
        millis.addAndGet(15_000);
        assertThat(f.lockedOut(a)).isFalse();
    }

    /**
     * Two IPv6 addresses with one {@code InetAddress} hash (it sums the address's words, so a client can choose them)
     * are still two sources: one's failures never lock the other out.
     */
    @Test
    void addressesWithOneInetAddressHash_areKeptApart() throws Exception {
        InetAddress a = InetAddress.getByName("2001:db8:1:2:0:102:0:7e7d");
        InetAddress b = InetAddress.getByName("2001:db8:1:2:0:201:0:7d7e");
        assertThat(a.hashCode()).isEqualTo(b.hashCode());
        var f = new AuthFailures(clock, 2, Duration.ofMinutes(1), 100);
        f.record(a);
        f.record(a);
        assertThat(f.lockedOut(a)).isTrue();
        assertThat(f.lockedOut(b)).isFalse();
    }

    @Test
    void full_forgetsTheOldestSource() throws Exception {
        var f = new AuthFailures(clock, 1, Duration.ofMinutes(1), 2);
        InetAddress a = InetAddress.getByName("192.0.2.1");
        f.record(a);
        f.record(InetAddress.getByName("192.0.2.2"));
        f.record(InetAddress.getByName("192.0.2.3"));
        assertThat(f.lockedOut(a)).isFalse();
        assertThat(f.lockedOut(InetAddress.getByName("192.0.2.3"))).isTrue();
    }
}
