package coop.bulwark.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The {@link SharedState} contract on the in-memory backend (time on a fake clock), and its outages. */
class MemorySharedStateTest extends SharedStateContract {
    private final TestClock clock = new TestClock(Instant.parse("2026-12-06T12:00:00Z"));
    private final MemoryStore store = new MemoryStore(clock);

    @Override
    SharedState client() throws Exception {
        SharedState s = store.client();
        get(s.connect());
        return s;
    }

    @Override
    Instant now() {
        return clock.instant();
    }

    @Override
    void passTime(Duration d) {
        clock.advance(d);
    }

    @Test
    void aStoreDown_failsEveryOperation_andDeliversNothing_untilItIsBack() throws Exception {
        store.down(true);
        assertThat(a.ping().toCompletableFuture()).failsWithin(Duration.ofSeconds(1));
        assertThat(a.bans().toCompletableFuture()).failsWithin(Duration.ofSeconds(1));
        store.down(false);
        get(a.clearPin("alpha", "edge-a", "instance-a"));
        assertThat(seenByB).hasSize(1);
    }

    @Test
    void wipe_forgetsEverything_likeARedisRestartedEmpty() throws Exception {
        get(a.epoch("one"));
        store.wipe();
        assertThat(get(b.epoch("two"))).isEqualTo("two");
        assertThat(store.keys()).containsExactly("epoch");
    }
}
