package coop.bulwark.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import coop.bulwark.cli.Main;
import coop.bulwark.site.ProtectionState;
import coop.bulwark.testing.HeadlessChromium;
import coop.bulwark.testing.RedisProcess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;

/**
 * Two edges with their admin servers on one {@code redis-server}: {@code GET /api/cluster} and {@code bulwark cluster}
 * list both nodes, {@code bulwark status} and {@code /metrics} say the cluster is connected, and an operator's state pin
 * on one edge applies on the other (and its release too).
 */
class AdminClusterIntegrationTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    RedisProcess redis;
    AdminFixture a;
    AdminFixture b;

    @BeforeEach
    void start() throws Exception {
        redis = RedisProcess.start();
        a = fixture("edge-a");
        b = fixture("edge-b");
    }

    private AdminFixture fixture(String node) throws Exception {
        Path d = Files.createDirectories(dir.resolve(node));
        String yaml = AdminFixture.YAML + "cluster: {redis: \"" + redis.url() + "\", node: " + node + "}\n";
        return new AdminFixture(d, yaml, AdminServer.MAX_AUTH_FAILURES);
    }

    @AfterEach
    void stop() throws Exception {
        b.close();
        a.close();
        redis.close();
    }

    private JsonNode get(AdminFixture f, String path) throws Exception {
        var r = f.call("GET", path, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    @Test
    void apiCluster_listsBothNodes_statusAndMetricsSayConnected_andBansNameTheirNode() throws Exception {
        await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
            JsonNode c = get(a, "/api/cluster");
            assertThat(c.path("enabled").asBoolean()).isTrue();
            assertThat(c.path("connected").asBoolean()).isTrue();
            assertThat(c.path("nodes")).hasSize(2);
            assertThat(c.path("nodes").get(0).path("name").asText()).isEqualTo("edge-a");
            assertThat(c.path("nodes").get(0).path("self").asBoolean()).isTrue();
            JsonNode other = c.path("nodes").get(1);
            assertThat(other.path("name").asText()).isEqualTo("edge-b");
            assertThat(other.path("connected").asBoolean()).isTrue();
            assertThat(other.path("stale").asBoolean()).isFalse();
            assertThat(other.path("version").asText()).isEqualTo("unknown");
            assertThat(other.path("config_generation").asLong()).isEqualTo(1);
            assertThat(other.path("address").asText()).startsWith("127.0.0.1:");
            assertThat(c.path("detection_peers").isArray()).isTrue();
        });
        JsonNode status = get(a, "/api/status").path("cluster");
        assertThat(status.path("node").asText()).isEqualTo("edge-a");
        assertThat(status.path("connected").asBoolean()).isTrue();
        assertThat(a.call("GET", "/metrics", null).body()).contains("bulwark_cluster_connected 1.0");

        String out = cli(a, "cluster");
        assertThat(out).contains("node edge-a on " + redis.url() + ": Redis connected");
        assertThat(out).contains("detection: ");
        assertThat(out)
                .contains("NODE")
                .contains("edge-a (this)")
                .contains("edge-b")
                .contains("generation 1");
        assertThat(cli(a, "status")).contains("node edge-a, Redis connected (2 nodes)");

        var r = b.call(
                "POST", "/api/bans", "{\"subject\": \"203.0.113.5\", \"duration\": \"1h\", \"reason\": \"scraper\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(1)).until(() -> cli(a, "bans").contains("manual on edge-b"));
        assertThat(get(a, "/api/bans").path("bans").get(0).path("node").asText())
                .isEqualTo("edge-b");
    }

    @Test
    void aStatePinOnOneEdge_appliesOnTheOther_andSoDoesItsRelease() throws Exception {
        var r = a.call("POST", "/api/sites/alpha/state", "{\"state\": \"under_attack\", \"expires_in\": \"30m\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(1))
                .until(() -> b.edge.snapshot().site("alpha").guard().state() == ProtectionState.UNDER_ATTACK);
        JsonNode site = get(b, "/api/sites/alpha");
        assertThat(site.path("state_reason").asText()).isEqualTo("admin (on edge-a)");
        assertThat(site.path("state_expires_at").isTextual())
                .as(site.toString())
                .isTrue();
        assertThat(b.edge.snapshot().site("beta").guard().state()).isEqualTo(ProtectionState.NORMAL);

        r = a.call("POST", "/api/sites/alpha/state", "{\"state\": \"auto\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(1))
                .until(() -> b.edge.snapshot().site("alpha").guard().state() == ProtectionState.NORMAL);
    }

    @Test
    void theDashboard_showsTheNodes_andSaysWhenRedisIsAway() throws Exception {
        try (var browser = HeadlessChromium.startOrSkip("cluster dashboard test", "1280,1500")) {
            WebDriver driver = browser.driver();
            driver.get(a.base() + "/");
            driver.findElement(By.id("token")).sendKeys(a.admin.tokenValue());
            driver.findElement(By.id("login-button")).click();
            await().atMost(Duration.ofSeconds(10))
                    .ignoreException(StaleElementReferenceException.class)
                    .until(() -> driver.findElement(By.id("cluster-card")).isDisplayed()
                            && driver.findElement(By.id("cluster")).getText().contains("edge-b"));
            assertThat(driver.findElement(By.id("cluster")).getText())
                    .contains("edge-a (this)")
                    .contains("Last seen");
            assertThat(driver.findElement(By.id("cluster-state")).getText()).contains("Redis connected");

            redis.kill();
            await().atMost(Duration.ofSeconds(10))
                    .ignoreException(StaleElementReferenceException.class)
                    .until(() -> driver.findElement(By.id("status")).getText().contains("REDIS UNREACHABLE"));
            assertThat(driver.findElement(By.id("cluster-state")).getText()).contains("serving on local state");
        }
    }

    /** Runs {@code bulwark ARGS} against {@code f}'s admin API; returns what it printed. */
    private static String cli(AdminFixture f, String... args) {
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--admin";
        all[args.length + 1] = f.base();
        all[args.length + 2] = "--token-file";
        all[args.length + 3] = f.tokenFile.toString();
        PrintStream out = System.out;
        var o = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            assertThat(Main.run(all)).isZero();
        } finally {
            System.setOut(out);
        }
        return o.toString(StandardCharsets.UTF_8);
    }
}
