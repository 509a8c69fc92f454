package coop.bulwark.site;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kernel:}: every key, defaults, and problems at their line and column. */
class KernelConfigLoaderTest {
    /** A complete file of six lines; sections appended start at line 7. */
    private static final String BASE = """
            listen:
              http: 127.0.0.1:8080
            sites:
              - name: alpha
                hosts: [alpha.example.org]
                origins: [10.0.0.5:8080]
            """;

    @TempDir
    Path dir;

    private List<String> problems(String yaml) throws IOException {
        return ConfigFiles.problems(dir, yaml);
    }

    @Test
    void noSection_exportOff() throws Exception {
        assertThat(ConfigFiles.load(dir, BASE).kernel()).isEqualTo(KernelConfig.DEFAULTS);
        assertThat(KernelConfig.DEFAULTS.nftables().enabled()).isFalse();
        assertThat(KernelConfig.DEFAULTS.nftables().table()).isEqualTo("bulwark");
        assertThat(KernelConfig.DEFAULTS.nftables().minBan()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void everyKeyBound() throws Exception {
        KernelConfig k = ConfigFiles.load(dir, BASE + """
                kernel:
                  nftables:
                    enabled: true
                    table: edge_bans
                    hook: ingress
                    interface: eth1
                    min_ban: 2m
                    keep_on_exit: true
                """).kernel();
        assertThat(k.nftables())
                .isEqualTo(new KernelConfig.Nftables(
                        true,
                        "edge_bans",
                        KernelConfig.Hook.INGRESS,
                        Optional.of("eth1"),
                        Duration.ofMinutes(2),
                        true));
    }

    @Test
    void badValues_reportedAtTheirLine() throws Exception {
        assertThat(problems(BASE + """
                kernel:
                  nftables:
                    enabled: yes please
                    table: "filter; flush ruleset"
                    hook: forward
                    min_ban: forever
                    keep: true
                """))
                .containsExactly(
                        "9:14: kernel.nftables.enabled: yes please (expected: true or false)",
                        "10:12: kernel.nftables.table: filter; flush ruleset (expected: a table name: a letter, then"
                                + " letters, digits, _ or - (at most 64), like bulwark)",
                        "11:11: kernel.nftables.hook: forward (expected: prerouting or ingress)",
                        "12:14: kernel.nftables.min_ban: forever (expected: a duration with a unit: ms, s, m or h, like"
                                + " 500ms, 10s, 2m, 1h)",
                        "13:5: kernel.nftables.keep: unknown key (expected: one of enabled, hook, interface,"
                                + " keep_on_exit, min_ban, table)");
    }

    @Test
    void ingressNeedsAnInterface_andPreroutingTakesNone() throws Exception {
        assertThat(problems(BASE + "kernel: {nftables: {enabled: true, hook: ingress}}\n"))
                .singleElement()
                .asString()
                .contains("kernel.nftables.interface: missing (expected: the interface whose ingress drops banned"
                        + " sources, like eth0 (hook: ingress))");
        assertThat(problems(BASE + "kernel: {nftables: {interface: eth0}}\n"))
                .singleElement()
                .asString()
                .contains("kernel.nftables.interface: eth0 (expected: no interface with hook: prerouting)");
        assertThat(problems(BASE + "kernel: {nftables: {hook: ingress, interface: \"eth0 oops\"}}\n"))
                .singleElement()
                .asString()
                .contains("kernel.nftables.interface: eth0 oops (expected: an interface name like eth0)");
        assertThat(problems(BASE + "kernel: {nftable: {}}\n"))
                .singleElement()
                .asString()
                .contains("kernel.nftable: unknown key (did you mean nftables?)");
    }
}
