package coop.bulwark.protect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import coop.bulwark.site.RateLimit;
import org.junit.jupiter.api.Test;

class SourceRateLimiterTest {
    private static final long SECOND = 1_000_000_000L;
    private static final int SITE = 7;

    @Test
    void burstThenRate_retryAfterIsTheWait() {
        FakeTicker ticker = new FakeTicker(-5 * SECOND); // negative nanoTime readings are legal
        SourceRateLimiter limiter = new SourceRateLimiter(1024, ticker);
        RateLimit limit = new RateLimit(2, 3);
        long key = SourceKeys.ip(new byte[] {10, 0, 0, 1}, SITE);
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.tryAcquire(key, limit)).isZero();
        }
        assertThat(limiter.tryAcquire(key, limit)).isEqualTo(SECOND / 2);
        ticker.advance(SECOND / 2);
        assertThat(limiter.tryAcquire(key, limit)).isZero();
        assertThat(limiter.tryAcquire(key, limit)).isEqualTo(SECOND / 2);
    }

    @Test
    void abusiveIp_limited_whileThousandNormalIpsAllPass() {
        FakeTicker ticker = new FakeTicker(0);
        SourceRateLimiter limiter = new SourceRateLimiter(1 << 14, ticker);
        RateLimit perIp = new RateLimit(10, 20);
        long abuser = SourceKeys.ip(new byte[] {(byte) 198, 51, 100, 66}, SITE);
        int abuserAllowed = 0;
        int normalDenied = 0;
        // 10 s in 10 ms ticks: the abuser sends every tick (100/s), each of 1,000 others once a second.
        for (int tick = 0; tick < 1_000; tick++) {
            ticker.advance(SECOND / 100);
            abuserAllowed += limiter.tryAcquire(abuser, perIp) == 0 ? 1 : 0;
            for (int c = tick % 100; c < 1_000; c += 100) {
                long key = SourceKeys.ip(new byte[] {10, 1, (byte) (c >> 8), (byte) c}, SITE);
                normalDenied += limiter.tryAcquire(key, perIp) == 0 ? 0 : 1;
            }
        }
        assertThat(normalDenied).isZero();
        assertThat(abuserAllowed).isEqualTo(20 + 100 - 1); // the burst, then 10/s for the remaining 9.9 s
    }

    @Test
    void abusivePrefix_limitedByPrefixLimit_whileOtherPrefixesPass() {
        FakeTicker ticker = new FakeTicker(0);
        SourceRateLimiter limiter = new SourceRateLimiter(1 << 14, ticker);
        RateLimit perIp = new RateLimit(10, 20);
        RateLimit perPrefix = new RateLimit(50, 100);
        int botnetAllowed = 0;
        int othersDenied = 0;
        // 10 s: 250 addresses of 203.0.113.0/24 at 1/s each (every one under its IP limit, 250/s for the /24),
        // and 1,000 addresses in 1,000 other /24s at 1/s each.
        for (int tick = 0; tick < 1_000; tick++) {
            ticker.advance(SECOND / 100);
            for (int c = tick % 100; c < 1_000; c += 100) {
                byte[] addr = {10, (byte) (c >> 8), (byte) c, 9};
                othersDenied += admit(limiter, addr, perPrefix, perIp) ? 0 : 1;
            }
            for (int h = tick % 100; h < 250; h += 100) {
                byte[] addr = {(byte) 203, 0, 113, (byte) h};
                botnetAllowed += admit(limiter, addr, perPrefix, perIp) ? 1 : 0;
            }
        }
        assertThat(othersDenied).isZero();
        assertThat(botnetAllowed).isBetween(100 + 490, 100 + 500); // the /24's burst, then 50/s
    }

    /** The prefix first, so a request refused for its network does not also spend its address's allowance. */
    private static boolean admit(SourceRateLimiter limiter, byte[] addr, RateLimit perPrefix, RateLimit perIp) {
        return limiter.tryAcquire(SourceKeys.prefix(addr, SITE), perPrefix) == 0
                && limiter.tryAcquire(SourceKeys.ip(addr, SITE), perIp) == 0;
    }

    @Test
    void globalAndSiteKeys_separateAllowances() {
        FakeTicker ticker = new FakeTicker(0);
        SourceRateLimiter limiter = new SourceRateLimiter(1024, ticker);
        RateLimit one = new RateLimit(1, 1);
        byte[] addr = {10, 0, 0, 1};
        assertThat(limiter.tryAcquire(SourceKeys.ip(addr, 1), one)).isZero();
        assertThat(limiter.tryAcquire(SourceKeys.ip(addr, 1), one)).isPositive();
        assertThat(limiter.tryAcquire(SourceKeys.ip(addr, 2), one)).isZero();
        assertThat(limiter.tryAcquire(SourceKeys.ip(addr, SourceKeys.GLOBAL), one))
                .isZero();
    }

    @Test
    void constructor_validatesCapacity() {
        assertThatThrownBy(() -> new SourceRateLimiter(1000, () -> 0))
                .hasMessage("capacity: 1000 (expected: a power of two, 8-67108864)");
        assertThat(SourceRateLimiter.withBudget(64L << 20, () -> 0).retainedBytes())
                .isEqualTo(64L << 20);
        assertThatThrownBy(() -> new SourceRateLimiter(1024, () -> 0).tryAcquire(0, new RateLimit(1, 1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
