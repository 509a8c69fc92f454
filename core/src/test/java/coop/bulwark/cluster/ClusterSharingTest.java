package coop.bulwark.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.challenge.ChallengeKeys;
import coop.bulwark.detect.AttackClaims;
import coop.bulwark.detect.PeerTraffic;
import coop.bulwark.detect.SiteCounts;
import coop.bulwark.protect.BanList;
import coop.bulwark.site.UpstreamConfig;
import coop.bulwark.upstream.UpstreamDesk;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the cluster shares beside bans, keys and pins, on the in-memory store with a fake clock: detection's traffic
 * counts, attack claims and the upstream speaker's lease.
 */
class ClusterSharingTest {
    private final TestClock clock = new TestClock(Instant.parse("2026-12-06T12:00:30Z"));
    private final MemoryStore store = new MemoryStore(clock);
    private final List<Edge> edges = new ArrayList<>();

    /** One edge: its running totals (set by the test), the others' counts, its attack claims and upstream desk. */
    final class Edge {
        final AtomicReference<Map<String, SiteCounts>> running = new AtomicReference<>(Map.of());
        final PeerTraffic peers = new PeerTraffic();
        final AttackClaims claims;
        final UpstreamDesk upstream = new UpstreamDesk();
        final ClusterLink link;

        Edge(String node, UpstreamConfig.Mode mode) throws IOException {
            link = ClusterLink.manual(
                    store.client(),
                    new LocalNode(node, () -> node + ":443", "1.2.3", () -> 1, LocalNode.DEFAULT_LEASE),
                    new BanList(clock, Duration.ofHours(24), 1000),
                    ChallengeKeys.open(Optional.empty(), Duration.ofHours(1), clock),
                    clock,
                    Runnable::run);
            claims = new AttackClaims(node);
            upstream.configure(withMode(mode), Map.of(), clock.instant());
            link.join();
            link.shareTraffic(running::get, peers);
            link.shareAttacks(claims);
            link.shareUpstream(upstream);
            edges.add(this);
        }
    }

    private static UpstreamConfig withMode(UpstreamConfig.Mode mode) {
        UpstreamConfig d = UpstreamConfig.DEFAULTS;
        return new UpstreamConfig(
                mode,
                d.nextHop(),
                d.blackholeCommunities(),
                d.extraCommunities(),
                d.neighbor(),
                d.escalateAfter(),
                d.minDuration(),
                d.maxLifetime(),
                d.maxAnnouncementsPerHour(),
                d.flowspec(),
                d.rtbh());
    }

    @AfterEach
    void close() {
        edges.forEach(e -> e.link.close());
    }

    private static SiteCounts requests(long n) {
        return new SiteCounts(n, 0, 0, 0, n * 1000, 0, 0, 0);
    }

    @Test
    void trafficCounts_goOutAsDeltas_onlyForSitesWithTraffic_andNotWhileTheStoreIsAway() throws Exception {
        Edge a = new Edge("edge-a", UpstreamConfig.Mode.OFF);
        Edge b = new Edge("edge-b", UpstreamConfig.Mode.OFF);
        a.running.set(Map.of("shop", requests(100), "blog", requests(5)));
        a.link.pollTraffic();
        assertThat(b.peers.drain())
                .containsExactlyInAnyOrderEntriesOf(Map.of("shop", requests(100), "blog", requests(5)));

        a.running.set(Map.of("shop", requests(130), "blog", requests(5)));
        a.link.pollTraffic();
        assertThat(b.peers.drain()).containsExactly(Map.entry("shop", requests(30)));
        assertThat(a.peers.drain()).as("an edge does not count its own").isEmpty();

        store.down(true);
        a.link.tick(); // notices the store is away
        a.running.set(Map.of("shop", requests(1130), "blog", requests(5)));
        a.link.pollTraffic();
        store.down(false);
        a.link.tick(); // back
        a.running.set(Map.of("shop", requests(1140), "blog", requests(5)));
        a.link.pollTraffic();
        assertThat(b.peers.drain())
                .as("what was counted during the outage is not sent after it")
                .containsExactly(Map.entry("shop", requests(10)));
    }

    @Test
    void attackClaims_theFirstClaimNamesTheAttack_forEveryEdge() throws Exception {
        Edge a = new Edge("edge-a", UpstreamConfig.Mode.OFF);
        Edge b = new Edge("edge-b", UpstreamConfig.Mode.OFF);
        a.claims.open(new AttackClaims.Open("atk-1-1-edge-a", List.of("shop")));
        b.claims.open(new AttackClaims.Open("atk-1-1-edge-b", List.of("shop")));
        a.link.pollTraffic();
        b.link.pollTraffic();
        assertThat(a.claims.ownership("atk-1-1-edge-a")).isEqualTo(AttackClaims.Ownership.MINE);
        assertThat(b.claims.ownership("atk-1-1-edge-a")).isEqualTo(AttackClaims.Ownership.OTHERS);

        a.claims.shareReport("atk-1-1-edge-a", "{\"id\":\"atk-1-1-edge-a\"}");
        a.link.pollTraffic();
        assertThat(b.link.sharedReport("atk-1-1-edge-a")).contains("{\"id\":\"atk-1-1-edge-a\"}");

        // The attack ends on the owner: its claim is given back, so the next flood gets a new id.
        a.claims.open(null);
        a.link.pollTraffic();
        b.claims.open(null);
        b.link.pollTraffic();
        b.claims.open(new AttackClaims.Open("atk-2-1-edge-b", List.of("shop")));
        b.link.pollTraffic();
        assertThat(b.claims.ownership("atk-2-1-edge-b")).isEqualTo(AttackClaims.Ownership.MINE);
    }

    @Test
    void upstream_oneNodeSpeaks_theOtherStandsBy_untilTheSpeakerStops() throws Exception {
        Edge a = new Edge("edge-a", UpstreamConfig.Mode.AUTO);
        Edge b = new Edge("edge-b", UpstreamConfig.Mode.AUTO);
        Edge quiet = new Edge("edge-c", UpstreamConfig.Mode.OFF);
        a.link.pollTraffic();
        b.link.pollTraffic();
        quiet.link.pollTraffic();
        assertThat(a.upstream.standbyFor()).isEmpty();
        assertThat(b.upstream.standbyFor()).contains("edge-a");
        assertThat(quiet.upstream.standbyFor()).as("upstream off: never asks").isEmpty();

        a.link.close();
        clock.advance(UpstreamLease.RENEW);
        b.link.pollTraffic();
        assertThat(b.upstream.standbyFor())
                .as("a stopped speaker gives the lease back")
                .isEmpty();
    }

    @Test
    void upstream_aCrashedSpeakersLease_lapses() throws Exception {
        Edge a = new Edge("edge-a", UpstreamConfig.Mode.AUTO);
        Edge b = new Edge("edge-b", UpstreamConfig.Mode.AUTO);
        a.link.pollTraffic();
        b.link.pollTraffic();
        assertThat(b.upstream.standbyFor()).contains("edge-a");
        clock.advance(UpstreamLease.TTL.plusSeconds(1)); // edge-a renews no more
        b.link.pollTraffic();
        assertThat(b.upstream.standbyFor()).isEmpty();
    }
}
