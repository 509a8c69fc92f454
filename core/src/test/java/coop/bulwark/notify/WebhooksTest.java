package coop.bulwark.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import coop.bulwark.detect.Attack;
import coop.bulwark.detect.AttackTarget;
import coop.bulwark.detect.DetectionEvent;
import coop.bulwark.detect.HeavyHitter;
import coop.bulwark.detect.HostileSign;
import coop.bulwark.detect.Signals;
import coop.bulwark.detect.SiteState;
import coop.bulwark.protect.SourceKeys;
import coop.bulwark.report.IncidentReport;
import coop.bulwark.report.ReportWriter;
import coop.bulwark.site.WebhookConfig;
import coop.bulwark.site.WebhookEvent;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WebhooksTest {
    private static final Instant AT = Instant.parse("2026-11-25T10:02:02Z");
    private static final String SECRET = "0123456789abcdef-secret";
    private static final ObjectMapper JSON = new ObjectMapper();

    private WebhookReceiver receiver;
    private Webhooks hooks;

    @BeforeEach
    void start() throws Exception {
        receiver = new WebhookReceiver();
    }

    @AfterEach
    void stop() {
        if (hooks != null) {
            hooks.close();
        }
        receiver.close();
    }

    private Webhooks hooks(WebhookConfig config, int queue) {
        hooks = new Webhooks(List.of(config), queue, Duration.ofMillis(10), Duration.ofSeconds(5));
        return hooks;
    }

    private WebhookConfig config(Set<WebhookEvent> events, String secret, int retries) {
        return new WebhookConfig(receiver.url(), events, secret, Duration.ofSeconds(5), retries);
    }

    @Test
    void attackStarted_deliveredSignedWithTheAttack() throws Exception {
        hooks(config(WebhookConfig.DEFAULT_EVENTS, SECRET, 3), 16).publish(started());

        WebhookReceiver.Received r = receiver.next();
        assertThat(r.headers())
                .containsEntry("Content-Type", "application/json")
                .containsEntry("X-Bulwark-Event", "attack_started");
        assertThat(r.headers().get("X-Bulwark-Signature")).isEqualTo("sha256=" + hmac(SECRET, r.body()));
        assertThat(r.headers().get("X-Bulwark-Signature"))
                .isNotEqualTo("sha256=" + hmac("another-secret-0000", r.body()));
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("event").asText()).isEqualTo("attack_started");
        assertThat(body.get("at").asText()).isEqualTo("2026-11-25T10:02:02Z");
        assertThat(body.at("/attack/id").asText()).isEqualTo("atk-1-1");
        assertThat(body.at("/attack/targets/0/name").asText()).isEqualTo("site7.coop");
        assertThat(body.at("/attack/top_prefixes/0/prefix").asText()).isEqualTo("198.51.100.0/24");
        assertThat(body.at("/attack/ongoing").asBoolean()).isTrue();
        await().atMost(5, TimeUnit.SECONDS).until(() -> hooks.delivered() == 1);
    }

    @Test
    void events_onlyTheSubscribedOnesAreSent() throws Exception {
        hooks(config(Set.of(WebhookEvent.STATE_CHANGED), null, 0), 16).publish(List.of(started(), change(1)));
        WebhookReceiver.Received r = receiver.next();
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("event").asText()).isEqualTo("state_changed");
        assertThat(body.get("to").asText()).isEqualTo("under_attack");
        assertThat(body.get("policy").asText()).isEqualTo("under_attack");
        assertThat(body.get("hostile_signs").get(0).asText()).isEqualTo("cache_busting");
        assertThat(r.headers()).doesNotContainKey("X-Bulwark-Signature");
        assertThat(receiver.received.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void attackEnded_carriesReportSummaryAndFiles() throws Exception {
        hooks(config(WebhookConfig.DEFAULT_EVENTS, null, 0), 16);
        IncidentReport report = report();
        var files = new ReportWriter.ReportFiles(
                Path.of("/r/atk-1-1.json"), Path.of("/r/atk-1-1.md"), Path.of("/r/atk-1-1.html"));
        Attack over = new Attack("atk-1-1", AT, AT.plusSeconds(60), attack().targets(), 2000, List.of());
        hooks.publish(List.of(new DetectionEvent.AttackEnded(AT.plusSeconds(60), over)), List.of(report), id -> files);
        JsonNode body = JSON.readTree(receiver.next().body());
        assertThat(body.get("event").asText()).isEqualTo("attack_ended");
        assertThat(body.at("/attack/end").asText()).isEqualTo("2026-11-25T10:03:02Z");
        assertThat(body.at("/report/time_to_detect_s").asDouble()).isEqualTo(1.0);
        assertThat(body.at("/report/files/markdown").asText()).isEqualTo("/r/atk-1-1.md");
        assertThat(body.at("/report/summary").asText()).startsWith("From 10:02:01 to 10:03:02 UTC");
    }

    @Test
    void serverError_retriedThenDelivered() throws Exception {
        receiver.script.add(new WebhookReceiver.Reply(500, Map.of()));
        hooks(config(WebhookConfig.DEFAULT_EVENTS, SECRET, 3), 16).publish(started());
        WebhookReceiver.Received first = receiver.next();
        WebhookReceiver.Received second = receiver.next();
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(second.headers().get("X-Bulwark-Delivery"))
                .isEqualTo(first.headers().get("X-Bulwark-Delivery"));
        await().atMost(5, TimeUnit.SECONDS).until(() -> hooks.delivered() == 1);
        assertThat(hooks.failed()).isZero();
    }

    @Test
    void retryAfter_honouredOverTheShortBackoff() throws Exception {
        receiver.script.add(new WebhookReceiver.Reply(429, Map.of("Retry-After", "1")));
        hooks(config(WebhookConfig.DEFAULT_EVENTS, null, 3), 16).publish(started());
        WebhookReceiver.Received first = receiver.next();
        WebhookReceiver.Received second = receiver.next();
        assertThat(Duration.ofNanos(second.nanos() - first.nanos())).isGreaterThanOrEqualTo(Duration.ofMillis(950));
        await().atMost(5, TimeUnit.SECONDS).until(() -> hooks.delivered() == 1);
    }

    @Test
    void persistentFailure_givesUpAfterMaxRetries() throws Exception {
        for (int i = 0; i < 10; i++) {
            receiver.script.add(new WebhookReceiver.Reply(503, Map.of()));
        }
        hooks(config(WebhookConfig.DEFAULT_EVENTS, null, 2), 16).publish(started());
        await().atMost(5, TimeUnit.SECONDS).until(() -> hooks.failed() == 1);
        assertThat(receiver.received).hasSize(3);
        assertThat(hooks.delivered()).isZero();
    }

    @Test
    void clientError_notRetried() throws Exception {
        receiver.script.add(new WebhookReceiver.Reply(400, Map.of()));
        hooks(config(WebhookConfig.DEFAULT_EVENTS, null, 5), 16).publish(started());
        await().atMost(5, TimeUnit.SECONDS).until(() -> hooks.failed() == 1);
        assertThat(receiver.received.poll(300, TimeUnit.MILLISECONDS)).isNotNull();
        assertThat(receiver.received.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void connectionRefused_retriedThenCountedAsFailed() throws Exception {
        int port;
        try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        var dead = new WebhookConfig(
                URI.create("http://127.0.0.1:" + port + "/x"),
                WebhookConfig.DEFAULT_EVENTS,
                null,
                Duration.ofSeconds(2),
                2);
        hooks(dead, 16).publish(started());
        await().atMost(10, TimeUnit.SECONDS).until(() -> hooks.failed() == 1);
    }

    @Test
    void hangingReceiver_neverBlocksThePublisherAndDropsTheOldest() throws Exception {
        receiver.hang = new CountDownLatch(1);
        hooks(config(Set.of(WebhookEvent.STATE_CHANGED), null, 0), 4);
        hooks.publish(change(0));
        receiver.next(); // the first is in flight, held by the receiver
        long t0 = System.nanoTime();
        for (int i = 1; i <= 1_000; i++) {
            hooks.publish(change(i));
        }
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(500));
        assertThat(hooks.dropped()).isEqualTo(1_000 - 4);
        receiver.hang.countDown();
        List<String> reasons = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            reasons.add(JSON.readTree(receiver.next().body()).get("reason").asText());
        }
        assertThat(reasons).containsExactly("n=997", "n=998", "n=999", "n=1000");
        await().atMost(5, TimeUnit.SECONDS).until(() -> hooks.delivered() == 5);
    }

    @Test
    void close_stopsWhileAnAttemptHangs() throws Exception {
        receiver.hang = new CountDownLatch(1);
        hooks(config(WebhookConfig.DEFAULT_EVENTS, null, 5), 4).publish(started());
        receiver.next();
        hooks.publish(started());
        long t0 = System.nanoTime();
        hooks.close();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
        assertThat(Thread.getAllStackTraces().keySet())
                .noneMatch(t -> t.getName().startsWith("bulwark-webhook-") && t.isAlive());
        assertThat(hooks.dropped()).isEqualTo(1);
        hooks.publish(started()); // ignored, no exception
    }

    @Test
    void config_invalidValuesAllReported() {
        assertThatThrownBy(() -> new WebhookConfig(URI.create("ftp://x/"), Set.of(), "short", Duration.ZERO, 99))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("url: ftp://x/")
                .hasMessageContaining("events: []")
                .hasMessageContaining("secret: 5 characters (expected: at least 16)")
                .hasMessageContaining("timeout: PT0S")
                .hasMessageContaining("max_retries: 99");
        assertThat(WebhookConfig.of(URI.create("https://hooks.example/services/T/B/token"))
                        .toString())
                .doesNotContain("token")
                .contains("https://hooks.example/…");
        assertThat(WebhookEvent.fromKey("attack_ended")).isEqualTo(WebhookEvent.ATTACK_ENDED);
    }

    static Attack attack() {
        long prefix = SourceKeys.prefix(new byte[] {(byte) 198, 51, 100, 9}, SourceKeys.GLOBAL);
        return new Attack(
                "atk-1-1",
                AT,
                null,
                List.of(new AttackTarget(7, "site7.coop", AT, 2000, 10, 1990)),
                2000,
                List.of(new HeavyHitter(prefix, 5000, 0)));
    }

    static DetectionEvent started() {
        return new DetectionEvent.AttackStarted(AT, attack());
    }

    static DetectionEvent change(int n) {
        Signals sig = new Signals(
                2000,
                900,
                10,
                1500,
                20,
                0,
                0,
                1,
                1,
                0.3,
                50,
                40,
                Signals.Grade.EXTREME,
                Set.of(HostileSign.CACHE_BUSTING));
        return new DetectionEvent.StateChanged(
                AT, 7, "site7.coop", SiteState.SUSPECT, SiteState.UNDER_ATTACK, "n=" + n, sig);
    }

    static IncidentReport report() {
        Instant onset = AT.minusSeconds(1);
        return new IncidentReport(
                "atk-1-1",
                IncidentReport.Status.ENDED,
                AT,
                AT.plusSeconds(60),
                AT,
                onset,
                1.0,
                1.0,
                List.of(new IncidentReport.Target(
                        "site7.coop", AT, AT.plusSeconds(40), 2000, 10, 1990, 80_000, AT, 10.0, 1900.0, 9.0)),
                2000,
                List.of(new IncidentReport.Prefix("198.51.100.0/24", 5000, 0.3)),
                new IncidentReport.Signature(
                        80_000,
                        new IncidentReport.MethodMix(1.0, 0.0, 0.0, 0.0),
                        0.99,
                        0.01,
                        1500,
                        List.of(new IncidentReport.Sample("/", 79_000, 0.99)),
                        List.of(new IncidentReport.Sample("python-requests/2.31", 80_000, 1.0))),
                List.of(new IncidentReport.Mitigation(AT, "site7.coop", "under_attack_policy", "")),
                new IncidentReport.Effect(AT, 10.0, 1900.0, 9.0, 2000.0, 1990.0),
                new IncidentReport.Collateral(49, 10_000, 0.9995, 1.0, 41.0, 40.0, 400.0, 400.0, List.of()),
                new IncidentReport.EdgeLoad(2400, 400.0, null, null),
                List.of(),
                null,
                AT.plusSeconds(60));
    }

    private static String hmac(String secret, String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }
}
