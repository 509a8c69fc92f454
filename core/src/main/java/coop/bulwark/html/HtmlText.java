package coop.bulwark.html;

/**
 * Escapes text for HTML element content and quoted attribute values: {@code & < > " '} become {@code &amp; &lt;
 * &gt; &quot; &#39;}; every other character is kept. {@code null} is written as nothing (reports have optional
 * fields). Stateless and thread-safe.
 *
 * <p>On the challenge page's path (once per challenged request): no regex, no formatting, and text that needs no
 * escaping (the common case) is returned or appended as it is, without a copy.
 */
public final class HtmlText {
    private HtmlText() {}

    /** {@code s} escaped; {@code s} itself when it has nothing to escape; empty for {@code null}. */
    public static String escape(String s) {
        if (s == null) {
            return "";
        }
        int first = firstSpecial(s);
        if (first < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        b.append(s, 0, first);
        escape(s, first, b);
        return b.toString();
    }

    /** Appends {@code s} escaped to {@code b}; nothing for {@code null}. */
    public static void escape(String s, StringBuilder b) {
        if (s == null) {
            return;
        }
        int first = firstSpecial(s);
        if (first < 0) {
            b.append(s);
            return;
        }
        b.append(s, 0, first);
        escape(s, first, b);
    }

    private static void escape(String s, int from, StringBuilder b) {
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
    }

    private static int firstSpecial(String s) {
        for (int i = 0; i < s.length(); i++) {
            switch (s.charAt(i)) {
                case '&', '<', '>', '"', '\'' -> {
                    return i;
                }
                default -> {}
            }
        }
        return -1;
    }
}
