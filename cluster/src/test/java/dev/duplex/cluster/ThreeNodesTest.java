package dev.duplex.cluster;

import dev.duplex.WebSocketOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three nodes in three JVMs ({@link NodeMain}) on one real redis-server, clients on each: the
 * chat relays every message to every client in per-sender order; a node killed mid-stream
 * leaves the others running and vanishes from presence; Redis killed and restarted empty
 * mid-stream: the nodes reconnect, what was lost is only what was sent during the outage, and
 * each node reports exactly how many messages it missed.
 */
@Timeout(180)
class ThreeNodesTest {
    private static final WebSocketOptions CLIENT = WebSocketOptions.builder().executor(WebSocketOptions.IO_THREAD).build();

    @TempDir
    Path logs;
    private RedisProcess redis;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void startRedis() throws Exception {
        redis = RedisProcess.start();
    }

    @AfterEach
    void stopEverything() throws Exception {
        Collections.reverse(toClose);
        for (AutoCloseable c : toClose) {
            c.close();
        }
        redis.close();
    }

    private List<NodeProcess> startNodes(String... ids) throws Exception {
        List<NodeProcess> nodes = new ArrayList<>();
        for (String id : ids) {
            NodeProcess n = NodeProcess.start(redis.uri(), id, logs.resolve(id + ".log"), "100", "1000");
            toClose.add(n);
            nodes.add(n);
        }
        return nodes;
    }

    private TestClient client(NodeProcess node, String path) throws Exception {
        TestClient c = new TestClient(node.url(path), CLIENT).awaitOpen();
        toClose.add(c);
        return c;
    }

    /** What one client received from each sender: "s<sender>:<k>" messages, checked for order as they come. */
    private static final class Tally {
        final Map<Integer, List<Integer>> bySender = new HashMap<>();

        void take(TestClient c, int expected, long timeoutMillis) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            int got = 0;
            while (got < expected && System.nanoTime() < deadline) {
                String m = c.messages.poll(50, TimeUnit.MILLISECONDS);
                if (m == null || !m.startsWith("s")) {
                    continue;
                }
                String[] f = m.substring(1).split(":");
                List<Integer> seen = bySender.computeIfAbsent(Integer.parseInt(f[0]), s -> new ArrayList<>());
                int k = Integer.parseInt(f[1]);
                assertThat(seen.isEmpty() || k > seen.get(seen.size() - 1))
                        .as("sender " + f[0] + ": " + k + " after " + seen).isTrue();
                seen.add(k);
                got++;
            }
        }

        int count(int sender) {
            return bySender.getOrDefault(sender, List.of()).size();
        }
    }

    @Test
    void everyMessageReachesEveryClientOnEveryNodeInPerSenderOrder() throws Exception {
        List<NodeProcess> nodes = startNodes("n1", "n2", "n3");
        List<TestClient> clients = new ArrayList<>();
        for (NodeProcess n : nodes) {
            clients.add(client(n, "/"));
            clients.add(client(n, "/"));
        }
        int perSender = 500;
        List<Thread> senders = new ArrayList<>();
        for (int s = 0; s < clients.size(); s++) {
            TestClient c = clients.get(s);
            int sender = s;
            Thread t = new Thread(() -> {
                for (int k = 0; k < perSender; k++) {
                    c.ws.send("s" + sender + ":" + k);
                }
            });
            senders.add(t);
            t.start();
        }
        for (Thread t : senders) {
            t.join();
        }
        for (TestClient c : clients) {
            Tally tally = new Tally();
            tally.take(c, clients.size() * perSender, 30_000);
            for (int s = 0; s < clients.size(); s++) {
                assertThat(tally.count(s)).as("messages from sender " + s).isEqualTo(perSender);
            }
        }
        for (NodeProcess n : nodes) {
            long[] stats = n.stats();
            assertThat(stats[2]).as("received on " + n.id).isEqualTo(4L * perSender);
            assertThat(stats[3]).as("missed on " + n.id).isZero();
        }
    }

    @Test
    void aNodeKilledMidStreamLeavesTheOthersRunningAndDropsOutOfPresence() throws Exception {
        List<NodeProcess> nodes = startNodes("a", "b", "c");
        TestClient onA = client(nodes.get(0), "/room/r");
        TestClient onB = client(nodes.get(1), "/room/r");
        TestClient onC = client(nodes.get(2), "/room/r");
        awaitAnswer(nodes.get(0), "presence r", "PRESENCE a,b,c");
        barrier(List.of(onA, onB, onC));
        int perSender = 2000;
        Thread[] senders = new Thread[2];
        TestClient[] from = {onA, onB};
        for (int s = 0; s < 2; s++) {
            int sender = s;
            senders[s] = new Thread(() -> {
                for (int k = 0; k < perSender; k++) {
                    from[sender].ws.send("s" + sender + ":" + k);
                    if (k % 20 == 0) {
                        sleep(10);     // a stream over about a second, not one burst
                    }
                }
            });
            senders[s].start();
        }
        Thread.sleep(400);
        nodes.get(2).kill();
        for (Thread t : senders) {
            t.join();
        }
        for (TestClient c : List.of(onA, onB)) {
            Tally tally = new Tally();
            tally.take(c, 2 * perSender, 30_000);
            assertThat(tally.count(0)).isEqualTo(perSender);
            assertThat(tally.count(1)).isEqualTo(perSender);
        }
        assertThat(onC.closed.get(10, TimeUnit.SECONDS).code()).isEqualTo(1006);
        awaitAnswer(nodes.get(0), "presence r", "PRESENCE a,b");
        awaitAnswer(nodes.get(1), "nodes", "NODES a,b");
        assertThat(nodes.get(0).stats()[3]).as("missed on a").isZero();
        assertThat(nodes.get(1).stats()[3]).as("missed on b").isZero();
    }

    @Test
    void redisRestartedMidStreamLosesOnlyWhatWasSentDuringTheOutageAndEachNodeCountsItExactly() throws Exception {
        List<NodeProcess> nodes = startNodes("x", "y", "z");
        List<TestClient> clients = new ArrayList<>();
        for (NodeProcess n : nodes) {
            clients.add(client(n, "/"));
        }
        int perSender = 2500;
        AtomicLongArray sentAt = new AtomicLongArray(3 * perSender);
        List<Thread> senders = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            TestClient c = clients.get(s);
            int sender = s;
            Thread t = new Thread(() -> {
                for (int k = 0; k < perSender; k++) {
                    sentAt.set(sender * perSender + k, System.nanoTime());
                    c.ws.send("s" + sender + ":" + k);
                    sleep(2);
                }
            });
            senders.add(t);
            t.start();
        }
        Thread.sleep(1000);
        long killedAt = System.nanoTime();
        redis.kill();
        Thread.sleep(700);
        redis.launch();     // empty, as after a crash without persistence
        long linkedAt = awaitAll(nodes, "linkup");
        for (Thread t : senders) {
            t.join();
        }
        assertThat(linkedAt).as("the stream outlasted the outage").isLessThan(sentAt.get(perSender - 1));
        List<String> lost = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        String outage = "killed at 0 ms, every node linked again at "
                + TimeUnit.NANOSECONDS.toMillis(linkedAt - killedAt) + " ms";
        for (int y = 0; y < 3; y++) {
            NodeProcess node = nodes.get(y);
            assertThat(node.hasEvent("linkdown")).as(node.id + " reported the link down").isTrue();
            Tally tally = new Tally();
            tally.take(clients.get(y), 3 * perSender, 5_000);
            long missing = 0;
            for (int s = 0; s < 3; s++) {
                List<Integer> got = tally.bySender.getOrDefault(s, List.of());
                java.util.Set<Integer> have = new java.util.HashSet<>(got);
                for (int k = 0; k < perSender; k++) {
                    long t = sentAt.get(s * perSender + k);
                    // A message is in danger from when it may still be on its way to Redis (the client's
                    // send time lags what the node hands Redis by the node's backlog: 500 ms is generous
                    // on a loaded 2-core machine) until a second after every node said it was linked again.
                    boolean inOutage = t > killedAt - TimeUnit.MILLISECONDS.toNanos(500)
                            && t < linkedAt + TimeUnit.SECONDS.toNanos(1);
                    if (!have.contains(k)) {
                        lost.add(node.id + "<s" + s + ":" + k + "@" + TimeUnit.NANOSECONDS.toMillis(t - killedAt) + "ms");
                        if (s == y || !inOutage) {
                            wrong.add(lost.get(lost.size() - 1));
                        }
                        missing++;
                    }
                }
            }
            assertThat(wrong).as("messages lost outside the outage or from the node's own client (" + outage
                    + "); all lost: " + summary(lost)).isEmpty();
            long[] stats = awaitQuietStats(node);
            assertThat(stats[3]).as("missed reported by " + node.id + " = messages its client did not get").isEqualTo(missing);
            assertThat(stats[6]).as("link downs on " + node.id).isGreaterThanOrEqualTo(1);
            if (missing > 0) {
                assertThat(node.hasEvent("loss")).as(node.id + " sent a loss event").isTrue();
            }
        }
    }

    private static String summary(List<String> lost) {
        return lost.size() <= 20 ? lost.toString() : lost.subList(0, 10) + " ... " + lost.subList(lost.size() - 10, lost.size())
                + " (" + lost.size() + ")";
    }

    private static long[] awaitQuietStats(NodeProcess node) throws InterruptedException {
        long[] last = node.stats();
        while (true) {
            Thread.sleep(300);
            long[] now = node.stats();
            if (java.util.Arrays.equals(now, last)) {
                return now;
            }
            last = now;
        }
    }

    /** Waits until every node reported {@code type}; returns when the last did. */
    private static long awaitAll(List<NodeProcess> nodes, String type) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (nodes.stream().allMatch(n -> n.hasEvent(type))) {
                return System.nanoTime();
            }
            Thread.sleep(10);
        }
        throw new AssertionError("not every node reported " + type + " within 30 s");
    }

    static void awaitAnswer(NodeProcess node, String command, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        String last = null;
        while (System.nanoTime() < deadline) {
            last = node.ask(command);
            if (last.equals(expected)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(node.id + " answered '" + last + "' to '" + command + "', expected '" + expected + "'");
    }

    /**
     * A room is joined asynchronously: each client sends probes until every client has one from
     * each, so every node is subscribed before the test sends what it counts.
     */
    static void barrier(List<TestClient> clients) throws InterruptedException {
        AtomicLong round = new AtomicLong();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        java.util.Set<String> missing = new java.util.HashSet<>();
        for (int i = 0; i < clients.size(); i++) {
            for (int j = 0; j < clients.size(); j++) {
                missing.add(i + ">" + j);
            }
        }
        while (!missing.isEmpty()) {
            assertThat(System.nanoTime()).as("barrier within 15 s, missing " + missing).isLessThan(deadline);
            long r = round.incrementAndGet();
            for (int i = 0; i < clients.size(); i++) {
                clients.get(i).ws.send("probe:" + i + ":" + r);
            }
            Thread.sleep(50);
            for (int j = 0; j < clients.size(); j++) {
                String m;
                while ((m = clients.get(j).messages.poll()) != null) {
                    if (m.startsWith("probe:")) {
                        missing.remove(m.split(":")[1] + ">" + j);
                    }
                }
            }
        }
        Thread.sleep(200);
        for (TestClient c : clients) {
            c.messages.removeIf(m -> m.startsWith("probe:"));
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
