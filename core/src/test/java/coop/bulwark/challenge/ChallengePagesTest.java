package coop.bulwark.challenge;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
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
        String html = PAGES.challengePage("en", "TOKEN", 16, "WAIT", 5, "/a?b=\"<script>&c")
                .text();
        assertThat(html).doesNotContain("<script>&c").contains("/a?b=&quot;&lt;script&gt;&amp;c");
        assertThat(html.getBytes(StandardCharsets.UTF_8).length).isLessThan(20 * 1024);
        assertThat(html).contains("wait 5 seconds");
        assertThat(html).contains("url=/.bulwark/challenge?wait=WAIT&amp;return=%2Fa%3Fb%3D%22%3Cscript%3E%26c");
        assertThat(html).doesNotContain("{{");
    }

    /**
     * The prepared page (rendered at load, the request's values spliced in) is byte for byte the template rendered
     * whole, as it was before the page was prepared, in every language.
     */
    @Test
    void preparedPage_isExactlyTheWholeTemplateRendered_inEveryLanguage() throws Exception {
        ChallengePages.Template whole;
        try (var in = ChallengePages.class.getResourceAsStream("challenge.html")) {
            whole = ChallengePages.Template.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        for (String lang : List.of("en", "es")) {
            Properties p = new Properties();
            try (var in = ChallengePages.class.getResourceAsStream("text_" + lang + ".properties")) {
                p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
            }
            Map<String, String> v = new HashMap<>();
            p.forEach((k, x) -> v.put((String) k, (String) x));
            String back = "/dír/ü?q=\"<b>\"&x=1";
            v.put("lang", lang);
            v.put("token", "TOK.en-_1");
            v.put("difficulty", "18");
            v.put("wait_token", "W.ait");
            v.put("wait_seconds", "7");
            v.put("wait_url", ChallengeEndpoint.waitUrl("W.ait", back));
            v.put("return", back);
            v.put("nojs", v.get("nojs").replace("{s}", "7"));
            ResponseBody prepared = PAGES.challengePage(lang, "TOK.en-_1", 18, "W.ait", 7, back);
            String expected = whole.render(v);
            assertThat(prepared.text()).isEqualTo(expected);
            assertThat(prepared.length()).isEqualTo(expected.getBytes(StandardCharsets.UTF_8).length);
        }
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
