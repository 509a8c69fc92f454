package coop.bulwark.challenge;

import static org.assertj.core.api.Assertions.assertThat;

import coop.bulwark.site.ChallengeConfig;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Path patterns against a reference model (each pattern turned into an anchored regex), on random paths. */
class PathRulesPropertyTest {
    static final String CHARS = "/ab.*x";

    static boolean reference(String pattern, String path) {
        StringBuilder re = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            re.append(c == '*' ? ".*" : Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL).matcher(path).matches();
    }

    static String random(Random rnd, String alphabet, int max, char first) {
        StringBuilder b = new StringBuilder().append(first);
        int n = rnd.nextInt(max);
        for (int i = 0; i < n; i++) {
            b.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    @RepeatedTest(50)
    void glob_agreesWithTheRegexModel(RepetitionInfo info) {
        Random rnd = new Random(0x61_0B + info.getCurrentRepetition());
        for (int i = 0; i < 200; i++) {
            String pattern = random(rnd, CHARS, 8, rnd.nextBoolean() ? '/' : '*');
            String path = random(rnd, "/ab.x", 12, '/');
            assertThat(PathRules.glob(pattern, path, path.length()))
                    .as("%s against %s", pattern, path)
                    .isEqualTo(reference(pattern, path));
        }
    }

    @ParameterizedTest
    @CsvSource({
        "/robots.txt, true",
        "/robots.txt?x=1, true",
        "/robots.txt.bak, false",
        "/api/v1/users, true",
        "/api, false",
        "/wp-json/wp/v2/posts, true",
        "/feed, true",
        "/feed/, true",
        "/blog/feed/, true",
        "/blog/feed, true",
        "/comments/feed/atom, false",
        "/news.rss, true",
        "/news.atom, true",
        "/sitemap.xml, true",
        "/sitemap_index.xml, true",
        "/sitemap-1.xml.gz, true",
        "/.well-known/acme-challenge/abc, true",
        "/favicon.ico, true",
        "/, false",
        "/post/feeds, false",
        "/about, false",
        "'/?/feed', false",
    })
    void defaults_exemptMachineReadPaths_notPages(String uri, boolean exempt) {
        assertThat(PathRules.of(ChallengeConfig.DEFAULT_EXEMPT_PATHS).matches(uri))
                .isEqualTo(exempt);
    }

    @RepeatedTest(5)
    void matches_ignoresTheQuery(RepetitionInfo info) {
        Random rnd = new Random(info.getCurrentRepetition());
        PathRules r = PathRules.of(List.of("/a*"));
        assertThat(r.matches("/x?/a" + rnd.nextInt())).isFalse();
        assertThat(r.matches("/a?" + rnd.nextInt())).isTrue();
    }
}
