package dev.duplex.cluster;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A {@link Broker} on one Redis server (standalone; not Redis Cluster, whose scripts would need
 * every key in one slot), through Lettuce: Redis pub/sub for messages, and for presence a
 * sorted set of live nodes plus one hash per room and node, both expiring with the node's
 * heartbeat. Two connections: one subscribed (Redis allows nothing else on it), one for
 * everything else, publishes included, so a node's publishes reach Redis in the order made.
 *
 * <p>Keys and channels, under the prefix (default {@code duplex:}):
 * <pre>
 * PREFIX + channel                         pub/sub channel ("all", "room:NAME", "user:ID", "node:ID")
 * PREFIX + "nodes"                         sorted set: node id, scored by when its heartbeat expires (Redis time, ms)
 * PREFIX + "presence:" + group + ":" + node  hash: connection id to user id; expires with the node's heartbeat
 * </pre>
 *
 * <p>While Redis is away, Lettuce reconnects by itself (delays growing to {@link Builder#maxReconnectDelay})
 * and keeps commands made meanwhile, in order, to send once it is back; each one gives up after
 * {@link Builder#commandTimeout} (its stage fails). Commands Redis may have run when the link
 * broke are sent again after the reconnect (Lettuce's at-least-once): for publishes the
 * cluster's sequence numbers drop the repeat.
 */
public final class RedisBroker implements Broker {
    private static final System.Logger LOG = System.getLogger("dev.duplex.cluster");
    private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    /** Refreshes the node's entry in the live-node set, drops expired nodes, extends the node's presence hashes. */
    private static final String HEARTBEAT =
            "local t = redis.call('TIME')\n"
            + "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
            + "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)\n"
            + "redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])\n"
            + "for i = 2, #KEYS do redis.call('PEXPIRE', KEYS[i], ARGV[2]) end\n"
            + "return now";

    /** Adds one member to a presence hash and makes the hash expire with the heartbeat. */
    private static final String PRESENT =
            "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])\n"
            + "redis.call('PEXPIRE', KEYS[1], ARGV[3])\n"
            + "return 1";

    /** Replaces a node's presence hash for one group (ARGV: ttl, then member, value pairs). */
    private static final String RESYNC =
            "redis.call('DEL', KEYS[1])\n"
            + "for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end\n"
            + "if #ARGV > 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end\n"
            + "return 1";

    /** Members of a group on the nodes whose heartbeat has not expired: node, member, value triples. */
    private static final String PRESENCE =
            "local t = redis.call('TIME')\n"
            + "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
            + "local out = {}\n"
            + "for _, n in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], now, '+inf')) do\n"
            + "  local h = redis.call('HGETALL', ARGV[1] .. n)\n"
            + "  for i = 1, #h, 2 do out[#out + 1] = n; out[#out + 1] = h[i]; out[#out + 1] = h[i + 1] end\n"
            + "end\n"
            + "return out";

    private static final String NODES =
            "local t = redis.call('TIME')\n"
            + "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
            + "return redis.call('ZRANGEBYSCORE', KEYS[1], now, '+inf')";

    private final RedisURI uri;
    private final String prefix;
    private final Duration commandTimeout;
    private final Duration maxReconnectDelay;
    private ClientResources resources;
    private RedisClient client;
    private StatefulRedisPubSubConnection<String, byte[]> subscriber;
    private StatefulRedisConnection<String, byte[]> commands;
    private RedisAsyncCommands<String, byte[]> async;
    private BrokerListener listener;
    private final LinkState link = new LinkState();
    private volatile boolean closed;

    private RedisBroker(Builder b) {
        this.uri = b.uri;
        this.prefix = b.prefix;
        this.commandTimeout = b.commandTimeout;
        this.maxReconnectDelay = b.maxReconnectDelay;
    }

    /** A broker on the Redis at {@code uri} (e.g. {@code redis://127.0.0.1:6379}) with the default settings. */
    public static RedisBroker create(String uri) {
        return builder(uri).build();
    }

    /** @throws IllegalArgumentException if {@code uri} is not a Redis URI ({@code redis://}, {@code rediss://}, {@code redis-socket://}) */
    public static Builder builder(String uri) {
        return new Builder(uri);
    }

    @Override
    public synchronized void start(BrokerListener listener) {
        if (this.listener != null) {
            throw new IllegalStateException("The broker was started before");
        }
        this.listener = Objects.requireNonNull(listener, "listener");
        // Lettuce's own threads: one event loop per connection is all two connections need.
        resources = ClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(50), maxReconnectDelay, 2, TimeUnit.MILLISECONDS))
                .build();
        client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(5)).keepAlive(true).build())
                .build());
        client.addListener(link);
        try {
            subscriber = client.connectPubSub(CODEC);
            commands = client.connect(CODEC);
        } catch (RedisException e) {
            shutdownClient();
            throw new IllegalStateException("Cannot reach Redis at " + uri.getHost() + ":" + uri.getPort()
                    + ": " + rootMessage(e), e);
        }
        async = commands.async();
        subscriber.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, byte[] message) {
                if (!closed && channel.startsWith(prefix)) {
                    listener.message(channel.substring(prefix.length()), message);
                }
            }
        });
        link.started();
    }

    @Override
    public CompletionStage<Void> subscribe(String channel) {
        return call(() -> subscriber.async().subscribe(prefix + channel));
    }

    @Override
    public void unsubscribe(String channel) {
        call(() -> subscriber.async().unsubscribe(prefix + channel));
    }

    @Override
    public CompletionStage<Void> publish(String channel, byte[] message) {
        return call(() -> async.publish(prefix + channel, message)).thenApply(receivers -> null);
    }

    @Override
    public void heartbeat(String node, Duration ttl, Collection<String> groups) {
        String[] keys = new String[groups.size() + 1];
        keys[0] = prefix + "nodes";
        int i = 1;
        for (String g : groups) {
            keys[i++] = presenceKey(g, node);
        }
        logFailure(call(() -> async.eval(HEARTBEAT, ScriptOutputType.INTEGER, keys, bytes(node), bytes(millis(ttl)))), "heartbeat");
    }

    @Override
    public void present(String group, String node, String member, String value, Duration ttl) {
        logFailure(call(() -> async.eval(PRESENT, ScriptOutputType.INTEGER, new String[] {presenceKey(group, node)},
                bytes(member), bytes(value), bytes(millis(ttl)))), "presence of " + member + " in " + group);
    }

    @Override
    public void absent(String group, String node, String member) {
        logFailure(call(() -> async.hdel(presenceKey(group, node), member)), "absence of " + member + " in " + group);
    }

    @Override
    public void resync(String node, Duration ttl, Map<String, Map<String, String>> groups) {
        for (Map.Entry<String, Map<String, String>> g : groups.entrySet()) {
            List<byte[]> args = new ArrayList<>();
            args.add(bytes(millis(ttl)));
            for (Map.Entry<String, String> m : g.getValue().entrySet()) {
                args.add(bytes(m.getKey()));
                args.add(bytes(m.getValue()));
            }
            byte[][] values = args.toArray(new byte[0][]);
            String key = presenceKey(g.getKey(), node);
            logFailure(call(() -> async.eval(RESYNC, ScriptOutputType.INTEGER, new String[] {key}, values)),
                    "presence repair of " + g.getKey());
        }
    }

    @Override
    public CompletionStage<List<Presence>> presence(String group) {
        CompletionStage<List<Object>> triples = call(() -> async.eval(PRESENCE, ScriptOutputType.MULTI,
                new String[] {prefix + "nodes"}, bytes(prefix + "presence:" + group + ":")));
        return triples.thenApply(flat -> {
            List<Presence> out = new ArrayList<>(flat.size() / 3);
            for (int i = 0; i + 2 < flat.size(); i += 3) {
                out.add(new Presence(string(flat.get(i + 1)), string(flat.get(i + 2)), string(flat.get(i))));
            }
            return out;
        });
    }

    @Override
    public CompletionStage<List<String>> nodes() {
        CompletionStage<List<Object>> ids = call(() -> async.eval(NODES, ScriptOutputType.MULTI, new String[] {prefix + "nodes"}));
        return ids.thenApply(list -> {
            List<String> out = new ArrayList<>(list.size());
            for (Object o : list) {
                out.add(string(o));
            }
            return out;
        });
    }

    @Override
    public CompletionStage<Void> forget(String node, Collection<String> groups) {
        List<CompletableFuture<?>> all = new ArrayList<>();
        all.add(call(() -> async.zrem(prefix + "nodes", bytes(node))).toCompletableFuture());
        if (!groups.isEmpty()) {
            String[] keys = groups.stream().map(g -> presenceKey(g, node)).toArray(String[]::new);
            all.add(call(() -> async.del(keys)).toCompletableFuture());
        }
        return CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0]));
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (subscriber != null) {
            subscriber.close();
        }
        if (commands != null) {
            commands.close();
        }
        shutdownClient();
    }

    private void shutdownClient() {
        if (client != null) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
        if (resources != null) {
            resources.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }

    @Override
    public String toString() {
        return "RedisBroker[" + uri.getHost() + ":" + uri.getPort() + ", prefix " + prefix + "]";
    }

    private <T> CompletionStage<T> closedStage() {
        return CompletableFuture.failedFuture(new IllegalStateException(this + " is closed"));
    }

    private String presenceKey(String group, String node) {
        return prefix + "presence:" + group + ":" + node;
    }

    /**
     * Runs a Lettuce call; a broker closed meanwhile (Lettuce then throws from the call itself)
     * gives a failed stage instead, so that sockets closing during shutdown see no exception.
     */
    private <T> CompletionStage<T> call(Supplier<CompletionStage<T>> command) {
        if (closed) {
            return closedStage();
        }
        try {
            return command.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static void logFailure(CompletionStage<?> stage, String what) {
        stage.whenComplete((ok, e) -> {
            if (e != null) {
                LOG.log(System.Logger.Level.DEBUG, () -> "Redis did not take the " + what + ": " + rootMessage(e));
            }
        });
    }

    private static String millis(Duration d) {
        return Long.toString(Math.max(1, d.toMillis()));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String string(Object o) {
        return o instanceof byte[] ? new String((byte[]) o, StandardCharsets.UTF_8) : String.valueOf(o);
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }

    /**
     * Whether both connections are up, told to the listener as one link: down as soon as either
     * drops, up once both are back. Lettuce reports each connection from its own event loop,
     * hence the lock.
     */
    private final class LinkState implements RedisConnectionStateListener {
        private boolean subscriberUp = true;
        private boolean commandsUp = true;
        private boolean reported = true;    // what the listener was last told: up
        private boolean started;

        synchronized void started() {
            started = true;
        }

        @Override
        public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
            changed(connection, true, null);
        }

        @Override
        public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
            changed(connection, false, new IOException("Connection to Redis at " + uri.getHost() + ":" + uri.getPort() + " lost"));
        }

        private synchronized void changed(RedisChannelHandler<?, ?> connection, boolean up, Throwable cause) {
            if (!started || closed) {
                return;
            }
            if (connection == subscriber) {
                subscriberUp = up;
            } else if (connection == commands) {
                commandsUp = up;
            } else {
                return;
            }
            boolean now = subscriberUp && commandsUp;
            if (now != reported) {
                reported = now;
                if (now) {
                    listener.linkUp();
                } else {
                    listener.linkDown(cause);
                }
            }
        }
    }

    /** Builds a {@link RedisBroker}. */
    public static final class Builder {
        private final RedisURI uri;
        private String prefix = "duplex:";
        private Duration commandTimeout = Duration.ofSeconds(10);
        private Duration maxReconnectDelay = Duration.ofSeconds(2);

        private Builder(String uri) {
            Objects.requireNonNull(uri, "uri");
            try {
                this.uri = RedisURI.create(uri);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("Not a Redis URI: '" + uri + "' (expected redis://HOST:PORT): "
                        + e.getMessage(), e);
            }
        }

        /** Prefix of every key and channel, so that several clusters can share one Redis; default {@code duplex:}. */
        public Builder prefix(String prefix) {
            this.prefix = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        /** How long a command (a publish made while Redis is away, say) may wait before it fails; default 10 s. */
        public Builder commandTimeout(Duration timeout) {
            this.commandTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** Longest wait between two reconnection attempts; default 2 s. */
        public Builder maxReconnectDelay(Duration delay) {
            this.maxReconnectDelay = Objects.requireNonNull(delay, "delay");
            return this;
        }

        public RedisBroker build() {
            return new RedisBroker(this);
        }
    }
}
