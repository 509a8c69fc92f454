package coop.bulwark.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class LabHtmlTest {
    private static final List<LabReport.Marker> MARKERS = List.of(
            new LabReport.Marker(6.1, "state", "site-0017: normal → suspect"),
            new LabReport.Marker(7.1, "detection", "attack declared on site-0342, site-0017"),
            new LabReport.Marker(9, "announcement", "203.0.113.0/24 announced <blackhole>"));

    @Test
    void onePageStory_verdictTableChartsAndTheirTextAlternatives() {
        String html = LabHtml.render(
                LabOutcomes.seed(),
                List.of(
                        LabOutcomes.series("unprotected", 31, 17, List.of()),
                        LabOutcomes.series("bulwark", 31, 100, MARKERS)));
        assertThat(html)
                .startsWith("<!doctype html>\n<html lang=\"en\">")
                .contains("<meta name=\"viewport\"")
                .contains("<p class=\"verdict\" id=\"verdict\">Without Bulwark, 83% of the other sites")
                .contains("<table id=\"runs\">", "<th scope=\"row\">unprotected</th>", "<th scope=\"row\">bulwark</th>")
                .contains("<table id=\"phases\">", "<td>flood+slowloris</td>")
                .contains("<desc id=\"c0-1d\">other sites&#39; visitors: 100% at the start, lowest 100%")
                .contains("announced &lt;blackhole&gt;")
                .doesNotContain("<script", "src=", "href=\"http", "@import", "url(", "<blackhole>");
        // The other sites' p99 second by second, the seconds without a request left out of its description.
        assertThat(html).contains("p99: 40 ms at the start, lowest 40 ms (at 0 s), highest 289 ms (at 5 s)");
        // Four measures, two runs each: eight charts, each titled and described.
        assertThat(count(html, "<svg viewBox")).isEqualTo(8);
        assertThat(count(html, "role=\"img\" aria-labelledby=")).isEqualTo(8);
        // Markers: the bulwark run's three on each of its four charts; a new kind needs no page code.
        assertThat(count(html, "<line class=\"marker\"")).isEqualTo(12);
        assertThat(count(html, "<rect class=\"phase\"")).isEqualTo(8 * 2);
    }

    @Test
    void runsShareTheirAxes() {
        String html = LabHtml.render(
                LabOutcomes.seed(),
                List.of(
                        LabOutcomes.series("unprotected", 31, 17, List.of()),
                        LabOutcomes.series("bulwark", 31, 100, List.of())));
        // The requests-per-second row: both runs' scales top out at the larger run's ceiling (2,000/s).
        Matcher tops = Pattern.compile("text-anchor=\"end\">([0-9,]+)/s</text>").matcher(html);
        int n = 0;
        while (tops.find()) {
            assertThat(tops.group(1)).isEqualTo("2,000");
            n++;
        }
        assertThat(n).isEqualTo(2);
    }

    @Test
    void terminalTable_fitsIn100Columns() {
        String table = Lab.table(LabOutcomes.seed());
        for (String line : table.split("\n")) {
            assertThat(line.length()).as(line).isLessThanOrEqualTo(Lab.COLUMNS);
        }
        assertThat(table).contains("bulwark").contains("44,979").contains("576");
        for (String line : Lab.wrap(Verdict.of(LabOutcomes.seed()).headline()).split("\n")) {
            assertThat(line.length()).as(line).isLessThanOrEqualTo(Lab.COLUMNS);
        }
    }

    private static int count(String s, String what) {
        return s.split(Pattern.quote(what), -1).length - 1;
    }
}
