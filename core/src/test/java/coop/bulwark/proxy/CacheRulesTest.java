package coop.bulwark.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.cache.QueryRule;
import coop.bulwark.edge.TestEdge;
import coop.bulwark.metrics.EdgeMetrics;
import coop.bulwark.site.ProtectionState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A site's cache rules follow its protection state, and are derived once per state, not once per request. */
class CacheRulesTest {
    @Test
    void rules_areKeptWhileTheStateHolds_andFollowEachChange() throws Exception {
        EdgeSnapshot snap = EdgeSnapshot.build(
                1,
                TestEdge.config(List.of(TestEdge.site("a", List.of("a.test"), "127.0.0.1:1"))),
                Map.of(),
                Map.of(),
                RequestAdmissionTest.NO_TLS,
                new EdgeMetrics(),
                Instant.EPOCH);
        Site site = snap.site("a");

        CacheRules normal = site.cacheRules();
        assertThat(site.cacheRules()).as("the same state: the same rules").isSameAs(normal);
        assertThat(normal.query()).isEqualTo(QueryRule.KEEP);
        assertThat(normal.policy().ttlFloor()).isEqualTo(Duration.ZERO);

        site.guard().setState(ProtectionState.UNDER_ATTACK, "test", Instant.EPOCH);
        CacheRules attacked = site.cacheRules();
        assertThat(attacked).isNotSameAs(normal);
        assertThat(attacked.query())
                .as("only allow-listed query parameters kept")
                .isInstanceOf(QueryRule.Allowlist.class);
        assertThat(attacked.policy().ttlFloor()).isEqualTo(Duration.ofSeconds(10));
        assertThat(site.cacheRules()).isSameAs(attacked);

        site.guard().setState(ProtectionState.NORMAL, "test", Instant.EPOCH);
        assertThat(site.cacheRules().query()).isEqualTo(QueryRule.KEEP);
        assertThat(site.cacheRules().policy()).isEqualTo(normal.policy());
    }
}
