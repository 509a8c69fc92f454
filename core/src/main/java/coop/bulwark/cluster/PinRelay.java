package coop.bulwark.cluster;

import java.time.InstantSource;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Operator state pins ({@code bulwark under-attack SITE on|off|auto}) on every edge: a pin made here is stored and
 * announced; one announced elsewhere is applied here through the {@link PinListener}. A pin made while the store is
 * away is sent when it returns; a store that lost its data gets every pin in force back.
 *
 * <p>Confined to the {@link ClusterLink}'s thread.
 */
final class PinRelay {
    private final ClusterLink link;
    private final InstantSource clock;
    private volatile PinListener listener = new PinListener() {
        @Override
        public void pinned(SharedPin pin) {}

        @Override
        public void released(String site, String node) {}
    };
    /** The pins in force as this edge knows them, by site. */
    private final Map<String, SharedPin> known = new HashMap<>();
    /** Changes made here not yet in the store: a pin, or empty for a release. */
    private final Map<String, Optional<SharedPin>> pending = new LinkedHashMap<>();

    PinRelay(ClusterLink link, InstantSource clock) {
        this.link = link;
        this.clock = clock;
    }

    /**
     * Sets who applies pins here, and hands it the pins already in force: the edge joins the cluster before its admin
     * server (which applies them) starts, so pins taken at the join would be lost otherwise.
     */
    void listener(PinListener l) {
        this.listener = l;
        for (SharedPin p : List.copyOf(known.values())) {
            if (active(p) && !p.node().equals(link.node())) {
                l.pinned(p);
            }
        }
    }

    /** An operator pinned (empty: released) {@code site} here. */
    void local(String site, Optional<SharedPin> pin) {
        if (pin.isPresent()) {
            known.put(site, pin.get());
        } else {
            known.remove(site);
        }
        pending.put(site, pin);
        flush();
    }

    private void flush() {
        if (!link.connected()) {
            return;
        }
        for (Map.Entry<String, Optional<SharedPin>> e : List.copyOf(pending.entrySet())) {
            String site = e.getKey();
            Optional<SharedPin> pin = e.getValue();
            pending.remove(site);
            var op = pin.isPresent()
                    ? link.store().putPin(pin.get(), link.instance())
                    : link.store().clearPin(site, link.node(), link.instance());
            link.call(op, ok -> {}, () -> pending.putIfAbsent(site, pin));
        }
    }

    void onPinned(SharedPin pin) {
        known.put(pin.site(), pin);
        pending.remove(pin.site());
        listener.pinned(pin);
    }

    void onReleased(String site, String node) {
        known.remove(site);
        pending.remove(site);
        listener.released(site, node);
    }

    /** After (re)connecting: pending changes go out, then the store's pins are taken (or given back if it lost them). */
    void reconcile(List<SharedPin> remote, boolean storeLost) {
        Map<String, SharedPin> r = new HashMap<>();
        for (SharedPin p : remote) {
            r.put(p.site(), p);
        }
        if (storeLost) {
            for (SharedPin p : List.copyOf(known.values())) {
                if (!r.containsKey(p.site()) && !pending.containsKey(p.site()) && active(p)) {
                    pending.put(p.site(), Optional.of(p));
                }
            }
        } else {
            for (SharedPin p : List.copyOf(known.values())) {
                if (r.containsKey(p.site()) || pending.containsKey(p.site())) {
                    continue;
                }
                if (active(p)) {
                    onReleased(p.site(), "cluster"); // released elsewhere while this edge was away
                } else {
                    known.remove(p.site()); // lapsed: the state overrides end it here on their own
                }
            }
        }
        for (SharedPin p : r.values()) {
            if (!pending.containsKey(p.site()) && !p.equals(known.get(p.site()))) {
                onPinned(p);
            }
        }
        flush();
    }

    private boolean active(SharedPin p) {
        return p.expiresAt() == null || p.expiresAt().isAfter(clock.instant());
    }
}
