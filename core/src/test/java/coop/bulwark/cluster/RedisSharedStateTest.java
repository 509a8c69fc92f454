package coop.bulwark.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.cluster.redis.RedisSharedState;
import coop.bulwark.site.ClusterConfig;
import coop.bulwark.testing.RedisProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link SharedState} contract on a real {@code redis-server} of the test's own (expiries on Redis's clock, so the
 * expiry tests wait for them), plus what only Redis has: a password, a paused server, a prefix per cluster.
 */
class RedisSharedStateTest extends SharedStateContract {
    static RedisProcess redis;
    static int prefixes;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisProcess.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        if (redis != null) {
            redis.close();
        }
    }

    /** Each test gets its own key prefix, so tests never see each other's keys in the one server. */
    private final String prefix = "test" + (++prefixes);

    @Override
    SharedState client() throws Exception {
        SharedState s = RedisSharedState.create(
                new ClusterConfig(redis.url(), "edge-x", prefix, Optional.empty()), Clock.systemUTC());
        get(s.connect());
        return s;
    }

    @Override
    Instant now() {
        return Instant.now();
    }

    @Override
    void passTime(Duration d) {
        // Redis expires keys on its own clock: the caller awaits the effect.
    }

    @Test
    void anotherPrefix_isAnotherCluster() throws Exception {
        SharedState other = RedisSharedState.create(
                new ClusterConfig(redis.url(), "edge-x", prefix + "-other", Optional.empty()), Clock.systemUTC());
        try {
            get(other.connect());
            get(a.epoch("one"));
            assertThat(get(other.epoch("two"))).isEqualTo("two");
        } finally {
            other.close();
        }
    }

    @Test
    void aPausedRedis_failsOperationsWithinTheTimeout_andServesAgainWhenResumed() throws Exception {
        redis.pause();
        try {
            long start = System.nanoTime();
            assertThat(a.ping().toCompletableFuture()).failsWithin(Duration.ofSeconds(3));
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isLessThan(RedisSharedState.COMMAND_TIMEOUT.plusMillis(1500));
        } finally {
            redis.resume();
        }
        get(a.ping());
    }

    @Test
    void notConnected_failsAtOnce_andThePasswordIsReadFromItsFileAtEachConnection(@TempDir Path dir) throws Exception {
        Path pass = dir.resolve("redis.pass");
        Files.writeString(pass, "wrong-password\n");
        try (RedisProcess locked = RedisProcess.start("--requirepass", "s3cret")) {
            SharedState s = RedisSharedState.create(
                    new ClusterConfig(locked.url(), "edge-x", prefix, Optional.of(pass)), Clock.systemUTC());
            try {
                assertThat(s.ping().toCompletableFuture()).failsWithin(Duration.ofMillis(100));
                assertThat(s.connect().toCompletableFuture()).failsWithin(Duration.ofSeconds(5));
                Files.writeString(pass, "s3cret\n");
                get(s.connect());
                get(s.ping());
            } finally {
                s.close();
            }
        }
    }
}
