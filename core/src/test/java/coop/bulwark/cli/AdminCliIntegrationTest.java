package coop.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.admin.AdminServer;
import coop.bulwark.edge.EdgeServer;
import coop.bulwark.site.AdminConfig;
import coop.bulwark.site.ChallengeConfig;
import coop.bulwark.site.ConfigLoader;
import coop.bulwark.site.EdgeConfig;
import coop.bulwark.site.HostPort;
import coop.bulwark.site.Listen;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator commands through {@link Main#run} against a running edge and admin server: output and exit codes. */
class AdminCliIntegrationTest {
    @TempDir
    static Path dir;

    static EdgeServer edge;
    static AdminServer admin;
    static Path token;

    record Run(int exit, String out, String err) {}

    @BeforeAll
    static void start() throws Exception {
        EdgeConfig parsed = ConfigLoader.parse("""
                listen: {http: 127.0.0.1:1}
                access_log: {enabled: false}
                sites:
                  - {name: alpha, hosts: [alpha.test], origins: ["127.0.0.1:9"]}
                """, dir.resolve("bulwark.yaml"));
        edge = EdgeServer.start(parsed.toBuilder()
                .listen(new Listen(Optional.of(new HostPort("127.0.0.1", 0)), Optional.empty(), 1))
                .drainTimeout(Duration.ofSeconds(1))
                .challenge(ChallengeConfig.DEFAULTS) // signing keys in memory: no key file in the test's directory
                .build());
        token = dir.resolve("admin.token");
        admin = AdminServer.start(
                new AdminConfig(true, new HostPort("127.0.0.1", 0), token, false),
                edge,
                why -> true,
                Clock.systemUTC(),
                "cli-test");
    }

    @AfterAll
    static void stop() {
        admin.close();
        edge.close();
    }

    static Run run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        var o = new ByteArrayOutputStream();
        var e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int exit = Main.run(args);
            return new Run(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    static Run api(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--admin");
        all.add("http://127.0.0.1:" + admin.address().getPort());
        all.add("--token-file");
        all.add(token.toString());
        return run(all.toArray(String[]::new));
    }

    @Test
    void status_printsATable_andJsonWithFlag() {
        Run r = api("status");
        assertThat(r.exit()).isZero();
        assertThat(r.out())
                .contains("version")
                .contains("cli-test")
                .contains("generation")
                .contains("transport");
        assertThat(r.out()).contains("off (user-space bans only)").contains("not measured (detection.uplink)");
        Run j = api("status", "--json");
        assertThat(j.exit()).isZero();
        assertThat(j.out())
                .startsWith("{")
                .contains("\"config_generation\"")
                .contains("\"kernel\":{\"enabled\":false,\"active\":false")
                .contains("\"uplink\":null");
    }

    @Test
    void cluster_onASingleBox_saysSo() {
        Run r = api("cluster");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("single box: no cluster configured");
        assertThat(api("status").out()).contains("single box (no cluster)");
        assertThat(api("cluster", "--json").out()).contains("\"enabled\":false");
    }

    @Test
    void sites_listsTheSiteWithItsState() {
        Run r = api("sites");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("SITE").contains("alpha").contains("normal");
    }

    @Test
    void banBansUnban_roundTrip() {
        Run b = api("ban", "198.51.100.0/24", "--for", "1h", "--reason", "scraper");
        assertThat(b.exit()).as(b.err()).isZero();
        assertThat(b.out()).contains("banned 198.51.100.0/24 until");
        assertThat(api("bans").out())
                .contains("198.51.100.0/24")
                .contains("manual")
                .contains("scraper");
        Run u = api("unban", "198.51.100.0/24");
        assertThat(u.exit()).isZero();
        assertThat(u.out()).contains("unbanned 198.51.100.0/24");
        Run again = api("unban", "198.51.100.0/24");
        assertThat(again.exit()).isEqualTo(AdminCommand.FAILED);
        assertThat(again.err()).contains("no ban of 198.51.100.0/24").contains("404");
    }

    @Test
    void ban_badDuration_failsWithTheApisMessage_andBansNothing() {
        int before = edge.gatekeeper().bans().list().size();
        Run r = api("ban", "203.0.113.9", "--for", "forever");
        assertThat(r.exit()).isEqualTo(AdminCommand.FAILED);
        assertThat(r.err()).startsWith("bulwark: duration: forever");
        assertThat(edge.gatekeeper().bans().list()).hasSize(before);
    }

    @Test
    void underAttack_onThenOff() {
        Run on = api("under-attack", "alpha", "on");
        assertThat(on.exit()).as(on.err()).isZero();
        assertThat(on.out()).contains("alpha: under_attack");
        assertThat(edge.snapshot().site("alpha").guard().state().key()).isEqualTo("under_attack");
        assertThat(api("under-attack", "alpha", "off").out()).contains("alpha: normal");
        Run missing = api("under-attack", "nope", "on");
        assertThat(missing.exit()).isEqualTo(AdminCommand.FAILED);
        assertThat(missing.err()).contains("no site named nope");
    }

    @Test
    void reload_attacks_report() {
        assertThat(api("reload").out()).startsWith("reloaded: config generation");
        assertThat(api("attacks").out()).contains("no attacks recorded");
        Run report = api("report", "7");
        assertThat(report.exit()).isEqualTo(AdminCommand.FAILED);
        assertThat(report.err()).contains("no attack 7");
        Run spanish = api("report", "7", "--lang", "tlh");
        assertThat(spanish.exit()).isEqualTo(AdminCommand.FAILED);
        assertThat(spanish.err()).contains("lang: tlh (expected: one of en, es)");
    }

    @Test
    void wrongToken_isExplained() throws Exception {
        Path wrong = dir.resolve("wrong.token");
        Files.writeString(wrong, "w".repeat(64));
        Run r = run(
                "status", "--admin", "http://127.0.0.1:" + admin.address().getPort(), "--token-file", wrong.toString());
        assertThat(r.exit()).isEqualTo(AdminCommand.FAILED);
        assertThat(r.err()).contains("not authorised").contains("--token-file");
    }

    @Test
    void nothingListening_saysSo() throws Exception {
        int free;
        try (ServerSocket s = new ServerSocket(0)) {
            free = s.getLocalPort();
        }
        Run r = run("status", "--admin", "http://127.0.0.1:" + free, "--token-file", token.toString());
        assertThat(r.exit()).isEqualTo(AdminCommand.FAILED);
        assertThat(r.err()).contains("cannot connect to the admin API");
    }

    @Test
    void config_givesAddressAndTokenFile() throws Exception {
        Path config = dir.resolve("ops.yaml");
        Files.writeString(config, """
                listen: {http: 127.0.0.1:8080}
                admin: {listen: "127.0.0.1:%d", token_file: admin.token}
                sites:
                  - {name: alpha, hosts: [alpha.test], origins: ["127.0.0.1:9"]}
                """.formatted(admin.address().getPort()));
        Run r = run("sites", "--config", config.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("alpha");
    }

    @Test
    void noAddress_isAUsageFailure() {
        Run r = run("status");
        assertThat(r.exit()).isEqualTo(AdminCommand.FAILED);
        assertThat(r.err()).contains("--config FILE, or --admin URL and --token-file FILE");
    }
}
