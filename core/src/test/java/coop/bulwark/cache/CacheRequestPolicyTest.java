package coop.bulwark.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class CacheRequestPolicyTest {
    private static final CacheRequestPolicy STRICT = CacheRequestPolicy.strict();
    private static final CacheRequestPolicy ANALYTICS = CacheRequestPolicy.sharingCookies(Set.of("_ga", "_pk_id"));

    private static RequestDecision.Reason bypass(RequestDecision d) {
        assertThat(d).isInstanceOf(RequestDecision.Bypass.class);
        return ((RequestDecision.Bypass) d).reason();
    }

    @Test
    void getAndHead_useTheCache_otherMethodsBypass() {
        assertThat(STRICT.decide("GET", HeaderView.empty(), false)).isEqualTo(RequestDecision.USE);
        assertThat(STRICT.decide("HEAD", HeaderView.empty(), false)).isEqualTo(RequestDecision.USE);
        assertThat(bypass(STRICT.decide("POST", HeaderView.empty(), false))).isEqualTo(RequestDecision.Reason.METHOD);
        assertThat(bypass(STRICT.decide("get", HeaderView.empty(), false))).isEqualTo(RequestDecision.Reason.METHOD);
    }

    @Test
    void authorization_bypasses_evenInCacheOnlyMode() {
        HeaderView h = HeaderView.of("authorization", "Bearer x");
        assertThat(bypass(STRICT.decide("GET", h, false))).isEqualTo(RequestDecision.Reason.AUTHORIZATION);
        assertThat(bypass(STRICT.decide("GET", h, true))).isEqualTo(RequestDecision.Reason.AUTHORIZATION);
    }

    @Test
    void anyCookie_bypassesByDefault() {
        assertThat(bypass(STRICT.decide("GET", HeaderView.of("Cookie", "_ga=GA1.2.3"), false)))
                .isEqualTo(RequestDecision.Reason.COOKIE);
    }

    @Test
    void sharedCookies_doNotBypass_butAnyOtherCookieDoes() {
        assertThat(ANALYTICS.decide("GET", HeaderView.of("Cookie", "_ga=GA1.2.3; _pk_id=9"), false))
                .isEqualTo(RequestDecision.USE);
        assertThat(ANALYTICS.decide("GET", HeaderView.of("Cookie", "_ga=1", "Cookie", "_pk_id=2"), false))
                .isEqualTo(RequestDecision.USE);
        assertThat(bypass(ANALYTICS.decide("GET", HeaderView.of("Cookie", "_ga=1; wordpress_logged_in=abc"), false)))
                .isEqualTo(RequestDecision.Reason.COOKIE);
        assertThat(bypass(ANALYTICS.decide("GET", HeaderView.of("Cookie", "_GA=1"), false)))
                .isEqualTo(RequestDecision.Reason.COOKIE);
    }

    @Test
    void noStore_bypasses_butInCacheOnlyModeOnlyPreventsStoring() {
        HeaderView h = HeaderView.of("Cache-Control", "no-store");
        assertThat(bypass(STRICT.decide("GET", h, false))).isEqualTo(RequestDecision.Reason.NO_STORE);
        assertThat(STRICT.decide("GET", h, true)).isEqualTo(RequestDecision.USE_WITHOUT_STORING);
    }

    @Test
    void noCacheAndMaxAgeZero_revalidate_exceptInCacheOnlyMode() {
        for (String cc : new String[] {"no-cache", "max-age=0"}) {
            HeaderView h = HeaderView.of("cache-control", cc);
            assertThat(STRICT.decide("GET", h, false)).isEqualTo(RequestDecision.REVALIDATE);
            assertThat(STRICT.decide("GET", h, true)).isEqualTo(RequestDecision.USE);
        }
        assertThat(STRICT.decide("GET", HeaderView.of("Cache-Control", "max-age=10"), false))
                .isEqualTo(RequestDecision.USE);
    }
}
