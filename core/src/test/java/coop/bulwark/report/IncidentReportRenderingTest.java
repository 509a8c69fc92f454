package coop.bulwark.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class IncidentReportRenderingTest {
    @Test
    void markdown_readsAsAnIncidentReport() {
        String md = MarkdownReport.render(SimulatedAttack.report());
        assertThat(md)
                .startsWith("# Incident report: attack atk-")
                .contains("## Summary", "## Timeline", "## Targets", "## Sources", "## Mitigations and their effect")
                .contains("## Collateral", "## Time to detect and mitigate")
                .contains("From 10:02:01 to ")
                .contains(" UTC on 2026-11-25 (")
                .contains("the sites site7.example.coop and shop&lt;script&gt;")
                .contains("received a flood of up to 2,1")
                .containsPattern("about 1[0-9]{2} times their usual traffic")
                .containsPattern("from up to [0-9],[0-9]{3} distinct source addresses per second")
                .contains("the heaviest networks being 198.51.100.0/24 (3")
                .contains("Bulwark detected it within 1 s and mitigated it 1 s after it began")
                .containsPattern(
                        "The other 48 sites: 99\\.[0-9]{2}% of their [0-9,]+ requests were served without error")
                .contains("(100.0% before the attack)")
                .contains("| 10:02:20 | site7.example.coop | ban | 198.51.100.0/24 banned for 10 min |")
                .contains("suspect → under_attack")
                .doesNotContain("<script>");
    }

    @Test
    void html_escapesHostileSiteNameAndIsSelfContained() {
        String html = HtmlReport.render(SimulatedAttack.report());
        assertThat(html)
                .startsWith("<!doctype html>")
                .contains("<svg", "<path")
                .contains("shop&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;.coop")
                .doesNotContain("<script", "alert(\"x\")", "src=\"http", "href=\"http", "@import", "url(");
        assertThat(html.split("<svg xmlns", -1)).hasSize(4); // three charts (the keys' swatches are small SVGs too)
        // No style attribute: the style block is the only inline style, so a page may allow it by hash alone.
        assertThat(html).doesNotContain(" style=").contains("<style>" + HtmlReport.STYLE + "</style>");
    }

    @Test
    void json_roundTripsWithSnakeCaseNames() throws Exception {
        IncidentReport r = SimulatedAttack.report();
        String json = ReportJson.render(r);
        assertThat(json)
                .contains(
                        "\"time_to_detect_s\" : 1.0", "\"top_prefixes\"", "\"detected_at\" : \"2026-11-25T10:02:02Z\"")
                .contains("\"status\" : \"ended\"", "\"origin_rps_before_mitigation\"", "\"vouched_share\"");
        assertThat(ReportJson.parse(json)).isEqualTo(r);
        IncidentReport mid = SimulatedAttack.shared().midAttack;
        assertThat(ReportJson.parse(ReportJson.render(mid))).isEqualTo(mid);
    }

    @Test
    void topPathsAndAgents_shownEscaped() {
        IncidentReport r = SimulatedAttack.report();
        var sig = r.signature();
        var hostile = new IncidentReport.Signature(
                sig.requests(),
                sig.methods(),
                sig.highEntropyQueryShare(),
                sig.vouchedShare(),
                sig.distinctSourcesPeak(),
                List.of(new IncidentReport.Sample("/wp-login.php", 900, 0.9)),
                List.of(
                        new IncidentReport.Sample("<script>x|y</script>", 800, 0.8),
                        new IncidentReport.Sample(null, 5, 0.0)));
        IncidentReport withSamples = new IncidentReport(
                r.id(),
                r.status(),
                r.start(),
                r.end(),
                r.detectedAt(),
                r.onset(),
                r.timeToDetectS(),
                r.timeToMitigateS(),
                r.targets(),
                r.peakRps(),
                r.topPrefixes(),
                hostile,
                r.mitigations(),
                r.effect(),
                r.collateral(),
                r.edge(),
                r.stateChanges(),
                r.timeline(),
                r.generatedAt());
        String md = MarkdownReport.render(withSamples);
        assertThat(md)
                .contains("| /wp-login.php | 900 | 90.0% |")
                .contains("&lt;script&gt;x\\|y&lt;/script&gt;")
                .contains("(not sampled)")
                .doesNotContain("<script>");
        assertThat(HtmlReport.render(withSamples))
                .contains("<code>&lt;script&gt;x|y&lt;/script&gt;</code>")
                .doesNotContain("<script>");
    }

    @Test
    void markdownEscape_neutralisesMarkupButKeepsWords() {
        assertThat(MarkdownReport.md("a|b *c* [x](y) <b> under_attack _x_"))
                .isEqualTo("a\\|b \\*c\\* \\[x\\](y) &lt;b&gt; under_attack \\_x\\_");
    }
}
