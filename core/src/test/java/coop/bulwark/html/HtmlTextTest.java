package coop.bulwark.html;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HtmlTextTest {
    @Test
    void escape_markupCharacters_becomeEntities() {
        assertThat(HtmlText.escape("<a href=\"x\" title='y'>&</a>"))
                .isEqualTo("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
    }

    @Test
    void escape_plainText_isReturnedAsItIs() {
        String s = "under_attack — ñandú 1/2";
        assertThat(HtmlText.escape(s)).isSameAs(s);
    }

    @Test
    void escape_null_isEmpty() {
        assertThat(HtmlText.escape(null)).isEmpty();
        StringBuilder b = new StringBuilder("x");
        HtmlText.escape(null, b);
        assertThat(b).hasToString("x");
    }

    @Test
    void escapeInto_appendsAfterWhatIsThere() {
        StringBuilder b = new StringBuilder("<p>");
        HtmlText.escape("a<b", b);
        HtmlText.escape("plain", b);
        assertThat(b).hasToString("<p>a&lt;bplain");
    }
}
