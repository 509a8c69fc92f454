package coop.bulwark.challenge;

import coop.bulwark.html.HtmlText;
import coop.bulwark.site.ChallengeConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The pages the challenge shows people: the challenge itself (a self-contained page, no outside resources, its script
 * inline) and short message pages (form not sent, cookies refused, check failed, please wait). Templates are
 * {@code challenge.html} and {@code message.html}, text comes from {@code text_LANG.properties}, all beside this class;
 * every value is HTML-escaped, so a return URL or a translation can never inject markup.
 *
 * <p>Immutable and thread-safe once loaded.
 */
final class ChallengePages {
    /** The short message pages. */
    public enum Message {
        /** A form posted to a challenged site by a browser without a cookie. */
        POST("post"),
        /** The browser came back from solving without the cookie it was just given. */
        COOKIES("cookies"),
        /** A wrong, forged or unusable answer. */
        FAILURE("failure"),
        /** The no-JavaScript fallback came back before its wait was over. */
        EARLY("early");

        final String prefix;

        Message(String prefix) {
            this.prefix = prefix;
        }
    }

    private final Template challenge;
    private final Template message;
    private final Map<String, Map<String, String>> texts;

    private ChallengePages(Template challenge, Template message, Map<String, Map<String, String>> texts) {
        this.challenge = challenge;
        this.message = message;
        this.texts = texts;
    }

    /** Loads the templates and every shipped translation; a missing resource or key is a build error. */
    public static ChallengePages load() {
        Template page = Template.parse(resource("challenge.html"));
        Template msg = Template.parse(resource("message.html"));
        Map<String, Map<String, String>> texts = new HashMap<>();
        Map<String, String> english = null;
        for (String lang : ChallengeConfig.SHIPPED_LANGUAGES) {
            Properties p = new Properties();
            try (Reader r = new InputStreamReader(open("text_" + lang + ".properties"), StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                throw new IllegalStateException("challenge text for " + lang + ": " + e.getMessage(), e);
            }
            Map<String, String> m = new HashMap<>();
            p.forEach((k, v) -> m.put((String) k, (String) v));
            if (english == null) {
                english = m;
            } else if (!m.keySet().equals(english.keySet())) {
                throw new IllegalStateException("challenge text for " + lang + ": keys differ from "
                        + ChallengeConfig.SHIPPED_LANGUAGES.get(0));
            }
            texts.put(lang, Map.copyOf(m));
        }
        return new ChallengePages(page, msg, Map.copyOf(texts));
    }

    /**
     * The challenge page in {@code lang}.
     *
     * @param token the proof-of-work token
     * @param waitToken the no-JavaScript fallback's token
     * @param returnUri where the browser goes once it has the cookie (a path on this site, already checked)
     */
    public String challengePage(
            String lang, String token, int difficulty, String waitToken, long waitSeconds, String returnUri) {
        Map<String, String> t = texts(lang);
        Map<String, String> v = new HashMap<>(t);
        v.put("lang", lang);
        v.put("token", token);
        v.put("difficulty", Integer.toString(difficulty));
        v.put("wait_token", waitToken);
        v.put("wait_seconds", Long.toString(waitSeconds));
        v.put("wait_url", ChallengeEndpoint.waitUrl(waitToken, returnUri));
        v.put("return", returnUri);
        v.put("nojs", t.get("nojs").replace("{s}", Long.toString(waitSeconds)));
        return challenge.render(v);
    }

    /**
     * A message page in {@code lang}, with a link to {@code link}; for {@link Message#EARLY}, the page refreshes to
     * {@code link} after {@code seconds}.
     */
    public String message(String lang, Message m, String link, long seconds) {
        Map<String, String> t = texts(lang);
        Map<String, String> v = new HashMap<>();
        v.put("lang", lang);
        v.put("title", t.get(m.prefix + ".title"));
        v.put("heading", t.get(m.prefix + ".heading"));
        v.put("text", t.get(m.prefix + ".text").replace("{s}", Long.toString(seconds)));
        v.put("link", link);
        v.put("link_text", t.get(m.prefix + ".link"));
        v.put("privacy", t.get("privacy"));
        v.put(
                "raw_refresh",
                m == Message.EARLY
                        ? "<meta http-equiv=\"refresh\" content=\"" + seconds + ";url=" + HtmlText.escape(link) + "\">"
                        : "");
        return message.render(v);
    }

    private Map<String, String> texts(String lang) {
        Map<String, String> t = texts.get(lang);
        if (t == null) {
            throw new IllegalArgumentException("lang: " + lang + " (expected: one of " + texts.keySet() + ")");
        }
        return t;
    }

    /**
     * The language to answer in: the offered language the {@code Accept-Language} header prefers (by q-value, then
     * order; {@code es-MX} counts as {@code es}), else {@code fallback}.
     */
    public static String chooseLanguage(String acceptLanguage, List<String> offered, String fallback) {
        if (acceptLanguage == null || acceptLanguage.isEmpty()) {
            return fallback;
        }
        String best = null;
        double bestQ = 0;
        for (String part : acceptLanguage.split(",", 32)) {
            String[] fields = part.split(";");
            String tag = fields[0].strip().toLowerCase(Locale.ROOT);
            int dash = tag.indexOf('-');
            String primary = dash < 0 ? tag : tag.substring(0, dash);
            double q = 1;
            for (int i = 1; i < fields.length; i++) {
                String f = fields[i].strip();
                if (f.startsWith("q=")) {
                    try {
                        q = Double.parseDouble(f.substring(2));
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                }
            }
            if (q > bestQ && offered.contains(primary)) {
                best = primary;
                bestQ = q;
            }
        }
        return best == null ? fallback : best;
    }

    private static String resource(String name) {
        try (InputStream in = open(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("challenge resource " + name + ": " + e.getMessage(), e);
        }
    }

    private static InputStream open(String name) {
        InputStream in = ChallengePages.class.getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException("challenge resource missing from the jar: " + name);
        }
        return in;
    }

    /** A template split once into literal text and {@code {{name}}} placeholders. */
    static final class Template {
        private final List<String> parts; // even: literal, odd: placeholder name
        private final int size;

        private Template(List<String> parts, int size) {
            this.parts = parts;
            this.size = size;
        }

        static Template parse(String text) {
            List<String> parts = new ArrayList<>();
            int at = 0;
            for (int open; (open = text.indexOf("{{", at)) >= 0; ) {
                int close = text.indexOf("}}", open);
                if (close < 0) {
                    throw new IllegalStateException("template: unclosed {{ at " + open);
                }
                parts.add(text.substring(at, open));
                parts.add(text.substring(open + 2, close));
                at = close + 2;
            }
            parts.add(text.substring(at));
            return new Template(List.copyOf(parts), text.length());
        }

        /** Fills every placeholder; names starting with {@code raw_} are inserted as they are, others escaped. */
        String render(Map<String, String> values) {
            StringBuilder b = new StringBuilder(size + 1024);
            for (int i = 0; i < parts.size(); i++) {
                String p = parts.get(i);
                if (i % 2 == 0) {
                    b.append(p);
                    continue;
                }
                String v = values.get(p);
                if (v == null) {
                    throw new IllegalStateException("template: no value for {{" + p + "}}");
                }
                if (p.startsWith("raw_")) {
                    b.append(v);
                } else {
                    HtmlText.escape(v, b);
                }
            }
            return b.toString();
        }
    }
}
