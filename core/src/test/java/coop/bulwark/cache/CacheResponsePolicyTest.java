package coop.bulwark.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CacheResponsePolicyTest {
    /** Sun, 06 Nov 1994 08:49:37 GMT */
    private static final long NOW_MILLIS = 784111777000L;

    private static final String DATE = "Sun, 06 Nov 1994 08:49:37 GMT";
    private static final SiteCachePolicy SITE = SiteCachePolicy.HEADERS_ONLY;
    private static final SiteCachePolicy MICRO = new SiteCachePolicy(
            true, Duration.ofSeconds(2), Duration.ZERO, Duration.ofSeconds(10), Duration.ofMinutes(5));

    private static StorageDecision evaluate(int status, SiteCachePolicy site, String... headers) {
        return CacheResponsePolicy.evaluate(status, HeaderView.of(headers), site, NOW_MILLIS);
    }

    private static ResponseMeta meta(int status, SiteCachePolicy site, String... headers) {
        return storable(evaluate(status, site, headers));
    }

    private static ResponseMeta storable(StorageDecision d) {
        assertThat(d).isInstanceOf(StorageDecision.Storable.class);
        return ((StorageDecision.Storable) d).meta();
    }

    private static StorageDecision.Reason notStorable(StorageDecision d) {
        assertThat(d).isInstanceOf(StorageDecision.NotStorable.class);
        return ((StorageDecision.NotStorable) d).reason();
    }

    private static long seconds(long nanos) {
        return TimeUnit.NANOSECONDS.toSeconds(nanos);
    }

    @Test
    void sMaxAge_winsOverMaxAgeAndExpires() {
        ResponseMeta m = meta(
                200,
                SITE,
                "Date",
                DATE,
                "Cache-Control",
                "max-age=60, s-maxage=30",
                "Expires",
                "Sun, 06 Nov 1994 10:49:37 GMT");
        assertThat(seconds(m.freshNanos())).isEqualTo(30);
    }

    @Test
    void maxAge_winsOverExpires() {
        ResponseMeta m = meta(
                200, SITE, "Date", DATE, "Cache-Control", "max-age=60", "Expires", "Sun, 06 Nov 1994 10:49:37 GMT");
        assertThat(seconds(m.freshNanos())).isEqualTo(60);
    }

    @Test
    void expiresMinusDate_isTheLifetime() {
        ResponseMeta m = meta(200, SITE, "Date", DATE, "Expires", "Sun, 06 Nov 1994 08:51:37 GMT");
        assertThat(seconds(m.freshNanos())).isEqualTo(120);
    }

    @Test
    void obsoleteDateForms_areAccepted() {
        ResponseMeta rfc850 = meta(200, SITE, "Date", DATE, "Expires", "Sunday, 06-Nov-94 08:50:37 GMT");
        ResponseMeta asctime = meta(200, SITE, "Date", DATE, "Expires", "Sun Nov  6 08:50:37 1994");
        assertThat(seconds(rfc850.freshNanos())).isEqualTo(60);
        assertThat(seconds(asctime.freshNanos())).isEqualTo(60);
    }

    @Test
    void invalidExpires_meansExpired() {
        assertThat(notStorable(evaluate(200, SITE, "Date", DATE, "Expires", "0")))
                .isEqualTo(StorageDecision.Reason.ZERO_LIFETIME);
        // ...but kept for stale-if-error when the site allows it
        ResponseMeta m = meta(200, MICRO, "Date", DATE, "Expires", "0");
        assertThat(m.freshNanos()).isZero();
        assertThat(seconds(m.staleIfErrorNanos())).isEqualTo(300);
    }

    @Test
    void ageAndApparentAge_areSubtracted() {
        ResponseMeta withAge = meta(200, SITE, "Date", DATE, "Cache-Control", "max-age=60", "Age", "25");
        assertThat(seconds(withAge.freshNanos())).isEqualTo(35);
        assertThat(withAge.initialAgeSeconds()).isEqualTo(25);
        ResponseMeta oldDate = meta(200, SITE, "Date", "Sun, 06 Nov 1994 08:49:07 GMT", "Cache-Control", "max-age=60");
        assertThat(seconds(oldDate.freshNanos())).isEqualTo(30);
    }

    @Test
    void noStore_isNotStorable() {
        assertThat(notStorable(evaluate(200, MICRO, "Cache-Control", "public, no-store, max-age=60")))
                .isEqualTo(StorageDecision.Reason.NO_STORE);
    }

    @Test
    void private_isNotStorable_butQualifiedPrivateDropsTheField() {
        assertThat(notStorable(evaluate(200, MICRO, "Cache-Control", "private, max-age=60")))
                .isEqualTo(StorageDecision.Reason.PRIVATE);
        ResponseMeta m = meta(200, SITE, "Cache-Control", "private=\"X-User\", max-age=60", "X-User", "alice");
        assertThat(m.headers()).extracting(Map.Entry::getKey).doesNotContain("X-User");
    }

    @Test
    void setCookie_isNeverStored() {
        assertThat(notStorable(
                        evaluate(200, MICRO, "Cache-Control", "public, max-age=600", "Set-Cookie", "sid=1; HttpOnly")))
                .isEqualTo(StorageDecision.Reason.SET_COOKIE);
    }

    @Test
    void noCache_isTtlZeroWithoutStale_unlessTheFloorIsRaised() {
        assertThat(notStorable(evaluate(200, MICRO, "Cache-Control", "no-cache, max-age=600")))
                .isEqualTo(StorageDecision.Reason.ZERO_LIFETIME);
        ResponseMeta underAttack =
                meta(200, MICRO.withTtlFloor(Duration.ofSeconds(5)), "Cache-Control", "no-cache, max-age=600");
        assertThat(seconds(underAttack.freshNanos())).isEqualTo(5);
        assertThat(underAttack.staleWhileRevalidateNanos()).isZero();
        assertThat(underAttack.staleIfErrorNanos()).isZero();
    }

    @Test
    void ttlFloor_raisesShortLifetimes_only() {
        SiteCachePolicy floor = SITE.withTtlFloor(Duration.ofSeconds(10));
        assertThat(seconds(storable(evaluate(200, floor, "Cache-Control", "max-age=0"))
                        .freshNanos()))
                .isEqualTo(10);
        assertThat(seconds(storable(evaluate(200, floor, "Cache-Control", "max-age=3600"))
                        .freshNanos()))
                .isEqualTo(3600);
        // The floor never makes an unstorable response storable.
        assertThat(notStorable(evaluate(200, floor))).isEqualTo(StorageDecision.Reason.NO_FRESHNESS);
    }

    @Test
    void minTtl_appliesToResponsesWithoutHeaders_whenTheSiteAllowsIt() {
        assertThat(notStorable(evaluate(200, SITE))).isEqualTo(StorageDecision.Reason.NO_FRESHNESS);
        ResponseMeta m = storable(evaluate(200, MICRO, "Content-Type", "text/html"));
        assertThat(seconds(m.freshNanos())).isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501})
    void heuristicallyCacheableStatuses_areStorable(int status) {
        assertThat(evaluate(status, SITE, "Cache-Control", "max-age=5")).isInstanceOf(StorageDecision.Storable.class);
    }

    @ParameterizedTest
    @ValueSource(ints = {201, 206, 302, 304, 307, 400, 403, 500, 502, 503})
    void otherStatuses_areNotStorable(int status) {
        assertThat(notStorable(evaluate(status, SITE, "Cache-Control", "max-age=5")))
                .isEqualTo(StorageDecision.Reason.STATUS);
    }

    @Test
    void varyStar_isNotStorable_andVaryNamesAreNormalised() {
        assertThat(notStorable(evaluate(200, SITE, "Cache-Control", "max-age=5", "Vary", "Accept, *")))
                .isEqualTo(StorageDecision.Reason.VARY_STAR);
        ResponseMeta m = meta(
                200, SITE, "Cache-Control", "max-age=5", "Vary", "Accept-Encoding, Accept", "vary", "accept-encoding");
        assertThat(m.varyNames()).containsExactly("accept-encoding", "accept");
    }

    @Test
    void staleWindows_comeFromTheResponseOrTheSiteDefaults_whicheverIsLonger() {
        ResponseMeta fromResponse =
                meta(200, SITE, "Cache-Control", "max-age=5, stale-while-revalidate=30, stale-if-error=86400");
        assertThat(seconds(fromResponse.staleWhileRevalidateNanos())).isEqualTo(30);
        assertThat(seconds(fromResponse.staleIfErrorNanos())).isEqualTo(86400);
        ResponseMeta fromSite = meta(200, MICRO, "Cache-Control", "max-age=5, stale-while-revalidate=3");
        assertThat(seconds(fromSite.staleWhileRevalidateNanos())).isEqualTo(10);
        assertThat(seconds(fromSite.staleIfErrorNanos())).isEqualTo(300);
    }

    @Test
    void mustRevalidate_forbidsStale_andSMaxAgeKeepsOnlyExplicitStaleDirectives() {
        ResponseMeta must = meta(200, MICRO, "Cache-Control", "max-age=5, must-revalidate, stale-if-error=60");
        assertThat(must.staleWhileRevalidateNanos()).isZero();
        assertThat(must.staleIfErrorNanos()).isZero();
        ResponseMeta shared = meta(200, MICRO, "Cache-Control", "s-maxage=5, stale-while-revalidate=7");
        assertThat(seconds(shared.staleWhileRevalidateNanos())).isEqualTo(7);
        assertThat(shared.staleIfErrorNanos()).isZero();
    }

    @Test
    void hopByHopAndAgeFields_areNotStored() {
        ResponseMeta m = meta(
                200,
                SITE,
                "Cache-Control",
                "max-age=5",
                "Connection",
                "keep-alive, X-Hop",
                "X-Hop",
                "1",
                "Keep-Alive",
                "timeout=5",
                "Transfer-Encoding",
                "chunked",
                "Age",
                "1",
                "Content-Type",
                "text/html");
        assertThat(m.headers()).extracting(Map.Entry::getKey).containsExactly("Cache-Control", "Content-Type");
    }

    @Test
    void cacheControl_parsesQuotedValuesRepeatsAndGarbage() {
        CacheControl cc = CacheControl.of(HeaderView.of(
                "Cache-Control",
                "MAX-AGE=\"20\", no-cache=\"Set-Cookie, X-A\"",
                "Cache-Control",
                "max-age=99, s-maxage=x"));
        assertThat(cc.maxAgeSeconds()).isEqualTo(20);
        assertThat(cc.sMaxAgeSeconds()).isZero();
        assertThat(cc.noCache()).isFalse();
        assertThat(cc.noCacheFields()).isEqualTo(List.of("set-cookie", "x-a"));
        assertThat(CacheControl.parse("max-age=99999999999").maxAgeSeconds()).isEqualTo(1L << 31);
    }
}
