package coop.bulwark.site;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code upstream:} and {@code sites[].addresses}: every key, defaults, hostile values refused at their line. */
class UpstreamConfigLoaderTest {
    private static final String SITES = """
            listen:
              http: 127.0.0.1:8080
            sites:
              - name: alpha
                hosts: [alpha.example.org]
                origins: [10.0.0.5:8080]
                addresses: [203.0.113.10, "2001:db8::10"]
              - name: beta
                hosts: [beta.example.org]
                origins: [10.0.0.5:8080]
                addresses: [203.0.113.10]
            """;

    @TempDir
    Path dir;

    @Test
    void noSection_off_andAddressesBound() throws Exception {
        EdgeConfig c = ConfigFiles.load(dir, SITES);
        assertThat(c.upstream()).isEqualTo(UpstreamConfig.DEFAULTS);
        assertThat(c.upstream().mode()).isEqualTo(UpstreamConfig.Mode.OFF);
        assertThat(c.sites().get(0).addresses())
                .containsExactly(Cidr.parse("203.0.113.10"), Cidr.parse("2001:db8::10"));
        assertThat(c.warnings()).isEmpty(); // off: nothing can be blackholed
    }

    @Test
    void everyKeyBound_andASharedAddressIsAWarning() throws Exception {
        EdgeConfig c = ConfigFiles.load(dir, SITES + """
                upstream:
                  mode: auto
                  next_hop: 192.0.2.1
                  communities: {blackhole: ["65535:666"], extra: ["65000:100"]}
                  neighbor: 192.0.2.254
                  escalate_after: 30s
                  min_duration: 5m
                  max_lifetime: 2h
                  max_announcements_per_hour: 40
                  flowspec: {enabled: true, action: rate_limit, rate_limit_bytes_per_second: 125000, top_prefixes: 5, max_rules: 20}
                  rtbh: {allowed: always}
                """);
        UpstreamConfig u = c.upstream();
        assertThat(u)
                .isEqualTo(new UpstreamConfig(
                        UpstreamConfig.Mode.AUTO,
                        "192.0.2.1",
                        List.of(UpstreamConfig.BLACKHOLE),
                        List.of(new UpstreamConfig.Community(65000, 100)),
                        Optional.of("192.0.2.254"),
                        Duration.ofSeconds(30),
                        Duration.ofMinutes(5),
                        Duration.ofHours(2),
                        40,
                        new UpstreamConfig.Flowspec(true, UpstreamConfig.FlowAction.RATE_LIMIT, 125_000, 5, 20),
                        UpstreamConfig.RtbhAllowed.ALWAYS));
        assertThat(c.warnings())
                .containsExactly("upstream.rtbh: 203.0.113.10 is shared by sites alpha, beta: a blackhole of it"
                        + " (rtbh.allowed: always) makes all of them unreachable");
    }

    @Test
    void hostileOrMalformedValues_refusedAtTheirLine() throws Exception {
        List<String> p = ConfigFiles.problems(dir, SITES + """
                upstream:
                  mode: loud
                  next_hop: "self; withdraw route 0.0.0.0/0"
                  communities: {blackhole: ["65535:666 65000:1", "70000:1"], extra: [yes]}
                  neighbor: router.example.org
                  flowspec: {action: rate_limit}
                  rtbh: {allowed: sometimes}
                """);
        assertThat(p)
                .containsExactly(
                        "13:9: upstream.mode: loud (expected: off | suggest | auto)",
                        "14:13: upstream.next_hop: self; withdraw route 0.0.0.0/0 (expected: self or an IP address)",
                        "15:29: upstream.communities.blackhole[0]: 65535:666 65000:1 (expected: a community"
                                + " ASN:VALUE, each 0-65535, like 65535:666)",
                        "15:50: upstream.communities.blackhole[1]: 70000:1 (expected: a community ASN:VALUE, each"
                                + " 0-65535, like 65535:666)",
                        "15:70: upstream.communities.extra[0]: yes (expected: a community ASN:VALUE, each 0-65535,"
                                + " like 65535:666)",
                        "16:13: upstream.neighbor: router.example.org (expected: the neighbour's IP address)",
                        "17:13: upstream.flowspec.rate_limit_bytes_per_second: missing (expected: the rate a"
                                + " rate_limit rule lets through, like 125000 (1 Mbit/s))",
                        "18:19: upstream.rtbh.allowed: sometimes (expected: dedicated_only | always | never)");
        assertThat(ConfigFiles.problems(
                        dir,
                        SITES.replace("addresses: [203.0.113.10]", "addresses: [203.0.113.0/24, beta.example.org]")))
                .containsExactly(
                        "11:17: sites[1].addresses[0]: 203.0.113.0/24 (expected: an IP address the site's DNS points"
                                + " at, like 203.0.113.10)",
                        "11:33: sites[1].addresses[1]: beta.example.org (expected: an IP address the site's DNS points"
                                + " at, like 203.0.113.10)");
    }
}
