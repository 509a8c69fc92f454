package coop.bulwark.detect;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.site.DetectionConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One attack id across a cluster, as the detector sees it: its own id first, then the id another edge claimed. */
class AttackClaimsTest {
    private static SyntheticTraffic floodedSite(AttackClaims claims) {
        SyntheticTraffic t = new SyntheticTraffic(2, DetectionConfig.defaults(), 3);
        t.detector.claims(claims);
        for (int s = 0; s < 600; s++) {
            if (s % 60 == 0) {
                t.visitors(0, 1, 0.5);
            }
            t.tick();
        }
        t.flood(0, 30);
        t.tick();
        t.flood(0, 30);
        t.tick();
        return t;
    }

    private static Attack started(SyntheticTraffic t) {
        return t.events.stream()
                .filter(e -> e instanceof DetectionEvent.AttackStarted)
                .map(e -> ((DetectionEvent.AttackStarted) e).attack())
                .findFirst()
                .orElseThrow();
    }

    @Test
    void anAttackDeclaredHere_carriesTheNodesName_andIsOffered_pendingUntilClaimed() {
        AttackClaims claims = new AttackClaims("edge.a");
        claims.online(true);
        SyntheticTraffic t = floodedSite(claims);
        String id = started(t).id();
        assertThat(id).endsWith("-edge-a");
        assertThat(claims.open()).isEqualTo(new AttackClaims.Open(id, List.of("site0.coop")));
        assertThat(claims.ownership(id)).isEqualTo(AttackClaims.Ownership.PENDING);

        claims.known("site0.coop", new AttackClaims.Claim(id, "edge.a"));
        assertThat(claims.ownership(id)).isEqualTo(AttackClaims.Ownership.MINE);
    }

    @Test
    void anAttackAnotherEdgeClaimedFirst_takesItsId_atTheNextTick_andLeavesItTheReport() {
        AttackClaims claims = new AttackClaims("edge-b");
        claims.online(true);
        SyntheticTraffic t = floodedSite(claims);
        String own = started(t).id();
        claims.known("site0.coop", new AttackClaims.Claim("atk-1-1-edge-a", "edge-a"));
        t.flood(0, 30);
        List<DetectionEvent> next = t.tick();
        assertThat(next)
                .filteredOn(e -> e instanceof DetectionEvent.AttackUpdated)
                .singleElement()
                .satisfies(e -> assertThat(
                                ((DetectionEvent.AttackUpdated) e).attack().id())
                        .isEqualTo("atk-1-1-edge-a"));
        assertThat(t.detector.currentAttack().orElseThrow().start())
                .isEqualTo(started(t).start());
        assertThat(claims.open().id()).isEqualTo("atk-1-1-edge-a");
        assertThat(claims.ownership("atk-1-1-edge-a")).isEqualTo(AttackClaims.Ownership.OTHERS);
        assertThat(own).isNotEqualTo("atk-1-1-edge-a");

        // The claim forgotten before the attack's last tick: its report is still the owner's.
        claims.forget("site0.coop");
        claims.open(null);
        assertThat(claims.ownership("atk-1-1-edge-a")).isEqualTo(AttackClaims.Ownership.OTHERS);
    }

    @Test
    void storeAway_everyEdgeOwnsWhatItDeclares() {
        AttackClaims claims = new AttackClaims("edge-b");
        claims.online(true);
        claims.known("site0.coop", new AttackClaims.Claim("atk-1-1-edge-a", "edge-a"));
        claims.online(false);
        assertThat(claims.ownership("atk-1-1-edge-a")).isEqualTo(AttackClaims.Ownership.MINE);
        assertThat(claims.claimOf("site0.coop")).isEmpty();
    }
}
