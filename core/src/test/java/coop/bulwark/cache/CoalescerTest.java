package coop.bulwark.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CoalescerTest {
    private static final long TIMEOUT = TimeUnit.SECONDS.toNanos(5);

    @Test
    void hundredConcurrentJoins_makeOneLeader_andNinetyNineCallbacksExactlyOnce() throws Exception {
        Coalescer<String, String> coalescer = new Coalescer<>(1000, TIMEOUT);
        int threads = 4;
        int joins = 100;
        CyclicBarrier start = new CyclicBarrier(threads);
        AtomicInteger next = new AtomicInteger();
        Map<Integer, AtomicInteger> callbacks = new ConcurrentHashMap<>();
        List<Joined<String, String>> results = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i; (i = next.getAndIncrement()) < joins; ) {
                        int id = i;
                        results.add(coalescer.join("k", 0, outcome -> {
                            assertThat(outcome).isEqualTo(new Outcome.Value<>("page"));
                            callbacks
                                    .computeIfAbsent(id, x -> new AtomicInteger())
                                    .incrementAndGet();
                        }));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(10, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        List<Joined.Lead<String, String>> leaders = results.stream()
                .filter(r -> r instanceof Joined.Lead)
                .map(r -> (Joined.Lead<String, String>) r)
                .toList();
        assertThat(leaders).hasSize(1);
        assertThat(results).hasSize(joins);
        assertThat(coalescer.waiters("k")).isEqualTo(99);

        assertThat(leaders.get(0).flight().complete("page")).isTrue();
        assertThat(leaders.get(0).flight().complete("again")).isFalse();
        assertThat(callbacks).hasSize(99);
        assertThat(callbacks.values()).allMatch(c -> c.get() == 1);
        assertThat(coalescer.inFlight()).isZero();
    }

    @Test
    void completionRacingWithJoins_neverLosesAWaiter() throws Exception {
        // Many rounds of joins on two threads while a third completes: every Follow gets exactly one callback.
        Coalescer<String, Integer> coalescer = new Coalescer<>(Integer.MAX_VALUE, TIMEOUT);
        AtomicInteger follows = new AtomicInteger();
        AtomicInteger called = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        CountDownLatch joinersDone = new CountDownLatch(2);
        ConcurrentHashMap<Flight<String, Integer>, Boolean> leads = new ConcurrentHashMap<>();
        try {
            for (int t = 0; t < 2; t++) {
                pool.submit(() -> {
                    for (int i = 0; i < 20_000; i++) {
                        switch (coalescer.join("k", 0, o -> called.incrementAndGet())) {
                            case Joined.Lead<String, Integer> lead -> leads.put(lead.flight(), true);
                            case Joined.Follow<String, Integer> f -> follows.incrementAndGet();
                            case Joined.Full<String, Integer> f -> throw new AssertionError("no cap");
                        }
                    }
                    joinersDone.countDown();
                });
            }
            Future<?> completer = pool.submit(() -> {
                while (joinersDone.getCount() > 0 || !leads.isEmpty()) {
                    for (Flight<String, Integer> f : leads.keySet()) {
                        f.complete(1);
                        leads.remove(f);
                    }
                }
            });
            assertThat(joinersDone.await(20, TimeUnit.SECONDS)).isTrue();
            completer.get(20, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertThat(called.get()).isEqualTo(follows.get());
        assertThat(coalescer.inFlight()).isZero();
    }

    @Test
    void waiterCap_turnsExtraJoinersAway() {
        Coalescer<String, String> coalescer = new Coalescer<>(2, TIMEOUT);
        assertThat(coalescer.join("k", 0, o -> {})).isInstanceOf(Joined.Lead.class);
        assertThat(coalescer.join("k", 0, o -> {})).isInstanceOf(Joined.Follow.class);
        assertThat(coalescer.join("k", 0, o -> {})).isInstanceOf(Joined.Follow.class);
        assertThat(coalescer.join("k", 0, o -> {})).isInstanceOf(Joined.Full.class);
        assertThat(coalescer.join("other", 0, o -> {})).isInstanceOf(Joined.Lead.class);
    }

    @Test
    void failure_reachesEveryWaiter_andTheNextJoinLeadsAgain() {
        Coalescer<String, String> coalescer = new Coalescer<>(10, TIMEOUT);
        List<Outcome<String>> seen = new ArrayList<>();
        Joined.Lead<String, String> lead = (Joined.Lead<String, String>) coalescer.join("k", 0, seen::add);
        coalescer.join("k", 0, seen::add);
        coalescer.join("k", 0, o -> {
            throw new IllegalStateException("buggy waiter");
        });
        coalescer.join("k", 0, seen::add);
        IllegalStateException cause = new IllegalStateException("origin refused");
        assertThat(lead.flight().fail(cause)).isTrue();
        assertThat(seen).containsExactly(new Outcome.Failure<>(cause), new Outcome.Failure<>(cause));
        assertThat(coalescer.waiterFailures()).isEqualTo(1);
        assertThat(coalescer.join("k", 1, seen::add)).isInstanceOf(Joined.Lead.class);
    }

    @Test
    void leaderThatNeverCompletes_timesOutItsWaiters_viaExpire() {
        Coalescer<String, String> coalescer = new Coalescer<>(10, TIMEOUT);
        List<Outcome<String>> seen = new ArrayList<>();
        Joined.Lead<String, String> lead = (Joined.Lead<String, String>) coalescer.join("k", 0, seen::add);
        coalescer.join("k", 1, seen::add);
        coalescer.join("k", 2, seen::add);
        assertThat(coalescer.expire(TIMEOUT - 1)).isZero();
        assertThat(seen).isEmpty();
        assertThat(coalescer.expire(TIMEOUT)).isEqualTo(1);
        assertThat(seen).containsExactly(new Outcome.TimedOut<>(), new Outcome.TimedOut<>());
        assertThat(coalescer.inFlight()).isZero();
        // The late leader cannot complete anything now, not even a newer flight of the same key.
        Joined<String, String> next = coalescer.join("k", TIMEOUT + 1, seen::add);
        assertThat(next).isInstanceOf(Joined.Lead.class);
        assertThat(lead.flight().complete("late")).isFalse();
        assertThat(coalescer.inFlight()).isEqualTo(1);
    }

    @Test
    void joinAfterTheDeadline_endsTheOverdueFlight_andLeadsANewOne() {
        Coalescer<String, String> coalescer = new Coalescer<>(10, TIMEOUT);
        List<Outcome<String>> seen = new ArrayList<>();
        coalescer.join("k", 0, seen::add);
        coalescer.join("k", 1, seen::add);
        Joined<String, String> late = coalescer.join("k", TIMEOUT, seen::add);
        assertThat(late).isInstanceOf(Joined.Lead.class);
        assertThat(seen).containsExactly(new Outcome.TimedOut<>());
        assertThat(((Joined.Lead<String, String>) late).flight().deadlineNanos())
                .isEqualTo(2 * TIMEOUT);
    }
}
