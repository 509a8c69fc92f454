package coop.bulwark.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The admin API over real sockets: authentication, every endpoint, and bad input refused without a state change. */
class AdminApiIntegrationTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static AdminFixture f;

    @BeforeAll
    static void start() throws Exception {
        // Many requests below fail authentication on purpose; AdminAuthIntegrationTest covers the lockout.
        f = new AdminFixture(dir, 1000);
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    static JsonNode json(HttpResponse<String> r) throws IOException {
        assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
        return JSON.readTree(r.body());
    }

    @ParameterizedTest
    @CsvSource({
        "GET,/api/status",
        "GET,/api/sites",
        "GET,/api/sites/alpha",
        "POST,/api/sites/alpha/state",
        "GET,/api/attacks",
        "GET,/api/attacks/1",
        "GET,/api/bans",
        "POST,/api/bans",
        "DELETE,/api/bans?subject=192.0.2.1",
        "POST,/api/reload",
        "GET,/metrics"
    })
    void everyEndpoint_withoutOrWithWrongToken_is401AndChangesNothing(String method, String path) throws Exception {
        String body = method.equals("POST") ? "{\"subject\":\"192.0.2.50\",\"state\":\"under_attack\"}" : null;
        HttpResponse<String> none = f.call(method, path, body, null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(json(none).get("error").asText()).contains("token");
        assertThat(none.headers().firstValue("WWW-Authenticate")).isPresent();
        assertThat(f.call(method, path, body, "x".repeat(64)).statusCode()).isEqualTo(401);
        assertThat(f.edge.gatekeeper().bans().list())
                .noneMatch(b -> b.subject().toString().startsWith("192.0.2.50"));
        assertThat(f.edge.snapshot().site("alpha").guard().view().reason()).isNotEqualTo("admin");
    }

    @Test
    void healthz_needsNoToken() throws Exception {
        HttpResponse<String> r = f.call("GET", "/healthz", null, null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("ok\n");
    }

    @Test
    void status_reportsVersionGenerationAndTotals() throws Exception {
        HttpResponse<String> r = f.call("GET", "/api/status", null);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode s = json(r);
        assertThat(s.get("version").asText()).isEqualTo("test");
        assertThat(s.get("transport").asText()).isIn("io_uring", "epoll", "nio");
        assertThat(s.get("config_generation").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(s.get("sites").asInt()).isEqualTo(2);
        assertThat(s.get("totals").get("verdicts").has("pass")).isTrue();
        assertThat(s.get("uptime_seconds").asLong()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void sites_listsBoth_andOneSiteHasStateRatesVerdictsBulkheadCache() throws Exception {
        JsonNode all = json(f.call("GET", "/api/sites", null));
        assertThat(all.get("sites").findValuesAsText("name")).containsExactly("alpha", "beta");
        JsonNode beta = json(f.call("GET", "/api/sites/beta", null));
        assertThat(beta.get("hosts").get(0).asText()).isEqualTo("beta.test");
        assertThat(beta.get("configured_state").asText()).isEqualTo("normal");
        assertThat(beta.get("rates").has("pass")).isTrue();
        assertThat(beta.get("verdicts").has("limit")).isTrue();
        assertThat(beta.get("bulkhead").has("in_flight")).isTrue();
        assertThat(beta.get("cache").has("hit")).isTrue();
        HttpResponse<String> missing = f.call("GET", "/api/sites/nope", null);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(json(missing).get("error").asText()).contains("nope");
    }

    @Test
    void state_forcedWithExpiry_isVisible_thenReturnsToConfigured() throws Exception {
        HttpResponse<String> r =
                f.call("POST", "/api/sites/alpha/state", "{\"state\":\"under_attack\",\"expires_in\":\"1s\"}");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode alpha = json(f.call("GET", "/api/sites/alpha", null));
        assertThat(alpha.get("state").asText()).isEqualTo("under_attack");
        assertThat(alpha.get("state_reason").asText()).isEqualTo("admin");
        assertThat(alpha.get("state_expires_at").isNull()).isFalse();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> json(f.call("GET", "/api/sites/alpha", null))
                        .get("state")
                        .asText()
                        .equals("normal"));
        assertThat(json(f.call("GET", "/api/sites/alpha", null))
                        .get("state_reason")
                        .asText())
                .isEqualTo(StateOverrides.EXPIRED);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"state\":\"panic\"}|state: panic",
                "{\"state\":\"under_attack\",\"expires_in\":\"10\"}|expires_in: 10",
                "{\"state\":\"under_attack\",\"expire\":\"1m\"}|expire: unknown field",
                "{}|state: missing",
                "not json|not valid JSON"
            })
    void state_badInput_is400AndLeavesTheStateAlone(String body, String message) throws Exception {
        var before = f.edge.snapshot().site("beta").guard().view();
        HttpResponse<String> r = f.call("POST", "/api/sites/beta/state", body);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("error").asText()).contains(message);
        assertThat(f.edge.snapshot().site("beta").guard().view()).isEqualTo(before);
    }

    @Test
    void ban_viaApi_isListed_refusedAtAccept_thenUnbanned() throws Exception {
        InetAddress from = InetAddress.getByName("127.0.0.77");
        assertThat(refusedAtAccept(from)).isFalse();
        HttpResponse<String> r =
                f.call("POST", "/api/bans", "{\"subject\":\"127.0.0.77\",\"duration\":\"1h\",\"reason\":\"test\"}");
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(json(r).get("subject").asText()).isEqualTo("127.0.0.77/32");
        JsonNode bans = json(f.call("GET", "/api/bans", null)).get("bans");
        assertThat(bans.findValuesAsText("subject")).contains("127.0.0.77/32");
        assertThat(bans.findValuesAsText("origin")).contains("manual");
        assertThat(refusedAtAccept(from)).isTrue();

        assertThat(f.call("DELETE", "/api/bans?subject=127.0.0.77", null).statusCode())
                .isEqualTo(200);
        assertThat(refusedAtAccept(from)).isFalse();
        assertThat(f.call("DELETE", "/api/bans?subject=127.0.0.77", null).statusCode())
                .isEqualTo(404);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"subject\":\"10.0.0.0/33\"}|subject: 10.0.0.0/33",
                "{\"subject\":\"example.org\"}|subject: example.org",
                "{\"subject\":\"0.0.0.0/0\"}|ban too much",
                "{\"subject\":\"10.1.2.3\",\"duration\":\"forever\"}|duration: forever",
                "{\"subject\":\"10.1.2.3\",\"duration\":\"0s\"}|duration: 0s",
                "{\"subject\":\"10.1.2.3\",\"duraton\":\"1h\"}|duraton: unknown field",
                "{\"subject\":10}|expected: a string",
                "[]|expected a JSON object"
            })
    void ban_badInput_is400AndLeavesTheBanListUnchanged(String body, String message) throws Exception {
        List<?> before = f.edge.gatekeeper().bans().list();
        HttpResponse<String> r = f.call("POST", "/api/bans", body);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("error").asText()).contains(message);
        assertThat(f.edge.gatekeeper().bans().list()).isEqualTo(before);
    }

    @Test
    void unban_badSubject_is400() throws Exception {
        assertThat(f.call("DELETE", "/api/bans?subject=nonsense", null).statusCode())
                .isEqualTo(400);
        assertThat(f.call("DELETE", "/api/bans", null).statusCode()).isEqualTo(400);
    }

    @Test
    void attacks_noneYetWithDetectionOn_andAnUnknownIdIs404() throws Exception {
        // A quiet edge: detection is on (the default) and nothing was detected. AdminAttacksIntegrationTest makes one.
        JsonNode list = json(f.call("GET", "/api/attacks", null));
        assertThat(list.get("attacks").size()).isZero();
        assertThat(list.get("detection").asBoolean()).isTrue();
        HttpResponse<String> r = f.call("GET", "/api/attacks/42", null);
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(json(r).get("error").asText()).contains("42");
    }

    @Test
    void reload_accepted_bumpsGeneration_rejected_is422() throws Exception {
        long before = f.edge.snapshot().generation();
        HttpResponse<String> ok = f.call("POST", "/api/reload", null);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(json(ok).get("config_generation").asLong()).isGreaterThan(before);
        f.reloadAccepts.set(false);
        try {
            HttpResponse<String> bad = f.call("POST", "/api/reload", null);
            assertThat(bad.statusCode()).isEqualTo(422);
            assertThat(json(bad).get("error").asText()).contains("still serving generation");
        } finally {
            f.reloadAccepts.set(true);
        }
    }

    @Test
    void metrics_isPrometheusTextWithBulwarkSeries() throws Exception {
        HttpResponse<String> r = f.call("GET", "/metrics", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
        assertThat(r.body()).contains("bulwark_requests_verdict_total{").contains("bulwark_site_state{");
    }

    @Test
    void unknownPathOrMethod_isJson404Or405() throws Exception {
        assertThat(f.call("GET", "/api/nothing", null).statusCode()).isEqualTo(404);
        HttpResponse<String> r = f.call("PUT", "/api/bans", "{}");
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(json(r).has("error")).isTrue();
    }

    /** Whether a connection from {@code from} to the edge is closed without a response (a ban at accept). */
    private static boolean refusedAtAccept(InetAddress from) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(from, 0));
            s.setSoTimeout(5000);
            try {
                s.connect(f.edge.httpAddress(), 5000);
                s.getOutputStream()
                        .write("GET / HTTP/1.1\r\nHost: alpha.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                InputStream in = s.getInputStream();
                return in.read() < 0;
            } catch (SocketException e) {
                return true; // reset
            }
        }
    }
}
