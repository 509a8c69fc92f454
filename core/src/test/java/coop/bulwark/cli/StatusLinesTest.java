package coop.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The kernel and uplink lines of {@code bulwark status}, from the API's JSON. */
class StatusLinesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void kernelLine_saysActiveWithCounts_orWhyNot() throws Exception {
        assertThat(StatusCommand.kernel(JSON.readTree("""
                {"enabled":true,"active":true,"table":"inet bulwark","hook":"prerouting","elements":412,
                 "drops":981234,"sync_failures":0,"skipped_protected":0,"last_error":null}""")))
                .isEqualTo("nftables inet bulwark (prerouting): 412 elements, 981234 packets dropped");
        assertThat(StatusCommand.kernel(JSON.readTree("""
                {"enabled":true,"active":false,"table":"inet bulwark","hook":"prerouting","elements":0,"drops":0,
                 "sync_failures":1,"skipped_protected":0,
                 "last_error":"cannot create table inet bulwark: not permitted (run Bulwark as root or give it CAP_NET_ADMIN)"}""")))
                .isEqualTo("INACTIVE: cannot create table inet bulwark: not permitted (run Bulwark as root or give it"
                        + " CAP_NET_ADMIN) (user-space bans only)");
        assertThat(StatusCommand.kernel(JSON.readTree("{\"enabled\":false}"))).isEqualTo("off (user-space bans only)");
    }

    @Test
    void uplinkLine_saysTheStateAndUtilisation() throws Exception {
        assertThat(StatusCommand.uplink(JSON.readTree("""
                {"state":"saturated","since":"2026-12-06T12:00:03Z","interface":"eth0",
                 "capacity_bits_per_second":1000000000,"utilisation":0.973,"dropped_per_second":12.0}""")))
                .isEqualTo("SATURATED since 2026-12-06T12:00:03Z (eth0 at 97%)");
        assertThat(StatusCommand.uplink(JSON.readTree("null"))).isEqualTo("not measured (detection.uplink)");
    }

    @Test
    void clusterLine_saysSingleBox_connected_orServingAlone() throws Exception {
        assertThat(StatusCommand.cluster(JSON.readTree("null"))).isEqualTo("single box (no cluster)");
        assertThat(
                        StatusCommand.cluster(
                                JSON.readTree(
                                        "{\"node\":\"edge-1\",\"connected\":true,\"since\":\"2026-12-06T12:00:00Z\",\"nodes\":3,\"stale\":0}")))
                .isEqualTo("node edge-1, Redis connected (3 nodes)");
        assertThat(
                        StatusCommand.cluster(
                                JSON.readTree(
                                        "{\"node\":\"edge-1\",\"connected\":false,\"since\":\"2026-12-06T12:00:03Z\",\"nodes\":3,\"stale\":2}")))
                .isEqualTo("node edge-1, REDIS UNREACHABLE since 2026-12-06T12:00:03Z: serving on local state (3"
                        + " nodes, 2 stale)");
    }
}
