package coop.bulwark.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reports in Spanish: the words from the table, figures and dates written the Spanish way. */
class SpanishReportTest {
    @Test
    void figures_writtenTheWayEachLanguageWritesThem() {
        ReportText en = new ReportText(ReportLanguage.EN);
        ReportText es = new ReportText(ReportLanguage.ES);
        assertThat(en.number(2129.4)).isEqualTo("2,129");
        assertThat(es.number(21290.4)).isEqualTo("21.290");
        assertThat(en.number(17.94)).isEqualTo("17.9");
        assertThat(es.number(17.94)).isEqualTo("17,9");
        assertThat(es.number(0.35)).isEqualTo("0,35");
        assertThat(en.percent(0.823)).isEqualTo("82.3%");
        assertThat(es.percent(0.823)).isEqualTo("82,3\u00a0%");
        assertThat(es.percent(0.9987)).isEqualTo("99,87\u00a0%");
        assertThat(es.seconds(1.5)).isEqualTo("1,5 s");
        assertThat(es.seconds(215.0)).isEqualTo("3 min 35 s");
        Instant t = Instant.parse("2026-11-25T10:02:01Z");
        assertThat(en.day(t)).isEqualTo("2026-11-25");
        assertThat(es.day(t)).isEqualTo("25 de noviembre de 2026");
        assertThat(es.list(List.of("a", "b", "c"))).isEqualTo("a, b y c");
    }

    @Test
    void markdown_inSpanish() {
        String md = MarkdownReport.render(SimulatedAttack.report(), ReportLanguage.ES);
        assertThat(md)
                .startsWith("# Informe de incidente: ataque atk-")
                .contains("## Resumen", "## Cronología", "## Objetivos", "## Fuentes", "## Mitigaciones y su efecto")
                .contains("## Daños colaterales", "## Tiempo hasta detectar y mitigar")
                .contains("El 25 de noviembre de 2026, de 10:02:01 a ")
                .contains("los sitios site7.example.coop y shop&lt;script&gt;")
                .contains("recibieron una avalancha de hasta 2.1")
                .contains("Bulwark lo detectó en 1 s y lo mitigó 1 s después de que empezara")
                .containsPattern("Los otros 48 sitios: se sirvieron sin error el 99,[0-9]{2}\u00a0% de sus")
                .contains("| hora | sitio | suceso |")
                .doesNotContain(" the ", "requests/s", "<script>");
    }

    @Test
    void html_inSpanish_declaresItsLanguage() {
        String html = HtmlReport.render(SimulatedAttack.report(), ReportLanguage.ES);
        assertThat(html)
                .startsWith("<!doctype html>\n<html lang=\"es\">")
                .contains(
                        "<title>Informe de incidente: ataque atk-",
                        "<h2>Gráficos</h2>",
                        "Objetivos: peticiones por segundo")
                .contains("<style>" + HtmlReport.STYLE + "</style>")
                .doesNotContain(" style=", "<script", "requests/s");
        assertThat(html.split("<svg xmlns", -1)).hasSize(4);
    }
}
