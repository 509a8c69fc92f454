package coop.bulwark.site;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostRouterTest {
    private static final HostRouter<String> ROUTER = HostRouter.of(patterns(
            "example.org", "apex",
            "www.example.org", "www",
            "*.example.org", "wild",
            "*.deep.example.org", "deep",
            "::1", "v6",
            "192.0.2.7", "v4"));

    private static Map<String, String> patterns(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }

    @ParameterizedTest
    @CsvSource(nullValues = "null", textBlock = """
            example.org,            apex
            EXAMPLE.Org,            apex
            example.org:8080,       apex
            example.org.,           apex
            example.org.:443,       apex
            www.example.org,        www
            a.example.org,          wild
            a.b.example.org,        wild
            x.deep.example.org,     deep
            x.y.deep.example.org,   deep
            deep.example.org,       wild
            .example.org,           null
            example.org..,          null
            other.org,              null
            org,                    null
            '',                     null
            ':80',                  null
            '[::1]:443',            v6
            '[::1]',                v6
            '::1',                  v6
            '[::1',                 null
            '[::1]x',               null
            192.0.2.7:80,           v4
            '  www.example.org ',   www
            """)
    void lookup_host_findsSite(String host, String expected) {
        assertThat(ROUTER.lookup(host)).isEqualTo(expected);
    }

    @Test
    void lookup_null_returnsNull() {
        assertThat(ROUTER.lookup(null)).isNull();
    }

    @Test
    void lookup_stringBuilder_matchesWithoutCopy() {
        assertThat(ROUTER.lookup(new StringBuilder("A.Example.ORG:1"))).isEqualTo("wild");
    }

    @Test
    void normalize_variants_agreeWithLookup() {
        assertThat(HostRouter.normalize("WWW.Example.org.:8443")).isEqualTo("www.example.org");
        assertThat(HostRouter.normalize("[2001:DB8::1]:443")).isEqualTo("2001:db8::1");
        assertThat(HostRouter.normalize("*.Example.org.")).isEqualTo("*.example.org");
        assertThat(HostRouter.normalize("[::1")).isNull();
        assertThat(HostRouter.normalize("")).isNull();
    }

    @Test
    void of_patternsNormalisingAlike_rejected() {
        assertThatThrownBy(() -> HostRouter.of(patterns("a.org", "x", "A.org.", "y")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void size_countsExactAndWildcard() {
        assertThat(ROUTER.size()).isEqualTo(6);
        assertThat(HostRouter.of(Map.of()).lookup("a.org")).isNull();
    }
}
