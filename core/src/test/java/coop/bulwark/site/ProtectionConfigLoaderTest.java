package coop.bulwark.site;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code protection:}, {@code policy:} and per-site protection keys; see docs/config.md, "Protection". */
class ProtectionConfigLoaderTest {
    /** Lines 1-5 of most files; tests append sections after it, so the first appended line is line 6. */
    private static final String HEAD = """
            listen:
              http: 127.0.0.1:8080
            sites:
              - name: alpha
                hosts: [alpha.example.org]
            """;

    /** {@link #HEAD} plus line 6, the site's origins: a complete valid file; site keys may follow at 4 spaces. */
    private static final String ONE_SITE = HEAD + "    origins: [10.0.0.5:8080]\n";

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

    @Test
    void load_fullFile_bindsEveryKey() throws Exception {
        EdgeConfig c = load("""
                listen:
                  http: 127.0.0.1:8080
                protection:
                  enabled: false
                  origin_capacity: 48
                  origin_capacity_overrides: {"10.0.0.5:8080": 128, "[::1]:8082": 8}
                  global:
                    per_ip: {rate: 150/s, burst: 900}
                    per_prefix: off
                  bans:
                    action: tarpit
                    base: 30s
                    factor: 2.5
                    max: 6h
                    memory: 12h
                    manual:
                      - {subject: 203.0.113.0/24, reason: "abuse report 42"}
                      - {subject: "2001:db8::/32", reason: "scanner", until: 2026-12-31T00:00:00Z}
                      - {subject: 198.51.100.7}
                  cache: {max_bytes: 1GiB, max_object_bytes: 512KiB}
                policy:
                  normal:
                    per_ip: {rate: 30/m, burst: 100}
                    per_prefix: off
                    max_concurrent_per_ip: 40
                    bulkhead: {max_concurrent: 16, queue: 10, queue_timeout: 500ms, weight: 3}
                    cache_min_ttl: 1s
                    cache_query: sorted
                    cache_only: true
                    ban_after_limited: 7
                    ban_window: 1m
                  suspect: {cache_query: ignore}
                  under_attack: {per_ip: {rate: 0.5/s, burst: 3}, ban_window: 30s, ban_busting_after: 4, ban_busting_window: 2m}
                sites:
                  - name: alpha
                    hosts: [alpha.example.org]
                    origins: [10.0.0.5:8080, "[::1]:8082"]
                    state: under_attack
                    protection:
                      normal: {per_ip: {rate: 3600/h}, bulkhead: {weight: 5}}
                      under_attack: {cache_only: false, per_prefix: off}
                    cache:
                      pages: false
                      query_allowlist: [page, lang, utm_source.v2~x]
                      stale_if_error: 0s
                      stale_while_revalidate: 5m
                  - name: beta
                    hosts: [beta.example.org]
                    origins: [10.0.0.5:8080]
                """);
        ProtectionConfig p = c.protection();
        assertThat(p)
                .isEqualTo(new ProtectionConfig(
                        false,
                        OptionalInt.of(48),
                        Map.of(new HostPort("10.0.0.5", 8080), 128, new HostPort("::1", 8082), 8),
                        Optional.of(new RateLimit(150, 900)),
                        Optional.empty(),
                        new BanPolicy(
                                BanPolicy.BanAction.TARPIT,
                                Duration.ofSeconds(30),
                                2.5,
                                Duration.ofHours(6),
                                Duration.ofHours(12)),
                        List.of(
                                new ManualBan(Cidr.parse("203.0.113.0/24"), "abuse report 42", Optional.empty()),
                                new ManualBan(
                                        Cidr.parse("2001:db8::/32"),
                                        "scanner",
                                        Optional.of(Instant.parse("2026-12-31T00:00:00Z"))),
                                new ManualBan(Cidr.parse("198.51.100.7"), "", Optional.empty())),
                        1L << 30,
                        512L << 10));
        assertThat(p.capacityOf(new HostPort("10.0.0.5", 8080))).hasValue(128);

        StatePolicy normal = new StatePolicy(
                Optional.of(new RateLimit(0.5, 100)),
                Optional.empty(),
                40,
                new BulkheadLimits(16, 10, Duration.ofMillis(500), 3),
                Duration.ofSeconds(1),
                QueryKeyMode.SORTED,
                true,
                7,
                Duration.ofMinutes(1),
                0,
                StatePolicy.DEFAULT_BUSTING_WINDOW);
        StatePolicy suspect = withQueryKey(StatePolicy.SUSPECT, QueryKeyMode.IGNORE);
        StatePolicy underAttack = new StatePolicy(
                Optional.of(new RateLimit(0.5, 3)),
                StatePolicy.UNDER_ATTACK.perPrefix(),
                StatePolicy.UNDER_ATTACK.maxConcurrentPerIp(),
                StatePolicy.UNDER_ATTACK.bulkhead(),
                StatePolicy.UNDER_ATTACK.cacheMinTtl(),
                StatePolicy.UNDER_ATTACK.queryKey(),
                StatePolicy.UNDER_ATTACK.cacheOnly(),
                StatePolicy.UNDER_ATTACK.banAfterLimited(),
                Duration.ofSeconds(30),
                4,
                Duration.ofMinutes(2));

        SiteProtection alpha = c.sites().get(0).protection();
        assertThat(alpha.state()).isEqualTo(ProtectionState.UNDER_ATTACK);
        assertThat(alpha.policy(ProtectionState.NORMAL))
                .isEqualTo(new StatePolicy(
                        Optional.of(new RateLimit(1, 100)),
                        Optional.empty(),
                        40,
                        new BulkheadLimits(16, 10, Duration.ofMillis(500), 5),
                        Duration.ofSeconds(1),
                        QueryKeyMode.SORTED,
                        true,
                        7,
                        Duration.ofMinutes(1),
                        0,
                        StatePolicy.DEFAULT_BUSTING_WINDOW));
        assertThat(alpha.policy(ProtectionState.SUSPECT)).isEqualTo(suspect);
        assertThat(alpha.policy(ProtectionState.UNDER_ATTACK))
                .isEqualTo(new StatePolicy(
                        underAttack.perIp(),
                        Optional.empty(),
                        underAttack.maxConcurrentPerIp(),
                        underAttack.bulkhead(),
                        underAttack.cacheMinTtl(),
                        underAttack.queryKey(),
                        false,
                        underAttack.banAfterLimited(),
                        underAttack.banWindow(),
                        underAttack.banBustingAfter(),
                        underAttack.banBustingWindow()));
        assertThat(alpha.cachePages()).isFalse();
        assertThat(alpha.queryAllowlist()).containsExactly("page", "lang", "utm_source.v2~x");
        assertThat(alpha.staleIfError()).isZero();
        assertThat(alpha.staleWhileRevalidate()).isEqualTo(Duration.ofMinutes(5));

        SiteProtection beta = c.sites().get(1).protection();
        assertThat(beta.policies())
                .isEqualTo(Map.of(
                        ProtectionState.NORMAL, normal,
                        ProtectionState.SUSPECT, suspect,
                        ProtectionState.UNDER_ATTACK, underAttack));
        assertThat(beta)
                .isEqualTo(new SiteProtection(
                        ProtectionState.NORMAL,
                        beta.policies(),
                        SiteProtection.DEFAULTS.cachePages(),
                        List.of(),
                        SiteProtection.DEFAULTS.staleIfError(),
                        SiteProtection.DEFAULTS.staleWhileRevalidate()));
    }

    @Test
    void load_noProtectionSections_builtInDefaults() throws Exception {
        EdgeConfig c = load(ONE_SITE);
        assertThat(c.protection()).isEqualTo(ProtectionConfig.DEFAULTS);
        assertThat(c.sites().get(0).protection()).isEqualTo(SiteProtection.DEFAULTS);
    }

    @Test
    void load_emptySections_builtInDefaults() throws Exception {
        EdgeConfig c = load(ONE_SITE.replace("listen:", "protection:\npolicy: {}\nlisten:") + """
                    state:
                    protection: {normal: {}, under_attack: {bulkhead: {}}}
                    cache: {}
                """);
        assertThat(c.protection()).isEqualTo(ProtectionConfig.DEFAULTS);
        assertThat(c.sites().get(0).protection()).isEqualTo(SiteProtection.DEFAULTS);
    }

    @Test
    void siteOverride_oneNestedKey_keepsInheritedSiblings() throws Exception {
        EdgeConfig c = load(ONE_SITE.replace("listen:", """
                policy:
                  normal: {per_ip: {rate: 80/s, burst: 300}, bulkhead: {max_concurrent: 10, weight: 2}}
                listen:""") + """
                    protection:
                      normal: {per_ip: {rate: 100/s}, bulkhead: {queue: 5}}
                      suspect: {per_prefix: {burst: 7}}
                """);
        SiteProtection site = c.sites().get(0).protection();
        StatePolicy normal = site.policy(ProtectionState.NORMAL);
        assertThat(normal.perIp()).contains(new RateLimit(100, 300));
        assertThat(normal.perPrefix()).isEqualTo(StatePolicy.NORMAL.perPrefix());
        assertThat(normal.bulkhead()).isEqualTo(new BulkheadLimits(10, 5, BulkheadLimits.DEFAULTS.queueTimeout(), 2));
        assertThat(normal.maxConcurrentPerIp()).isEqualTo(StatePolicy.NORMAL.maxConcurrentPerIp());
        assertThat(site.policy(ProtectionState.SUSPECT).perPrefix())
                .contains(new RateLimit(
                        StatePolicy.SUSPECT.perPrefix().orElseThrow().perSecond(), 7));
        assertThat(site.policy(ProtectionState.UNDER_ATTACK)).isEqualTo(StatePolicy.UNDER_ATTACK);
    }

    @Test
    void siteOverride_limitOffUpstream_canBeTurnedBackOnWhole() throws Exception {
        EdgeConfig c = load(ONE_SITE.replace("listen:", "policy: {normal: {per_ip: off}}\nlisten:")
                + "    protection: {normal: {per_ip: {rate: 10/s, burst: 20}}}\n");
        assertThat(c.sites().get(0).protection().policy(ProtectionState.NORMAL).perIp())
                .contains(new RateLimit(10, 20));
    }

    @Test
    void siteOverride_limitOffUpstream_halfGiven_reportsMissingKey() throws Exception {
        assertThat(problems(ONE_SITE.replace("listen:", "policy: {normal: {per_ip: off}}\nlisten:")
                        + "    protection: {normal: {per_ip: {rate: 10/s}}}\n"))
                .containsExactly("8:35: sites[0].protection.normal.per_ip.burst: missing (expected: an integer >= 1;"
                        + " the inherited per_ip is off, so give both rate and burst)");
    }

    @Test
    void underAttack_looserThanNormal_accepted() throws Exception {
        EdgeConfig c = load(ONE_SITE.replace("listen:", """
                policy:
                  normal: {per_ip: {rate: 5/s, burst: 10}, cache_only: true}
                  under_attack: {per_ip: off, cache_only: false, ban_after_limited: 0}
                listen:"""));
        StatePolicy underAttack = c.sites().get(0).protection().policy(ProtectionState.UNDER_ATTACK);
        assertThat(underAttack.perIp()).isEmpty();
        assertThat(underAttack.cacheOnly()).isFalse();
    }

    @Test
    void protectionDisabled_keepsTheOtherValues() throws Exception {
        EdgeConfig c = load(ONE_SITE.replace("listen:", "protection: {enabled: false}\nlisten:"));
        assertThat(c.protection().enabled()).isFalse();
        assertThat(c.protection().globalPerIp()).isEqualTo(ProtectionConfig.DEFAULTS.globalPerIp());
    }

    /** Each line is appended as line 7 (a site key at 4 spaces) to {@link #ONE_SITE}. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            state: attack                  | 7:12: sites[0].state: attack (expected: one of normal, suspect, under_attack)
            state: under-attack            | 7:12: sites[0].state: under-attack (expected: one of normal, suspect, under_attack; did you mean under_attack?)
            protection: {nromal: {}}       | 7:18: sites[0].protection.nromal: unknown key (did you mean normal?)
            protection: {normal: {per_ip: {rate: 0/s}}}      | 7:42: sites[0].protection.normal.per_ip.rate: 0/s (expected: a rate above zero)
            protection: {normal: {per_ip: {rate: abc}}}      | 7:42: sites[0].protection.normal.per_ip.rate: abc (expected: a rate with a unit: /s, /m or /h, like 200/s, 30/m or 1.5/h)
            protection: {normal: {per_ip: {rate: 10/x}}}     | 7:42: sites[0].protection.normal.per_ip.rate: 10/x (expected: a rate with a unit: /s, /m or /h, like 200/s, 30/m or 1.5/h)
            protection: {normal: {per_ip: {rate: 10}}}       | 7:42: sites[0].protection.normal.per_ip.rate: 10 (expected: a rate with a unit: /s, /m or /h, like 200/s, 30/m or 1.5/h; add a unit, e.g. 10/s)
            protection: {normal: {per_ip: {burst: 0}}}       | 7:43: sites[0].protection.normal.per_ip.burst: 0 (expected: an integer >= 1)
            protection: {normal: {per_ip: {brust: 9}}}       | 7:36: sites[0].protection.normal.per_ip.brust: unknown key (did you mean burst?)
            protection: {normal: {per_ip: none}}             | 7:35: sites[0].protection.normal.per_ip: none (expected: a mapping {rate: N/s, burst: N}, or off)
            protection: {suspect: {bulkhead: {weight: 0}}}   | 7:47: sites[0].protection.suspect.bulkhead.weight: 0 (expected: an integer 1-100)
            protection: {suspect: {bulkhead: {weight: 101}}} | 7:47: sites[0].protection.suspect.bulkhead.weight: 101 (expected: an integer 1-100)
            protection: {suspect: {cache_query: sort}}       | 7:41: sites[0].protection.suspect.cache_query: sort (expected: one of keep, sorted, allowlist, ignore; did you mean sorted?)
            protection: {suspect: {ban_window: 0s}}          | 7:40: sites[0].protection.suspect.ban_window: 0s (expected: a duration above zero)
            protection: {suspect: {max_concurrent_per_ip: 0}} | 7:51: sites[0].protection.suspect.max_concurrent_per_ip: 0 (expected: an integer >= 1)
            protection: {under_attack: {cache_only: yes}}    | 7:45: sites[0].protection.under_attack.cache_only: yes (expected: true or false)
            protection: {under_attack: {ban_busting_after: -1}} | 7:52: sites[0].protection.under_attack.ban_busting_after: -1 (expected: an integer >= 0)
            protection: {under_attack: {ban_busting_window: 0s}} | 7:53: sites[0].protection.under_attack.ban_busting_window: 0s (expected: a duration above zero)
            cache: {stale_if_error: 1}      | 7:29: sites[0].cache.stale_if_error: 1 (expected: a duration with a unit: ms, s, m or h, like 500ms, 10s, 2m, 1h; add a unit, e.g. 1s)
            cache: {page: true}             | 7:13: sites[0].cache.page: unknown key (did you mean pages?)
            """)
    void siteValue_invalid_reportedAtValue(String line, String expected) throws Exception {
        assertThat(problems(ONE_SITE + "    " + line + "\n")).containsExactly(expected);
    }

    @Test
    void queryAllowlist_everyBadEntry_reported() throws Exception {
        assertThat(problems(ONE_SITE + "    cache: {query_allowlist: [page, \"a b\", \"\", [x]]}\n"))
                .containsExactly(
                        "7:37: sites[0].cache.query_allowlist[1]: a b (expected: a plain query parameter name"
                                + " (letters, digits, '-', '.', '_', '~'), like page)",
                        "7:44: sites[0].cache.query_allowlist[2]: \"\" (expected: a plain query parameter name"
                                + " (letters, digits, '-', '.', '_', '~'), like page)",
                        "7:48: sites[0].cache.query_allowlist[3]: (a list) (expected: a plain query parameter name"
                                + " (letters, digits, '-', '.', '_', '~'), like page)");
    }

    /** Each line is put first in the file (line 1, before {@code listen:}). */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            protection: {enabeld: false}                     | 1:14: protection.enabeld: unknown key (did you mean enabled?)
            protection: {enabled: off}                       | 1:23: protection.enabled: off (expected: true or false)
            protection: {origin_capacity: 0}                 | 1:31: protection.origin_capacity: 0 (expected: an integer >= 1)
            protection: {origin_capacity_overrides: {"10.0.0.5:8080": 0}} | 1:59: protection.origin_capacity_overrides[10.0.0.5:8080]: 0 (expected: an integer >= 1)
            protection: {origin_capacity_overrides: [10.0.0.5:8080]}     | 1:41: protection.origin_capacity_overrides: (a list) (expected: a mapping of origin host:port to capacity, like {"10.0.0.5:8080": 128})
            protection: {global: {per_ip: {rate: 1.5/q, burst: 3}}}       | 1:38: protection.global.per_ip.rate: 1.5/q (expected: a rate with a unit: /s, /m or /h, like 200/s, 30/m or 1.5/h)
            protection: {global: {per_prefix: {burst: -1}}}  | 1:43: protection.global.per_prefix.burst: -1 (expected: an integer >= 1)
            protection: {global: {per_host: off}}            | 1:23: protection.global.per_host: unknown key (expected: one of per_ip, per_prefix)
            protection: {bans: {action: drop}}               | 1:29: protection.bans.action: drop (expected: one of reject, close, tarpit)
            protection: {bans: {factor: 0.5}}                | 1:29: protection.bans.factor: 0.5 (expected: a number >= 1)
            protection: {bans: {factor: x2}}                 | 1:29: protection.bans.factor: x2 (expected: a number >= 1)
            protection: {bans: {base: 10m, max: 5m}}         | 1:37: protection.bans.max: 5m (expected: a duration >= protection.bans.base (10m))
            protection: {bans: {base: 48h}}                  | 1:27: protection.bans.base: 48h (expected: a duration <= protection.bans.max (24h by default; raise max too))
            protection: {bans: {memory: 0s}}                 | 1:29: protection.bans.memory: 0s (expected: a duration above zero)
            protection: {bans: {manual: [{subject: 10.0.0.0/33}]}}        | 1:40: protection.bans.manual[0].subject: 10.0.0.0/33 (expected: prefix length 0-32)
            protection: {bans: {manual: [{subject: example.org}]}}        | 1:40: protection.bans.manual[0].subject: example.org (expected: an IP address or network like 10.0.0.0/8)
            protection: {bans: {manual: [{reason: spam}]}}   | 1:30: protection.bans.manual[0].subject: missing (expected: an IP address or network like 203.0.113.0/24)
            protection: {bans: {manual: [10.0.0.1]}}         | 1:30: protection.bans.manual[0]: 10.0.0.1 (expected: a mapping {subject: ADDRESS or NETWORK, reason: TEXT})
            protection: {bans: {manual: [{subject: 10.0.0.1, until: 2026-12-31}]}}    | 1:57: protection.bans.manual[0].until: 2026-12-31 (expected: an ISO-8601 instant with a zone offset, like 2026-12-31T00:00:00Z)
            protection: {bans: {manual: [{subject: 10.0.0.1, untill: 2026-12-31T00:00:00Z}]}} | 1:50: protection.bans.manual[0].untill: unknown key (did you mean until?)
            protection: {cache: {max_bytes: 1GB}}            | 1:33: protection.cache.max_bytes: 1GB (expected: a size in bytes, or with a unit KiB, MiB or GiB, like 16KiB; KB and MB are not accepted, to avoid 1000-vs-1024 mistakes)
            policy: {undr_attack: {}}                        | 1:10: policy.undr_attack: unknown key (did you mean under_attack?)
            policy: {normal: {bulkhead: {queue_timeout: 2}}} | 1:45: policy.normal.bulkhead.queue_timeout: 2 (expected: a duration with a unit: ms, s, m or h, like 500ms, 10s, 2m, 1h; add a unit, e.g. 2s)
            policy: {normal: {bulkhead: {queue: -1}}}        | 1:37: policy.normal.bulkhead.queue: -1 (expected: an integer >= 0)
            policy: {normal: {ban_after_limited: -1}}        | 1:38: policy.normal.ban_after_limited: -1 (expected: an integer >= 0)
            policy: [normal]                                 | 1:9: policy: (a list) (expected: a mapping of key: value lines)
            """)
    void topValue_invalid_reportedAtValue(String line, String expected) throws Exception {
        assertThat(problems(line + "\n" + ONE_SITE)).containsExactly(expected);
    }

    @Test
    void capacityOverride_notASiteOrigin_reportedAtKey() throws Exception {
        assertThat(problems("""
                protection:
                  origin_capacity_overrides:
                    "10.0.0.5:8080": 100
                    "10.0.0.9:8080": 100
                    10.0.0.5: 100
                """ + ONE_SITE))
                .containsExactly(
                        "4:5: protection.origin_capacity_overrides: 10.0.0.9:8080 (expected: the host:port of an"
                                + " origin, exactly as in sites[].origins; not an origin of any site)",
                        "5:5: protection.origin_capacity_overrides: 10.0.0.5 (expected: host:port, or [ipv6]:port)");
    }

    @Test
    void capacityOverride_originOfSiteWithOtherProblems_notAlsoReported() throws Exception {
        assertThat(problems("protection: {origin_capacity_overrides: {\"10.0.0.5:8080\": 8}}\n"
                        + ONE_SITE.replace("alpha.example.org", "Alpha_.org")))
                .singleElement()
                .asString()
                .startsWith("6:13: sites[0].hosts[0]: Alpha_.org");
    }

    @Test
    void problems_several_allReportedInFileOrder() throws Exception {
        assertThat(problems("""
                protection:
                  origin_capacity: many
                  global: {per_ip: {rate: 0/s, burst: 0}}
                  bans: {action: reject, factor: 0, manual: [{subject: 300.1.2.3, until: tomorrow}]}
                policy:
                  normal: {bulkhead: {weight: 1000}}
                  critical: {}
                listen:
                  http: 127.0.0.1:8080
                sites:
                  - name: alpha
                    hosts: [alpha.example.org]
                    origins: [10.0.0.5:8080]
                    state: panic
                    protection: {suspect: {per_prefix: {rate: 5/s, bust: 10}}, under_atack: {}}
                    cache: {query_allowlist: ["?page"], stale_while_revalidate: soon}
                """))
                .containsExactly(
                        "2:20: protection.origin_capacity: many (expected: an integer >= 1)",
                        "3:27: protection.global.per_ip.rate: 0/s (expected: a rate above zero)",
                        "3:39: protection.global.per_ip.burst: 0 (expected: an integer >= 1)",
                        "4:34: protection.bans.factor: 0 (expected: a number >= 1)",
                        "4:56: protection.bans.manual[0].subject: 300.1.2.3 (expected: an IP address or network like"
                                + " 10.0.0.0/8)",
                        "4:74: protection.bans.manual[0].until: tomorrow (expected: an ISO-8601 instant with a zone"
                                + " offset, like 2026-12-31T00:00:00Z)",
                        "6:31: policy.normal.bulkhead.weight: 1000 (expected: an integer 1-100)",
                        "7:3: policy.critical: unknown key (expected: one of normal, suspect, under_attack)",
                        "14:12: sites[0].state: panic (expected: one of normal, suspect, under_attack)",
                        "15:52: sites[0].protection.suspect.per_prefix.bust: unknown key (did you mean burst?)",
                        "15:64: sites[0].protection.under_atack: unknown key (did you mean under_attack?)",
                        "16:31: sites[0].cache.query_allowlist[0]: ?page (expected: a plain query parameter name"
                                + " (letters, digits, '-', '.', '_', '~'), like page)",
                        "16:65: sites[0].cache.stale_while_revalidate: soon (expected: a duration with a unit: ms, s,"
                                + " m or h, like 500ms, 10s, 2m, 1h)");
    }

    private static StatePolicy withQueryKey(StatePolicy p, QueryKeyMode mode) {
        return new StatePolicy(
                p.perIp(),
                p.perPrefix(),
                p.maxConcurrentPerIp(),
                p.bulkhead(),
                p.cacheMinTtl(),
                mode,
                p.cacheOnly(),
                p.banAfterLimited(),
                p.banWindow(),
                p.banBustingAfter(),
                p.banBustingWindow());
    }
}
