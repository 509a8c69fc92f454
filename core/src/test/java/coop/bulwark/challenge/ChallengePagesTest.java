package coop.bulwark.challenge;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChallengePagesTest {
    static final ChallengePages PAGES = ChallengePages.load();

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "es-MX,es;q=0.9,en;q=0.8 | es",
                "en-US,en;q=0.9 | en",
                "fr-FR,fr;q=0.9,es;q=0.5 | es",
                "fr | de",
                "en;q=0.2, es;q=0.8 | es",
                "* | de",
                "'' | de",
                "es;q=abc, en | en",
            })
    void chooseLanguage_byQualityThenOrder_primarySubtag(String header, String expected) {
        assertThat(ChallengePages.chooseLanguage(header, List.of("en", "es"), "de"))
                .isEqualTo(expected);
    }

    @Test
    void challengePage_escapesEverythingDynamic_andStaysSmall() {
        String html = PAGES.challengePage("en", "TOKEN", 16, "WAIT", 5, "/a?b=\"<script>&c");
        assertThat(html).doesNotContain("<script>&c").contains("/a?b=&quot;&lt;script&gt;&amp;c");
        assertThat(html.getBytes(StandardCharsets.UTF_8).length).isLessThan(20 * 1024);
        assertThat(html).contains("wait 5 seconds");
        assertThat(html).contains("url=/.bulwark/challenge?wait=WAIT&amp;return=%2Fa%3Fb%3D%22%3Cscript%3E%26c");
        assertThat(html).doesNotContain("{{");
    }

    @Test
    void everyMessage_inEveryLanguage_rendersWithoutPlaceholdersLeft() {
        for (String lang : List.of("en", "es")) {
            for (ChallengePages.Message m : ChallengePages.Message.values()) {
                String html = PAGES.message(lang, m, "/x", 3);
                assertThat(html)
                        .contains("<html lang=\"" + lang + "\">")
                        .doesNotContain("{{")
                        .doesNotContain("{s}");
                assertThat(html.contains("http-equiv=\"refresh\"")).isEqualTo(m == ChallengePages.Message.EARLY);
            }
        }
    }
}
