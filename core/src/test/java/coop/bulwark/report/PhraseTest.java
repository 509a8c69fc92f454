package coop.bulwark.report;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.site.DetectionSettings;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The translation table: every phrase in every language, with the same placeholders. */
class PhraseTest {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{(\\d)}");

    @Test
    void everyPhrase_existsInEveryLanguage_withTheSamePlaceholders() {
        for (Phrase p : Phrase.values()) {
            Set<String> english = placeholders(p.text(ReportLanguage.EN));
            for (ReportLanguage lang : ReportLanguage.values()) {
                String text = p.text(lang);
                assertThat(text).as("%s in %s", p, lang).isNotNull().isNotBlank();
                assertThat(placeholders(text)).as("%s in %s", p, lang).isEqualTo(english);
                if (lang != ReportLanguage.EN && p.text(ReportLanguage.EN).length() > 12) {
                    assertThat(text).as("%s in %s is translated", p, lang).isNotEqualTo(p.text(ReportLanguage.EN));
                }
            }
        }
    }

    @Test
    void languageCodes_areTheConfigContract() {
        assertThat(ReportLanguage.codes()).isEqualTo(DetectionSettings.REPORT_LANGUAGES);
        assertThat(ReportLanguage.of("es")).isEqualTo(ReportLanguage.ES);
    }

    @Test
    void in_fillsPlaceholdersInTheTranslationsOrder() {
        assertThat(Phrase.WHEN_ENDED_ONE.in(
                        ReportLanguage.ES, "10:02:01", "10:05:36", "25 de noviembre de 2026", "3 min", "a"))
                .isEqualTo("El 25 de noviembre de 2026, de 10:02:01 a 10:05:36 UTC (3 min), el sitio a recibió");
    }

    private static Set<String> placeholders(String text) {
        Set<String> out = new TreeSet<>();
        Matcher m = PLACEHOLDER.matcher(text);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }
}
