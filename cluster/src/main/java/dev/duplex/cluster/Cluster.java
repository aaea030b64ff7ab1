package dev.duplex.cluster;

import dev.duplex.DOMException;
import dev.duplex.EventListener;
import dev.duplex.EventTarget;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketServer;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One {@link WebSocketServer} as a node of a cluster: broadcast, rooms, users and single
 * connections that reach sockets on every node, through a {@link Broker} (Redis by default).
 *
 * <pre>{@code
 * WebSocketServer server = new WebSocketServer(ServerOptions.builder().port(8080).build());
 * Cluster cluster = Cluster.join(server, "redis://127.0.0.1:6379");
 * server.onconnection(event -> {
 *     WebSocket ws = event.socket();
 *     cluster.toRoom("lobby").join(ws);
 *     ws.onmessage(m -> cluster.toRoom("lobby").send(((MessageEvent) m).data().toString()));
 * });
 * server.start();
 * }</pre>
 *
 * <h2>How a message travels</h2>
 * A send delivers at once to the target's sockets on this node (one frame, encoded once, with
 * {@link WebSocketServer#broadcast(String, Iterable)}), and publishes one envelope on the
 * target's channel; every other node subscribed to the channel delivers it to its own sockets,
 * encoded once there. A node drops its own envelopes when they come back. So a node whose link
 * to the broker is down still serves its own sockets, and nothing local waits for Redis.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>At most once: a message reaches each socket once or not at all; nothing is stored.</li>
 *   <li>Per-sender order: messages sent from one thread to one target arrive in that order on
 *       every node. Messages of different senders may interleave differently on different nodes.</li>
 *   <li>Loss is counted, not hidden: each envelope carries its sender's sequence number on its
 *       channel; a receiver drops repeats and counts gaps, and a {@code loss} event
 *       ({@link LossEvent}) reports them with exact counts.</li>
 *   <li>Presence ({@link Room#presence()}) lists the members on nodes whose heartbeat is
 *       live; a node that dies vanishes from it within {@link ClusterOptions#presenceTtl()}.
 *       After the link comes back the node rewrites its entries.</li>
 * </ul>
 *
 * <h2>Events</h2>
 * {@code linkdown} and {@code linkup} ({@link LinkEvent}), {@code loss} ({@link LossEvent}),
 * dispatched in order on the cluster's own thread; also logged to the {@code System.Logger}
 * named {@code dev.duplex.cluster}.
 */
public final class Cluster extends EventTarget implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.duplex.cluster");
    private static final String ALL = "all";

    private final WebSocketServer server;
    private final Broker broker;
    private final ClusterOptions options;
    private final String nodeId;
    private final String nodeChannel;
    private final String origin;
    private final ScheduledExecutorService thread;
    private final LossCounter losses = new LossCounter();
    private final Outbox outbox;
    private final SequenceTracker tracker = new SequenceTracker();
    private final Map<WebSocket, Member> members = new ConcurrentHashMap<>();
    private final Map<Long, Member> byNumber = new ConcurrentHashMap<>();
    private final Map<String, Group> groups = new ConcurrentHashMap<>();
    private final AtomicLong numbers = new AtomicLong();
    private final LongAdder received = new LongAdder();
    private final LongAdder missed = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder malformed = new LongAdder();
    private final LongAdder linkDowns = new LongAdder();
    private final Drain drain;
    private volatile boolean linkUp = true;
    private volatile long downSince;
    private volatile boolean closed;

    private Cluster(WebSocketServer server, Broker broker, ClusterOptions options) {
        this.server = Objects.requireNonNull(server, "server");
        this.broker = Objects.requireNonNull(broker, "broker");
        this.options = Objects.requireNonNull(options, "options");
        this.nodeId = options.nodeId();
        this.nodeChannel = "node:" + nodeId;
        // A restarted node may keep its id; its new sequence numbers must not look like repeats.
        this.origin = nodeId + "~" + Long.toString(new SecureRandom().nextLong() >>> 1, 36);
        this.outbox = new Outbox(broker, origin, nodeId, options.maxPendingBytes(), losses);
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "duplex-cluster-" + nodeId);
            t.setDaemon(true);
            return t;
        });
        this.drain = new Drain(server, options.drainCloseCode(), thread);
    }

    /**
     * Makes {@code server} a node of the cluster on {@code broker}: connects, subscribes to the
     * cluster-wide and this node's channels, and starts the heartbeat.
     *
     * @throws IllegalStateException if the broker cannot be reached (the message says where)
     */
    public static Cluster join(WebSocketServer server, Broker broker, ClusterOptions options) {
        Cluster cluster = new Cluster(server, broker, options);
        cluster.start();
        return cluster;
    }

    /** {@link #join(WebSocketServer, Broker, ClusterOptions)} on the Redis at {@code redisUri}, with default options. */
    public static Cluster join(WebSocketServer server, String redisUri) {
        return join(server, RedisBroker.create(redisUri), ClusterOptions.defaults());
    }

    private void start() {
        try {
            broker.start(new Inbound());
        } catch (RuntimeException e) {
            thread.shutdownNow();
            throw e;
        }
        try {
            // Once join returns, this node gets what the others send: no message sent after it is missed.
            CompletableFuture.allOf(broker.subscribe(ALL).toCompletableFuture(),
                    broker.subscribe(nodeChannel).toCompletableFuture()).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            broker.close();
            thread.shutdownNow();
            throw new IllegalStateException("The broker did not confirm the subscriptions of node " + nodeId
                    + " within 10 s: " + RedisBroker.rootMessage(e), e);
        }
        server.addEventListener("connection", drain.gate());
        heartbeat();
        long every = options.heartbeatInterval().toMillis();
        thread.scheduleAtFixedRate(this::tick, every, every, TimeUnit.MILLISECONDS);
        LOG.log(System.Logger.Level.INFO, () -> "Node " + nodeId + " joined the cluster on " + broker);
    }

    // ------------------------------------------------------------------ identities

    /** This node's id. */
    public String nodeId() {
        return nodeId;
    }

    /**
     * The cluster-wide id of one of this node's sockets ({@code NODE/NUMBER}), for
     * {@link #toConnection}; the same for the socket's whole life.
     *
     * @throws IllegalArgumentException if {@code socket} is a client-side socket
     */
    public String id(WebSocket socket) {
        return member(socket).connectionId;
    }

    /**
     * Says which user one of this node's sockets belongs to, so that {@link #toUser} reaches it
     * and presence shows it. A user may have sockets on many nodes.
     *
     * @return completes once this node is subscribed to the user's messages from other nodes
     */
    public CompletionStage<Void> identify(WebSocket socket, String userId) {
        checkName(userId, "user id");
        Member m = member(socket);
        String old = m.userId;
        if (!old.equals(userId)) {
            if (!old.isEmpty()) {
                leaveGroup(socket, "user:" + old);
            }
            m.userId = userId;
            for (String g : m.groups) {
                broker.present(g, nodeId, m.connectionId, userId, options.presenceTtl());
            }
        }
        return joinGroup(socket, "user:" + userId);
    }

    // ------------------------------------------------------------------ targets

    /**
     * The room {@code name}.
     *
     * @throws IllegalArgumentException if the name is empty or longer than {@link ClusterOptions#maxRoomNameLength()}
     */
    public Room toRoom(String name) {
        checkName(name, "room name");
        return new Room(this, name);
    }

    /** Every socket of the user, on every node (see {@link #identify}). */
    public Target toUser(String userId) {
        checkName(userId, "user id");
        String key = "user:" + userId;
        return new Target() {
            @Override
            public void send(String text) {
                sendToGroup(key, text);
            }

            @Override
            public void send(byte[] data) {
                sendToGroup(key, data);
            }
        };
    }

    /**
     * One socket anywhere in the cluster, by its {@link #id}. A message for a socket that has
     * closed (or a node that is gone) is dropped without notice, as a send on a closed socket is.
     *
     * @throws IllegalArgumentException if {@code connectionId} is not of the form {@code NODE/NUMBER}
     */
    public Target toConnection(String connectionId) {
        int slash = connectionId.lastIndexOf('/');
        long number;
        try {
            number = Long.parseLong(connectionId.substring(slash + 1));
        } catch (NumberFormatException e) {
            number = -1;
        }
        if (slash < 1 || number < 1) {
            throw new IllegalArgumentException("Not a connection id: '" + connectionId + "' (expected NODE/NUMBER, as Cluster.id gives)");
        }
        String node = connectionId.substring(0, slash);
        ClusterOptions.checkNodeId(node);
        long target = number;
        return new Target() {
            @Override
            public void send(String text) {
                sendToConnection(node, target, false, utf8(text), text);
            }

            @Override
            public void send(byte[] data) {
                sendToConnection(node, target, true, checkSize(data.clone()), null);
            }
        };
    }

    /** Sends a text message to every socket on every node, encoded once per node. */
    public void broadcast(String text) {
        byte[] payload = utf8(text);
        server.broadcast(text);
        outbox.publish(ALL, false, Envelope.NO_TARGET, payload);
    }

    /** Sends a binary message to every socket on every node; the array is copied first. */
    public void broadcast(byte[] data) {
        byte[] payload = checkSize(data.clone());
        server.broadcast(payload);
        outbox.publish(ALL, true, Envelope.NO_TARGET, payload);
    }

    /** The ids of the live nodes, this one included while its heartbeat lasts. */
    public CompletionStage<List<String>> nodes() {
        return broker.nodes();
    }

    // ------------------------------------------------------------------ state

    /** Counters since this node joined. */
    public ClusterStats stats() {
        return new ClusterStats(outbox.published.sum(), outbox.notRelayed.sum(), received.sum(), missed.sum(),
                duplicates.sum(), malformed.sum(), linkDowns.sum());
    }

    /** Whether the link to the broker is up now. */
    public boolean linkUp() {
        return linkUp;
    }

    /** Whether {@link #drain} has started (for a health check that the load balancer reads). */
    public boolean draining() {
        return drain.started();
    }

    /**
     * Drains this node for a rolling deploy: from now on every new connection is closed at once
     * with {@link ClusterOptions#drainCloseCode()} (1012, "reconnect elsewhere"), and each open
     * socket gets that close at a random moment within {@code spread}, so that its clients do
     * not all reconnect to the other nodes in the same instant. The node stays in the cluster
     * (its sockets still get messages until they close); call {@link #close()} and
     * {@link WebSocketServer#close()} when the stage completes.
     *
     * @return completes when no socket is left, or when {@code spread} plus the close timeout has passed
     */
    public CompletionStage<Void> drain(Duration spread) {
        return drain.start(spread);
    }

    /**
     * Leaves the cluster: removes this node and its presence from the broker at once (instead of
     * waiting for the TTL), and closes the broker. The server and its sockets are left alone.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        thread.shutdownNow();
        try {
            broker.forget(nodeId, Set.copyOf(groups.keySet())).toCompletableFuture().get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "Could not remove node " + nodeId + " from the broker: " + e);
        }
        broker.close();
        server.removeEventListener("connection", drain.gate());
    }

    /** Sets the {@code linkdown} handler (null clears it). */
    public void onlinkdown(EventListener handler) {
        setEventHandler("linkdown", handler);
    }

    /** Sets the {@code linkup} handler (null clears it). */
    public void onlinkup(EventListener handler) {
        setEventHandler("linkup", handler);
    }

    /** Sets the {@code loss} handler (null clears it). */
    public void onloss(EventListener handler) {
        setEventHandler("loss", handler);
    }

    @Override
    public String toString() {
        return "Cluster[node " + nodeId + ", " + broker + "]";
    }

    // ------------------------------------------------------------------ groups (rooms, users)

    CompletionStage<Void> joinGroup(WebSocket socket, String key) {
        Member m = member(socket);
        Group joined = groups.compute(key, (k, g) -> {
            if (g == null) {
                g = new Group(k, broker.subscribe(k));
            }
            if (g.sockets.add(socket)) {
                m.groups.add(k);
                broker.present(k, nodeId, m.connectionId, m.userId, options.presenceTtl());
            }
            return g;
        });
        return joined.subscribed;
    }

    void leaveGroup(WebSocket socket, String key) {
        Member m = members.get(socket);
        if (m == null) {
            return;
        }
        groups.computeIfPresent(key, (k, g) -> {
            if (g.sockets.remove(socket)) {
                m.groups.remove(k);
                broker.absent(k, nodeId, m.connectionId);
            }
            if (g.sockets.isEmpty()) {
                broker.unsubscribe(k);
                tracker.forget(k);
                return null;
            }
            return g;
        });
    }

    Set<WebSocket> localMembers(String key) {
        Group g = groups.get(key);
        return g == null ? Set.of() : Set.copyOf(g.sockets);
    }

    CompletionStage<List<Presence>> presenceOf(String key) {
        return broker.presence(key);
    }

    void sendToGroup(String key, String text) {
        byte[] payload = utf8(text);
        Group g = groups.get(key);
        if (g != null) {
            server.broadcast(text, g.sockets);
        }
        outbox.publish(key, false, Envelope.NO_TARGET, payload);
    }

    void sendToGroup(String key, byte[] data) {
        byte[] payload = checkSize(data.clone());
        Group g = groups.get(key);
        if (g != null) {
            server.broadcast(payload, g.sockets);
        }
        outbox.publish(key, true, Envelope.NO_TARGET, payload);
    }

    private void sendToConnection(String node, long number, boolean binary, byte[] payload, String text) {
        if (node.equals(nodeId)) {
            Member m = byNumber.get(number);
            if (m != null) {
                send(m.socket, binary, payload, text);
            }
            return;
        }
        outbox.publish("node:" + node, binary, number, payload);
    }

    private static void send(WebSocket socket, boolean binary, byte[] payload, String text) {
        if (socket.readyState() != WebSocket.OPEN) {
            return;
        }
        if (binary) {
            socket.send(payload);
        } else {
            socket.send(text);
        }
    }

    // ------------------------------------------------------------------ members

    private Member member(WebSocket socket) {
        Objects.requireNonNull(socket, "socket");
        Member known = members.get(socket);
        if (known != null) {
            return known;
        }
        if (!socket.isServerSide()) {
            throw new IllegalArgumentException("Only a server's sockets can be cluster members, not the client socket to "
                    + socket.url());
        }
        Member[] created = new Member[1];
        Member m = members.computeIfAbsent(socket, s -> created[0] = new Member(s, numbers.incrementAndGet(), nodeId));
        if (m == created[0]) {
            byNumber.put(m.number, m);
            socket.addEventListener("close", e -> forgetMember(socket));
            if (socket.readyState() == WebSocket.CLOSED) {
                forgetMember(socket);     // closed before the listener was there to see it
            }
        }
        return m;
    }

    private void forgetMember(WebSocket socket) {
        Member m = members.get(socket);
        if (m == null) {
            return;
        }
        for (String g : Set.copyOf(m.groups)) {
            leaveGroup(socket, g);
        }
        members.remove(socket);
        byNumber.remove(m.number);
    }

    // ------------------------------------------------------------------ checks

    private void checkName(String name, String what) {
        Objects.requireNonNull(name, what);
        if (name.isEmpty()) {
            throw new IllegalArgumentException("A " + what + " must not be empty");
        }
        if (name.length() > options.maxRoomNameLength()) {
            throw new IllegalArgumentException("The " + what + " is " + name.length() + " chars long, over the limit of "
                    + options.maxRoomNameLength() + " (ClusterOptions.maxRoomNameLength)");
        }
    }

    /** The UTF-8 bytes of a USVString, checked against the cluster's message limit. */
    private byte[] utf8(String text) {
        Objects.requireNonNull(text, "text");
        try {
            ByteBuffer b = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(text));
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            return checkSize(bytes);
        } catch (CharacterCodingException e) {
            throw DOMException.syntax("The message contains an unpaired surrogate and is not a valid USVString");
        }
    }

    private byte[] checkSize(byte[] payload) {
        if (payload.length > options.maxMessageSize()) {
            throw new IllegalArgumentException("A message of " + payload.length + " bytes is over the limit of "
                    + options.maxMessageSize() + " for the cluster (ClusterOptions.maxMessageSize)");
        }
        return payload;
    }

    // ------------------------------------------------------------------ heartbeat and events (cluster thread)

    private void tick() {
        heartbeat();
        for (LossEvent e : losses.drain()) {
            LOG.log(System.Logger.Level.WARNING, () -> "Node " + nodeId + ": " + e);
            dispatchEvent(e);
        }
    }

    private void heartbeat() {
        if (linkUp) {
            broker.heartbeat(nodeId, options.presenceTtl(), groups.keySet());
        }
    }

    /** After the link is back: resubscribe (in case a subscribe was given up meanwhile) and rewrite presence. */
    private void repair() {
        broker.subscribe(ALL);
        broker.subscribe(nodeChannel);
        Map<String, Map<String, String>> present = new HashMap<>();
        for (Group g : groups.values()) {
            broker.subscribe(g.key);
            Map<String, String> entries = new HashMap<>();
            for (WebSocket ws : g.sockets) {
                Member m = members.get(ws);
                if (m != null) {
                    entries.put(m.connectionId, m.userId);
                }
            }
            present.put(g.key, entries);
        }
        broker.resync(nodeId, options.presenceTtl(), present);
        broker.heartbeat(nodeId, options.presenceTtl(), groups.keySet());
    }

    /** What the broker delivers, on its thread: messages in channel order, and link changes. */
    private final class Inbound implements BrokerListener {
        private final long[] gap = new long[1];

        @Override
        public void message(String channel, byte[] message) {
            Envelope e;
            try {
                e = Envelope.decode(message, options.maxMessageSize());
            } catch (IllegalArgumentException bad) {
                malformed.increment();
                LOG.log(System.Logger.Level.DEBUG, () -> "Dropped a malformed message on " + channel + ": " + bad.getMessage());
                return;
            }
            if (e.origin().equals(origin)) {
                return;    // our own, delivered here when it was sent
            }
            String text = null;
            if (!e.binary() && (text = e.text()) == null) {
                malformed.increment();
                LOG.log(System.Logger.Level.DEBUG, () -> "Dropped a text message with invalid UTF-8 on " + channel);
                return;
            }
            if (tracker.accept(channel, e.origin(), e.sequence(), gap) == SequenceTracker.Verdict.DUPLICATE) {
                duplicates.increment();
                return;
            }
            if (gap[0] > 0) {
                missed.add(gap[0]);
                losses.add(channel, nodeOf(e.origin()), false, gap[0]);
            }
            received.increment();
            deliver(channel, e, text);
        }

        private void deliver(String channel, Envelope e, String text) {
            if (channel.equals(ALL)) {
                if (e.binary()) {
                    server.broadcast(e.payload());
                } else {
                    server.broadcast(text);
                }
            } else if (channel.equals(nodeChannel)) {
                Member m = byNumber.get(e.target());
                if (m != null) {
                    send(m.socket, e.binary(), e.payload(), text);
                }
            } else {
                Group g = groups.get(channel);
                if (g != null) {
                    if (e.binary()) {
                        server.broadcast(e.payload(), g.sockets);
                    } else {
                        server.broadcast(text, g.sockets);
                    }
                }
            }
        }

        @Override
        public void linkDown(Throwable cause) {
            thread.execute(() -> {
                if (!linkUp) {
                    return;
                }
                linkUp = false;
                downSince = System.nanoTime();
                linkDowns.increment();
                LOG.log(System.Logger.Level.WARNING, () -> "Node " + nodeId + " lost its link to " + broker + " ("
                        + RedisBroker.rootMessage(cause) + "); serving its own sockets, reconnecting");
                dispatchEvent(new LinkEvent("linkdown", cause, Duration.ZERO));
            });
        }

        @Override
        public void linkUp() {
            thread.execute(() -> {
                if (linkUp) {
                    return;
                }
                linkUp = true;
                Duration down = Duration.ofNanos(System.nanoTime() - downSince);
                repair();
                LOG.log(System.Logger.Level.WARNING, () -> "Node " + nodeId + " is linked to " + broker
                        + " again after " + down.toMillis() + " ms");
                dispatchEvent(new LinkEvent("linkup", null, down));
            });
        }
    }

    private static String nodeOf(String origin) {
        int tilde = origin.lastIndexOf('~');
        return tilde < 0 ? origin : origin.substring(0, tilde);
    }

    /** For tests: bytes handed to the broker and not yet taken. */
    long pendingBytes() {
        return outbox.pendingBytes();
    }

    /** The server this node runs on. */
    public WebSocketServer server() {
        return server;
    }
}
