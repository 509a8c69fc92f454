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

    /** The placeholders of the challenge page that differ per request; everything else is rendered at load. */
    private static final List<String> PER_REQUEST =
            List.of("token", "difficulty", "wait_token", "wait_seconds", "wait_url", "return", "nojs");

    private final Template message;
    private final Map<String, Map<String, String>> texts;
    private final Map<String, Prepared> challenge;

    private ChallengePages(Template challenge, Template message, Map<String, Map<String, String>> texts) {
        this.message = message;
        this.texts = texts;
        Map<String, Prepared> prepared = new HashMap<>();
        texts.forEach((lang, t) -> prepared.put(lang, Prepared.of(challenge, lang, t)));
        this.challenge = Map.copyOf(prepared);
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
    public ResponseBody challengePage(
            String lang, String token, int difficulty, String waitToken, long waitSeconds, String returnUri) {
        Prepared p = challenge.get(lang);
        if (p == null) {
            throw unknown(lang);
        }
        String seconds = Long.toString(waitSeconds);
        return p.render(
                token,
                Integer.toString(difficulty),
                waitToken,
                seconds,
                ChallengeEndpoint.waitUrl(waitToken, returnUri),
                returnUri,
                p.nojs.replace("{s}", seconds));
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
            throw unknown(lang);
        }
        return t;
    }

    private IllegalArgumentException unknown(String lang) {
        return new IllegalArgumentException("lang: " + lang + " (expected: one of " + texts.keySet() + ")");
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
    /**
     * The challenge page of one language with its markup, script and text rendered, escaped and UTF-8 encoded once:
     * literal parts, and between them the {@link #PER_REQUEST} slots in template order.
     */
    private static final class Prepared {
        private final byte[][] literals; // one more than slots
        private final int[] slots; // index into PER_REQUEST
        private final int literalBytes;
        final String nojs;

        private Prepared(byte[][] literals, int[] slots, String nojs) {
            this.literals = literals;
            this.slots = slots;
            this.nojs = nojs;
            int n = 0;
            for (byte[] l : literals) {
                n += l.length;
            }
            this.literalBytes = n;
        }

        static Prepared of(Template t, String lang, Map<String, String> text) {
            List<byte[]> literals = new ArrayList<>();
            List<Integer> slots = new ArrayList<>();
            StringBuilder run = new StringBuilder();
            for (int i = 0; i < t.parts.size(); i++) {
                String p = t.parts.get(i);
                if (i % 2 == 0) {
                    run.append(p);
                } else if (PER_REQUEST.contains(p)) {
                    literals.add(run.toString().getBytes(StandardCharsets.UTF_8));
                    run.setLength(0);
                    slots.add(PER_REQUEST.indexOf(p));
                } else {
                    String v = p.equals("lang") ? lang : text.get(p);
                    if (v == null) {
                        throw new IllegalStateException("template: no value for {{" + p + "}}");
                    }
                    if (p.startsWith("raw_")) {
                        run.append(v);
                    } else {
                        HtmlText.escape(v, run);
                    }
                }
            }
            literals.add(run.toString().getBytes(StandardCharsets.UTF_8));
            return new Prepared(
                    literals.toArray(byte[][]::new),
                    slots.stream().mapToInt(Integer::intValue).toArray(),
                    text.get("nojs"));
        }

        /** The page with {@code values} (in {@link #PER_REQUEST} order, escaped here) in its slots. */
        ResponseBody render(String... values) {
            byte[][] encoded = new byte[values.length][];
            for (int i = 0; i < values.length; i++) {
                encoded[i] = HtmlText.escape(values[i]).getBytes(StandardCharsets.UTF_8);
            }
            byte[][] parts = new byte[literals.length + slots.length][];
            int length = literalBytes;
            for (int i = 0; i < slots.length; i++) {
                parts[2 * i] = literals[i];
                byte[] v = encoded[slots[i]];
                parts[2 * i + 1] = v;
                length += v.length;
            }
            parts[parts.length - 1] = literals[literals.length - 1];
            return new ResponseBody(parts, length);
        }
    }

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
