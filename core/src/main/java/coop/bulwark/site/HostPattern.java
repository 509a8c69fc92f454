package coop.bulwark.site;

import java.net.IDN;

/**
 * What the config accepts as a site's host: a DNS name ({@code www.example.org}), a wildcard with one leading label
 * ({@code *.example.org}), or an IP literal ({@code 192.0.2.7}, {@code ::1} or {@code [::1]}). Case and one trailing
 * dot are normalised away by {@link HostRouter#normalize}; anything else odd is a problem, so that what the operator
 * wrote is what the router matches.
 */
final class HostPattern {
    private static final int MAX_NAME = 253;
    private static final int MAX_LABEL = 63;

    private HostPattern() {}

    /** Null when {@code raw} is acceptable, else the text for {@code (expected: ...)}. */
    static String problem(String raw) {
        String s = raw.strip();
        if (s.isEmpty()) {
            return "a host name like www.example.org";
        }
        int scheme = s.indexOf("://");
        if (scheme >= 0) {
            String rest = s.substring(scheme + 3);
            int slash = rest.indexOf('/');
            return "a host name without scheme, like " + (slash < 0 ? rest : rest.substring(0, slash));
        }
        if (s.indexOf('/') >= 0) {
            return "a host name without a path, like " + s.substring(0, s.indexOf('/'));
        }
        if (!s.chars().allMatch(c -> c < 0x80)) {
            return punycodeHint(s);
        }
        if (s.startsWith("[") || s.indexOf(':') != s.lastIndexOf(':')) {
            String inner = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
            if (inner.indexOf(':') < 0 || Cidr.literal(inner) == null) {
                return "an IPv6 address like ::1 or [::1], without port";
            }
            return null;
        }
        if (s.indexOf(':') >= 0) {
            return "a host name without port, like " + s.substring(0, s.indexOf(':'));
        }
        String name = s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
        if (name.startsWith("*.")) {
            name = name.substring(2);
        }
        if (name.indexOf('*') >= 0) {
            return "a host name, or one leading wildcard label like *.example.org";
        }
        if (name.length() > MAX_NAME) {
            return "a host name of at most " + MAX_NAME + " characters";
        }
        for (String label : name.split("\\.", -1)) {
            String labelProblem = labelProblem(label);
            if (labelProblem != null) {
                return labelProblem;
            }
        }
        return null;
    }

    private static String labelProblem(String label) {
        if (label.isEmpty()) {
            return "a host name without empty labels (no leading or doubled dots)";
        }
        if (label.length() > MAX_LABEL) {
            return "labels of at most " + MAX_LABEL + " characters";
        }
        for (int i = 0; i < label.length(); i++) {
            char c = label.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
            if (!ok) {
                return "letters, digits, '-' and '.' only (RFC 1123)";
            }
        }
        if (label.startsWith("-") || label.endsWith("-")) {
            return "labels that do not start or end with '-'";
        }
        return null;
    }

    /** Clients send internationalised names in their ASCII (punycode) form, so that is what must be configured. */
    private static String punycodeHint(String s) {
        boolean wildcard = s.startsWith("*.");
        try {
            String ascii = IDN.toASCII(wildcard ? s.substring(2) : s, IDN.ALLOW_UNASSIGNED);
            return "an ASCII host name; write internationalised names in punycode: " + (wildcard ? "*." : "") + ascii;
        } catch (IllegalArgumentException e) {
            return "an ASCII host name (internationalised names in punycode, xn--...)";
        }
    }
}
