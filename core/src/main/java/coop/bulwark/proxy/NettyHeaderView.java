package coop.bulwark.proxy;

import coop.bulwark.cache.HeaderView;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/** Netty's {@link HttpHeaders} seen through the cache's {@link HeaderView}, without copying. */
record NettyHeaderView(HttpHeaders headers) implements HeaderView {
    @Override
    public String get(String name) {
        return headers.get(name);
    }

    @Override
    public List<String> getAll(String name) {
        return NettyRequestHead.allOf(headers, name);
    }

    @Override
    public void forEach(BiConsumer<String, String> action) {
        for (var it = headers.iteratorAsString(); it.hasNext(); ) {
            Map.Entry<String, String> e = it.next();
            action.accept(e.getKey(), e.getValue());
        }
    }
}
