package dev.duplex.cluster;

import dev.duplex.CloseEvent;
import dev.duplex.DOMException;
import dev.duplex.MessageEvent;
import dev.duplex.ServerOptions;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Nodes in one JVM on one real redis-server: rooms, users, single connections, broadcast,
 * presence, limits, malformed input on the channels, the link lost and found, drain.
 * Each test has its own key prefix, so the tests share the server and nothing else.
 */
@Timeout(120)
class ClusterTest {
    private static RedisProcess redis;
    private static final AtomicInteger PREFIXES = new AtomicInteger();

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final String prefix = "t" + PREFIXES.incrementAndGet() + ":";

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisProcess.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        if (redis != null) {
            redis.close();
        }
    }

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(toClose);
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    /** A node: a server on a free port whose sockets join the room named by their path (/room/NAME). */
    private final class Node {
        final WebSocketServer server = new WebSocketServer(ServerOptions.builder().host("127.0.0.1").port(0).build());
        final Cluster cluster;
        final Map<String, WebSocket> byPath = new ConcurrentHashMap<>();
        final BlockingQueue<dev.duplex.Event> events = new LinkedBlockingQueue<>();

        Node(String id, ClusterOptions.Builder options) throws Exception {
            server.onconnection(e -> {
                WebSocket ws = e.socket();
                String path = e.request().path();
                byPath.put(path, ws);
                if (path.startsWith("/room/")) {
                    cluster().toRoom(path.substring(6)).join(ws).toCompletableFuture().join();
                } else if (path.startsWith("/user/")) {
                    cluster().identify(ws, path.substring(6)).toCompletableFuture().join();
                }
                ws.onmessage(m -> ws.send("ack"));
                ws.send("ready");    // after the join is confirmed: the test may start sending
            });
            server.start();
            toClose.add(server::close);
            cluster = Cluster.join(server, RedisBroker.builder(redis.uri()).prefix(prefix)
                    .maxReconnectDelay(Duration.ofMillis(200)).build(), options.nodeId(id).build());
            toClose.add(cluster);
            for (String type : List.of("linkdown", "linkup", "loss")) {
                cluster.addEventListener(type, events::add);
            }
        }

        Node(String id) throws Exception {
            this(id, fast());
        }

        Cluster cluster() {
            return cluster;
        }

        TestClient connect(String path) throws Exception {
            TestClient c = new TestClient("ws://127.0.0.1:" + server.port() + path).awaitOpen();
            toClose.add(c);
            assertThat(c.next()).isEqualTo("ready");
            return c;
        }

        dev.duplex.Event nextEvent(String type) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                dev.duplex.Event e = events.poll(100, TimeUnit.MILLISECONDS);
                if (e != null && e.type().equals(type)) {
                    return e;
                }
            }
            throw new AssertionError("no " + type + " event on node " + cluster.nodeId() + " within 20 s");
        }
    }

    private static ClusterOptions.Builder fast() {
        return ClusterOptions.builder().heartbeatInterval(Duration.ofMillis(100)).presenceTtl(Duration.ofMillis(500));
    }

    @Test
    void aRoomReachesItsMembersOnEveryNodeAndNobodyElse() throws Exception {
        Node a = new Node("a");
        Node b = new Node("b");
        TestClient a1 = a.connect("/room/x");
        TestClient a2 = a.connect("/elsewhere");
        TestClient b1 = b.connect("/room/x");
        TestClient b2 = b.connect("/room/y");
        a.cluster.toRoom("x").send("one");
        b.cluster.toRoom("x").send("two".getBytes(StandardCharsets.UTF_8));
        b.cluster.toRoom("y").send("why");
        assertThat(List.of(a1.next(), a1.next())).containsExactlyInAnyOrder("one", "bytes:3");
        assertThat(List.of(b1.next(), b1.next())).containsExactlyInAnyOrder("one", "bytes:3");
        assertThat(b2.next()).isEqualTo("why");
        a2.assertQuiet(300);
        a1.assertQuiet(0);
        assertThat(a.cluster.toRoom("x").localMembers()).containsExactly(a.byPath.get("/room/x"));
    }

    @Test
    void messagesFromOneSenderKeepTheirOrderOnEveryNode() throws Exception {
        Node a = new Node("a");
        Node b = new Node("b");
        Node c = new Node("c");
        TestClient[] clients = {a.connect("/room/r"), b.connect("/room/r"), c.connect("/room/r")};
        Thread[] senders = new Thread[3];
        Node[] nodes = {a, b, c};
        int n = 2000;
        for (int s = 0; s < 3; s++) {
            Node node = nodes[s];
            int sender = s;
            senders[s] = new Thread(() -> {
                Room room = node.cluster.toRoom("r");
                for (int i = 0; i < n; i++) {
                    room.send(sender + ":" + i);
                }
            });
            senders[s].start();
        }
        for (Thread t : senders) {
            t.join();
        }
        for (TestClient client : clients) {
            int[] next = new int[3];
            for (int i = 0; i < 3 * n; i++) {
                String[] m = client.next().split(":");
                int sender = Integer.parseInt(m[0]);
                assertThat(Integer.parseInt(m[1])).as("next from sender " + sender).isEqualTo(next[sender]);
                next[sender]++;
            }
        }
        for (Node node : nodes) {
            assertThat(node.cluster.stats().missed()).isZero();
            assertThat(node.cluster.stats().received()).isEqualTo(2L * n);
        }
    }

    @Test
    void broadcastUsersAndSingleConnectionsAcrossNodes() throws Exception {
        Node a = new Node("a");
        Node b = new Node("b");
        TestClient aliceOnA = a.connect("/user/alice");
        TestClient aliceOnB = b.connect("/user/alice");
        TestClient bob = b.connect("/user/bob");
        a.cluster.toUser("alice").send("for alice");
        assertThat(aliceOnA.next()).isEqualTo("for alice");
        assertThat(aliceOnB.next()).isEqualTo("for alice");
        String bobId = b.cluster.id(b.byPath.get("/user/bob"));
        assertThat(bobId).isEqualTo("b/" + bobId.substring(2)).startsWith("b/");
        a.cluster.toConnection(bobId).send("just bob");
        assertThat(bob.next()).isEqualTo("just bob");
        a.cluster.broadcast("all of you");
        for (TestClient c : List.of(aliceOnA, aliceOnB, bob)) {
            assertThat(c.next()).isEqualTo("all of you");
        }
        b.cluster.broadcast(new byte[5]);
        for (TestClient c : List.of(aliceOnA, aliceOnB, bob)) {
            assertThat(c.next()).isEqualTo("bytes:5");
        }
        aliceOnB.assertQuiet(200);
        // A closed connection is forgotten: messages for it go nowhere.
        bob.ws.close();
        bob.closed.get(5, TimeUnit.SECONDS);
        a.cluster.toConnection(bobId).send("too late");
        aliceOnB.assertQuiet(200);
        assertThatThrownBy(() -> a.cluster.toConnection("nonsense")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NODE/NUMBER");
    }

    @Test
    void presenceListsMembersWithTheirNodeAndDropsANodeThatLeaves() throws Exception {
        Node a = new Node("a");
        Node b = new Node("b");
        a.connect("/room/p");
        TestClient b1 = b.connect("/room/p");
        a.cluster.identify(a.byPath.get("/room/p"), "ann").toCompletableFuture().get(5, TimeUnit.SECONDS);
        List<Presence> seen = awaitPresence(a.cluster.toRoom("p"), 2);
        assertThat(seen).extracting(Presence::nodeId).containsExactlyInAnyOrder("a", "b");
        assertThat(seen).extracting(Presence::userId).containsExactlyInAnyOrder("ann", "");
        assertThat(a.cluster.nodes().toCompletableFuture().get(5, TimeUnit.SECONDS)).containsExactlyInAnyOrder("a", "b");
        b1.ws.close();
        b1.closed.get(5, TimeUnit.SECONDS);
        assertThat(awaitPresence(a.cluster.toRoom("p"), 1)).extracting(Presence::nodeId).containsExactly("a");
        b.connect("/room/p");
        awaitPresence(a.cluster.toRoom("p"), 2);
        b.cluster.close();
        assertThat(awaitPresence(a.cluster.toRoom("p"), 1)).extracting(Presence::nodeId).containsExactly("a");
        assertThat(a.cluster.nodes().toCompletableFuture().get(5, TimeUnit.SECONDS)).containsExactly("a");
    }

    static List<Presence> awaitPresence(Room room, int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<Presence> last;
        do {
            last = room.presence().toCompletableFuture().get(5, TimeUnit.SECONDS);
            if (last.size() == count) {
                return last;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("presence of " + room + " still " + last + ", expected " + count + " entries");
    }

    @Test
    void limitsAreCheckedAndNamed() throws Exception {
        Node a = new Node("a", fast().maxRoomNameLength(10).maxMessageSize(100));
        assertThatThrownBy(() -> a.cluster.toRoom("x".repeat(11))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("The room name is 11 chars long, over the limit of 10 (ClusterOptions.maxRoomNameLength)");
        assertThatThrownBy(() -> a.cluster.toRoom("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> a.cluster.toRoom("r").send("é".repeat(51))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("A message of 102 bytes is over the limit of 100 for the cluster (ClusterOptions.maxMessageSize)");
        assertThatThrownBy(() -> a.cluster.broadcast(new byte[101])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> a.cluster.broadcast("\uD800")).isInstanceOf(DOMException.class)
                .hasFieldOrPropertyWithValue("name", "SyntaxError");
        assertThatThrownBy(() -> ClusterOptions.builder().nodeId("a b")).hasMessageContaining("ClusterOptions.nodeId");
        assertThatThrownBy(() -> ClusterOptions.builder().heartbeatInterval(Duration.ofSeconds(3)).build())
                .hasMessageContaining("twice the heartbeatInterval");
    }

    @Test
    void garbageOnTheChannelsIsDroppedAndCounted() throws Exception {
        Node a = new Node("a");
        TestClient c = a.connect("/room/g");
        redis.publishRaw(prefix + "room:g", "not an envelope".getBytes(StandardCharsets.UTF_8));
        redis.publishRaw(prefix + "room:g", new Envelope(false, "evil~1", 1, -1, new byte[] {(byte) 0xff}).encode());
        redis.publishRaw(prefix + "all", new Envelope(true, "other~1", 1, -1, new byte[2_000_000]).encode());
        redis.publishRaw(prefix + "room:g", new Envelope(false, "fine~1", 1, -1, "ok".getBytes(StandardCharsets.UTF_8)).encode());
        assertThat(c.next()).isEqualTo("ok");
        assertThat(a.cluster.stats().malformed()).isEqualTo(3);
        assertThat(a.cluster.stats().received()).isEqualTo(1);
    }

    @Test
    void gapsInASendersSequenceAreReportedAsLossWithTheExactCount() throws Exception {
        Node a = new Node("a");
        TestClient c = a.connect("/room/l");
        for (long seq : new long[] {1, 2, 6, 6, 7}) {
            redis.publishRaw(prefix + "room:l", new Envelope(false, "z~1", seq, -1, ("m" + seq).getBytes(StandardCharsets.UTF_8)).encode());
        }
        assertThat(List.of(c.next(), c.next(), c.next(), c.next())).containsExactly("m1", "m2", "m6", "m7");
        LossEvent loss = (LossEvent) a.nextEvent("loss");
        assertThat(loss.channel()).isEqualTo("room:l");
        assertThat(loss.node()).isEqualTo("z");
        assertThat(loss.count()).isEqualTo(3);
        assertThat(loss.notRelayed()).isFalse();
        assertThat(a.cluster.stats().duplicates()).isEqualTo(1);
        assertThat(a.cluster.stats().missed()).isEqualTo(3);
    }

    @Test
    void withoutRedisANodeServesItsOwnSocketsThenReconnectsRepairsPresenceAndReportsIt() throws Exception {
        Node a = new Node("a");
        Node b = new Node("b");
        TestClient a1 = a.connect("/room/k");
        TestClient a2 = a.connect("/room/k");
        TestClient b1 = b.connect("/room/k");
        awaitPresence(a.cluster.toRoom("k"), 3);
        redis.kill();
        assertThat(a.nextEvent("linkdown")).isInstanceOf(LinkEvent.class);
        assertThat(a.cluster.linkUp()).isFalse();
        a.cluster.toRoom("k").send("local only");
        assertThat(a1.next()).isEqualTo("local only");
        assertThat(a2.next()).isEqualTo("local only");
        redis.launch();     // empty: presence and subscriptions are gone with the old process
        LinkEvent up = (LinkEvent) a.nextEvent("linkup");
        assertThat(up.downtime()).isPositive();
        b.nextEvent("linkup");
        assertThat(awaitPresence(a.cluster.toRoom("k"), 3)).extracting(Presence::nodeId)
                .containsExactlyInAnyOrder("a", "a", "b");
        // Subscriptions are back: a message from b reaches a's sockets again, in order after the gap.
        awaitDelivery(b, "k", a1);
        assertThat(a.cluster.stats().linkDowns()).isEqualTo(1);
        a2.messages.clear();
        b1.messages.clear();
    }

    /** Sends probes from {@code from} to the room until {@code to} gets one (a resubscription is asynchronous). */
    static void awaitDelivery(Node from, String room, TestClient to) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            from.cluster.toRoom(room).send("probe");
            String m = to.messages.poll(100, TimeUnit.MILLISECONDS);
            if ("probe".equals(m)) {
                return;
            }
        }
        throw new AssertionError("no probe reached the client within 15 s");
    }

    @Test
    void drainClosesEverySocketWith1012SpreadOverTimeAndTurnsNewOnesAway() throws Exception {
        Node a = new Node("a");
        List<TestClient> clients = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            clients.add(a.connect("/room/d"));
        }
        long start = System.nanoTime();
        var done = a.cluster.drain(Duration.ofMillis(800)).toCompletableFuture();
        assertThat(a.cluster.draining()).isTrue();
        TestClient late = new TestClient("ws://127.0.0.1:" + a.server.port() + "/room/d");
        toClose.add(late);
        CloseEvent turnedAway = late.closed.get(10, TimeUnit.SECONDS);
        assertThat(turnedAway.code()).isEqualTo(1012);
        List<Long> closedAt = new ArrayList<>();
        for (TestClient c : clients) {
            CloseEvent e = c.closed.get(10, TimeUnit.SECONDS);
            assertThat(e.code()).isEqualTo(1012);
            assertThat(e.reason()).isEqualTo(Drain.REASON);
            assertThat(e.wasClean()).isTrue();
        }
        done.get(10, TimeUnit.SECONDS);
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(a.server.clients()).isEmpty();
        // Not all at once: spread over (most of) the window.
        assertThat(elapsedMs).isGreaterThan(300);
        assertThat(awaitPresence(a.cluster.toRoom("d"), 0)).isEmpty();
    }
}
