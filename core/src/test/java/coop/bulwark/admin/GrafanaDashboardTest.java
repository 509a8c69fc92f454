package coop.bulwark.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import coop.bulwark.testing.Checkout;
import coop.bulwark.testing.PrometheusText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/grafana/bulwark.json} against a running edge: the dashboard is well-formed for Grafana's import
 * (schema version, a Prometheus data-source input, the {@code site} variable) and every query names only series
 * the edge exports, so a renamed metric breaks this test instead of a panel.
 */
class GrafanaDashboardTest {
    private static final Path DASHBOARD = Checkout.resolve("deploy/grafana/bulwark.json");
    private static final Pattern IDENTIFIER =
            Pattern.compile("(?<![\\w.$:])[a-zA-Z_:][a-zA-Z0-9_:]*(?![\\w:])(?!\\s*\\()");
    private static final Set<String> PROMQL_WORDS = Set.of(
            "and",
            "or",
            "unless",
            "by",
            "without",
            "on",
            "ignoring",
            "group_left",
            "group_right",
            "bool",
            "offset",
            "inf",
            "nan",
            "Inf",
            "NaN");

    @TempDir
    Path dir;

    private AdminFixture f;

    @BeforeEach
    void start() throws Exception {
        f = new AdminFixture(dir);
    }

    @AfterEach
    void stop() {
        f.close();
    }

    @Test
    void dashboard_queriesOnlyMetricsTheEdgeExports() throws Exception {
        Set<String> exported = new HashSet<>();
        for (var family :
                PrometheusText.parse(f.call("GET", "/metrics", null).body()).values()) {
            family.samples().forEach(s -> exported.add(s.name()));
        }
        JsonNode d = new ObjectMapper().readTree(Files.readString(DASHBOARD));

        List<String> exprs = new ArrayList<>();
        Set<Integer> ids = new HashSet<>();
        for (JsonNode p : d.get("panels")) {
            assertThat(ids.add(p.get("id").asInt()))
                    .as("unique panel id %s", p.get("id"))
                    .isTrue();
            assertThat(p.get("gridPos").get("w").asInt()).isBetween(1, 24);
            if (p.get("type").asText().equals("row")) {
                continue;
            }
            assertThat(p.get("datasource").get("uid").asText())
                    .as("panel %s", p.get("title"))
                    .isEqualTo("${DS_PROMETHEUS}");
            assertThat(p.get("targets"))
                    .as("panel %s has queries", p.get("title"))
                    .isNotEmpty();
            for (JsonNode t : p.get("targets")) {
                exprs.add(t.get("expr").asText());
            }
        }
        JsonNode site = variable(d, "site");
        String labelValues = site.get("definition").asText();
        assertThat(labelValues).isEqualTo("label_values(bulwark_requests_verdict_total, site)");

        Set<String> referenced = new TreeSet<>();
        for (String e : exprs) {
            referenced.addAll(metricNames(e));
        }
        referenced.add("bulwark_requests_verdict_total");
        assertThat(referenced)
                .as("the dashboard shows the operator's must-haves")
                .contains(
                        "bulwark_requests_verdict_total",
                        "bulwark_responses_total",
                        "bulwark_origin_latency_seconds_bucket",
                        "bulwark_request_duration_seconds_bucket",
                        "bulwark_cache_requests_total",
                        "bulwark_site_in_flight",
                        "bulwark_site_bulkhead_rejected_total",
                        "bulwark_site_state",
                        "bulwark_bans_active",
                        "bulwark_connections_open",
                        "jvm_buffer_memory_used_bytes",
                        "bulwark_netty_direct_memory_used_bytes",
                        "bulwark_netty_event_loop_pending_tasks");
        assertThat(exported).as("every series a panel queries is exported").containsAll(referenced);
    }

    @Test
    void dashboard_isImportableWithADataSourceInput() throws Exception {
        JsonNode d = new ObjectMapper().readTree(Files.readString(DASHBOARD));
        assertThat(d.get("schemaVersion").asInt()).isBetween(36, 41);
        assertThat(d.get("uid").asText()).isEqualTo("bulwark-edge");
        assertThat(d.get("__inputs").get(0).get("name").asText()).isEqualTo("DS_PROMETHEUS");
        assertThat(d.get("__inputs").get(0).get("pluginId").asText()).isEqualTo("prometheus");
        assertThat(variable(d, "DS_PROMETHEUS").get("type").asText()).isEqualTo("datasource");
        assertThat(variable(d, "site").get("multi").asBoolean()).isTrue();
    }

    @Test
    void metricNames_skipFunctionsLabelsRangesAndVariables() {
        assertThat(metricNames("histogram_quantile(0.99, sum by (site, le) (rate(x_bucket{site=~\"$site\",a=\"b\"}"
                        + "[$__rate_interval]))) / on (site) group_left y_total and z offset 5m > 1e3"))
                .containsExactlyInAnyOrder("x_bucket", "y_total", "z");
    }

    /** The metric names a PromQL expression selects: identifiers that are not functions, keywords or labels. */
    static Set<String> metricNames(String expr) {
        String e = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^]]*]", " ")
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
                .replaceAll("\\boffset\\s+\\w+", " ")
                .replaceAll("\\$\\w+", " ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(e);
        while (m.find()) {
            if (!PROMQL_WORDS.contains(m.group())) {
                names.add(m.group());
            }
        }
        return names;
    }

    private static JsonNode variable(JsonNode d, String name) {
        for (JsonNode v : d.get("templating").get("list")) {
            if (v.get("name").asText().equals(name)) {
                return v;
            }
        }
        throw new AssertionError("no template variable " + name);
    }
}
