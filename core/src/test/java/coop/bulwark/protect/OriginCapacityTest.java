package coop.bulwark.protect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import coop.bulwark.site.BulkheadLimits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OriginCapacityTest {
    /** Records grants in order; runs callbacks inline. */
    static final class Recorder implements BulkheadWaiter {
        final List<String> log;
        final String id;

        Recorder(List<String> log, String id) {
            this.log = log;
            this.id = id;
        }

        @Override
        public void granted() {
            log.add(id);
        }

        @Override
        public void rejected(BulkheadRejection why) {
            log.add(id + ":" + why);
        }
    }

    static SiteBudget site(String name, int max, int queue, int weight) {
        return new SiteBudget(name, new BulkheadLimits(max, queue, Duration.ofSeconds(1), weight));
    }

    @Test
    void grantsUpToCapacity_thenQueues_thenRejectsWhenQueueFull() {
        var cap = new OriginCapacity("o", 2);
        var a = site("a", 10, 1, 1);
        List<String> log = new ArrayList<>();
        var t = new OriginCapacity.Ticket[1];
        assertThat(cap.acquire(a, Runnable::run, new Recorder(log, "1"), t)).isEqualTo(OriginCapacity.Outcome.GRANTED);
        assertThat(cap.acquire(a, Runnable::run, new Recorder(log, "2"), t)).isEqualTo(OriginCapacity.Outcome.GRANTED);
        assertThat(cap.acquire(a, Runnable::run, new Recorder(log, "3"), t)).isEqualTo(OriginCapacity.Outcome.QUEUED);
        assertThat(cap.acquire(a, Runnable::run, new Recorder(log, "4"), t)).isEqualTo(OriginCapacity.Outcome.REJECTED);
        assertThat(a.rejectedCount()).isEqualTo(1);
        cap.release(a);
        assertThat(log).containsExactly("3");
        assertThat(cap.inFlight()).isEqualTo(2);
    }

    @Test
    void people_goFirst_inTheirSitesQueue_andAreNotRefusedWhenTheStrangersLaneIsFull() {
        var cap = new OriginCapacity("o", 1);
        var site = site("flooded", 10, 3, 1);
        List<String> log = new ArrayList<>();
        var t = new OriginCapacity.Ticket[1];
        assertThat(cap.acquire(site, BulkheadLane.STRANGERS, Runnable::run, new Recorder(log, "bot0"), t))
                .isEqualTo(OriginCapacity.Outcome.GRANTED);
        for (int i = 1; i <= 3; i++) {
            assertThat(cap.acquire(site, BulkheadLane.STRANGERS, Runnable::run, new Recorder(log, "bot" + i), t))
                    .isEqualTo(OriginCapacity.Outcome.QUEUED);
        }
        assertThat(cap.acquire(site, BulkheadLane.STRANGERS, Runnable::run, new Recorder(log, "bot4"), t))
                .isEqualTo(OriginCapacity.Outcome.REJECTED);
        assertThat(cap.acquire(site, BulkheadLane.PEOPLE, Runnable::run, new Recorder(log, "person1"), t))
                .isEqualTo(OriginCapacity.Outcome.QUEUED);
        assertThat(cap.acquire(site, BulkheadLane.PEOPLE, Runnable::run, new Recorder(log, "person2"), t))
                .isEqualTo(OriginCapacity.Outcome.QUEUED);
        assertThat(cap.waitingCount()).isEqualTo(5);

        for (int i = 0; i < 3; i++) {
            cap.release(site);
        }

        assertThat(log).containsExactly("person1", "person2", "bot1");
    }

    @Test
    void cacheBustingStrangers_waitBehindOtherStrangers_andFillingTheirLaneRefusesNobodyElse() {
        var cap = new OriginCapacity("o", 1);
        var site = site("s", 10, 2, 1);
        List<String> log = new ArrayList<>();
        var t = new OriginCapacity.Ticket[1];
        cap.acquire(site, BulkheadLane.BUSTERS, Runnable::run, new Recorder(log, "held"), t);
        cap.acquire(site, BulkheadLane.BUSTERS, Runnable::run, new Recorder(log, "buster1"), t);
        cap.acquire(site, BulkheadLane.BUSTERS, Runnable::run, new Recorder(log, "buster2"), t);
        assertThat(cap.acquire(site, BulkheadLane.BUSTERS, Runnable::run, new Recorder(log, "buster3"), t))
                .isEqualTo(OriginCapacity.Outcome.REJECTED);
        assertThat(cap.acquire(site, BulkheadLane.STRANGERS, Runnable::run, new Recorder(log, "stranger"), t))
                .isEqualTo(OriginCapacity.Outcome.QUEUED);
        assertThat(cap.acquire(site, BulkheadLane.PEOPLE, Runnable::run, new Recorder(log, "person"), t))
                .isEqualTo(OriginCapacity.Outcome.QUEUED);

        cap.release(site, BulkheadLane.BUSTERS); // held
        cap.release(site, BulkheadLane.PEOPLE);
        cap.release(site, BulkheadLane.STRANGERS);
        cap.release(site, BulkheadLane.BUSTERS); // buster1

        assertThat(log).containsExactly("person", "stranger", "buster1", "buster2");
    }

    @Test
    void cacheBusting_holdsAtMostAQuarterOfTheOrigin_theRestStaysFreeForEverybodyElse() {
        var cap = new OriginCapacity("o", 12);
        var flooded = site("flooded", 100, 100, 1);
        var quiet = site("quiet", 100, 100, 1);
        List<String> log = new ArrayList<>();
        var t = new OriginCapacity.Ticket[1];
        for (int i = 0; i < 10; i++) {
            cap.acquire(flooded, BulkheadLane.BUSTERS, Runnable::run, new Recorder(log, "buster" + i), t);
        }
        assertThat(cap.inFlight()).isEqualTo(3);
        assertThat(cap.bustersInFlight()).isEqualTo(3);
        assertThat(cap.waitingCount()).isEqualTo(7);

        // The flooded site's own strangers and people, and other sites' visitors, get the rest at once.
        assertThat(cap.acquire(flooded, BulkheadLane.STRANGERS, Runnable::run, new Recorder(log, "stranger"), t))
                .isEqualTo(OriginCapacity.Outcome.GRANTED);
        assertThat(cap.acquire(flooded, BulkheadLane.PEOPLE, Runnable::run, new Recorder(log, "person"), t))
                .isEqualTo(OriginCapacity.Outcome.GRANTED);
        assertThat(cap.acquire(quiet, Runnable::run, new Recorder(log, "bystander"), t))
                .isEqualTo(OriginCapacity.Outcome.GRANTED);
        assertThat(cap.inFlight()).isEqualTo(6);

        // A freed slot that is not cache busting's stays free while only cache busting waits ...
        cap.release(quiet);
        assertThat(log).isEmpty();
        assertThat(cap.inFlight()).isEqualTo(5);
        // ... and one of its own goes to the next of its waiters.
        cap.release(flooded, BulkheadLane.BUSTERS);
        assertThat(log).containsExactly("buster3");
        assertThat(cap.bustersInFlight()).isEqualTo(3);

        // A release in the wrong lane is a bug, not a silent leak of the cap.
        var other = new OriginCapacity("p", 4);
        other.acquire(quiet, Runnable::run, new Recorder(log, "x"), t);
        assertThatThrownBy(() -> other.release(quiet, BulkheadLane.BUSTERS)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aBudgetOfOne_stillServesCacheBusting() {
        var cap = new OriginCapacity("o", 1);
        var site = site("s", 10, 2, 1);
        List<String> log = new ArrayList<>();
        var t = new OriginCapacity.Ticket[1];
        assertThat(cap.acquire(site, BulkheadLane.BUSTERS, Runnable::run, new Recorder(log, "buster"), t))
                .isEqualTo(OriginCapacity.Outcome.GRANTED);
        assertThat(cap.bustersCap()).isEqualTo(1);
    }

    @Test
    void aWithdrawnPerson_leavesTheSiteWaitingOnlyWhileItsStrangersDo() {
        var cap = new OriginCapacity("o", 1);
        var site = site("s", 10, 3, 1);
        List<String> log = new ArrayList<>();
        var t = new OriginCapacity.Ticket[1];
        cap.acquire(site, BulkheadLane.STRANGERS, Runnable::run, new Recorder(log, "held"), t);
        cap.acquire(site, BulkheadLane.PEOPLE, Runnable::run, new Recorder(log, "person"), t);
        assertThat(cap.cancel(t[0])).isTrue();
        assertThat(cap.waitingCount()).isZero();
        cap.release(site);
        assertThat(log).isEmpty();
        assertThat(cap.inFlight()).isZero();
    }

    @Test
    void quietSite_isServedBeforeFloodedSite_whenASlotFrees() {
        var cap = new OriginCapacity("shared", 4);
        var flooded = site("flooded", 100, 10_000, 1);
        var quiet = site("quiet", 100, 10, 1);
        List<String> log = new ArrayList<>();
        var t = new OriginCapacity.Ticket[1];
        for (int i = 0; i < 10_000; i++) {
            cap.acquire(flooded, Runnable::run, new Recorder(log, "f" + i), t);
        }
        assertThat(cap.acquire(quiet, Runnable::run, new Recorder(log, "q"), t))
                .isEqualTo(OriginCapacity.Outcome.QUEUED);
        cap.release(flooded);
        assertThat(log).containsExactly("q");
    }

    @Test
    void siteCap_leavesRoomForOthers() {
        var cap = new OriginCapacity("shared", 10);
        var flooded = site("flooded", 3, 100, 1);
        var other = site("other", 3, 100, 1);
        List<String> log = new ArrayList<>();
        var t = new OriginCapacity.Ticket[1];
        for (int i = 0; i < 50; i++) {
            cap.acquire(flooded, Runnable::run, new Recorder(log, "f"), t);
        }
        assertThat(flooded.inFlight()).isEqualTo(3);
        assertThat(cap.acquire(other, Runnable::run, new Recorder(log, "o"), t))
                .isEqualTo(OriginCapacity.Outcome.GRANTED);
    }

    @Test
    void weights_divideSlotsProportionally_underContention() {
        var cap = new OriginCapacity("shared", 30);
        var heavy = site("heavy", 1000, 1000, 2);
        var light = site("light", 1000, 1000, 1);
        List<String> log = new ArrayList<>();
        var t = new OriginCapacity.Ticket[1];
        // Both sites have plenty waiting; fill from empty by releasing a placeholder's slots.
        var holder = site("holder", 1000, 0, 1);
        for (int i = 0; i < 30; i++) {
            cap.acquire(holder, Runnable::run, new Recorder(log, "h"), t);
        }
        for (int i = 0; i < 100; i++) {
            cap.acquire(heavy, Runnable::run, new Recorder(log, "H"), t);
            cap.acquire(light, Runnable::run, new Recorder(log, "L"), t);
        }
        for (int i = 0; i < 30; i++) {
            cap.release(holder);
        }
        assertThat(heavy.inFlight()).isEqualTo(20);
        assertThat(light.inFlight()).isEqualTo(10);
    }

    @Test
    void cancel_ofWaitingTicket_removesIt_andOfGrantedTicket_saysItHoldsASlot() {
        var cap = new OriginCapacity("o", 1);
        var a = site("a", 10, 10, 1);
        List<String> log = new ArrayList<>();
        var t1 = new OriginCapacity.Ticket[1];
        var t2 = new OriginCapacity.Ticket[1];
        cap.acquire(a, Runnable::run, new Recorder(log, "1"), t1);
        cap.acquire(a, Runnable::run, new Recorder(log, "2"), t2);
        assertThat(cap.cancel(t2[0])).isTrue();
        cap.release(a);
        assertThat(log).isEmpty();
        assertThat(cap.inFlight()).isZero();
        var t3 = new OriginCapacity.Ticket[1];
        var t4 = new OriginCapacity.Ticket[1];
        cap.acquire(a, Runnable::run, new Recorder(log, "3"), t3);
        cap.acquire(a, Runnable::run, new Recorder(log, "4"), t4);
        cap.release(a);
        assertThat(log).containsExactly("4");
        assertThat(cap.cancel(t4[0])).isFalse();
        cap.release(a);
        assertThat(cap.inFlight()).isZero();
    }

    @Test
    void releaseWithoutSlot_isAnError() {
        var cap = new OriginCapacity("o", 1);
        assertThatThrownBy(() -> cap.release(site("a", 1, 1, 1))).isInstanceOf(IllegalStateException.class);
    }

    /**
     * Seeded random schedules against the invariants: never more than capacity in flight, no site above its cap,
     * every queued request granted or cancelled exactly once, and when everything is released nothing is held.
     */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 1234, 99_999})
    void randomSchedules_keepInvariants(long seed) {
        Random rnd = new Random(seed);
        var cap = new OriginCapacity("o", 1 + rnd.nextInt(8));
        List<SiteBudget> sites = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            sites.add(site("s" + i, 1 + rnd.nextInt(5), rnd.nextInt(6), 1 + rnd.nextInt(3)));
        }
        List<SiteBudget> holding = new ArrayList<>();
        List<BulkheadLane> holdingLane = new ArrayList<>();
        List<OriginCapacity.Ticket> waiting = new ArrayList<>();
        List<SiteBudget> waitingSite = new ArrayList<>();
        List<BulkheadLane> waitingLane = new ArrayList<>();
        for (int step = 0; step < 5000; step++) {
            int op = rnd.nextInt(3);
            if (op == 0) {
                SiteBudget s = sites.get(rnd.nextInt(sites.size()));
                BulkheadLane lane = BulkheadLane.values()[rnd.nextInt(BulkheadLane.values().length)];
                var t = new OriginCapacity.Ticket[1];
                var outcome = cap.acquire(
                        s,
                        lane,
                        Runnable::run,
                        new BulkheadWaiter() {
                            @Override
                            public void granted() {
                                int i = waiting.indexOf(t[0]);
                                assertThat(i).isGreaterThanOrEqualTo(0);
                                waiting.remove(i);
                                holding.add(waitingSite.remove(i));
                                holdingLane.add(waitingLane.remove(i));
                            }

                            @Override
                            public void rejected(BulkheadRejection why) {
                                throw new AssertionError("not used by OriginCapacity itself");
                            }
                        },
                        t);
                if (outcome == OriginCapacity.Outcome.GRANTED) {
                    holding.add(s);
                    holdingLane.add(lane);
                } else if (outcome == OriginCapacity.Outcome.QUEUED) {
                    waiting.add(t[0]);
                    waitingSite.add(s);
                    waitingLane.add(lane);
                }
            } else if (op == 1 && !holding.isEmpty()) {
                int i = rnd.nextInt(holding.size());
                cap.release(holding.remove(i), holdingLane.remove(i));
            } else if (op == 2 && !waiting.isEmpty()) {
                int i = rnd.nextInt(waiting.size());
                assertThat(cap.cancel(waiting.get(i))).isTrue();
                waiting.remove(i);
                waitingSite.remove(i);
                waitingLane.remove(i);
            }
            assertThat(cap.inFlight()).isLessThanOrEqualTo(cap.capacity()).isEqualTo(holding.size());
            assertThat(cap.bustersInFlight())
                    .isLessThanOrEqualTo(cap.bustersCap())
                    .isEqualTo(holdingLane.stream()
                            .filter(l -> l == BulkheadLane.BUSTERS)
                            .count());
            for (SiteBudget s : sites) {
                assertThat(s.inFlight()).isLessThanOrEqualTo(s.limits().maxConcurrent());
            }
        }
        while (!holding.isEmpty() || !waiting.isEmpty()) {
            if (!holding.isEmpty()) {
                cap.release(holding.remove(0), holdingLane.remove(0));
            } else {
                cap.cancel(waiting.remove(0));
                waitingSite.remove(0);
                waitingLane.remove(0);
            }
        }
        assertThat(cap.inFlight()).isZero();
        assertThat(cap.bustersInFlight()).isZero();
        assertThat(cap.waitingCount()).isZero();
    }
}
