package coop.bulwark.cluster.redis;

import coop.bulwark.cluster.ClusterMessage;
import coop.bulwark.cluster.NodeReport;
import coop.bulwark.cluster.SharedKey;
import coop.bulwark.cluster.SharedPin;
import coop.bulwark.cluster.SharedState;
import coop.bulwark.protect.Ban;
import coop.bulwark.site.Cidr;
import coop.bulwark.site.ClusterConfig;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisCredentialsProvider;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis backend of {@link SharedState} (Lettuce, asynchronous): one command connection and one pub/sub connection,
 * each on the client's own I/O thread, never an edge event loop.
 *
 * <p>Every command times out after {@link #COMMAND_TIMEOUT}, and commands are refused (not queued) while the connection
 * is down, so a stopped, paused or unreachable Redis turns into failed operations within a second rather than a growing
 * queue. After the first connection Lettuce reconnects by itself (every 100 ms doubling to 2 s) and subscribes again;
 * before it, {@link #connect()} is retried by the caller. The password is read from {@code password_file} at each
 * connection, so a changed password needs no restart.
 *
 * <p>Key layout under the prefix {@code P} (docs/cluster.md): {@code P:epoch}, {@code P:ban:SUBJECT},
 * {@code P:lifted:SUBJECT}, {@code P:key:ROTATION:EPOCH}, {@code P:pin:SITE}, {@code P:lease:NODE},
 * {@code P:node:NODE}, {@code P:attack:SITE}, {@code P:report:ID}, {@code P:upstream}; messages on the channel
 * {@code P:events}.
 *
 * <p>Thread-safe.
 */
public final class RedisSharedState implements SharedState {
    private static final Logger LOG = LoggerFactory.getLogger(RedisSharedState.class);

    /** How long any command may take before it fails: the bound on how long Redis can hold anything up. */
    public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(1);

    private static final int SCAN_BATCH = 500;
    private static final String CLAIM = """
            local v = redis.call('GET', KEYS[1])
            if (not v) or v == ARGV[1] then
              redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
              return ''
            end
            return v
            """;
    private static final String RELEASE = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
            return ''
            """;

    private final String prefix;
    private final String channel;
    private final ClientResources resources;
    private final RedisClient client;
    private final RedisURI uri;
    private final Object lock = new Object();
    private volatile StatefulRedisConnection<String, String> commands;
    private volatile StatefulRedisPubSubConnection<String, String> pubsub;
    private volatile Consumer<ClusterMessage> listener = m -> {};
    private volatile boolean closed;
    private final InstantSource clock;

    private RedisSharedState(ClusterConfig config, InstantSource clock) {
        this.clock = clock;
        this.prefix = config.keyPrefix() + ":";
        this.channel = prefix + "events";
        this.uri = RedisURI.create(config.redis());
        uri.setTimeout(COMMAND_TIMEOUT);
        config.passwordFile().ifPresent(f -> uri.setCredentialsProvider(passwordFrom(f)));
        this.resources = ClientResources.builder()
                .ioThreadPoolSize(1)
                .computationThreadPoolSize(1)
                .reconnectDelay(
                        Delay.exponential(Duration.ofMillis(100), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(10_000)
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                .socketOptions(SocketOptions.builder()
                        .connectTimeout(COMMAND_TIMEOUT)
                        .keepAlive(true)
                        .build())
                .build());
    }

    /**
     * A backend for {@code config}; connects at the first {@link #connect()}, never here. {@code clock} turns expiry
     * times into the time-to-live Redis keeps them for.
     */
    public static RedisSharedState create(ClusterConfig config, InstantSource clock) {
        return new RedisSharedState(config, clock);
    }

    private static RedisCredentialsProvider passwordFrom(Path file) {
        return RedisCredentialsProvider.from(() -> {
            try {
                return RedisCredentials.just(
                        null, Files.readString(file, StandardCharsets.UTF_8).strip());
            } catch (IOException e) {
                throw new UncheckedIOException("cluster.password_file " + file + ": " + e.getMessage(), e);
            }
        });
    }

    @Override
    public CompletionStage<Void> connect() {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("closed"));
        }
        CompletableFuture<Void> first;
        if (commands == null) {
            first = client.connectAsync(StringCodec.UTF8, uri)
                    .toCompletableFuture()
                    .thenAccept(c -> {
                        synchronized (lock) {
                            if (commands == null && !closed) {
                                commands = c;
                                return;
                            }
                        }
                        c.closeAsync();
                    });
        } else {
            first = CompletableFuture.completedFuture(null);
        }
        return first.thenCompose(v -> {
            if (pubsub != null) {
                return CompletableFuture.completedFuture(null);
            }
            return client.connectPubSubAsync(StringCodec.UTF8, uri)
                    .toCompletableFuture()
                    .thenCompose(p -> {
                        synchronized (lock) {
                            if (pubsub != null || closed) {
                                p.closeAsync();
                                return CompletableFuture.completedFuture(null);
                            }
                            pubsub = p;
                        }
                        p.addListener(new RedisPubSubAdapter<>() {
                            @Override
                            public void message(String from, String text) {
                                received(text);
                            }
                        });
                        return p.async().subscribe(channel).toCompletableFuture();
                    });
        });
    }

    private void received(String text) {
        ClusterMessage m;
        try {
            m = WireFormat.message(text);
        } catch (IOException | RuntimeException e) {
            LOG.warn("cluster: a message on {} could not be read ({}); skipped", channel, e.getMessage());
            return;
        }
        listener.accept(m);
    }

    private RedisAsyncCommands<String, String> redis() {
        StatefulRedisConnection<String, String> c = commands;
        if (c == null || closed) {
            throw new IllegalStateException("not connected to Redis");
        }
        return c.async();
    }

    /** Runs {@code op} on the command connection; a missing connection is a failed stage, not a throw. */
    private <T> CompletionStage<T> call(Op<T> op) {
        try {
            return op.run(redis());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private interface Op<T> {
        CompletionStage<T> run(RedisAsyncCommands<String, String> r);
    }

    @Override
    public CompletionStage<Void> ping() {
        return call(r -> r.ping().thenApply(p -> null));
    }

    @Override
    public CompletionStage<String> epoch(String proposal) {
        String k = prefix + "epoch";
        return call(r -> r.set(k, proposal, SetArgs.Builder.nx()).thenCompose(ok -> r.get(k)));
    }

    @Override
    public CompletionStage<Void> putBan(Ban ban, String instance) {
        String k = prefix + "ban:" + ban.subject();
        SetArgs args = new SetArgs();
        if (ban.expiresAt() != null) {
            long ms = ban.expiresAt().toEpochMilli() - clock.millis();
            if (ms <= 0) {
                return CompletableFuture.completedFuture(null); // over already: nothing to share
            }
            args.px(ms);
        }
        return call(r -> r.del(prefix + "lifted:" + ban.subject())
                .thenCompose(n -> r.set(k, WireFormat.ban(ban), args))
                .thenCompose(ok -> publish(r, new ClusterMessage.BanPut(ban, instance))));
    }

    @Override
    public CompletionStage<Void> liftBan(Cidr subject, String node, String instance, Duration tombstone) {
        return call(r -> r.del(prefix + "ban:" + subject)
                .thenCompose(n -> r.set(prefix + "lifted:" + subject, node, SetArgs.Builder.px(tombstone)))
                .thenCompose(ok -> publish(r, new ClusterMessage.BanLifted(subject, node, instance))));
    }

    private CompletionStage<Void> publish(RedisAsyncCommands<String, String> r, ClusterMessage m) {
        return r.publish(channel, WireFormat.message(m)).thenApply(n -> null);
    }

    @Override
    public CompletionStage<List<Ban>> bans() {
        return values("ban:*").thenApply(texts -> parseAll(texts, "ban", WireFormat::ban));
    }

    @Override
    public CompletionStage<Set<Cidr>> lifted() {
        String start = prefix + "lifted:";
        return call(r -> scan(r, start + "*", ScanCursor.INITIAL, new ArrayList<>()))
                .thenApply(keys -> {
                    Set<Cidr> out = new HashSet<>();
                    for (String k : keys) {
                        try {
                            out.add(Cidr.parse(k.substring(start.length())));
                        } catch (IllegalArgumentException e) {
                            LOG.warn("cluster: key {} names no address; skipped", k);
                        }
                    }
                    return out;
                });
    }

    @Override
    public CompletionStage<SharedKey> proposeKey(SharedKey key, Duration ttl, String instance) {
        String k = prefix + "key:" + key.rotationSeconds() + ":" + key.epoch();
        return call(r -> r.set(k, WireFormat.key(key), SetArgs.Builder.nx().px(ttl))
                .thenCompose(ok -> {
                    if ("OK".equals(ok)) {
                        return publish(r, new ClusterMessage.KeyMade(key.rotationSeconds(), key.epoch(), instance))
                                .thenApply(v -> key);
                    }
                    return r.get(k).thenApply(text -> text == null ? key : parseKey(text, key));
                }));
    }

    private static SharedKey parseKey(String text, SharedKey fallback) {
        try {
            return WireFormat.key(text);
        } catch (IOException | RuntimeException e) {
            LOG.warn("cluster: the challenge key in Redis could not be read ({}); using this node's", e.getMessage());
            return fallback;
        }
    }

    @Override
    public CompletionStage<Optional<SharedKey>> key(long rotationSeconds, long epoch) {
        return call(r -> r.get(prefix + "key:" + rotationSeconds + ":" + epoch).thenApply(text -> {
            if (text == null) {
                return Optional.empty();
            }
            try {
                return Optional.of(WireFormat.key(text));
            } catch (IOException | RuntimeException e) {
                LOG.warn("cluster: the challenge key in Redis could not be read ({})", e.getMessage());
                return Optional.empty();
            }
        }));
    }

    @Override
    public CompletionStage<Void> putPin(SharedPin pin, String instance) {
        SetArgs args = new SetArgs();
        if (pin.expiresAt() != null) {
            long ms = pin.expiresAt().toEpochMilli() - clock.millis();
            if (ms <= 0) {
                return CompletableFuture.completedFuture(null);
            }
            args.px(ms);
        }
        return call(r -> r.set(prefix + "pin:" + pin.site(), WireFormat.pin(pin), args)
                .thenCompose(ok -> publish(r, new ClusterMessage.PinSet(pin, instance))));
    }

    @Override
    public CompletionStage<Void> clearPin(String site, String node, String instance) {
        return call(r -> r.del(prefix + "pin:" + site)
                .thenCompose(n -> publish(r, new ClusterMessage.PinCleared(site, node, instance))));
    }

    @Override
    public CompletionStage<List<SharedPin>> pins() {
        return values("pin:*").thenApply(texts -> parseAll(texts, "pin", WireFormat::pin));
    }

    @Override
    public CompletionStage<Optional<String>> claimNode(String node, String instance, Duration ttl) {
        return call(r -> r.<String>eval(
                        CLAIM,
                        ScriptOutputType.VALUE,
                        new String[] {prefix + "lease:" + node},
                        instance,
                        Long.toString(ttl.toMillis()))
                .thenApply(holder -> holder == null || holder.isEmpty() ? Optional.empty() : Optional.of(holder)));
    }

    @Override
    public CompletionStage<Void> releaseNode(String node, String instance) {
        return call(
                r -> r.<String>eval(RELEASE, ScriptOutputType.VALUE, new String[] {prefix + "lease:" + node}, instance)
                        .thenApply(v -> null));
    }

    @Override
    public CompletionStage<Void> report(NodeReport report, Duration ttl) {
        return call(r -> r.set(prefix + "node:" + report.name(), WireFormat.report(report), SetArgs.Builder.px(ttl))
                .thenApply(ok -> null));
    }

    @Override
    public CompletionStage<List<NodeReport>> nodes() {
        return values("node:*").thenApply(texts -> parseAll(texts, "node report", WireFormat::report));
    }

    @Override
    public CompletionStage<String> claim(String name, String value, Duration ttl) {
        return call(r -> r.<String>eval(
                        CLAIM,
                        ScriptOutputType.VALUE,
                        new String[] {prefix + name},
                        value,
                        Long.toString(ttl.toMillis()))
                .thenApply(holder -> holder == null || holder.isEmpty() ? value : holder));
    }

    @Override
    public CompletionStage<Void> release(String name, String value) {
        return call(r -> r.<String>eval(RELEASE, ScriptOutputType.VALUE, new String[] {prefix + name}, value)
                .thenApply(v -> null));
    }

    @Override
    public CompletionStage<Void> putText(String name, String text, Duration ttl) {
        return call(r -> r.set(prefix + name, text, SetArgs.Builder.px(ttl)).thenApply(ok -> null));
    }

    @Override
    public CompletionStage<Optional<String>> text(String name) {
        return call(r -> r.get(prefix + name).thenApply(Optional::ofNullable));
    }

    @Override
    public CompletionStage<Void> announce(ClusterMessage message) {
        return call(r -> publish(r, message));
    }

    @Override
    public void listen(Consumer<ClusterMessage> l) {
        this.listener = l;
    }

    @Override
    public void close() {
        closed = true;
        StatefulRedisConnection<String, String> c = commands;
        StatefulRedisPubSubConnection<String, String> p = pubsub;
        if (c != null) {
            c.close();
        }
        if (p != null) {
            p.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    /** The values of the keys matching {@code P:pattern}, found by SCAN (never KEYS, which blocks Redis). */
    private CompletionStage<List<String>> values(String pattern) {
        return call(r -> scan(r, prefix + pattern, ScanCursor.INITIAL, new ArrayList<>())
                .thenCompose(keys -> mget(r, keys, 0, new ArrayList<>())));
    }

    private CompletionStage<List<String>> scan(
            RedisAsyncCommands<String, String> r, String match, ScanCursor cursor, List<String> into) {
        return r.scan(cursor, ScanArgs.Builder.matches(match).limit(SCAN_BATCH))
                .thenCompose((KeyScanCursor<String> c) -> {
                    into.addAll(c.getKeys());
                    if (c.isFinished()) {
                        return CompletableFuture.completedFuture(into);
                    }
                    return scan(r, match, c, into);
                });
    }

    private CompletionStage<List<String>> mget(
            RedisAsyncCommands<String, String> r, List<String> keys, int from, List<String> into) {
        if (from >= keys.size()) {
            return CompletableFuture.completedFuture(into);
        }
        int to = Math.min(keys.size(), from + SCAN_BATCH);
        return r.mget(keys.subList(from, to).toArray(String[]::new)).thenCompose(kvs -> {
            for (KeyValue<String, String> kv : kvs) {
                if (kv.hasValue()) { // gone (expired) between SCAN and MGET
                    into.add(kv.getValue());
                }
            }
            return mget(r, keys, to, into);
        });
    }

    private interface Parser<T> {
        T parse(String text) throws IOException;
    }

    private static <T> List<T> parseAll(List<String> texts, String what, Parser<T> parser) {
        List<T> out = new ArrayList<>(texts.size());
        for (String t : texts) {
            try {
                out.add(parser.parse(t));
            } catch (IOException | RuntimeException e) {
                LOG.warn("cluster: a {} in Redis could not be read ({}); skipped", what, e.getMessage());
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "Redis at " + uri.getHost() + ":" + uri.getPort(); // never the password
    }
}
