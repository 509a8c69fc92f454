package coop.bulwark.cluster;

import coop.bulwark.protect.Ban;
import coop.bulwark.site.Cidr;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One node's client of a {@link MemoryStore}: the in-memory {@link SharedState} backend, for tests of the cluster
 * logic with an injected clock and deterministic outages. Operations complete before they return; messages are
 * delivered on the publishing thread.
 *
 * <p>Thread-safe.
 */
public final class MemorySharedState implements SharedState {
    private final MemoryStore store;
    private final Consumer<ClusterMessage> relay = this::deliver;
    private volatile Consumer<ClusterMessage> listener = m -> {};
    private volatile boolean connected;
    private volatile boolean closed;

    MemorySharedState(MemoryStore store) {
        this.store = store;
    }

    @Override
    public CompletionStage<Void> connect() {
        return run(false, () -> {
            if (!connected) {
                connected = true;
                store.subscribe(relay);
            }
            return null;
        });
    }

    @Override
    public CompletionStage<Void> ping() {
        return run(() -> null);
    }

    @Override
    public CompletionStage<String> epoch(String proposal) {
        return run(() -> (String) store.putIfAbsent("epoch", proposal, null));
    }

    @Override
    public CompletionStage<Void> putBan(Ban ban, String instance) {
        return run(() -> {
            store.remove("lifted:" + ban.subject());
            store.put("ban:" + ban.subject(), ban, ban.expiresAt());
            store.publish(new ClusterMessage.BanPut(ban, instance));
            return null;
        });
    }

    @Override
    public CompletionStage<Void> liftBan(Cidr subject, String node, String instance, Duration tombstone) {
        return run(() -> {
            store.remove("ban:" + subject);
            store.put("lifted:" + subject, subject, now().plus(tombstone));
            store.publish(new ClusterMessage.BanLifted(subject, node, instance));
            return null;
        });
    }

    @Override
    public CompletionStage<List<Ban>> bans() {
        return run(() -> {
            List<Ban> out = new ArrayList<>();
            for (Object o : store.values("ban:")) {
                out.add((Ban) o);
            }
            return out;
        });
    }

    @Override
    public CompletionStage<Set<Cidr>> lifted() {
        return run(() -> {
            Set<Cidr> out = new HashSet<>();
            for (Object o : store.values("lifted:")) {
                out.add((Cidr) o);
            }
            return out;
        });
    }

    @Override
    public CompletionStage<SharedKey> proposeKey(SharedKey key, Duration ttl, String instance) {
        return run(() -> {
            SharedKey won =
                    (SharedKey) store.putIfAbsent(keyName(key.rotationSeconds(), key.epoch()), key, now().plus(ttl));
            if (won == key) {
                store.publish(new ClusterMessage.KeyMade(key.rotationSeconds(), key.epoch(), instance));
            }
            return won;
        });
    }

    @Override
    public CompletionStage<Optional<SharedKey>> key(long rotationSeconds, long epoch) {
        return run(() -> Optional.ofNullable((SharedKey) store.get(keyName(rotationSeconds, epoch))));
    }

    private static String keyName(long rotationSeconds, long epoch) {
        return "key:" + rotationSeconds + ":" + epoch;
    }

    @Override
    public CompletionStage<Void> putPin(SharedPin pin, String instance) {
        return run(() -> {
            store.put("pin:" + pin.site(), pin, pin.expiresAt());
            store.publish(new ClusterMessage.PinSet(pin, instance));
            return null;
        });
    }

    @Override
    public CompletionStage<Void> clearPin(String site, String node, String instance) {
        return run(() -> {
            store.remove("pin:" + site);
            store.publish(new ClusterMessage.PinCleared(site, node, instance));
            return null;
        });
    }

    @Override
    public CompletionStage<List<SharedPin>> pins() {
        return run(() -> {
            List<SharedPin> out = new ArrayList<>();
            for (Object o : store.values("pin:")) {
                out.add((SharedPin) o);
            }
            return out;
        });
    }

    @Override
    public CompletionStage<Optional<String>> claimNode(String node, String instance, Duration ttl) {
        return run(() -> {
            synchronized (store) {
                String holder = (String) store.get("lease:" + node);
                if (holder == null || holder.equals(instance)) {
                    store.put("lease:" + node, instance, now().plus(ttl));
                    return Optional.<String>empty();
                }
                return Optional.of(holder);
            }
        });
    }

    @Override
    public CompletionStage<Void> releaseNode(String node, String instance) {
        return run(() -> {
            synchronized (store) {
                if (instance.equals(store.get("lease:" + node))) {
                    store.remove("lease:" + node);
                }
            }
            return null;
        });
    }

    @Override
    public CompletionStage<Void> report(NodeReport report, Duration ttl) {
        return run(() -> {
            store.put("node:" + report.name(), report, now().plus(ttl));
            return null;
        });
    }

    @Override
    public CompletionStage<List<NodeReport>> nodes() {
        return run(() -> {
            List<NodeReport> out = new ArrayList<>();
            for (Object o : store.values("node:")) {
                out.add((NodeReport) o);
            }
            return out;
        });
    }

    @Override
    public CompletionStage<String> claim(String name, String value, Duration ttl) {
        return run(() -> {
            synchronized (store) {
                String holder = (String) store.get(name);
                if (holder == null || holder.equals(value)) {
                    store.put(name, value, now().plus(ttl));
                    return value;
                }
                return holder;
            }
        });
    }

    @Override
    public CompletionStage<Void> release(String name, String value) {
        return run(() -> {
            synchronized (store) {
                if (value.equals(store.get(name))) {
                    store.remove(name);
                }
            }
            return null;
        });
    }

    @Override
    public CompletionStage<Void> putText(String name, String text, Duration ttl) {
        return run(() -> {
            store.put(name, text, now().plus(ttl));
            return null;
        });
    }

    @Override
    public CompletionStage<Optional<String>> text(String name) {
        return run(() -> Optional.ofNullable((String) store.get(name)));
    }

    @Override
    public CompletionStage<Void> announce(ClusterMessage message) {
        return run(() -> {
            store.publish(message);
            return null;
        });
    }

    @Override
    public void listen(Consumer<ClusterMessage> l) {
        this.listener = l;
    }

    @Override
    public void close() {
        closed = true;
        connected = false;
        store.unsubscribe(relay);
    }

    private void deliver(ClusterMessage m) {
        if (connected && !store.isDown()) {
            listener.accept(m);
        }
    }

    private Instant now() {
        return store.clock().instant();
    }

    private <T> CompletionStage<T> run(Supplier<T> op) {
        return run(true, op);
    }

    private <T> CompletionStage<T> run(boolean needsConnection, Supplier<T> op) {
        try {
            if (closed) {
                throw new IllegalStateException("closed");
            }
            if (needsConnection && !connected) {
                throw new IllegalStateException("not connected");
            }
            store.check();
            return CompletableFuture.completedFuture(op.get());
        } catch (MemoryStore.StoreDownException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
