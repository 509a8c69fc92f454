package coop.bulwark.edge;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.site.SiteConfig;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Routing of many sites by Host over real sockets: exact names, aliases, wildcards, unknown hosts, h1 and h2c. */
class ProxyRoutingIntegrationTest {
    static final int SITES = 300;
    static List<TestOrigin> origins = new ArrayList<>();
    static EdgeServer edge;
    static HttpClient h1;
    static HttpClient h2;

    @BeforeAll
    static void start() throws Exception {
        for (int i = 0; i < 3; i++) {
            origins.add(new TestOrigin("origin" + i));
        }
        var sites = new ArrayList<SiteConfig>();
        for (int i = 0; i < SITES; i++) {
            sites.add(TestEdge.site(
                    "site" + i,
                    List.of("site" + i + ".example.org", "www.site" + i + ".example.org", "*.s" + i + ".example.net"),
                    origins.get(i % 3).hostPort()));
        }
        edge = EdgeServer.start(TestEdge.config(sites));
        h1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    }

    @AfterAll
    static void stop() {
        edge.close();
        origins.forEach(TestOrigin::close);
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + edge.httpAddress().getPort() + path);
    }

    /** Sends a raw HTTP/1.1 request and returns the whole response text (until the server closes or timeout). */
    static String raw(String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", edge.httpAddress().getPort())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = in.readNBytes(4096);
            return new String(buf, StandardCharsets.ISO_8859_1);
        } catch (SocketTimeoutException e) {
            return "TIMEOUT";
        }
    }

    @Test
    void everySite_byExactAliasAndWildcard_reachesItsOrigin() throws Exception {
        for (int i = 0; i < SITES; i += 7) {
            String expectedOrigin = "origin" + (i % 3);
            for (String host : List.of(
                    "site" + i + ".example.org", "WWW.site" + i + ".example.org.", "a.b.s" + i + ".example.net")) {
                var req = HttpRequest.newBuilder(uri("/p?i=" + i))
                        .header("Host", host)
                        .build();
                // The JDK client refuses to set Host; use a raw request for those.
                String resp = raw("GET /p?i=" + i + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
                assertThat(resp).startsWith("HTTP/1.1 200").contains(expectedOrigin + " host=" + host);
            }
        }
    }

    @Test
    void unknownHost_gets421_andNoOriginIsContacted() throws Exception {
        int before = origins.stream().mapToInt(o -> o.requests.get()).sum();
        String resp = raw("GET / HTTP/1.1\r\nHost: evil.example.com\r\n\r\n");
        assertThat(resp).startsWith("HTTP/1.1 421").contains("connection: close");
        int after = origins.stream().mapToInt(o -> o.requests.get()).sum();
        assertThat(after).isEqualTo(before);
    }

    @Test
    void absoluteForm_toUnknownHost_isRefused_andToKnownSite_isRoutedByItsAuthority() throws Exception {
        assertThat(raw("GET http://127.0.0.1:22/ HTTP/1.1\r\nHost: site1.example.org\r\n\r\n"))
                .startsWith("HTTP/1.1 421");
        assertThat(
                        raw(
                                "GET http://site2.example.org/x?y HTTP/1.1\r\nHost: site1.example.org\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 200")
                .contains("host=site2.example.org")
                .contains("uri=/x?y");
    }

    @Test
    void connect_isRefused() throws Exception {
        assertThat(raw("CONNECT site1.example.org:443 HTTP/1.1\r\nHost: site1.example.org:443\r\n\r\n"))
                .startsWith("HTTP/1.1 405");
    }

    @Test
    void missingOrDuplicateHost_gets400() throws Exception {
        assertThat(raw("GET / HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 400");
        assertThat(raw("GET / HTTP/1.1\r\nHost: site1.example.org\r\nHost: site2.example.org\r\n\r\n"))
                .startsWith("HTTP/1.1 400");
    }

    @Test
    void forwardingHeaders_areSet_andClientValuesReplaced() throws Exception {
        String resp = raw("GET / HTTP/1.1\r\nHost: site1.example.org\r\nX-Forwarded-For: 6.6.6.6\r\n"
                + "X-Real-IP: 6.6.6.6\r\nForwarded: for=6.6.6.6\r\nConnection: close\r\n\r\n");
        assertThat(resp)
                .contains("xff=127.0.0.1 ")
                .contains("xrealip=127.0.0.1 ")
                .contains("proto=http ")
                .contains("fwd=for=127.0.0.1;proto=http;host=site1.example.org ");
    }

    @Test
    void keepAlive_servesManyRequestsOnOneConnection_andPipeliningIsAnsweredInOrder() throws Exception {
        StringBuilder req = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            req.append("GET /n")
                    .append(i)
                    .append(" HTTP/1.1\r\nHost: site")
                    .append(i)
                    .append(".example.org\r\n\r\n");
        }
        req.append("GET /last HTTP/1.1\r\nHost: site9.example.org\r\nConnection: close\r\n\r\n");
        String resp = raw(req.toString());
        int pos = 0;
        for (int i = 0; i < 5; i++) {
            int at = resp.indexOf("uri=/n" + i, pos);
            assertThat(at).as("response %d in order", i).isGreaterThan(pos);
            pos = at;
        }
        assertThat(resp.indexOf("uri=/last")).isGreaterThan(pos);
    }

    @Test
    void http2PriorKnowledge_isRouted() throws Exception {
        var client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        // JDK client speaks h2c only via Upgrade; we use our own h2c prior-knowledge client.
        var r = H2cClient.get(edge.httpAddress(), "site5.example.org", "/h2?x=1");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).contains("origin2 host=site5.example.org").contains("uri=/h2?x=1");
        client.close();
    }

    @Test
    void http2PriorKnowledge_unknownAuthority_gets421() throws Exception {
        var r = H2cClient.get(edge.httpAddress(), "nope.example.org", "/");
        assertThat(r.status()).isEqualTo(421);
    }

    @Test
    void controlCharactersInTarget_get400_andNeverReachTheOrigin() throws Exception {
        int before = origins.stream().mapToInt(o -> o.requests.get()).sum();
        assertThat(raw("GET /a\u0000b HTTP/1.1\r\nHost: site1.example.org\r\n\r\n"))
                .startsWith("HTTP/1.1 400");
        assertThat(raw("GET /\u00e9 HTTP/1.1\r\nHost: site1.example.org\r\n\r\n"))
                .startsWith("HTTP/1.1 400");
        assertThat(origins.stream().mapToInt(o -> o.requests.get()).sum()).isEqualTo(before);
    }

    @Test
    void unknownHttpVersion_gets505() throws Exception {
        assertThat(raw("GET / HTTP/2.0\r\nHost: site1.example.org\r\n\r\n")).startsWith("HTTP/1.1 505");
    }

    @Test
    void hostWithBadPort_gets400() throws Exception {
        assertThat(raw("GET / HTTP/1.1\r\nHost: site1.example.org:99999\r\n\r\n"))
                .startsWith("HTTP/1.1 400");
        assertThat(raw("GET / HTTP/1.1\r\nHost: site1.example.org:80x\r\n\r\n")).startsWith("HTTP/1.1 400");
        assertThat(raw("GET / HTTP/1.1\r\nHost: site1.example.org:8080\r\nConnection: close\r\n\r\n"))
                .startsWith("HTTP/1.1 200");
    }

    @Test
    void metrics_countRequestsPerSiteAndVerdict_neverPerClient() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(raw("GET /m HTTP/1.1\r\nHost: site299.example.org\r\nConnection: close\r\n\r\n"))
                    .startsWith("HTTP/1.1 200");
        }
        raw("GET / HTTP/1.1\r\nHost: unknown.example.org\r\n\r\n");
        String text = edge.metrics().scrape();
        assertThat(text)
                .contains("bulwark_requests_verdict_total{site=\"site299\",verdict=\"pass\"} 3.0")
                .contains("bulwark_responses_total{site=\"site299\",status=\"2xx\"} 3.0")
                .contains("bulwark_requests_verdict_total{site=\"-\",verdict=\"reject\"}")
                .contains("bulwark_connections_open")
                .containsPattern("bulwark_origin_in_flight\\{origin=\"127\\.0\\.0\\.1:\\d+\"\\}")
                // Labels are bounded: site, verdict, status class, origin address — never the client.
                .doesNotContainPattern("[{,](client|ip|source|address)=");
    }
}
