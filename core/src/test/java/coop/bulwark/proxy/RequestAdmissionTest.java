package coop.bulwark.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.edge.TestEdge;
import coop.bulwark.metrics.EdgeMetrics;
import coop.bulwark.site.Cidr;
import coop.bulwark.site.EdgeConfig;
import coop.bulwark.site.SiteLimits;
import coop.bulwark.site.TlsConfig;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link RequestAdmission#admit} on hand-built request heads: target forms, CONNECT, Host, framing headers. */
class RequestAdmissionTest {
    static EdgeSnapshot snap;
    static final ClientInfo CLIENT =
            new ClientInfo(new InetSocketAddress("192.0.2.7", 40000), addr("192.0.2.7"), false, false, null);

    @BeforeAll
    static void snapshot() throws Exception {
        var limits = new SiteLimits(1000, 64, 0, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1));
        snap = EdgeSnapshot.build(
                1,
                TestEdge.config(List.of(
                        TestEdge.site("a", List.of("a.test", "*.w.test"), limits, Optional.empty(), "127.0.0.1:1"),
                        TestEdge.site("b", List.of("b.test", "[::1]"), "127.0.0.1:2"))),
                Map.of(),
                Map.of(),
                NO_TLS,
                new EdgeMetrics(),
                Instant.EPOCH);
    }

    /** The sites here have no TLS. */
    static final EdgeSnapshot.Certificates NO_TLS = new EdgeSnapshot.Certificates() {
        @Override
        public SslContext contextFor(TlsConfig tls) {
            throw new AssertionError("no TLS in this test");
        }

        @Override
        public void retainOnly(Set<TlsConfig> inUse) {}
    };

    static InetAddress addr(String literal) {
        return ClientAddress.parseIpLiteral(literal);
    }

    static HttpRequest req(HttpMethod m, String uri, String... headers) {
        var h = new DefaultHttpHeaders(false);
        for (int i = 0; i < headers.length; i += 2) {
            h.add(headers[i], headers[i + 1]);
        }
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, m, uri, h);
    }

    static Admission admit(HttpRequest r) {
        return RequestAdmission.admit(new NettyRequestHead(r, false), snap, CLIENT);
    }

    static Admission.Admitted admitted(HttpRequest r) {
        Admission a = admit(r);
        assertThat(a).isInstanceOf(Admission.Admitted.class);
        return (Admission.Admitted) a;
    }

    static Admission.Refused refused(HttpRequest r, int status) {
        Admission a = admit(r);
        assertThat(a).isInstanceOf(Admission.Refused.class);
        var ref = (Admission.Refused) a;
        assertThat(ref.status()).as("status of %s %s", r.method(), r.uri()).isEqualTo(status);
        return ref;
    }

    @Test
    void originForm_routesByHost_andKeepsTheTarget() {
        var a = admitted(req(HttpMethod.GET, "/p?q=1", "Host", "A.Test:8080"));
        assertThat(a.site().name()).isEqualTo("a");
        assertThat(a.authority()).isEqualTo("A.Test:8080");
        assertThat(a.originUri()).isEqualTo("/p?q=1");
        assertThat(a.client()).isEqualTo(CLIENT.client());
    }

    @ParameterizedTest
    @CsvSource({
        "http://b.test/x?y, b.test, /x?y, b",
        "HTTPS://B.TEST:443/x, B.TEST:443, /x, b",
        "http://b.test, b.test, /, b",
        "http://b.test?q, b.test, /?q, b",
        "http://x.w.test/, x.w.test, /, a",
        "http://[::1]:8080/v6, [::1]:8080, /v6, b"
    })
    void absoluteForm_routesByItsAuthority_andIgnoresHost(String uri, String authority, String originUri, String site) {
        var a = admitted(req(HttpMethod.GET, uri, "Host", "c.test"));
        assertThat(a.authority()).isEqualTo(authority);
        assertThat(a.originUri()).isEqualTo(originUri);
        assertThat(a.site().name()).isEqualTo(site);
    }

    @Test
    void asteriskForm_isAllowedForOptionsOnly() {
        assertThat(admitted(req(HttpMethod.OPTIONS, "*", "Host", "b.test")).originUri())
                .isEqualTo("*");
        refused(req(HttpMethod.GET, "*", "Host", "b.test"), 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "x", "ftp://b.test/", "http:/b.test/", "b.test/", "http://", "http:///x"})
    void garbageTargets_get400(String uri) {
        assertThat(refused(req(HttpMethod.GET, uri, "Host", "b.test"), 400).close())
                .isTrue();
    }

    @Test
    void connect_gets405_andClose() {
        assertThat(refused(req(HttpMethod.CONNECT, "b.test:443", "Host", "b.test:443"), 405)
                        .close())
                .isTrue();
    }

    @Test
    void missingOrRepeatedHost_gets400() {
        refused(req(HttpMethod.GET, "/"), 400);
        refused(req(HttpMethod.GET, "/", "Host", "a.test", "Host", "a.test"), 400);
        refused(req(HttpMethod.OPTIONS, "*"), 400);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "user@a.test",
                "user:pw@a.test",
                "a.test extra",
                "a.test/",
                "a.test?",
                "a.test#",
                "a.test\\",
                "a.tést",
                "a.test\t",
                "a.%74est"
            })
    void malformedHost_gets400(String host) {
        refused(req(HttpMethod.GET, "/", "Host", host), 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://user@b.test/", "http://user:pw@b.test/x", "http://b.t%65st/", "http://b.test\\x/"})
    void absoluteFormWithUserInfoOrBadChars_gets400(String uri) {
        refused(req(HttpMethod.GET, uri, "Host", "b.test"), 400);
    }

    @Test
    void unknownHost_gets421_andClose() {
        assertThat(refused(req(HttpMethod.GET, "/", "Host", "c.test"), 421).close())
                .isTrue();
        refused(req(HttpMethod.GET, "http://127.0.0.1:22/", "Host", "a.test"), 421);
        refused(req(HttpMethod.GET, "/", "Host", "w.test"), 421); // a wildcard never matches its own suffix
    }

    @Test
    void sniForAnotherSite_gets421_withoutClose() {
        var tls = new ClientInfo(CLIENT.peer(), CLIENT.client(), false, true, "b.test");
        var a = RequestAdmission.admit(
                new NettyRequestHead(req(HttpMethod.GET, "/", "Host", "a.test"), false), snap, tls);
        assertThat(a).isInstanceOf(Admission.Refused.class);
        assertThat(((Admission.Refused) a).status()).isEqualTo(421);
        assertThat(((Admission.Refused) a).close()).isFalse();
    }

    @Test
    void uriOverSiteLimit_gets414() {
        refused(req(HttpMethod.GET, "/" + "a".repeat(64), "Host", "a.test"), 414);
        admitted(req(HttpMethod.GET, "/" + "a".repeat(63), "Host", "a.test"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1000", " 12 ", "000", "7, 7"})
    void validContentLength_isAdmitted(String cl) {
        admitted(req(HttpMethod.POST, "/", "Host", "a.test", "Content-Length", cl));
    }

    @Test
    void contentLengthOverSiteLimit_gets413() {
        refused(req(HttpMethod.POST, "/", "Host", "a.test", "Content-Length", "1001"), 413);
        refused(req(HttpMethod.POST, "/", "Host", "a.test", "Content-Length", "99999999999999999999999"), 413);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "+5", "5a", "0x10", "", "1e3", "5,7", "5 5", ",5", "5,"})
    void malformedContentLength_gets400(String cl) {
        assertThat(refused(req(HttpMethod.POST, "/", "Host", "a.test", "Content-Length", cl), 400)
                        .close())
                .isTrue();
    }

    @Test
    void conflictingContentLengths_get400() {
        // RFC 9110 §8.6: differing values make the framing unknowable; only the first was checked before.
        refused(req(HttpMethod.POST, "/", "Host", "a.test", "Content-Length", "5", "Content-Length", "7000"), 400);
    }

    @Test
    void transferCodingsOtherThanChunked_get501() {
        refused(req(HttpMethod.POST, "/", "Host", "a.test", "Transfer-Encoding", "gzip"), 501);
        refused(req(HttpMethod.POST, "/", "Host", "a.test", "Transfer-Encoding", "gzip, chunked"), 501);
        refused(
                req(
                        HttpMethod.POST,
                        "/",
                        "Host",
                        "a.test",
                        "Transfer-Encoding",
                        "chunked",
                        "Transfer-Encoding",
                        "gzip"),
                501);
        admitted(req(HttpMethod.POST, "/", "Host", "a.test", "Transfer-Encoding", "Chunked"));
    }

    @Test
    void trustedPeer_clientIsRightMostUntrustedForwardedFor() throws Exception {
        var trusted = List.of(Cidr.parse("10.0.0.0/8"));
        var snapTrusted = new EdgeSnapshot(
                2,
                new EdgeConfig(
                        snap.config().source(),
                        snap.config().listen(),
                        trusted,
                        false,
                        snap.config().connections(),
                        snap.config().http2(),
                        snap.config().originPool(),
                        snap.config().accessLog(),
                        snap.config().drainTimeout(),
                        snap.config().protection(),
                        snap.config().admin(),
                        snap.config().detection(),
                        snap.config().sites()),
                snap.router(),
                snap.sites(),
                snap.tlsBySite(),
                snap.defaultTls());
        var viaProxy = new ClientInfo(new InetSocketAddress("10.1.1.1", 1), addr("10.1.1.1"), true, false, null);
        var r = req(HttpMethod.GET, "/", "Host", "a.test", "X-Forwarded-For", "6.6.6.6, 198.51.100.4, 10.2.2.2");
        var a = (Admission.Admitted) RequestAdmission.admit(new NettyRequestHead(r, false), snapTrusted, viaProxy);
        assertThat(a.client()).isEqualTo(addr("198.51.100.4"));
        // The same header from an untrusted peer is ignored.
        assertThat(admitted(r).client()).isEqualTo(CLIENT.client());
    }
}
