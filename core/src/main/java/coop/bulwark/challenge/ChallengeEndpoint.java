package coop.bulwark.challenge;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The edge-reserved path {@value #PATH} on every site with the challenge on, and the URL handling around it: query
 * and form parsing, and the return URL, which must stay a path on the same site (never an open redirect).
 * Stateless.
 *
 * <ul>
 *   <li>{@code POST PATH} with {@code token, nonce, return}: a proof of work; a good one earns the cookie and a redirect
 *       to {@code PATH?check=1&return=...}.
 *   <li>{@code GET PATH?wait=TOKEN&return=...}: the no-JavaScript fallback, after its wait; earns the weaker cookie.
 *   <li>{@code GET PATH?check=1&return=...}: the browser came back; with the cookie it goes on to {@code return}, and
 *       without it gets an explanation instead of an endless loop of challenges.
 * </ul>
 */
public final class ChallengeEndpoint {
    /** The reserved path; requests to it never reach the origin of a site with the challenge on. */
    public static final String PATH = "/.bulwark/challenge";

    /** Longest return URL kept; a longer one is replaced by {@code /}. */
    static final int MAX_RETURN_CHARS = 2048;

    /** Largest answer body read. */
    public static final int MAX_BODY_BYTES = 4096;

    private ChallengeEndpoint() {}

    /**
     * The value of {@code name="..."} in a challenge page ({@code data-challenge}, {@code data-difficulty}: what the
     * page gives its script to solve and post here), or null: for clients written in Java that answer the page as its
     * script would (the lab's browsers, the JIT warm-up).
     */
    public static String pageAttribute(String html, String name) {
        int at = html.indexOf(name + "=\"");
        if (at < 0) {
            return null;
        }
        int from = at + name.length() + 2;
        int to = html.indexOf('"', from);
        return to < 0 ? null : html.substring(from, to);
    }

    /** Whether {@code uri} addresses the endpoint. */
    public static boolean isEndpoint(String uri) {
        return uri.startsWith(PATH) && (uri.length() == PATH.length() || uri.charAt(PATH.length()) == '?');
    }

    /**
     * {@code uri} if it is a safe place to send the browser back to: a path on this site (starts with one {@code /},
     * printable ASCII only, not the endpoint itself, not too long); otherwise {@code /}.
     */
    public static String safeReturn(String uri) {
        if (uri == null
                || uri.isEmpty()
                || uri.length() > MAX_RETURN_CHARS
                || uri.charAt(0) != '/'
                || uri.startsWith("//")
                || uri.startsWith("/\\")
                || isEndpoint(uri)) {
            return "/";
        }
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c <= ' ' || c >= 0x7f || c == '\\') {
                return "/";
            }
        }
        return uri;
    }

    static String waitUrl(String waitToken, String returnUri) {
        return PATH + "?wait=" + waitToken + "&return=" + encode(returnUri);
    }

    static String checkUrl(String returnUri) {
        return PATH + "?check=1&return=" + encode(returnUri);
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** The query of {@code uri} as parameters (first value wins), or null when malformed. */
    static Map<String, String> query(String uri) {
        int q = uri.indexOf('?');
        return q < 0 ? Map.of() : form(uri.substring(q + 1));
    }

    /** {@code application/x-www-form-urlencoded} text as parameters (first value wins), or null when malformed. */
    static Map<String, String> form(String text) {
        Map<String, String> m = new HashMap<>();
        if (text.isEmpty()) {
            return m;
        }
        String[] pairs = text.split("&", 16);
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            try {
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                m.putIfAbsent(k, v);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        return m;
    }
}
