package coop.bulwark.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import coop.bulwark.testing.PrometheusText;
import coop.bulwark.testing.PrometheusText.Family;
import coop.bulwark.testing.PrometheusText.Sample;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scrapes {@code /metrics} of a running edge that has relayed real requests and parses it with the strict
 * {@link PrometheusText} parser: the exposition is well-formed, the latency histograms and Netty series exist, and
 * no label anywhere carries a client address.
 */
class MetricsScrapeIntegrationTest {
    private static final String CLIENT = "127.0.0.77";
    private static final String FORWARDED_CLIENT = "203.0.113.77";
    private static final Pattern IP_LIKE =
            Pattern.compile(".*(\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}|[0-9a-f]*:[0-9a-f]*:).*");

    @TempDir
    Path dir;

    private HttpServer origin;
    private AdminFixture f;

    @BeforeEach
    void start() throws Exception {
        origin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        origin.createContext("/", ex -> {
            byte[] body = "ok".getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(body);
            }
        });
        origin.start();
        String yaml =
                """
                listen:
                  http: 127.0.0.1:1
                  event_loops: 1
                trusted_proxies: [127.0.0.0/8]
                access_log: {enabled: false}
                sites:
                  - name: alpha
                    hosts: [alpha.test]
                    origins: [127.0.0.1:%d]
                  - name: beta
                    hosts: [beta.test]
                    origins: [127.0.0.1:%d]
                """.formatted(origin.getAddress().getPort(), origin.getAddress().getPort());
        f = new AdminFixture(dir, yaml, AdminServer.MAX_AUTH_FAILURES);
    }

    @AfterEach
    void stop() {
        f.close();
        origin.stop(0);
    }

    @Test
    void scrape_afterTraffic_isStrictlyValidWithHistogramsNettySeriesAndNoClientAddress() throws Exception {
        for (int i = 0; i < 20; i++) {
            assertThat(get("alpha.test", "X-Forwarded-For: " + FORWARDED_CLIENT))
                    .startsWith("HTTP/1.1 200");
        }
        assertThat(get("nowhere.test")).startsWith("HTTP/1.1 421");

        HttpResponse<String> r = f.call("GET", "/metrics", null);
        assertThat(r.statusCode()).isEqualTo(200);
        Map<String, Family> families = PrometheusText.parse(r.body());

        Family origin = families.get("bulwark_origin_latency_seconds");
        assertThat(origin).isNotNull();
        assertThat(origin.type()).isEqualTo("histogram");
        assertThat(value(origin, "bulwark_origin_latency_seconds_count", Map.of("site", "alpha")))
                .isEqualTo(20);
        for (Sample s : origin.samples()) {
            assertThat(s.labels().keySet()).isSubsetOf("site", "le");
        }
        assertThat(origin.samples().stream()
                        .filter(s -> s.name().endsWith("_bucket"))
                        .map(s -> s.labels().get("le"))
                        .map(le -> le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le))
                        .filter(le -> le < 5e-3 * 0.99 || (le > 30 && le != Double.POSITIVE_INFINITY)))
                .as("no bucket outside [5 ms, 30 s]")
                .isEmpty();

        Family request = families.get("bulwark_request_duration_seconds");
        assertThat(request.type()).isEqualTo("histogram");
        assertThat(value(request, "bulwark_request_duration_seconds_count", Map.of()))
                .isGreaterThanOrEqualTo(20);

        assertThat(families.get("bulwark_netty_direct_memory_used_bytes").type())
                .isEqualTo("gauge");
        assertThat(families.get("bulwark_netty_allocator_direct_memory_used_bytes")
                        .samples())
                .extracting(s -> s.labels().get("allocator"))
                .contains("pooled", "default");
        Family loops = families.get("bulwark_netty_event_loop_pending_tasks");
        assertThat(loops.samples())
                .as("one series per event loop (event_loops: 1)")
                .singleElement()
                .satisfies(s -> assertThat(s.labels()).isEqualTo(Map.of("loop", "0")));
        assertThat(families).containsKeys("jvm_buffer_memory_used_bytes", "bulwark_bans_active");

        Set<String> labelNames = new TreeSet<>();
        for (Family fam : families.values()) {
            for (Sample s : fam.samples()) {
                labelNames.addAll(s.labels().keySet());
                for (var l : s.labels().entrySet()) {
                    assertThat(l.getValue())
                            .as("%s{%s}", s.name(), l.getKey())
                            .doesNotContain(CLIENT)
                            .doesNotContain(FORWARDED_CLIENT);
                    if (IP_LIKE.matcher(l.getValue()).matches()) {
                        assertThat(l.getKey())
                                .as("only configured origins are addresses: %s %s", s.name(), l)
                                .isEqualTo("origin");
                    }
                }
            }
        }
        assertThat(labelNames).doesNotContain("client", "ip", "address", "remote", "source", "peer");
    }

    /** One request from {@link #CLIENT}; the response's head. */
    private String get(String host, String... headers) throws IOException {
        InetSocketAddress edge = f.edge.httpAddress();
        try (Socket s = new Socket(edge.getAddress(), edge.getPort(), InetAddress.getByName(CLIENT), 0)) {
            s.setSoTimeout(5000);
            StringBuilder req = new StringBuilder("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n");
            for (String h : headers) {
                req.append(h).append("\r\n");
            }
            s.getOutputStream().write(req.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private static double value(Family f, String name, Map<String, String> labels) {
        return f.samples().stream()
                .filter(s -> s.name().equals(name) && s.labels().equals(labels))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + labels))
                .value();
    }
}
