package coop.bulwark.site;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {
    /** A valid file's first lines; tests append sites or sections after it. */
    private static final String LISTEN = """
            listen:
              http: 127.0.0.1:8080
            """;

    private static final String ONE_SITE = """
            sites:
              - name: alpha
                hosts: [alpha.example.org]
                origins: [127.0.0.1:8081]
            """;

    @TempDir
    Path dir;

    private Path file() {
        return ConfigFiles.file(dir);
    }

    private EdgeConfig load(String yaml) throws Exception {
        return ConfigFiles.load(dir, yaml);
    }

    private List<String> problems(String yaml) throws IOException {
        return ConfigFiles.problems(dir, yaml);
    }

    private void touch(String relative) throws IOException {
        Path p = dir.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, "-----BEGIN EXAMPLE-----\n");
    }

    @Test
    void load_fullFile_bindsEveryKey() throws Exception {
        touch("certs/alpha.pem");
        touch("certs/alpha.key");
        EdgeConfig c = load("""
                listen:
                  http: 0.0.0.0:8080
                  https: "[::]:8443"
                  event_loops: 4
                  transport: epoll
                trusted_proxies: [10.0.0.0/8, 192.168.1.7, "2001:db8::/32"]
                proxy_protocol: true
                drain_timeout: 500ms
                connections:
                  max_header_bytes: 32KiB
                  max_uri_bytes: 4KiB
                  header_timeout: 5s
                  idle_timeout: 2m
                  max_requests_per_connection: 10
                  max_connections: 100
                  max_connections_per_ip: 7
                http2: {max_concurrent_streams: 50, max_resets_per_second: 20}
                origin_pool:
                  max_idle_per_origin: 8
                  idle_timeout: 3s
                  health_check: {interval: 1s, timeout: 700ms, path: /healthz, fail_threshold: 3, rise_threshold: 4}
                access_log: {enabled: false, file: logs/access.json}
                limits:
                  max_body_bytes: 20MiB
                  max_uri_bytes: 2KiB
                  min_body_bytes_per_second: 512
                  body_grace_period: 6s
                  origin_connect_timeout: 1s
                  origin_timeout: 1h
                sites:
                  - name: alpha
                    hosts: [alpha.example.org, WWW.Alpha.Example.org., "*.alpha.example.org"]
                    origins: [127.0.0.1:8081, "[::1]:8082"]
                    tls: {cert: certs/alpha.pem, key: certs/alpha.key}
                    limits: {max_body_bytes: 1MiB}
                  - name: beta-2.site
                    hosts: [beta.example.net]
                    origins: [origin.lan:80]
                """);
        assertThat(c.source()).isEqualTo(file());
        assertThat(c.listen())
                .isEqualTo(new Listen(
                        Optional.of(new HostPort("0.0.0.0", 8080)),
                        Optional.of(new HostPort("::", 8443)),
                        4,
                        SocketTransport.EPOLL));
        assertThat(c.trustedProxies())
                .containsExactly(Cidr.parse("10.0.0.0/8"), Cidr.parse("192.168.1.7/32"), Cidr.parse("2001:db8::/32"));
        assertThat(c.proxyProtocol()).isTrue();
        assertThat(c.drainTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.connections())
                .isEqualTo(new ConnectionLimits(
                        32 * 1024, 4096, Duration.ofSeconds(5), Duration.ofMinutes(2), 10, 100, 7));
        assertThat(c.http2()).isEqualTo(new Http2Limits(50, 20));
        assertThat(c.originPool())
                .isEqualTo(new OriginPoolConfig(
                        8,
                        Duration.ofSeconds(3),
                        Duration.ofSeconds(1),
                        Duration.ofMillis(700),
                        Optional.of("/healthz"),
                        3,
                        4));
        assertThat(c.accessLog()).isEqualTo(new AccessLogConfig(false, Optional.of(dir.resolve("logs/access.json"))));
        SiteLimits defaults =
                new SiteLimits(20L << 20, 2048, 512, Duration.ofSeconds(6), Duration.ofSeconds(1), Duration.ofHours(1));
        assertThat(c.sites()).hasSize(2);
        SiteConfig alpha = c.sites().get(0);
        assertThat(alpha.name()).isEqualTo("alpha");
        assertThat(alpha.hosts()).containsExactly("alpha.example.org", "www.alpha.example.org", "*.alpha.example.org");
        assertThat(alpha.origins()).containsExactly(new HostPort("127.0.0.1", 8081), new HostPort("::1", 8082));
        assertThat(alpha.tls()).contains(new TlsConfig(dir.resolve("certs/alpha.pem"), dir.resolve("certs/alpha.key")));
        assertThat(alpha.limits())
                .isEqualTo(new SiteLimits(
                        1L << 20, 2048, 512, Duration.ofSeconds(6), Duration.ofSeconds(1), Duration.ofHours(1)));
        assertThat(c.sites().get(1).limits()).isEqualTo(defaults);
        assertThat(c.sites().get(1).tls()).isEmpty();
    }

    @Test
    void load_minimalFile_usesRecordDefaults() throws Exception {
        EdgeConfig c = load(LISTEN + ONE_SITE);
        assertThat(c.listen().https()).isEmpty();
        assertThat(c.listen().eventLoops()).isZero();
        assertThat(c.listen().transport()).isEqualTo(SocketTransport.AUTO);
        assertThat(c.trustedProxies()).isEmpty();
        assertThat(c.proxyProtocol()).isFalse();
        assertThat(c.drainTimeout()).isEqualTo(ConfigLoader.DEFAULT_DRAIN_TIMEOUT);
        assertThat(c.connections()).isEqualTo(ConnectionLimits.DEFAULTS);
        assertThat(c.http2()).isEqualTo(Http2Limits.DEFAULTS);
        assertThat(c.originPool()).isEqualTo(OriginPoolConfig.DEFAULTS);
        assertThat(c.accessLog()).isEqualTo(AccessLogConfig.DEFAULTS);
        assertThat(c.sites().get(0).limits()).isEqualTo(SiteLimits.DEFAULTS);
    }

    @Test
    void parse_text_namesGivenFileAndResolvesAgainstItsDirectory() throws Exception {
        EdgeConfig c = ConfigLoader.parse(
                LISTEN + "access_log: {file: access.json}\n" + ONE_SITE, dir.resolve("sub/given.yaml"));
        assertThat(c.source()).isEqualTo(dir.resolve("sub/given.yaml"));
        assertThat(c.accessLog().file()).contains(dir.resolve("sub/access.json"));
    }

    @Test
    void unknownKey_closeToKnown_suggestsIt() throws Exception {
        assertThat(problems(LISTEN + ONE_SITE + "    limits: {max_body_byte: 1MiB}\n"))
                .containsExactly("7:14: sites[0].limits.max_body_byte: unknown key (did you mean max_body_bytes?)");
    }

    @Test
    void unknownKey_farFromAll_listsKnownKeys() throws Exception {
        assertThat(problems(LISTEN + "http2: {zzzzzzzz: 1}\n" + ONE_SITE))
                .containsExactly("3:9: http2.zzzzzzzz: unknown key (expected: one of max_concurrent_streams,"
                        + " max_resets_per_second)");
    }

    @Test
    void originPort_outOfRange_reportedAtItem() throws Exception {
        assertThat(problems(LISTEN + ONE_SITE.replace("[127.0.0.1:8081]", "[127.0.0.1:8081, 127.0.0.1:99999]")))
                .containsExactly(
                        "6:31: sites[0].origins[1]: 127.0.0.1:99999 (expected: a port number 1-65535 after the colon)");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            drain_timeout: 30      | 3:16: drain_timeout: 30 (expected: a duration with a unit: ms, s, m or h, like 500ms, 10s, 2m, 1h; add a unit, e.g. 30s)
            drain_timeout: 1.5s    | 3:16: drain_timeout: 1.5s (expected: a duration with a unit: ms, s, m or h, like 500ms, 10s, 2m, 1h)
            proxy_protocol: yes    | 3:17: proxy_protocol: yes (expected: true or false)
            connections: {max_header_bytes: 16KB} | 3:33: connections.max_header_bytes: 16KB (expected: a size in bytes, or with a unit KiB, MiB or GiB, like 16KiB; KB and MB are not accepted, to avoid 1000-vs-1024 mistakes)
            connections: {idle_timeout: 0s}       | 3:29: connections.idle_timeout: 0s (expected: a duration above zero)
            connections: {max_connections: 0x10} | 3:32: connections.max_connections: 0x10 (expected: an integer >= 1)
            connections: 5         | 3:14: connections: 5 (expected: a mapping of key: value lines)
            trusted_proxies: [10.0.0.0/33] | 3:19: trusted_proxies[0]: 10.0.0.0/33 (expected: prefix length 0-32)
            trusted_proxies: [example.org] | 3:19: trusted_proxies[0]: example.org (expected: an IP address or network like 10.0.0.0/8)
            origin_pool: {health_check: {path: healthz}} | 3:36: origin_pool.health_check.path: healthz (expected: a request path starting with /)
            limits: {max_uri_bytes: 9KiB} | 3:25: limits.max_uri_bytes: 9KiB (expected: at most connections.max_uri_bytes (8KiB), which the parser enforces before the site is known)
            """)
    void value_invalid_reportedWithExpectation(String line, String expected) throws Exception {
        assertThat(problems(LISTEN + line + "\n" + ONE_SITE)).containsExactly(expected);
    }

    @Test
    void problems_several_allReportedInFileOrder() throws Exception {
        assertThat(problems("""
                listen:
                  http: 127.0.0.1:80800
                  evnt_loops: 2
                drain_timeout: 10
                sites:
                  - name: Alpha
                    hosts: [alpha.example.org:80]
                    origins: []
                  - hosts: [b.example.org]
                    origins: [b.lan:80]
                """))
                .containsExactly(
                        "2:9: listen.http: 127.0.0.1:80800 (expected: a port number 1-65535 after the colon)",
                        "3:3: listen.evnt_loops: unknown key (did you mean event_loops?)",
                        "4:16: drain_timeout: 10 (expected: a duration with a unit: ms, s, m or h, like 500ms, 10s,"
                                + " 2m, 1h; add a unit, e.g. 10s)",
                        "6:11: sites[0].name: Alpha (expected: a site name matching [a-z0-9][a-z0-9._-]*, like alpha)",
                        "7:13: sites[0].hosts[0]: alpha.example.org:80 (expected: a host name without port, like"
                                + " alpha.example.org)",
                        "8:14: sites[0].origins: (a list) (expected: at least one host:port)",
                        "9:5: sites[1].name: missing (expected: a site name matching [a-z0-9][a-z0-9._-]*, like"
                                + " alpha)");
    }

    @Test
    void duplicateHost_acrossSites_reportedAtSecondNamingFirstSite() throws Exception {
        assertThat(problems(LISTEN + ONE_SITE + """
                  - name: beta
                    hosts: [beta.example.org, ALPHA.example.org.]
                    origins: [127.0.0.1:8082]
                """))
                .containsExactly("8:31: sites[1].hosts[1]: ALPHA.example.org. (expected: a host no other entry has;"
                        + " site alpha already lists alpha.example.org at line 5)");
    }

    @Test
    void duplicateHost_withinSite_reportedAsThisSite() throws Exception {
        assertThat(problems(LISTEN + ONE_SITE.replace("[alpha.example.org]", "[\"*.a.org\", \"*.A.org\"]")))
                .containsExactly("5:24: sites[0].hosts[1]: *.A.org (expected: a host no other entry has; this site"
                        + " already lists *.a.org at line 5)");
    }

    @Test
    void duplicateKey_reportedAtSecondOccurrence() throws Exception {
        assertThat(problems(LISTEN + "drain_timeout: 1s\ndrain_timeout: 2s\n" + ONE_SITE))
                .containsExactly("4:1: drain_timeout: duplicate key (expected: each key once; first at line 3)");
    }

    @Test
    void duplicateSiteName_reportedAtSecond() throws Exception {
        assertThat(problems(LISTEN + ONE_SITE + ONE_SITE.replace("sites:\n", "").replace("alpha.", "b.")))
                .containsExactly("7:11: sites[1].name: alpha (expected: a unique site name; sites[0] at line 4)");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            https://alpha.example.org/ | a host name without scheme, like alpha.example.org
            alpha.example.org/blog     | a host name without a path, like alpha.example.org
            bücher.example             | an ASCII host name; write internationalised names in punycode: xn--bcher-kva.example
            *.bücher.example           | an ASCII host name; write internationalised names in punycode: *.xn--bcher-kva.example
            *.*.example.org            | a host name, or one leading wildcard label like *.example.org
            a*.example.org             | a host name, or one leading wildcard label like *.example.org
            a..example.org             | a host name without empty labels (no leading or doubled dots)
            -a.example.org             | labels that do not start or end with '-'
            a_b.example.org            | letters, digits, '-' and '.' only (RFC 1123)
            [::1]:443                  | an IPv6 address like ::1 or [::1], without port
            """)
    void hostName_invalid_reportedWithFix(String host, String expected) throws Exception {
        assertThat(problems(LISTEN + ONE_SITE.replace("[alpha.example.org]", "[\"" + host + "\"]")))
                .containsExactly("5:13: sites[0].hosts[0]: " + host + " (expected: " + expected + ")");
    }

    @Test
    void hostName_ipLiterals_accepted() throws Exception {
        EdgeConfig c =
                load(LISTEN + ONE_SITE.replace("[alpha.example.org]", "[192.0.2.7, \"::1\", \"[2001:DB8::1]\"]"));
        assertThat(c.sites().get(0).hosts()).containsExactly("192.0.2.7", "::1", "2001:db8::1");
    }

    @Test
    void certFiles_missing_reportedAtTheirLines() throws Exception {
        touch("certs/alpha.pem");
        assertThat(problems(LISTEN + ONE_SITE + """
                    tls:
                      cert: certs/alpha.pem
                      key: certs/alpha.key
                """))
                .containsExactly("9:12: sites[0].tls.key: certs/alpha.key (expected: a readable PEM private key file;"
                        + " not found: " + dir.resolve("certs/alpha.key") + ")");
    }

    @Test
    void tls_keyMissing_reportedAtTlsSection() throws Exception {
        touch("a.pem");
        assertThat(problems(LISTEN + ONE_SITE + "    tls: {cert: a.pem}\n"))
                .containsExactly("7:10: sites[0].tls.key: missing (expected: a PEM private key file)");
    }

    @Test
    void certbotLive_completeDirectory_resolvesBothFiles() throws Exception {
        touch("le/live/alpha/fullchain.pem");
        touch("le/live/alpha/privkey.pem");
        EdgeConfig c = load(LISTEN + ONE_SITE + "    tls: {certbot_live: le/live/alpha}\n");
        assertThat(c.sites().get(0).tls()).contains(TlsConfig.certbotLive(dir.resolve("le/live/alpha")));
    }

    @Test
    void certbotLive_privkeyMissing_reportedAtDirectory() throws Exception {
        touch("le/live/alpha/fullchain.pem");
        assertThat(problems(LISTEN + ONE_SITE + "    tls: {certbot_live: le/live/alpha}\n"))
                .containsExactly("7:25: sites[0].tls.certbot_live: le/live/alpha (expected: a certbot live directory"
                        + " with fullchain.pem and privkey.pem; missing or unreadable in "
                        + dir.resolve("le/live/alpha") + ": privkey.pem)");
    }

    @Test
    void certbotLive_absoluteDirectoryMissing_reported() throws Exception {
        Path abs = dir.resolve("nowhere");
        assertThat(problems(LISTEN + ONE_SITE + "    tls: {certbot_live: " + abs + "}\n"))
                .singleElement()
                .asString()
                .startsWith("7:25: sites[0].tls.certbot_live: " + abs + " (expected: a directory");
    }

    @Test
    void httpsListener_noSiteWithTls_reported() throws Exception {
        assertThat(problems(LISTEN + "  https: 127.0.0.1:8443\n" + ONE_SITE))
                .containsExactly("3:10: listen.https: 127.0.0.1:8443 (expected: at least one site with tls, or no"
                        + " https listener)");
    }

    @Test
    void siteMaxUri_aboveConnectionCap_reportedAtSite() throws Exception {
        assertThat(problems(LISTEN + "connections: {max_uri_bytes: 4KiB}\n" + ONE_SITE
                        + "    limits: {max_uri_bytes: 6KiB}\n"))
                .containsExactly("8:29: sites[0].limits.max_uri_bytes: 6KiB (expected: at most"
                        + " connections.max_uri_bytes (4KiB), which the parser enforces before the site is known)");
    }

    @Test
    void websocketLimits_topLevelDefaults_andASiteOverride() throws Exception {
        EdgeConfig c = load(LISTEN + "limits: {max_websockets: 10, websocket_idle_timeout: 45s}\n" + ONE_SITE
                + "    limits: {max_websockets: 0}\n");
        assertThat(c.sites().get(0).limits().maxWebsockets()).isZero();
        assertThat(c.sites().get(0).limits().websocketIdleTimeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(load(LISTEN + ONE_SITE).sites().get(0).limits().maxWebsockets())
                .isEqualTo(SiteLimits.DEFAULT_MAX_WEBSOCKETS);
    }

    @Test
    void websocketLimits_badValues_reportedAtTheirLines() throws Exception {
        assertThat(problems(LISTEN + ONE_SITE
                        + "    limits:\n      max_websockets: -1\n      websocket_idle_timeout: 0s\n"))
                .containsExactly(
                        "8:23: sites[0].limits.max_websockets: -1 (expected: an integer 0-1000000)",
                        "9:31: sites[0].limits.websocket_idle_timeout: 0s (expected: a duration above zero)");
        assertThat(problems(LISTEN + "limits: {max_websockets: many}\n" + ONE_SITE))
                .containsExactly("3:26: limits.max_websockets: many (expected: an integer 0-1000000)");
    }

    @Test
    void siteLimits_connectionKey_refused() throws Exception {
        assertThat(problems(LISTEN + ONE_SITE + "    limits: {idle_timeout: 1s}\n"))
                .singleElement()
                .asString()
                .startsWith("7:14: sites[0].limits.idle_timeout: unknown key (expected: one of body_grace_period,");
    }

    @Test
    void listen_transportUnknown_reportedWithTheChoices() throws Exception {
        assertThat(problems("listen: {http: 127.0.0.1:8080, transport: uring}\n" + ONE_SITE))
                .containsExactly("1:43: listen.transport: uring (expected: one of auto, io_uring, epoll, nio)");
    }

    @Test
    void listen_missingOrEmpty_reported() throws Exception {
        assertThat(problems(ONE_SITE))
                .containsExactly("1:1: listen: missing (expected: a mapping with http: and/or https: host:port)");
        assertThat(problems("listen: {event_loops: 1}\n" + ONE_SITE))
                .containsExactly("1:9: listen: no listener (expected: http: and/or https: host:port)");
    }

    @Test
    void sites_missingOrEmpty_reported() throws Exception {
        assertThat(problems(LISTEN))
                .containsExactly("1:1: sites: missing (expected: a list of sites, each a mapping with name, hosts and"
                        + " origins)");
        assertThat(problems(LISTEN + "sites: []\n"))
                .containsExactly("3:8: sites: (a list) (expected: at least one site, a mapping with name, hosts and"
                        + " origins)");
        assertThat(problems(LISTEN + "sites: [alpha]\n"))
                .containsExactly("3:9: sites[0]: alpha (expected: a mapping with name, hosts and origins)");
    }

    @Test
    void yamlSyntaxError_reportedWithPosition() throws Exception {
        assertThat(problems("listen:\n  http: [127.0.0.1:8080\nsites: []\n"))
                .singleElement()
                .asString()
                .startsWith("3:6: invalid YAML: while parsing a flow sequence");
    }

    @Test
    void yamlAlias_refused() throws Exception {
        assertThat(problems(LISTEN + "drain_timeout: &t 5s\nconnections: {idle_timeout: *t}\n" + ONE_SITE))
                .containsExactly("4:29: connections.idle_timeout: *t (expected: a plain value; YAML aliases are not"
                        + " supported)");
    }

    @Test
    void file_emptyMissingOrDirectory_oneClearProblem() throws Exception {
        assertThat(problems(""))
                .containsExactly("1:1: empty config file (expected: a YAML mapping with at least listen and sites)");
        assertThat(problems("# only a comment\n")).hasSize(1);
        ConfigException missing =
                catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(dir.resolve("absent.yaml")));
        assertThat(missing.problems())
                .singleElement()
                .hasToString(dir.resolve("absent.yaml") + ":0:0: cannot read config file: no such file");
        ConfigException directory = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(dir));
        assertThat(directory.problems()).hasSize(1);
    }

    @Test
    void root_notMapping_reported() throws Exception {
        assertThat(problems("- a\n- b\n"))
                .containsExactly("1:1: (file): (a list) (expected: a YAML mapping with at least listen and sites)");
    }

    @Test
    void load_thousandSites_loadsAll() throws Exception {
        StringBuilder yaml = new StringBuilder(LISTEN).append("sites:\n");
        for (int i = 0; i < 1000; i++) {
            yaml.append("  - name: site")
                    .append(i)
                    .append("\n    hosts: [site")
                    .append(i)
                    .append(".example.org, www.site")
                    .append(i)
                    .append(".example.org, \"*.site")
                    .append(i)
                    .append(".example.net\"]\n    origins: [127.0.0.1:8081, 127.0.0.1:8082]\n")
                    .append("    limits: {max_body_bytes: 1MiB, origin_timeout: 20s}\n");
        }
        Files.writeString(file(), yaml);
        ConfigLoader.load(file()); // warm-up, so the figure below is the steady state, not class loading
        long start = System.nanoTime();
        EdgeConfig c = ConfigLoader.load(file());
        long micros = (System.nanoTime() - start) / 1000;
        System.out.printf("ConfigLoaderTest: loaded 1,000 sites (%d bytes) in %d us%n", yaml.length(), micros);
        assertThat(c.sites()).hasSize(1000);
        assertThat(HostRouter.forSites(c.sites()).size()).isEqualTo(3000);
    }
}
