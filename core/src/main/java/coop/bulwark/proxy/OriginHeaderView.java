package coop.bulwark.proxy;

import coop.bulwark.cache.HeaderView;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * A request's fields as {@link ForwardedHeaders#toOrigin} will leave them, read from the client's unedited header block
 * without editing it: the fields the edge sets have its values, the fields it drops are absent.
 *
 * <p>Why: a stored response's {@code Vary} values are those of the request the origin got, so the cache's lookup must
 * see the same fields; editing the header block for the origin before every lookup cost a flood answered from the cache
 * a header rewrite per request it never sends on (2-3 % of the event loop). Only a stored response that varies on a
 * field the edge sets or drops makes this view compute anything. Read only before {@code toOrigin} runs (after it, the
 * block holds the edge's forwarding fields already, and a trusted proxy's chain would be appended to twice).
 */
record OriginHeaderView(HeaderView headers, Admission.Admitted admitted, ClientInfo info, String scheme)
        implements HeaderView {
    @Override
    public String get(String name) {
        String edge = ForwardedHeaders.edgeValue(headers, name, admitted, info, scheme);
        if (edge != null) {
            return edge;
        }
        return ForwardedHeaders.dropsField(headers, name) ? null : headers.get(name);
    }

    @Override
    public List<String> getAll(String name) {
        String edge = ForwardedHeaders.edgeValue(headers, name, admitted, info, scheme);
        if (edge != null) {
            return List.of(edge);
        }
        return ForwardedHeaders.dropsField(headers, name) ? List.of() : headers.getAll(name);
    }

    @Override
    public void forEach(BiConsumer<String, String> action) {
        headers.forEach((name, value) -> {
            if (ForwardedHeaders.edgeValue(headers, name, admitted, info, scheme) == null
                    && !ForwardedHeaders.dropsField(headers, name)) {
                action.accept(name, value);
            }
        });
        for (var field : ForwardedHeaders.EDGE_FIELDS) {
            String name = field.toString();
            action.accept(name, ForwardedHeaders.edgeValue(headers, name, admitted, info, scheme));
        }
    }
}
