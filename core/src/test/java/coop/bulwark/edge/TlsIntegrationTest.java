package coop.bulwark.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import coop.bulwark.edge.TestCertificates.Issued;
import coop.bulwark.edge.TestCertificates.KeyForm;
import coop.bulwark.site.ConnectionLimits;
import coop.bulwark.site.EdgeConfig;
import coop.bulwark.site.SiteConfig;
import coop.bulwark.site.SiteLimits;
import coop.bulwark.site.TlsConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The HTTPS listener over real loopback sockets: certificate choice by SNI, ALPN (h2 and http/1.1), SNI/Host
 * agreement, clients without SNI, and certificate renewal by reload.
 *
 * <p>Certificates are made at test time ({@link TestCertificates}); host names under {@code .test} resolve to
 * 127.0.0.1 ({@link TestNameResolverProvider}), so the JDK HttpClient can be pointed at {@code https://NAME:PORT/}.
 */
class TlsIntegrationTest {
    @TempDir
    static Path dir;

    static final List<TestOrigin> origins = new ArrayList<>();
    static final Map<String, Issued> issued = new HashMap<>();
    static EdgeServer edge;

    /**
     * Sites: {@code alpha} (first TLS site, so the default certificate; EC key in PKCS#8), {@code beta} (certbot
     * layout, RSA key in PKCS#1, a wildcard name), {@code gamma} (EC key in SEC1) and {@code plain} (no certificate).
     */
    @BeforeAll
    static void start() throws Exception {
        for (int i = 0; i < 4; i++) {
            origins.add(new TestOrigin("origin" + i));
        }
        edge = EdgeServer.start(config(dir, issued));
    }

    /** Writes certificates for the four sites under {@code root} (recording them in {@code made}); returns the config. */
    static EdgeConfig config(Path root, Map<String, Issued> made) throws IOException {
        TlsConfig alphaTls = new TlsConfig(root.resolve("certs/alpha.crt"), root.resolve("certs/alpha.key"));
        made.put(
                "alpha",
                TestCertificates.issue(List.of("alpha.test", "www.alpha.test"), KeyForm.EC_PKCS8)
                        .writeTo(alphaTls));
        Issued beta = TestCertificates.issue(List.of("beta.test", "*.beta.test"), KeyForm.RSA_PKCS1);
        made.put("beta", beta);
        TlsConfig betaTls = TestCertificates.writeCertbot(root.resolve("letsencrypt"), "beta.test", 1, beta);
        TlsConfig gammaTls = new TlsConfig(root.resolve("certs/gamma.pem"), root.resolve("certs/gamma-key.pem"));
        made.put(
                "gamma",
                TestCertificates.issue(List.of("gamma.test"), KeyForm.EC_SEC1).writeTo(gammaTls));
        List<SiteConfig> sites = List.of(
                tlsSite("alpha", List.of("alpha.test", "www.alpha.test"), alphaTls, origins.get(0)),
                tlsSite("beta", List.of("beta.test", "*.beta.test"), betaTls, origins.get(1)),
                tlsSite("gamma", List.of("gamma.test"), gammaTls, origins.get(2)),
                TestEdge.site("plain", List.of("plain.test"), origins.get(3).hostPort()));
        return TestEdge.config(sites, ConnectionLimits.DEFAULTS, true);
    }

    static SiteConfig tlsSite(String name, List<String> hosts, TlsConfig tls, TestOrigin origin) {
        return TestEdge.site(name, hosts, SiteLimits.DEFAULTS, Optional.of(tls), origin.hostPort());
    }

    @AfterAll
    static void stop() {
        if (edge != null) {
            edge.close();
        }
        origins.forEach(TestOrigin::close);
    }

    static int originRequests() {
        return origins.stream().mapToInt(o -> o.requests.get()).sum();
    }

    // ---- a small HTTP/1.1-over-TLS client on SSLSocket -------------------------------------------------------

    /** Accepts any server certificate: these tests look at which certificate is presented, not whether it's valid. */
    static final X509ExtendedTrustManager TRUST_ALL = new X509ExtendedTrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    };

    static SSLContext trustAll() throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {TRUST_ALL}, null);
        return ctx;
    }

    /**
     * Connects to the edge's TLS port by IP and completes a handshake offering ALPN http/1.1.
     *
     * @param sni the server name to send, or null to send none
     */
    static SSLSocket handshake(EdgeServer e, String sni) throws Exception {
        SSLSocket s = (SSLSocket) trustAll()
                .getSocketFactory()
                .createSocket("127.0.0.1", e.httpsAddress().getPort());
        try {
            s.setSoTimeout(5000);
            SSLParameters p = s.getSSLParameters();
            p.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
            p.setApplicationProtocols(new String[] {"http/1.1"});
            s.setSSLParameters(p);
            s.startHandshake();
            return s;
        } catch (Exception ex) {
            s.close();
            throw ex;
        }
    }

    static X509Certificate peer(SSLSocket s) throws Exception {
        return (X509Certificate) s.getSession().getPeerCertificates()[0];
    }

    record RawResponse(int status, Map<String, String> headers, String body) {}

    /** Sends one HTTP/1.1 request and reads one response framed by Content-Length (or by close). */
    static RawResponse exchange(SSLSocket s, String host, String path) throws IOException {
        String req = "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n";
        s.getOutputStream().write(req.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
        InputStream in = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (head.size() < 64 * 1024) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in the response head: " + head);
            }
            head.write(b);
            byte[] h = head.toByteArray();
            int n = h.length;
            if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                break;
            }
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(
                        lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
        }
        String cl = headers.get("content-length");
        byte[] body = cl != null ? in.readNBytes(Integer.parseInt(cl)) : in.readAllBytes();
        return new RawResponse(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    // ---- (a) SNI picks each site's certificate ------------------------------------------------------------------

    @Test
    void sni_selectsEachSitesCertificate_includingCertbotLayoutAndLegacyKeyForms() throws Exception {
        Map<String, String> nameToSite = Map.of(
                "alpha.test", "alpha",
                "WWW.Alpha.Test", "alpha",
                "beta.test", "beta",
                "deep.beta.test", "beta",
                "gamma.test", "gamma");
        for (var e : nameToSite.entrySet()) {
            try (SSLSocket s = handshake(edge, e.getKey())) {
                X509Certificate cert = peer(s);
                Issued expected = issued.get(e.getValue());
                assertThat(cert.getSerialNumber())
                        .as("certificate for SNI %s", e.getKey())
                        .isEqualTo(expected.certificate().getSerialNumber());
                assertThat(TestCertificates.dnsNamesOf(cert)).isEqualTo(expected.dnsNames());
            }
        }
    }

    @Test
    void keyFiles_areInTheFormsTheSitesClaim() throws Exception {
        // Guards the fixture: the legacy-form sites above must really use legacy PEM forms.
        assertThat(Files.readString(dir.resolve("letsencrypt/live/beta.test/privkey.pem")))
                .startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(Files.isSymbolicLink(dir.resolve("letsencrypt/live/beta.test/fullchain.pem")))
                .isTrue();
        assertThat(Files.readString(dir.resolve("certs/gamma-key.pem"))).startsWith("-----BEGIN EC PRIVATE KEY-----");
        assertThat(Files.readString(dir.resolve("certs/alpha.key"))).startsWith("-----BEGIN PRIVATE KEY-----");
    }

    // ---- (b) h2 via ALPN, (c) HTTP/1.1 via ALPN -------------------------------------------------------------------

    static HttpClient client(HttpClient.Version version) {
        return HttpClient.newBuilder()
                .version(version)
                .sslContext(TestCertificates.trusting(
                        issued.values().stream().map(Issued::certificate).toList()))
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    static URI https(String host, String path) {
        return URI.create("https://" + host + ":" + edge.httpsAddress().getPort() + path);
    }

    @Test
    void h2OverTls_viaAlpn_isRoutedAndForwardedAsHttps() throws Exception {
        try (HttpClient c = client(HttpClient.Version.HTTP_2)) {
            for (var site : List.of(List.of("alpha.test", "origin0"), List.of("x.beta.test", "origin1"))) {
                var resp = c.send(
                        HttpRequest.newBuilder(https(site.get(0), "/h2?q=1"))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(resp.version()).isEqualTo(HttpClient.Version.HTTP_2);
                assertThat(resp.statusCode()).isEqualTo(200);
                assertThat(resp.body())
                        .startsWith(site.get(1) + " host=" + site.get(0) + ":"
                                + edge.httpsAddress().getPort())
                        .contains(" proto=https ")
                        .contains("proto=https;host=")
                        .contains(" uri=/h2?q=1");
            }
        }
    }

    @Test
    void http11OverTls_viaAlpn_works() throws Exception {
        try (HttpClient c = client(HttpClient.Version.HTTP_1_1)) {
            var resp = c.send(
                    HttpRequest.newBuilder(https("gamma.test", "/h1")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(resp.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
            assertThat(resp.statusCode()).isEqualTo(200);
            assertThat(resp.body()).startsWith("origin2 host=gamma.test:").contains(" proto=https ");
        }
        try (SSLSocket s = handshake(edge, "beta.test")) {
            assertThat(s.getApplicationProtocol()).isEqualTo("http/1.1");
            RawResponse r = exchange(s, "beta.test", "/raw");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).startsWith("origin1 host=beta.test ").contains(" proto=https ");
        }
    }

    // ---- (d) unknown SNI, (e) SNI/Host mismatch, (f) no SNI -------------------------------------------------------

    @Test
    void sniOfNoSite_orOfSiteWithoutCertificate_failsTheHandshake_quietly_andReachesNoOrigin() throws Exception {
        int before = originRequests();
        var root = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        var logged = new ListAppender<ILoggingEvent>();
        logged.start();
        root.addAppender(logged);
        try {
            for (String name : List.of("unknown.test", "plain.test", "beta.test.evil.test")) {
                assertThatThrownBy(() -> handshake(edge, name).close())
                        .as("SNI %s", name)
                        .isInstanceOf(IOException.class);
            }
            // Not TLS at all (a plain-text request to the TLS port): closed without an answer.
            try (var s = new Socket("127.0.0.1", edge.httpsAddress().getPort())) {
                s.setSoTimeout(5000);
                s.getOutputStream()
                        .write("GET / HTTP/1.1\r\nHost: alpha.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(s.getInputStream().readAllBytes()).isEmpty();
            }
            // One event loop: once a later connection has been served, the closes of the failed ones have run.
            try (SSLSocket s = handshake(edge, "alpha.test")) {
                assertThat(exchange(s, "alpha.test", "/after-failures").status())
                        .isEqualTo(200);
            }
        } finally {
            root.detachAppender(logged);
        }
        // Scanners send names we do not serve all day long: that must not cost a WARN and a stack trace each.
        assertThat(logged.list)
                .filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .extracting(ILoggingEvent::getFormattedMessage)
                .isEmpty();
        assertThat(originRequests()).isEqualTo(before + 1);
    }

    @Test
    void sniOfOneSite_withHostOfAnother_gets421_andReachesNoOrigin() throws Exception {
        int before = originRequests();
        try (SSLSocket s = handshake(edge, "alpha.test")) {
            RawResponse r = exchange(s, "beta.test", "/steal");
            assertThat(r.status()).isEqualTo(421);
            // Still usable for its own site (RFC 9110 §15.5.20: the client retries the other name elsewhere).
            RawResponse own = exchange(s, "www.alpha.test", "/own");
            assertThat(own.status()).isEqualTo(200);
            assertThat(own.body()).startsWith("origin0 ");
        }
        assertThat(originRequests()).isEqualTo(before + 1);
    }

    static SslContext nettyH2Client() throws Exception {
        return SslContextBuilder.forClient()
                .trustManager(TRUST_ALL)
                .applicationProtocolConfig(new ApplicationProtocolConfig(
                        ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        "h2"))
                .build();
    }

    @Test
    void h2_sniOfOneSite_withAuthorityOfAnother_gets421_andTheConnectionStillServesItsOwnSite() throws Exception {
        int before = originRequests();
        try (var c = new H2cClient(edge.httpsAddress(), nettyH2Client(), "alpha.test")) {
            var other = c.request("GET", "beta.test", "/steal", null).get(10, TimeUnit.SECONDS);
            assertThat(other.status()).isEqualTo(421);
            assertThat(originRequests()).isEqualTo(before);
            var own = c.request("GET", "www.alpha.test", "/own", null).get(10, TimeUnit.SECONDS);
            assertThat(own.status()).isEqualTo(200);
            assertThat(own.body()).startsWith("origin0 host=www.alpha.test ").contains(" proto=https ");
        }
        assertThat(originRequests()).isEqualTo(before + 1);
    }

    @Test
    void h2_hostHeaderConflictingWithAuthority_isRefused_andReachesNoOrigin() throws Exception {
        // RFC 9113 §8.3.1: a Host naming another entity than :authority makes the request malformed. The JDK client
        // sends SNI and :authority from the URI and the Host given here.
        int before = originRequests();
        try (HttpClient c = client(HttpClient.Version.HTTP_2)) {
            var req = HttpRequest.newBuilder(https("alpha.test", "/steal"))
                    .header("Host", "beta.test")
                    .build();
            try {
                assertThat(c.send(req, HttpResponse.BodyHandlers.ofString()).statusCode())
                        .isBetween(400, 499);
            } catch (IOException reset) {
                assertThat(reset).hasMessageContaining("RST_STREAM");
            }
        }
        assertThat(originRequests()).isEqualTo(before);
    }

    @Test
    void noSni_getsTheFirstTlsSitesCertificate_andHostStillRoutes() throws Exception {
        try (SSLSocket s = handshake(edge, null)) {
            assertThat(peer(s).getSerialNumber())
                    .isEqualTo(issued.get("alpha").certificate().getSerialNumber());
            RawResponse r = exchange(s, "gamma.test", "/by-ip");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).startsWith("origin2 host=gamma.test ").contains(" proto=https ");
            RawResponse plain = exchange(s, "plain.test", "/by-ip");
            assertThat(plain.body()).startsWith("origin3 host=plain.test ");
        }
    }

    // ---- (g) renewal by reload, (h) a bad renewal is rejected
    // --------------------------------------------------------

    @Test
    void reload_withRenewedCertificates_presentsThemToNewHandshakes_whileOpenConnectionsKeepWorking(@TempDir Path own)
            throws Exception {
        Map<String, Issued> first = new HashMap<>();
        EdgeConfig cfg = config(own, first);
        try (EdgeServer e = EdgeServer.start(cfg);
                SSLSocket old = handshake(e, "beta.test")) {
            assertThat(peer(old).getSerialNumber())
                    .isEqualTo(first.get("beta").certificate().getSerialNumber());
            assertThat(exchange(old, "beta.test", "/before").status()).isEqualTo(200);

            // certbot renews beta (new archive files, live links re-pointed); alpha's files are rewritten in place.
            Issued beta2 = TestCertificates.issue(List.of("beta.test", "*.beta.test"), KeyForm.RSA_PKCS1);
            TestCertificates.writeCertbot(own.resolve("letsencrypt"), "beta.test", 2, beta2);
            Issued alpha2 = TestCertificates.issue(List.of("alpha.test", "www.alpha.test"), KeyForm.EC_PKCS8)
                    .writeTo(new TlsConfig(own.resolve("certs/alpha.crt"), own.resolve("certs/alpha.key")));
            assertThat(e.certificatesChanged()).isTrue();

            long generation = e.snapshot().generation();
            e.reload(cfg);
            assertThat(e.snapshot().generation()).isEqualTo(generation + 1);
            assertThat(e.certificatesChanged()).isFalse();

            try (SSLSocket fresh = handshake(e, "beta.test")) {
                assertThat(peer(fresh).getSerialNumber())
                        .isEqualTo(beta2.certificate().getSerialNumber());
            }
            try (SSLSocket fresh = handshake(e, "alpha.test")) {
                assertThat(peer(fresh).getSerialNumber())
                        .isEqualTo(alpha2.certificate().getSerialNumber());
            }
            try (SSLSocket fresh = handshake(e, "gamma.test")) {
                assertThat(peer(fresh).getSerialNumber())
                        .isEqualTo(first.get("gamma").certificate().getSerialNumber());
            }
            // The connection opened before the renewal keeps its session and keeps serving requests.
            RawResponse r = exchange(old, "beta.test", "/after");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).contains(" uri=/after");
        }
    }

    @Test
    void reload_withGarbageOrMissingKey_isRejected_andTheOldCertificateKeepsServing(@TempDir Path own)
            throws Exception {
        Map<String, Issued> first = new HashMap<>();
        EdgeConfig cfg = config(own, first);
        try (EdgeServer e = EdgeServer.start(cfg)) {
            long generation = e.snapshot().generation();

            // A renewal that left a broken key behind (truncated write, wrong file copied over it).
            Path gammaKey = own.resolve("certs/gamma-key.pem");
            TestCertificates.writeAtomically(
                    gammaKey, "-----BEGIN EC PRIVATE KEY-----\nbm90IGEga2V5\n-----END EC PRIVATE KEY-----\n");
            assertThatThrownBy(() -> e.reload(cfg))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("gamma")
                    .hasMessageContaining("gamma-key.pem");

            // A renewed certificate next to a key of another pair (the key copy was forgotten): every handshake for
            // the site would fail, so the reload must be refused rather than break the site.
            TlsConfig alphaFiles = new TlsConfig(own.resolve("certs/alpha.crt"), own.resolve("certs/alpha.key"));
            Issued renewed = TestCertificates.issue(List.of("alpha.test", "www.alpha.test"), KeyForm.EC_PKCS8);
            Issued unrelated = TestCertificates.issue(List.of("alpha.test"), KeyForm.EC_PKCS8);
            TestCertificates.writeAtomically(alphaFiles.certChain(), renewed.certificatePem());
            TestCertificates.writeAtomically(alphaFiles.privateKey(), unrelated.keyPem());
            TestCertificates.writeAtomically(gammaKey, first.get("gamma").keyPem());
            assertThatThrownBy(() -> e.reload(cfg))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("alpha")
                    .hasMessageContaining("does not match");

            // A config naming a key file that does not exist.
            List<SiteConfig> sites = new ArrayList<>(cfg.sites());
            sites.set(
                    0,
                    tlsSite(
                            "alpha",
                            List.of("alpha.test", "www.alpha.test"),
                            new TlsConfig(own.resolve("certs/alpha.crt"), own.resolve("certs/missing.key")),
                            origins.get(0)));
            EdgeConfig missing = TestEdge.config(sites, ConnectionLimits.DEFAULTS, true);
            assertThatThrownBy(() -> e.reload(missing))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("alpha")
                    .hasMessageContaining("missing.key");

            assertThat(e.snapshot().generation()).isEqualTo(generation);
            for (String site : List.of("alpha", "gamma")) {
                try (SSLSocket s = handshake(e, site + ".test")) {
                    assertThat(peer(s).getSerialNumber())
                            .isEqualTo(first.get(site).certificate().getSerialNumber());
                    assertThat(exchange(s, site + ".test", "/still").status()).isEqualTo(200);
                }
            }
        }
    }
}
