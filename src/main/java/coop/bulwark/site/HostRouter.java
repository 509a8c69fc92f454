package coop.bulwark.site;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** Host to value lookup (interim version; the full one arrives with the config loader). */
public final class HostRouter<T> {
    private final Map<String, T> exact = new HashMap<>();
    private final Map<String, T> wildcard = new HashMap<>();

    private HostRouter(Map<String, T> patterns) {
        patterns.forEach((p, v) -> {
            String n = normalize(p);
            if (n.startsWith("*.")) {
                wildcard.put(n.substring(1), v);
            } else {
                exact.put(n, v);
            }
        });
    }

    public static <T> HostRouter<T> of(Map<String, T> patterns) {
        return new HostRouter<>(patterns);
    }

    public static String normalize(String host) {
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            return close > 0 ? h.substring(1, close) : h;
        }
        int colon = h.indexOf(':');
        if (colon >= 0 && h.indexOf(':', colon + 1) < 0) {
            h = h.substring(0, colon);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        return h;
    }

    public T lookup(CharSequence host) {
        String h = normalize(host.toString());
        T v = exact.get(h);
        if (v != null) {
            return v;
        }
        for (int dot = h.indexOf('.'); dot >= 0; dot = h.indexOf('.', dot + 1)) {
            v = wildcard.get(h.substring(dot));
            if (v != null) {
                return v;
            }
        }
        return null;
    }
}
