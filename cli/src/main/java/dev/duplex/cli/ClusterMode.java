package dev.duplex.cli;

import dev.duplex.HandshakeRequest;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketServer;
import dev.duplex.cluster.ChatRelay;
import dev.duplex.cluster.Cluster;
import dev.duplex.cluster.ClusterOptions;
import dev.duplex.cluster.RedisBroker;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code duplex serve --broadcast --cluster redis://HOST:PORT}: this server as one node of a
 * chat that spans every {@code serve} on the same Redis ({@link ChatRelay}: {@code /room/NAME}
 * is a room, any other path the cluster-wide broadcast). Link changes and losses are printed
 * on stderr. On Ctrl-C or SIGTERM the node drains: its clients are closed with 1012 at random
 * moments over {@link #DRAIN_SPREAD}, then it leaves the cluster.
 */
final class ClusterMode {
    static final Duration DRAIN_SPREAD = Duration.ofSeconds(1);

    /** Kept: java.util.logging holds its loggers weakly, and the levels set here must stay set. */
    private static final List<Logger> QUIETED = List.of(Logger.getLogger("io.lettuce"), Logger.getLogger("io.netty"),
            Logger.getLogger("reactor"), Logger.getLogger("dev.duplex.cluster"));

    private final Cluster cluster;
    private final ChatRelay relay;

    private ClusterMode(Cluster cluster) {
        this.cluster = cluster;
        this.relay = new ChatRelay(cluster);
    }

    /**
     * Joins the cluster on {@code uri} with {@code server} as a new node.
     *
     * @throws Main.CliException status 2 for a usage mistake, 1 if Redis cannot be reached
     */
    static ClusterMode join(WebSocketServer server, String uri, boolean broadcast, Consumer<String> log) {
        if (!broadcast) {
            throw Main.usage("--cluster goes with --broadcast (the cluster relays a chat, not echoes or processes)");
        }
        // The Redis client's INFO lines ("Reconnecting...") would interleave with the status line,
        // and this class reports the same facts itself, once. (It all ends in java.util.logging:
        // see slf4j-jdk14 in cli/pom.xml.)
        QUIETED.forEach(l -> l.setLevel(Level.SEVERE));
        RedisBroker broker;
        try {
            broker = RedisBroker.create(uri);
        } catch (IllegalArgumentException e) {
            throw Main.usage("--cluster: " + e.getMessage());
        }
        Cluster cluster;
        try {
            cluster = Cluster.join(server, broker, ClusterOptions.defaults());
        } catch (IllegalStateException e) {
            throw new Main.CliException(Main.FAILURE, "--cluster: " + e.getMessage(), e);
        }
        cluster.onlinkdown(e -> log.accept("cluster: " + e + "; still serving this node's clients, reconnecting"));
        cluster.onlinkup(e -> log.accept("cluster: " + e));
        cluster.onloss(e -> log.accept("cluster: " + e));
        log.accept("node " + cluster.nodeId() + " of the cluster on " + uri + " (rooms at /room/NAME)");
        return new ClusterMode(cluster);
    }

    /** Wires a new socket into the chat; {@code messages} counts what it sends. */
    void attach(WebSocket ws, HandshakeRequest request, AtomicLong messages) {
        relay.attach(ws, request);
        ws.addEventListener("message", m -> messages.incrementAndGet());
    }

    /** Drains (1012, spread over a second), then leaves the cluster; the caller closes the server. */
    void leave() {
        try {
            cluster.drain(DRAIN_SPREAD).toCompletableFuture().get(DRAIN_SPREAD.toSeconds() + 10, TimeUnit.SECONDS);
        } catch (Exception e) {
            // the server's close cuts whatever is left
        }
        cluster.close();
    }
}
