package coop.bulwark.lab;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tiny scenario end to end: 10 sites, a flood on one, both runs of 5 s, the JSON of issue 4 checked field by field. */
class LabIntegrationTest {
    static final String TINY = """
            description: tiny
            sites: 10
            targets: [site-0003]
            origin: {workers: 4, backlog: 32, page_service: 50ms, asset_service: 1ms, feed_service: 10ms}
            legit: {browsers: 12, feed_readers: 2, crawlers: 1, nojs_readers: 4, think_time: 500ms, feed_interval: 1s,
                    crawl_rate: 4/s, timeout: 2s}
            phases:
              - {name: warm-up, seconds: 1}
              - name: flood
                seconds: 3
                get_flood: {rate: 300/s, sources: 60, per_prefix: 10, cache_bust: true, timeout: 1s}
                slowloris: {connections: 5, line_interval: 1s}
              - {name: after, seconds: 1}
            """;

    @Test
    void tinyScenario_bothRuns_writeTheIssue4Json() throws Exception {
        Scenario s = ScenarioReader.parse(TINY, "tiny.yaml", "tiny");
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        Lab.Outcome outcome = Lab.run(
                new Lab.Plan(s, false, 1, null, "external"),
                new PrintStream(progress, true, StandardCharsets.UTF_8),
                false);
        JsonNode json = Lab.json().readTree(Lab.json().writeValueAsString(outcome.report()));

        assertThat(json.get("scenario").asText()).isEqualTo("tiny");
        assertThat(json.get("sites").asInt()).isEqualTo(10);
        assertThat(json.get("duration_s").asInt()).isEqualTo(5);
        assertThat(json.get("machine").asText()).contains("cores");
        assertThat(json.get("runs")).hasSize(2);
        assertThat(List.of(
                        json.get("runs").get(0).get("name").asText(),
                        json.get("runs").get(1).get("name").asText()))
                .containsExactly("unprotected", "bulwark");
        for (JsonNode run : json.get("runs")) {
            assertThat(fieldNames(run)).containsExactly("name", "bystanders", "targets", "attack", "edge");
            // The edge ran as its own process: its CPU over the run, and per request the lab sent.
            assertThat(fieldNames(run.get("edge"))).containsExactly("cpu_seconds", "cpu_us_per_request");
            assertThat(run.get("edge").get("cpu_seconds").asDouble()).isGreaterThan(0);
            assertThat(run.get("edge").get("cpu_us_per_request").asDouble()).isGreaterThan(0);
            assertThat(fieldNames(run.get("bystanders")))
                    .containsExactly(
                            "legit_success_rate", "p50_ms", "p99_ms", "nojs_success_rate", "onset", "p99_ms_by_second");
            // One p99 per second of the window (the attack's 3 s here), null for a second without a request.
            assertThat(run.get("bystanders").get("p99_ms_by_second"))
                    .hasSize(3)
                    .allSatisfy(p -> assertThat(p.isNull() || p.asLong() >= 0).isTrue());
            // The attack's first seconds, apart: the onset an edge has not adapted to yet.
            assertThat(fieldNames(run.get("bystanders").get("onset")))
                    .containsExactly("seconds", "legit_success_rate", "p50_ms", "p99_ms");
            assertThat(run.get("bystanders").get("onset").get("seconds").asInt())
                    .as("5 s, or the whole of a shorter attack (3 s here)")
                    .isEqualTo(3);
            assertThat(fieldNames(run.get("targets")))
                    .containsExactly("sites", "legit_success_rate", "p99_ms", "nojs_success_rate");
            assertThat(run.get("bystanders").get("nojs_success_rate").asDouble())
                    .isBetween(0.0, 1.0);
            assertThat(fieldNames(run.get("attack")))
                    .containsExactly(
                            "requests_sent",
                            "requests_reaching_origin",
                            "detected_after_s",
                            "mitigated_after_s",
                            "named_targets",
                            "attacks_declared",
                            "reports");
            assertThat(run.get("bystanders").get("legit_success_rate").asDouble())
                    .isBetween(0.0, 1.0);
            assertThat(run.get("bystanders").get("p99_ms").asLong())
                    .isGreaterThanOrEqualTo(run.get("bystanders").get("p50_ms").asLong());
            assertThat(run.get("targets").get("sites").get(0).asText()).isEqualTo("site-0003");
            JsonNode attack = run.get("attack");
            assertThat(attack.get("requests_sent").asLong()).isGreaterThan(100);
            assertThat(attack.get("requests_reaching_origin").asLong())
                    .isBetween(1L, attack.get("requests_sent").asLong());
            if (run.get("name").asText().equals("unprotected")) {
                // Detection is part of protection: the unprotected run has none.
                assertThat(attack.get("detected_after_s").isNull()).isTrue();
                assertThat(attack.get("named_targets")).isEmpty();
                assertThat(attack.get("attacks_declared").asInt()).isZero();
            } else {
                // Three seconds of a small flood may or may not be declared (the bulkhead holds it to a few times
                // the site's rate, which the one-second warm-up learnt high); if it is, only the target is named.
                // DetectionIntegrationTest and the seed scenario measure detection itself.
                assertThat(attack.get("attacks_declared").asInt()).isBetween(0, 1);
                for (JsonNode named : attack.get("named_targets")) {
                    assertThat(named.asText())
                            .as(progress.toString(StandardCharsets.UTF_8))
                            .isEqualTo("site-0003");
                }
            }
        }
        // The flood overloads the unprotected origin; the bulkhead keeps it off the bystanders.
        assertThat(json.get("runs")
                        .get(1)
                        .get("bystanders")
                        .get("legit_success_rate")
                        .asDouble())
                .isGreaterThan(json.get("runs")
                        .get(0)
                        .get("bystanders")
                        .get("legit_success_rate")
                        .asDouble());
        assertThat(progress.toString(StandardCharsets.UTF_8))
                .contains("unprotected")
                .contains("bulwark");
        assertThat(LabHtml.render(outcome.report(), outcome.series()))
                .contains("<p class=\"verdict\" id=\"verdict\">", "<table id=\"runs\">", "<svg viewBox")
                .doesNotContain("<script", "src=\"http", "href=\"http");
    }

    @Test
    void tinyScenario_onTwoEdges_sharingOneRedis_addsTheClusterFigures(@TempDir Path reports) throws Exception {
        Assumptions.assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/redis-server")),
                "redis-server not installed (apt-get install redis-server)");
        Scenario s = ScenarioReader.parse(TINY, "tiny.yaml", "tiny");
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        Lab.Outcome outcome = Lab.run(
                new Lab.Plan(s, false, 1, null, "external", reports, false, false, 2),
                new PrintStream(progress, true, StandardCharsets.UTF_8),
                false);
        JsonNode json = Lab.json().readTree(Lab.json().writeValueAsString(outcome.report()));
        JsonNode unprotected = json.get("runs").get(0);
        JsonNode bulwark = json.get("runs").get(1);
        assertThat(fieldNames(unprotected)).doesNotContain("cluster");
        assertThat(fieldNames(bulwark)).containsExactly("name", "bystanders", "targets", "attack", "edge", "cluster");
        assertThat(fieldNames(bulwark.get("cluster")))
                .containsExactly("edges", "bans_shared", "challenge_passes_across_edges");
        assertThat(bulwark.at("/cluster/edges").asInt()).isEqualTo(2);
        // One attack for the cluster, however many edges saw it.
        assertThat(bulwark.at("/attack/attacks_declared").asInt())
                .as(progress.toString(StandardCharsets.UTF_8))
                .isLessThanOrEqualTo(1);
        assertThat(bulwark.at("/attack/requests_sent").asLong()).isGreaterThan(0);
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
