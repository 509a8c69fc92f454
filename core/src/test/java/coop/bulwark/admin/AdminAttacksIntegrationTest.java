package coop.bulwark.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /api/attacks} and {@code /api/attacks/{id}} over real sockets with a real attack: detection tuned to decide in
 * seconds, a small cache-busting flood on alpha from eight loopback addresses; the attack is listed while it goes on
 * and after it ended, its report is served in each format, and bad ids, formats and tokens are refused.
 */
class AdminAttacksIntegrationTest {
    static final ObjectMapper JSON = new ObjectMapper();

    /** Fast detection: no warm-up, one-second windows and dwells, so an attack starts and ends within seconds. */
    static final String YAML = """
            listen:
              http: 127.0.0.1:1
              event_loops: 1
            access_log: {enabled: false}
            protection: {origin_capacity: 64}
            detection:
              warmup: 0s
              short_window: 1s
              long_window: 60s
              calm_ticks: 1
              min_suspect: 1s
              min_under_attack: 1s
              min_recovering: 1s
            reports: {dir: reports, languages: [en, es]}
            sites:
              - name: alpha
                hosts: [alpha.test]
                origins: [ORIGIN]
              - name: beta
                hosts: [beta.test]
                origins: [ORIGIN]
            """;

    @TempDir
    Path dir;

    @Test
    void realAttack_listedOngoingThenEnded_reportInEachFormat_badInputRefused() throws Exception {
        HttpServer origin = LoopbackFlood.origin();
        String yaml = YAML.replace("ORIGIN", "127.0.0.1:" + origin.getAddress().getPort());
        try (AdminFixture f = new AdminFixture(dir, yaml, 1000)) {
            JsonNode before = json(f.call("GET", "/api/attacks", null));
            assertThat(before.get("detection").asBoolean()).isTrue();
            assertThat(before.get("attacks").size()).isZero();
            assertThat(before.get("languages").toString()).isEqualTo("[\"en\",\"es\"]");

            String id;
            try (LoopbackFlood flood =
                    new LoopbackFlood(f.edge.httpAddress(), "alpha.test", 8, Duration.ofSeconds(15))) {
                JsonNode ongoing = await().atMost(Duration.ofSeconds(12))
                        .pollInterval(Duration.ofMillis(200))
                        .until(
                                () -> firstAttack(f),
                                a -> a != null
                                        && "ongoing".equals(a.get("status").asText()));
                assertThat(flood.sent()).isPositive();
                id = ongoing.get("id").asText();
                assertThat(id).matches("atk-\\d+-\\d+");
                assertThat(ongoing.get("targets")).extracting(JsonNode::asText).containsExactly("alpha");
                assertThat(ongoing.get("end").isNull()).isTrue();
                assertThat(ongoing.get("start").asText()).endsWith("Z");
                assertThat(ongoing.get("peak_rps").asDouble()).isPositive();
                assertThat(ongoing.get("report").get("html").asText()).isEqualTo("/api/attacks/" + id + "?format=html");

                // The open attack's report is built on demand.
                JsonNode live = json(f.call("GET", "/api/attacks/" + id, null));
                assertThat(live.get("id").asText()).isEqualTo(id);
                assertThat(live.get("status").asText()).isEqualTo("ongoing");
                assertThat(live.get("targets").get(0).get("name").asText()).isEqualTo("alpha");
                assertThat(f.edge.snapshot().site("alpha").guard().view().reason())
                        .startsWith("detection: ");
            }

            JsonNode ended = await().atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(250))
                    .until(
                            () -> firstAttack(f),
                            a -> a != null && "ended".equals(a.get("status").asText()));
            assertThat(ended.get("id").asText()).isEqualTo(id);
            assertThat(ended.get("end").asText()).endsWith("Z");
            assertThat(json(f.call("GET", "/api/attacks", null)).get("attacks").size())
                    .isEqualTo(1);

            String base = "/api/attacks/" + id;
            JsonNode report = json(f.call("GET", base, null));
            assertThat(report.get("status").asText()).isEqualTo("ended");
            assertThat(report.get("targets").get(0).get("name").asText()).isEqualTo("alpha");
            assertThat(report.get("targets").get(0).get("peak_rps").asDouble()).isPositive();
            assertThat(report.get("timeline").get("targets").get(0).get("rps").size())
                    .isPositive();
            assertThat(json(f.call("GET", base + "?format=json", null))
                            .get("id")
                            .asText())
                    .isEqualTo(id);

            HttpResponse<String> md = f.call("GET", base + "?format=md", null);
            assertThat(md.statusCode()).isEqualTo(200);
            assertThat(md.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/markdown");
            assertThat(md.body()).contains("alpha").contains(id);

            HttpResponse<String> html = f.call("GET", base + "?format=html", null);
            assertThat(html.statusCode()).isEqualTo(200);
            assertThat(html.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
            assertThat(html.headers().firstValue("Content-Security-Policy").orElseThrow())
                    .startsWith("default-src 'none'")
                    .doesNotContain("script-src");
            assertThat(html.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
            assertThat(html.body()).contains("alpha").contains("<svg").doesNotContain("<script");

            HttpResponse<String> es = f.call("GET", base + "?format=html&lang=es", null);
            assertThat(es.statusCode()).isEqualTo(200);
            assertThat(es.body())
                    .startsWith("<!doctype html>\n<html lang=\"es\">")
                    .contains("Informe de incidente");
            assertThat(f.call("GET", base + "?format=md&lang=es", null).body()).contains("## Resumen");
            HttpResponse<String> klingon = f.call("GET", base + "?format=md&lang=tlh", null);
            assertThat(klingon.statusCode()).isEqualTo(400);
            assertThat(json(klingon).get("error").asText()).isEqualTo("lang: tlh (expected: one of en, es)");

            HttpResponse<String> pdf = f.call("GET", base + "?format=pdf", null);
            assertThat(pdf.statusCode()).isEqualTo(400);
            assertThat(json(pdf).get("error").asText()).contains("format: pdf");

            HttpResponse<String> traversal = f.call("GET", "/api/attacks/..%2Fetc", null);
            assertThat(traversal.statusCode()).isEqualTo(400);
            assertThat(json(traversal).get("error").asText()).contains("attack id");

            HttpResponse<String> unknown = f.call("GET", "/api/attacks/atk-1-1", null);
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(json(unknown).get("error").asText()).contains("no attack atk-1-1");

            List<String> paths = new ArrayList<>(List.of(
                    "/api/attacks",
                    base,
                    base + "?format=md",
                    base + "?format=html",
                    base + "?format=pdf",
                    "/api/attacks/..%2Fetc",
                    "/api/attacks/atk-1-1"));
            for (String path : paths) {
                HttpResponse<String> r = f.call("GET", path, null, null);
                assertThat(r.statusCode()).as(path).isEqualTo(401);
                assertThat(r.body()).as(path).doesNotContain("alpha");
            }
        } finally {
            origin.stop(0);
        }
    }

    /** The first attack listed (the open one, if any), or null. */
    private static JsonNode firstAttack(AdminFixture f) throws Exception {
        JsonNode attacks = json(f.call("GET", "/api/attacks", null)).get("attacks");
        return attacks.isEmpty() ? null : attacks.get(0);
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.uri() + " " + r.body()).isIn(200, 400, 401, 404);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/json");
        return JSON.readTree(r.body());
    }
}
