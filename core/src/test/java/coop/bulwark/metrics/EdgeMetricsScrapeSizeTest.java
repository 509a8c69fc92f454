package coop.bulwark.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.testing.PrometheusText;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * The cost of per-site histograms: a scrape of an edge with the co-op's 850 sites, every site's meters in use,
 * stays within a budget Prometheus scrapes comfortably every 15 s (the size is printed for docs/deploy.md).
 */
class EdgeMetricsScrapeSizeTest {
    static final int SITES = 850;
    /**
     * Uncompressed bytes (measured: 2.1 MB, 29,900 series, of which 16 per site are the origin-latency histogram;
     * with Micrometer's percentile buckets it was 6.0 MB and 77,600 series).
     */
    static final int BUDGET_BYTES = 3 * 1024 * 1024;
    /** Prometheus asks for gzip, which shrinks this text about twentyfold (measured: 92 KB). */
    static final int BUDGET_GZIPPED_BYTES = 256 * 1024;

    @Test
    void scrape_with850Sites_staysWithinBudgetAndParses() {
        EdgeMetrics m = new EdgeMetrics();
        for (int i = 0; i < SITES; i++) {
            SiteMeters s = m.site("member-site-" + i);
            s.verdict(SiteMeters.VerdictLabel.PASS);
            s.status(200);
            s.cache(SiteMeters.CacheLabel.HIT);
            s.originLatency(TimeUnit.MILLISECONDS.toNanos(5 + i % 200));
            m.requestDuration(TimeUnit.MILLISECONDS.toNanos(6 + i % 200));
        }
        String text = m.scrape();
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        long lines = text.lines().filter(l -> !l.startsWith("#")).count();
        long buckets = text.lines()
                .filter(l ->
                        l.startsWith("bulwark_origin_latency_seconds_bucket{") && l.contains("site=\"member-site-0\""))
                .count();
        System.out.printf(
                "scrape with %d sites: %d bytes (%d gzipped), %d series, %d origin-latency buckets per site%n",
                SITES, bytes, gzipped(text), lines, buckets);
        assertThat(PrometheusText.parse(text)).containsKey("bulwark_origin_latency_seconds");
        assertThat(bytes).isLessThan(BUDGET_BYTES);
        assertThat(gzipped(text)).isLessThan(BUDGET_GZIPPED_BYTES);
        assertThat(buckets).isEqualTo(EdgeMetrics.SITE_LATENCY_BUCKETS.length + 1);
    }

    private static int gzipped(String text) {
        var out = new ByteArrayOutputStream();
        try (var gz = new GZIPOutputStream(out)) {
            gz.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.size();
    }
}
