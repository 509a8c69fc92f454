package coop.bulwark.origin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-loop origin timeout sweep on a fake clock: who times out, when, and only once. */
class OriginDeadlinesTest {
    long now = 5_000_000_000L;
    final OriginDeadlines deadlines = new OriginDeadlines(() -> now);
    final List<String> timedOut = new ArrayList<>();

    /** A request whose origin was last heard from at {@code since} and times out after {@code timeoutNanos}. */
    final class Request extends OriginDeadlines.Watched {
        final String name;
        long since;
        final long timeoutNanos;

        Request(String name, long timeoutNanos) {
            this.name = name;
            this.since = now;
            this.timeoutNanos = timeoutNanos;
        }

        @Override
        protected boolean originSilentFor(long nowNanos) {
            return nowNanos - since >= timeoutNanos;
        }

        @Override
        protected void onOriginTimeout() {
            timedOut.add(name);
        }
    }

    @Test
    void sweep_timesOutOnlyTheSilentRequests_onceEach() {
        var slow = new Request("slow", 1_000_000_000L);
        var busy = new Request("busy", 1_000_000_000L);
        var patient = new Request("patient", 3_000_000_000L);
        deadlines.watch(slow);
        deadlines.watch(busy);
        deadlines.watch(patient);

        now += 900_000_000L;
        deadlines.tick();
        assertThat(timedOut).isEmpty();

        busy.since = now; // the origin sent something
        now += 200_000_000L;
        deadlines.tick();
        assertThat(timedOut).containsExactly("slow");
        assertThat(slow.watched()).isFalse();

        now += 5_000_000_000L;
        deadlines.tick();
        deadlines.tick();
        assertThat(timedOut).containsExactlyInAnyOrder("slow", "busy", "patient");
    }

    @Test
    void unwatchedRequest_neverTimesOut_andWatchIsIdempotent() {
        var a = new Request("a", 1);
        var b = new Request("b", 1);
        deadlines.watch(a);
        deadlines.watch(a);
        deadlines.watch(b);
        deadlines.unwatch(a);
        deadlines.unwatch(a);

        now += 10;
        deadlines.tick();

        assertThat(timedOut).containsExactly("b");
    }

    @Test
    void coarseClock_isTheLastSweepsTime() {
        long start = deadlines.coarseNanos();
        now += 70_000_000L;
        assertThat(deadlines.coarseNanos()).isEqualTo(start);
        deadlines.tick();
        assertThat(deadlines.coarseNanos()).isEqualTo(now);
    }
}
