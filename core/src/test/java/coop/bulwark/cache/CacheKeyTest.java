package coop.bulwark.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class CacheKeyTest {
    private static String key(String host, String target, QueryRule rule) {
        return CacheKey.of("site", host, target, rule).text();
    }

    @Test
    void host_isLowerCasedWithoutPortOrTrailingDot_pathKeptAsSent() {
        assertThat(key("WWW.Example.ORG:8443", "/A%2Fb", QueryRule.KEEP)).isEqualTo("www.example.org/A%2Fb");
        assertThat(key("example.org.", "/", QueryRule.KEEP)).isEqualTo("example.org/");
        assertThat(CacheKey.of("site", "", "/", QueryRule.KEEP)).isNull();
    }

    @Test
    void keep_keepsTheQueryAsSent() {
        assertThat(key("a.org", "/p?b=1&a=2", QueryRule.KEEP)).isEqualTo("a.org/p?b=1&a=2");
        assertThat(key("a.org", "/p?", QueryRule.KEEP)).isEqualTo("a.org/p?");
    }

    @Test
    void sorted_sortsByNameStably_andDropsEmptyParameters() {
        assertThat(key("a.org", "/p?b=1&a=2&&a=1&ab=0", QueryRule.SORTED)).isEqualTo("a.org/p?a=2&a=1&ab=0&b=1");
        assertThat(key("a.org", "/p?b=1&a=2", QueryRule.SORTED))
                .isEqualTo(key("a.org", "/p?a=2&b=1", QueryRule.SORTED));
        assertThat(key("a.org", "/p?&&", QueryRule.SORTED)).isEqualTo("a.org/p");
    }

    @Test
    void allowlist_keepsOnlyListedNames_sorted() {
        QueryRule rule = new QueryRule.Allowlist(Set.of("page", "lang"));
        assertThat(key("a.org", "/p?x=8u3f&page=2&lang=fr&utm_source=x", rule)).isEqualTo("a.org/p?lang=fr&page=2");
        assertThat(key("a.org", "/p?x=8u3f", rule)).isEqualTo("a.org/p");
    }

    @Test
    void cacheBusting_isDefeatedByIgnoreAndAllowlist() {
        QueryRule allow = new QueryRule.Allowlist(Set.of("page"));
        for (QueryRule rule : new QueryRule[] {QueryRule.IGNORE, allow}) {
            CacheKey a = CacheKey.of("site", "a.org", "/?x=8u3f", rule);
            CacheKey b = CacheKey.of("site", "a.org", "/?x=zz91&y=1", rule);
            CacheKey plain = CacheKey.of("site", "a.org", "/", rule);
            assertThat(a).isEqualTo(b).isEqualTo(plain).hasSameHashCodeAs(plain);
        }
        assertThat(CacheKey.of("site", "a.org", "/?x=8u3f", QueryRule.KEEP))
                .isNotEqualTo(CacheKey.of("site", "a.org", "/?x=zz91", QueryRule.KEEP));
    }

    @Test
    void keysOfDifferentSites_differ() {
        assertThat(CacheKey.of("one", "a.org", "/", QueryRule.KEEP))
                .isNotEqualTo(CacheKey.of("two", "a.org", "/", QueryRule.KEEP));
    }
}
