package coop.bulwark.detect;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.site.DetectionConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Detection on the cluster's traffic: two edges, each with its own accounting and detector, each given the other's
 * counts through a {@link PeerTraffic} as the cluster relays them. A flood split between them must be judged as the
 * same flood on one edge would be.
 */
class PeerTrafficTest {
    private static final DetectionConfig CONFIG = DetectionConfig.defaults();

    /** One edge's side of the relay: its running totals read the way TrafficRelay reads them. */
    private static final class Edge {
        final SyntheticTraffic traffic;
        final PeerTraffic peers = new PeerTraffic();
        Map<String, SiteCounts> last = Map.of();

        Edge(long seed) {
            traffic = new SyntheticTraffic(3, CONFIG, seed);
            traffic.detector.peers(peers);
        }

        /** What this edge counted since the previous call, by site name. */
        Map<String, SiteCounts> delta() {
            List<SiteCounts> totals = traffic.accounting.running();
            Map<String, SiteCounts> now = new HashMap<>();
            Map<String, SiteCounts> delta = new HashMap<>();
            for (int i = 0; i < totals.size(); i++) {
                String name = traffic.detector.siteName(i);
                now.put(name, totals.get(i));
                SiteCounts d = totals.get(i).since(last.getOrDefault(name, SiteCounts.ZERO));
                if (!d.isZero()) {
                    delta.put(name, d);
                }
            }
            last = now;
            return delta;
        }
    }

    /** Ten minutes of one visitor a minute on site 0, on both edges, each hearing the other. */
    private static void quietTenMinutes(Edge a, Edge b, boolean relay) {
        for (int s = 0; s < 600; s++) {
            if (s % 60 == 0) {
                (s % 120 == 0 ? a : b).traffic.visitors(0, 1, 0.5);
            }
            tick(a, b, relay);
        }
    }

    private static void tick(Edge a, Edge b, boolean relay) {
        Instant sent = a.traffic.now();
        Map<String, SiteCounts> fromA = a.delta();
        Map<String, SiteCounts> fromB = b.delta();
        if (relay) {
            b.peers.offer("edge-a", sent, fromA, sent);
            a.peers.offer("edge-b", sent, fromB, sent);
        }
        a.traffic.tick();
        b.traffic.tick();
    }

    @Test
    void floodSplitAcrossTwoEdges_isUnderAttackOnBoth_atTheSecondTick_asOnOneEdge() {
        Edge a = new Edge(1);
        Edge b = new Edge(2);
        quietTenMinutes(a, b, true);
        assertThat(a.traffic.events).isEmpty();

        // 30/s in all, 15/s on each edge: each half alone is under the attack floor (20/s above baseline).
        a.traffic.flood(0, 15);
        b.traffic.flood(0, 15);
        tick(a, b, true);
        a.traffic.flood(0, 15);
        b.traffic.flood(0, 15);
        tick(a, b, true);

        assertThat(a.traffic.detector.state(0)).isEqualTo(SiteState.UNDER_ATTACK);
        assertThat(b.traffic.detector.state(0)).isEqualTo(SiteState.UNDER_ATTACK);
        assertThat(a.traffic.detector.signals(0).orElseThrow().rateRps()).isEqualTo(30);
        assertThat(a.traffic.events).anyMatch(e -> e instanceof DetectionEvent.AttackStarted);
        SiteSecond s = a.traffic.detector.lastTraffic().orElseThrow().sites().get(0);
        assertThat(s.requests()).isEqualTo(30);
        assertThat(s.peerRequests()).isEqualTo(15);
    }

    @Test
    void floodSplitAcrossTwoEdges_withoutTheRelay_isNotAnAttackOnEither() {
        Edge a = new Edge(1);
        Edge b = new Edge(2);
        quietTenMinutes(a, b, false);
        for (int i = 0; i < 5; i++) {
            a.traffic.flood(0, 15);
            b.traffic.flood(0, 15);
            tick(a, b, false);
        }
        assertThat(a.traffic.detector.state(0)).isNotEqualTo(SiteState.UNDER_ATTACK);
        assertThat(b.traffic.detector.state(0)).isNotEqualTo(SiteState.UNDER_ATTACK);
    }

    @Test
    void aDeltaDeliveredLate_isDropped_andASilentNodeAddsNothing() {
        PeerTraffic peers = new PeerTraffic();
        Instant now = Instant.parse("2026-12-06T12:00:00Z");
        SiteCounts c = new SiteCounts(100, 0, 0, 0, 5_000, 0, 0, 0);
        assertThat(peers.offer("edge-b", now.minus(Duration.ofSeconds(3)), Map.of("a.coop", c), now))
                .isFalse();
        assertThat(peers.drain()).isEmpty();
        assertThat(peers.stale()).isEqualTo(1);

        assertThat(peers.offer("edge-b", now.minusMillis(300), Map.of("a.coop", c), now))
                .isTrue();
        assertThat(peers.offer("edge-c", now, Map.of("a.coop", c), now)).isTrue();
        assertThat(peers.nodes(now)).containsExactly("edge-b", "edge-c");
        assertThat(peers.drain()).containsExactly(Map.entry("a.coop", c.plus(c)));
        // Drained once, counted once: the next tick of a silent cluster adds nothing.
        assertThat(peers.drain()).isEmpty();
        assertThat(peers.nodes(now.plusSeconds(3))).isEmpty();

        peers.offer("edge-b", now, Map.of("a.coop", c), now);
        peers.clear();
        assertThat(peers.drain()).isEmpty();
    }

    @Test
    void runningTotals_restartedFromZero_countFromZero() {
        SiteCounts before = new SiteCounts(100, 1, 2, 3, 400, 5, 6, 7);
        SiteCounts after = new SiteCounts(110, 1, 2, 3, 500, 5, 8, 7);
        assertThat(after.since(before)).isEqualTo(new SiteCounts(10, 0, 0, 0, 100, 0, 2, 0));
        SiteCounts rebuilt = new SiteCounts(4, 0, 0, 0, 40, 0, 0, 0);
        assertThat(rebuilt.since(before)).isEqualTo(rebuilt);
    }

    @Test
    void concentration_isJudgedOnThisEdgesOwnRequests() {
        SiteSecond own = new SiteSecond(
                0,
                10,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                List.of(10L, 0L, 0L, 0L),
                1,
                List.of(new HeavyHitter(42, 8, 0)),
                List.of(),
                List.of(),
                Map.of(),
                0);
        SiteSecond merged = own.withPeers(new SiteCounts(10, 0, 0, 0, 0, 0, 0, 0));
        assertThat(merged.requests()).isEqualTo(20);
        assertThat(merged.topPrefixShare()).isEqualTo(own.topPrefixShare()).isEqualTo(0.8);
    }
}
