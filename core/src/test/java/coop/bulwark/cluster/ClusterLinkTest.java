package coop.bulwark.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import coop.bulwark.challenge.ChallengeKeys;
import coop.bulwark.challenge.PassCodec;
import coop.bulwark.protect.Ban;
import coop.bulwark.protect.BanList;
import coop.bulwark.protect.BanOrigin;
import coop.bulwark.site.Cidr;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two edges' links on one in-memory store, driven by hand on a fake clock (every step synchronous): bans, keys, pins
 * and the roster shared, and the catch-up after an outage and after a store that lost its data.
 */
class ClusterLinkTest {
    private static final Duration ROTATION = Duration.ofHours(1);
    private static final byte[] CLIENT = {(byte) 198, 51, 100, 7};

    private final TestClock clock = new TestClock(Instant.parse("2026-12-06T12:00:30Z"));
    private final MemoryStore store = new MemoryStore(clock);
    private final List<Edge> edges = new ArrayList<>();

    /** One edge: its ban list, its challenge keys (in memory), its link, and the pins applied to it. */
    final class Edge {
        final BanList bans = new BanList(clock, Duration.ofHours(24), 1000);
        final ChallengeKeys keys;
        final ClusterLink link;
        final List<String> pins = new ArrayList<>();

        Edge(String node, Duration lease) throws IOException {
            this(node, lease, store.client());
        }

        Edge(String node, Duration lease, SharedState client) throws IOException {
            keys = ChallengeKeys.open(Optional.empty(), ROTATION, clock);
            link = ClusterLink.manual(
                    client,
                    new LocalNode(node, () -> node + ":443", "1.2.3", () -> 7, lease),
                    bans,
                    keys,
                    clock,
                    Runnable::run);
            link.onPins(new PinListener() {
                @Override
                public void pinned(SharedPin pin) {
                    pins.add(pin.site() + "=" + pin.state() + " by " + pin.node());
                }

                @Override
                public void released(String site, String by) {
                    pins.add(site + "=auto by " + by);
                }
            });
            link.join();
            edges.add(this);
        }

        void step() {
            link.pollBans();
            link.tick();
        }

        Ban ban(String subject) {
            return bans.find(Cidr.parse(subject).network());
        }

        String cookie() {
            return new PassCodec(keys)
                    .cookie(
                            PassCodec.Kind.WORK,
                            "alpha",
                            CLIENT,
                            12,
                            clock.instant().getEpochSecond() + 7200);
        }

        boolean accepts(String cookie) {
            return new PassCodec(keys)
                            .verifyCookie(
                                    cookie,
                                    0,
                                    cookie.length(),
                                    "alpha",
                                    CLIENT,
                                    clock.instant().getEpochSecond())
                    >= 0;
        }
    }

    private Edge edge(String node) throws IOException {
        return new Edge(node, LocalNode.DEFAULT_LEASE);
    }

    @AfterEach
    void close() {
        edges.forEach(e -> e.link.close());
    }

    @Test
    void aBanOnOneEdge_isInForceOnTheOther_withItsOriginAndReason() throws Exception {
        Edge a = edge("edge-a");
        Edge b = edge("edge-b");
        a.bans.ban(Cidr.parse("203.0.113.7"), Duration.ofMinutes(10), "manual ban", BanOrigin.MANUAL);
        assertThat(b.ban("203.0.113.7")).as("not before the poll").isNull();
        a.link.pollBans();
        Ban there = b.ban("203.0.113.7");
        assertThat(there).isNotNull();
        assertThat(there.node()).isEqualTo("edge-a");
        assertThat(there.reason()).isEqualTo("manual ban");
        assertThat(there.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(10)));
        b.link.pollBans();
        assertThat(b.link.view().bansPublished())
                .as("an adopted ban is not sent back")
                .isZero();
        assertThat(b.link.view().bansAdopted()).isEqualTo(1);
    }

    @Test
    void anUnbanAnywhere_isAnUnbanEverywhere_butConfigBansStayEachEdgesOwn() throws Exception {
        Edge a = edge("edge-a");
        Edge b = edge("edge-b");
        a.bans.ban(Cidr.parse("203.0.113.8"), null, "manual ban", BanOrigin.MANUAL);
        a.bans.replaceConfigured(List.of(new Ban(Cidr.parse("192.0.2.0/24"), null, "config", BanOrigin.CONFIG, 0)));
        a.link.pollBans();
        assertThat(b.ban("203.0.113.8")).isNotNull();
        assertThat(b.ban("192.0.2.1")).as("config bans are not shared").isNull();
        assertThat(b.bans.unban(Cidr.parse("203.0.113.8"))).isTrue();
        b.link.pollBans();
        assertThat(a.ban("203.0.113.8")).isNull();
        assertThat(store.keys()).contains("lifted:203.0.113.8/32").doesNotContain("ban:203.0.113.8/32");
    }

    @Test
    void aConfigBanOfTheSameSubject_hidesASharedBanHere_butDoesNotLiftItElsewhere() throws Exception {
        Edge a = edge("edge-a");
        Edge b = edge("edge-b");
        a.bans.ban(Cidr.parse("192.0.2.0/24"), null, "abuse report", BanOrigin.MANUAL);
        a.link.pollBans();
        assertThat(b.ban("192.0.2.1").origin()).isEqualTo(BanOrigin.MANUAL);
        b.bans.replaceConfigured(
                List.of(new Ban(Cidr.parse("192.0.2.0/24"), null, "in b's file", BanOrigin.CONFIG, 0)));
        b.link.pollBans();
        assertThat(a.ban("192.0.2.1")).as("still banned on a").isNotNull();
        assertThat(store.keys()).contains("ban:192.0.2.0/24");
        store.down(true);
        b.step();
        store.down(false);
        b.step();
        assertThat(a.ban("192.0.2.1")).as("nor lifted by b's catch-up").isNotNull();
    }

    @Test
    void bansMadeWhileTheStoreIsAway_arePublishedWhenItReturns() throws Exception {
        Edge a = edge("edge-a");
        Edge b = edge("edge-b");
        store.down(true);
        a.step();
        assertThat(a.link.connected()).isFalse();
        a.bans.offend(Cidr.parse("203.0.113.9"), Duration.ofMinutes(1), 4, Duration.ofHours(1), "flood");
        assertThat(a.ban("203.0.113.9")).as("the edge refuses on local state").isNotNull();
        a.step();
        store.down(false);
        a.step();
        assertThat(a.link.connected()).isTrue();
        assertThat(b.ban("203.0.113.9")).isNotNull();
        assertThat(b.ban("203.0.113.9").origin()).isEqualTo(BanOrigin.AUTOMATIC);
    }

    @Test
    void aBanSentWhileAnotherEdgeReadsItsCatchUpSnapshot_isNotDroppedByThatCatchUp() throws Exception {
        Edge a = edge("edge-a");
        // b's catch-up reads the store, then (before it reconciles) a catches up too and sends its ban: the message
        // reaches b between its snapshot, which lacks the ban, and its reconcile.
        Runnable[] duringSnapshot = {() -> {}};
        SharedState client = store.client();
        SharedState interposed = (SharedState) Proxy.newProxyInstance(
                SharedState.class.getClassLoader(), new Class<?>[] {SharedState.class}, (proxy, method, args) -> {
                    Object answer;
                    try {
                        answer = method.invoke(client, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (method.getName().equals("nodes")) {
                        Runnable r = duringSnapshot[0];
                        duringSnapshot[0] = () -> {};
                        r.run();
                    }
                    return answer;
                });
        Edge b = new Edge("edge-b", LocalNode.DEFAULT_LEASE, interposed);
        store.down(true);
        a.step();
        b.step();
        assertThat(b.link.connected()).isFalse();
        a.bans.ban(Cidr.parse("203.0.113.11"), Duration.ofMinutes(10), "paused", BanOrigin.MANUAL);
        a.step();
        store.down(false);
        duringSnapshot[0] = a::step;
        b.step();
        assertThat(a.link.connected()).isTrue();
        assertThat(b.link.connected()).isTrue();
        assertThat(b.ban("203.0.113.11"))
                .as("the ban a sent during b's catch-up")
                .isNotNull();
        b.step();
        a.step();
        assertThat(b.ban("203.0.113.11")).isNotNull();
    }

    @Test
    void anUnbanWhileTheStoreIsAway_isSharedWhenItReturns() throws Exception {
        Edge a = edge("edge-a");
        Edge b = edge("edge-b");
        a.bans.ban(Cidr.parse("203.0.113.10"), null, "manual ban", BanOrigin.MANUAL);
        a.link.pollBans();
        store.down(true);
        a.step();
        b.step();
        a.bans.unban(Cidr.parse("203.0.113.10"));
        store.down(false);
        a.step();
        assertThat(b.ban("203.0.113.10")).isNull();
        b.step();
        assertThat(a.ban("203.0.113.10")).as("b does not bring it back").isNull();
    }

    @Test
    void aStoreRestartedEmpty_getsTheBansAndPinsBack() throws Exception {
        Edge a = edge("edge-a");
        Edge b = edge("edge-b");
        a.bans.ban(Cidr.parse("203.0.113.11"), Duration.ofHours(1), "manual ban", BanOrigin.MANUAL);
        a.link.pollBans();
        a.link.pinned("alpha", "under_attack", "admin", null);
        store.wipe();
        assertThat(store.keys()).isEmpty();
        b.step();
        assertThat(store.keys()).contains("ban:203.0.113.11/32", "pin:alpha", "node:edge-b", "lease:edge-b");
        a.step();
        assertThat(store.keys()).contains("lease:edge-a", "node:edge-a");
        Edge c = edge("edge-c");
        assertThat(c.ban("203.0.113.11")).isNotNull();
        assertThat(c.pins).containsExactly("alpha=under_attack by edge-a");
    }

    @Test
    void theChallengeKey_isTheClustersOnEveryEdge_andRotatesForAll() throws Exception {
        Edge a = edge("edge-a");
        Edge b = edge("edge-b");
        String cookie = a.cookie();
        assertThat(b.accepts(cookie)).isTrue();
        clock.advance(ROTATION);
        a.step();
        String rotated = a.cookie();
        assertThat(b.accepts(rotated))
                .as("b takes the new key at a's announcement, before its own tick")
                .isTrue();
        b.step();
        assertThat(b.accepts(rotated)).isTrue();
        assertThat(b.accepts(cookie)).as("the previous key still verifies").isTrue();
        assertThat(b.cookie().substring(0, 4)).isEqualTo(rotated.substring(0, 4));
    }

    @Test
    void whileTheStoreIsAway_theKeyRotatesAlone_andItsCookiesStayGoodAfterTheReturn() throws Exception {
        Edge a = edge("edge-a");
        Edge b = edge("edge-b");
        store.down(true);
        clock.advance(ROTATION);
        a.step();
        a.step();
        String alone = a.cookie();
        store.down(false);
        b.step();
        a.step();
        assertThat(a.accepts(alone)).isTrue();
        assertThat(b.accepts(a.cookie())).isTrue();
    }

    @Test
    void pins_madeOnOneEdge_applyOnTheOthers_evenWhenMadeWhileAway() throws Exception {
        Edge a = edge("edge-a");
        Edge b = edge("edge-b");
        a.link.pinned("alpha", "under_attack", "admin", clock.instant().plus(Duration.ofMinutes(30)));
        a.link.released("beta");
        assertThat(b.pins).containsExactly("alpha=under_attack by edge-a", "beta=auto by edge-a");
        assertThat(a.pins).as("not applied twice where made").isEmpty();
        store.down(true);
        a.step();
        a.link.pinned("gamma", "suspect", "admin", null);
        store.down(false);
        a.step();
        assertThat(b.pins).endsWith("gamma=suspect by edge-a");
    }

    @Test
    void pinsInForceAtTheJoin_reachAListenerSetLater() throws Exception {
        Edge a = edge("edge-a");
        a.link.pinned("alpha", "under_attack", "admin", null);
        ClusterLink late = ClusterLink.manual(
                store.client(),
                new LocalNode("edge-late", () -> "late:443", "1.2.3", () -> 1, LocalNode.DEFAULT_LEASE),
                new BanList(clock, Duration.ofHours(24), 1000),
                null,
                clock,
                Runnable::run);
        try {
            late.join();
            List<String> applied = new ArrayList<>();
            late.onPins(new PinListener() {
                @Override
                public void pinned(SharedPin pin) {
                    applied.add(pin.site() + "=" + pin.state());
                }

                @Override
                public void released(String site, String node) {}
            });
            assertThat(applied).containsExactly("alpha=under_attack");
        } finally {
            late.close();
        }
    }

    @Test
    void theRoster_listsEveryNode_andMarksASilentOneStale() throws Exception {
        Edge a = edge("edge-a");
        Edge b = edge("edge-b");
        a.step();
        assertThat(a.link.view().nodes())
                .extracting(ClusterView.Node::name, ClusterView.Node::connected, ClusterView.Node::stale)
                .containsExactly(tuple("edge-a", true, false), tuple("edge-b", true, false));
        assertThat(a.link.view().nodes().get(1).address()).isEqualTo("edge-b:443");
        assertThat(a.link.view().nodes().get(1).configGeneration()).isEqualTo(7);
        assertThat(a.link.view().nodes().get(1).version()).isEqualTo("1.2.3");
        clock.advance(Duration.ofSeconds(11));
        a.step();
        assertThat(a.link.view().nodes().get(1).stale()).isTrue();
        assertThat(a.link.view().nodes().get(1).connected()).isFalse();
        b.step();
        a.step();
        assertThat(a.link.view().nodes().get(1).stale()).isFalse();
    }

    @Test
    void aSecondEdgeWithTheSameName_isRefused_andTheNameIsFreeOnceTheFirstStops() throws Exception {
        Edge a = new Edge("edge-1", Duration.ofMillis(200));
        assertThatThrownBy(() -> new Edge("edge-1", Duration.ofMillis(200)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cluster.node edge-1 is in use by another running edge")
                .hasMessageContaining("give each edge its own cluster.node");
        a.link.close();
        assertThat(new Edge("edge-1", Duration.ofMillis(200)).link.connected()).isTrue();
    }

    @Test
    void aStoreAwayAtStart_theEdgeStartsAlone_andJoinsWhenItAnswers() throws Exception {
        Edge a = edge("edge-a");
        a.bans.ban(Cidr.parse("203.0.113.12"), null, "manual ban", BanOrigin.MANUAL);
        a.link.pollBans();
        store.down(true);
        Edge b = edge("edge-b");
        assertThat(b.link.connected()).isFalse();
        assertThat(b.ban("203.0.113.12")).isNull();
        store.down(false);
        b.step();
        assertThat(b.link.connected()).isTrue();
        assertThat(b.ban("203.0.113.12")).isNotNull();
    }
}
