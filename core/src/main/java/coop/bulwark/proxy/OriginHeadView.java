package coop.bulwark.proxy;

import coop.bulwark.cache.HeaderView;
import coop.bulwark.origin.OriginHead;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * An origin's plain answer seen through the cache's {@link HeaderView}, read from its bytes: deciding whether to store
 * it does not build its field map, so it can still be relayed from its bytes afterwards.
 */
record OriginHeadView(OriginHead head) implements HeaderView {
    @Override
    public String get(String name) {
        return head.get(name);
    }

    @Override
    public List<String> getAll(String name) {
        return head.getAll(name);
    }

    @Override
    public void forEach(BiConsumer<String, String> action) {
        for (int i = 0; i < head.fieldCount(); i++) {
            action.accept(head.name(i), head.value(i));
        }
    }
}
