package coop.bulwark.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import coop.bulwark.detect.SiteCounts;
import coop.bulwark.protect.Ban;
import coop.bulwark.protect.BanOrigin;
import coop.bulwark.site.Cidr;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link SharedState} contract, one suite for every backend: two clients of one store, as two edges of a cluster
 * would hold. Subclasses say how to make a connected client and how time passes for the store's expiries.
 */
abstract class SharedStateContract {
    /** A new connected client of the store under test. */
    abstract SharedState client() throws Exception;

    /** Now, by the store's clock. */
    abstract Instant now();

    /** Lets {@code d} pass for the store's expiries (a fake clock moves; a real store is waited for by the caller). */
    abstract void passTime(Duration d);

    SharedState a;
    SharedState b;
    final List<ClusterMessage> seenByB = new CopyOnWriteArrayList<>();

    @BeforeEach
    void connectTwo() throws Exception {
        a = client();
        b = client();
        b.listen(seenByB::add);
    }

    @AfterEach
    void closeBoth() {
        a.close();
        b.close();
    }

    static <T> T get(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private Ban ban(String subject, Duration ttl) {
        Instant expiry = ttl == null ? null : now().plus(ttl).truncatedTo(ChronoUnit.MILLIS);
        return new Ban(
                Cidr.parse(subject), expiry, "over 10 refused requests on site a", BanOrigin.AUTOMATIC, 2, "edge-a");
    }

    @Test
    void putBan_isListedByTheOther_andAnnouncedToIt() throws Exception {
        Ban ban = ban("203.0.113.7/32", Duration.ofMinutes(5));
        get(a.putBan(ban, "instance-a"));
        assertThat(get(b.bans())).containsExactly(ban);
        await().atMost(Duration.ofSeconds(2))
                .untilAsserted(() -> assertThat(seenByB).containsExactly(new ClusterMessage.BanPut(ban, "instance-a")));
    }

    @Test
    void aPermanentBan_andANetwork_roundTrip() throws Exception {
        Ban ban = new Ban(Cidr.parse("2001:db8::/48"), null, "manual ban", BanOrigin.MANUAL, 0, "edge-a");
        get(a.putBan(ban, "instance-a"));
        assertThat(get(b.bans())).containsExactly(ban);
    }

    @Test
    void liftBan_removesIt_leavesATombstone_andAnnouncesIt() throws Exception {
        Ban ban = ban("203.0.113.8/32", null);
        get(a.putBan(ban, "instance-a"));
        get(b.liftBan(ban.subject(), "edge-b", "instance-b", Duration.ofMinutes(10)));
        assertThat(get(a.bans())).isEmpty();
        assertThat(get(a.lifted())).containsExactly(ban.subject());
        await().atMost(Duration.ofSeconds(2))
                .untilAsserted(() -> assertThat(seenByB)
                        .contains(new ClusterMessage.BanLifted(ban.subject(), "edge-b", "instance-b")));
        get(a.putBan(ban, "instance-a"));
        assertThat(get(a.lifted())).as("a new ban clears the tombstone").isEmpty();
    }

    @Test
    void bansAndTombstones_expire() throws Exception {
        get(a.putBan(ban("203.0.113.9/32", Duration.ofMillis(300)), "instance-a"));
        get(a.liftBan(Cidr.parse("203.0.113.10/32"), "edge-a", "instance-a", Duration.ofMillis(300)));
        passTime(Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
            assertThat(get(b.bans())).isEmpty();
            assertThat(get(b.lifted())).isEmpty();
        });
    }

    @Test
    void proposeKey_theFirstProposalWins_forEveryone() throws Exception {
        SharedKey mine = SharedKey.of(3600, 490_000, secret(1));
        SharedKey theirs = SharedKey.of(3600, 490_000, secret(2));
        assertThat(get(a.proposeKey(mine, Duration.ofHours(3), "instance-a"))).isEqualTo(mine);
        assertThat(get(b.proposeKey(theirs, Duration.ofHours(3), "instance-b"))).isEqualTo(mine);
        assertThat(get(b.key(3600, 490_000))).contains(mine);
        assertThat(get(b.key(3600, 490_001))).isEmpty();
        assertThat(get(b.key(60, 490_000)))
                .as("another rotation period is another key")
                .isEmpty();
        await().atMost(Duration.ofSeconds(2))
                .untilAsserted(() ->
                        assertThat(seenByB).containsExactly(new ClusterMessage.KeyMade(3600, 490_000, "instance-a")));
    }

    private static byte[] secret(int fill) {
        byte[] s = new byte[SharedKey.SECRET_BYTES];
        java.util.Arrays.fill(s, (byte) fill);
        return s;
    }

    @Test
    void pins_putListClear_andExpire() throws Exception {
        SharedPin pin = new SharedPin(
                "alpha",
                "under_attack",
                "admin",
                now().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.MILLIS),
                "edge-a");
        SharedPin brief = new SharedPin(
                "beta",
                "suspect",
                "admin",
                now().plus(Duration.ofMillis(300)).truncatedTo(ChronoUnit.MILLIS),
                "edge-a");
        SharedPin forever = new SharedPin("gamma", "normal", "quiet please", null, "edge-a");
        get(a.putPin(pin, "instance-a"));
        get(a.putPin(brief, "instance-a"));
        get(a.putPin(forever, "instance-a"));
        assertThat(get(b.pins())).containsExactlyInAnyOrder(pin, brief, forever);
        get(a.clearPin("gamma", "edge-a", "instance-a"));
        passTime(Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(3))
                .untilAsserted(() -> assertThat(get(b.pins())).containsExactly(pin));
        assertThat(seenByB)
                .containsExactly(
                        new ClusterMessage.PinSet(pin, "instance-a"),
                        new ClusterMessage.PinSet(brief, "instance-a"),
                        new ClusterMessage.PinSet(forever, "instance-a"),
                        new ClusterMessage.PinCleared("gamma", "edge-a", "instance-a"));
    }

    @Test
    void claimNode_oneInstancePerName_renewable_releasable() throws Exception {
        Duration ttl = Duration.ofSeconds(30);
        assertThat(get(a.claimNode("edge-1", "instance-a", ttl))).isEmpty();
        assertThat(get(b.claimNode("edge-1", "instance-b", ttl))).contains("instance-a");
        assertThat(get(a.claimNode("edge-1", "instance-a", ttl))).as("renewal").isEmpty();
        assertThat(get(b.claimNode("edge-2", "instance-b", ttl)))
                .as("another name")
                .isEmpty();
        get(b.releaseNode("edge-1", "instance-b"));
        assertThat(get(b.claimNode("edge-1", "instance-b", ttl)))
                .as("only the holder releases")
                .contains("instance-a");
        get(a.releaseNode("edge-1", "instance-a"));
        assertThat(get(b.claimNode("edge-1", "instance-b", ttl))).isEmpty();
    }

    @Test
    void claimNode_aLapsedLease_isFree() throws Exception {
        assertThat(get(a.claimNode("edge-1", "instance-a", Duration.ofMillis(300))))
                .isEmpty();
        passTime(Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(3))
                .untilAsserted(() -> assertThat(get(b.claimNode("edge-1", "instance-b", Duration.ofSeconds(30))))
                        .isEmpty());
    }

    @Test
    void nodeReports_listedUntilTheyLapse() throws Exception {
        Instant at = now().truncatedTo(ChronoUnit.MILLIS);
        NodeReport ra = new NodeReport("edge-1", "instance-a", "192.0.2.1:443", "1.0", 3, at);
        NodeReport rb = new NodeReport("edge-2", "instance-b", "192.0.2.2:443", "1.0", 1, at);
        get(a.report(ra, Duration.ofSeconds(30)));
        get(b.report(rb, Duration.ofMillis(300)));
        assertThat(get(a.nodes())).containsExactlyInAnyOrder(ra, rb);
        passTime(Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(3))
                .untilAsserted(() -> assertThat(get(a.nodes())).containsExactly(ra));
    }

    @Test
    void epoch_theFirstProposalStays() throws Exception {
        assertThat(get(a.epoch("one"))).isEqualTo("one");
        assertThat(get(b.epoch("two"))).isEqualTo("one");
    }

    @Test
    void claim_theFirstValueHolds_renewableByItsHolder_releasableOnlyByIt() throws Exception {
        assertThat(get(a.claim("attack:shop", "atk-1 edge-a", Duration.ofSeconds(30))))
                .isEqualTo("atk-1 edge-a");
        assertThat(get(b.claim("attack:shop", "atk-2 edge-b", Duration.ofSeconds(30))))
                .isEqualTo("atk-1 edge-a");
        assertThat(get(b.claim("attack:shop", "atk-1 edge-a", Duration.ofSeconds(30))))
                .isEqualTo("atk-1 edge-a");
        get(b.release("attack:shop", "atk-2 edge-b"));
        assertThat(get(b.claim("attack:shop", "atk-2 edge-b", Duration.ofSeconds(30))))
                .isEqualTo("atk-1 edge-a");
        get(a.release("attack:shop", "atk-1 edge-a"));
        assertThat(get(b.claim("attack:shop", "atk-2 edge-b", Duration.ofSeconds(1))))
                .isEqualTo("atk-2 edge-b");
    }

    @Test
    void texts_storedForTheirTime() throws Exception {
        get(a.putText("report:atk-1", "{\"id\":\"atk-1\"}", Duration.ofMinutes(1)));
        assertThat(get(b.text("report:atk-1"))).contains("{\"id\":\"atk-1\"}");
        assertThat(get(b.text("report:atk-2"))).isEmpty();
    }

    @Test
    void announce_reachesTheOthers_andStoresNothing() throws Exception {
        var counts = Map.of(
                "a.coop",
                new SiteCounts(120, 1, 2, 3, 64_000, 4, 5, 60),
                "b.coop",
                new SiteCounts(1, 0, 0, 0, 10, 0, 0, 0));
        var traffic = new ClusterMessage.Traffic("edge-a", now().truncatedTo(ChronoUnit.MILLIS), counts, "instance-a");
        get(a.announce(traffic));
        await().atMost(Duration.ofSeconds(2))
                .untilAsserted(() -> assertThat(seenByB).containsExactly(traffic));
        assertThat(get(b.bans())).isEmpty();
        assertThat(get(b.pins())).isEmpty();
    }

    @Test
    void ownMessages_reachTheSenderToo_soItFiltersOnInstance() throws Exception {
        List<ClusterMessage> seenByA = new CopyOnWriteArrayList<>();
        a.listen(seenByA::add);
        get(a.clearPin("alpha", "edge-a", "instance-a"));
        await().atMost(Duration.ofSeconds(2))
                .untilAsserted(() ->
                        assertThat(seenByA).extracting(ClusterMessage::instance).containsExactly("instance-a"));
    }

    @Test
    void afterClose_operationsFail_withoutThrowing() {
        a.close();
        CompletionStage<List<Ban>> bans = a.bans();
        assertThat(bans.toCompletableFuture()).failsWithin(Duration.ofSeconds(2));
        Optional<String> none = Optional.empty();
        assertThat(none).isEmpty();
    }
}
