package coop.bulwark.cache;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A read-only view of one message's header fields with case-insensitive names (RFC 9110 §5.1), so the cache can
 * read a request or response without copying it. The proxy adapts Netty's {@code HttpHeaders} in a few lines:
 *
 * <pre>{@code
 * HeaderView view = new HeaderView() {
 *     public String get(String name) { return headers.get(name); }
 *     public List<String> getAll(String name) { return headers.getAll(name); }
 *     public void forEach(BiConsumer<String, String> action) {
 *         headers.forEach(e -> action.accept(e.getKey(), e.getValue()));
 *     }
 * };
 * }</pre>
 *
 * <p>Implementations need not be thread-safe; the cache reads a view only during the call it was passed to and
 * keeps no reference to it.
 */
public interface HeaderView {
    /** The first value of the field {@code name} (any case), or {@code null} when absent. */
    String get(String name);

    /** Every value of the field {@code name} (any case) in message order; empty when absent. */
    List<String> getAll(String name);

    /** Calls {@code action} with each field line (name as sent, value) in message order. */
    void forEach(BiConsumer<String, String> action);

    /** Whether the field {@code name} (any case) is present. */
    default boolean contains(String name) {
        return get(name) != null;
    }

    /** An empty view. */
    static HeaderView empty() {
        return of(List.of());
    }

    /** A view over {@code fields} (not copied; the list must not change while the view is in use). */
    static HeaderView of(List<? extends Map.Entry<String, String>> fields) {
        return new HeaderView() {
            @Override
            public String get(String name) {
                for (Map.Entry<String, String> e : fields) {
                    if (e.getKey().equalsIgnoreCase(name)) {
                        return e.getValue();
                    }
                }
                return null;
            }

            @Override
            public List<String> getAll(String name) {
                List<String> values = new ArrayList<>(2);
                for (Map.Entry<String, String> e : fields) {
                    if (e.getKey().equalsIgnoreCase(name)) {
                        values.add(e.getValue());
                    }
                }
                return values;
            }

            @Override
            public void forEach(BiConsumer<String, String> action) {
                for (Map.Entry<String, String> e : fields) {
                    action.accept(e.getKey(), e.getValue());
                }
            }
        };
    }

    /** A view over alternating names and values, for tests and canned responses: {@code of("Vary", "Accept")}. */
    static HeaderView of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException(
                    "namesAndValues: " + namesAndValues.length + " strings (expected: name/value pairs)");
        }
        List<Map.Entry<String, String>> fields = new ArrayList<>(namesAndValues.length / 2);
        for (int i = 0; i < namesAndValues.length; i += 2) {
            fields.add(Map.entry(namesAndValues[i], namesAndValues[i + 1]));
        }
        return of(List.copyOf(fields));
    }
}
