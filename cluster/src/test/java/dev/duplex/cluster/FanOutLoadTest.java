package dev.duplex.cluster;

import dev.duplex.MessageEvent;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 10,000 messages a second into the cluster, fanned out to 1,000 clients over three nodes
 * (three JVMs), none lost: 1,000 chat users in 100 rooms of 10, members of each room spread
 * over the three nodes, each user sending 10 messages a second to its room for 10 seconds:
 * 100,000 messages in, 1,000,000 deliveries, two thirds of them through Redis. Every client
 * must get every message of its room, from each sender in order.
 */
@Timeout(300)
class FanOutLoadTest {
    private static final int CLIENTS = Integer.getInteger("fanout.clients", 1000);
    private static final int ROOM_SIZE = Integer.getInteger("fanout.roomSize", 10);
    private static final int RATE = Integer.getInteger("fanout.rate", 10_000);
    private static final int SECONDS = Integer.getInteger("fanout.seconds", 10);

    @TempDir
    Path logs;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void stopEverything() throws Exception {
        Collections.reverse(toClose);
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    /** One user: counts, per sender of its room, the next sequence number it expects. */
    private static final class User {
        final int index;
        final WebSocket ws;
        final CompletableFuture<Void> open = new CompletableFuture<>();
        final int[] next = new int[ROOM_SIZE];
        final AtomicLong received = new AtomicLong();
        final AtomicLong probes = new AtomicLong();
        volatile String error;

        User(int index, String url) {
            this.index = index;
            ws = new WebSocket(url, List.of(), WebSocketOptions.builder().executor(WebSocketOptions.IO_THREAD)
                    .perMessageDeflate(false).build());
            ws.onopen(e -> open.complete(null));
            ws.onmessage(e -> take((String) ((MessageEvent) e).data()));
        }

        // "p" probes (barrier) or "<member>:<k>"
        private void take(String m) {
            if (m.charAt(0) == 'p') {
                probes.incrementAndGet();
                return;
            }
            int colon = m.indexOf(':');
            int member = Integer.parseInt(m, 0, colon, 10);
            int k = Integer.parseInt(m, colon + 1, m.length(), 10);
            if (k != next[member] && error == null) {
                error = "user " + index + ": from member " + member + " got " + k + ", expected " + next[member];
            }
            next[member] = k + 1;
            received.incrementAndGet();
        }
    }

    @Test
    void tenThousandMessagesASecondReachAThousandClientsOverThreeNodesWithoutLoss() throws Exception {
        RedisProcess redis = RedisProcess.start();
        toClose.add(redis);
        List<NodeProcess> nodes = new ArrayList<>();
        for (String id : List.of("f1", "f2", "f3")) {
            NodeProcess n = NodeProcess.start(redis.uri(), id, logs.resolve(id + ".log"), "500", "3000");
            toClose.add(n);
            nodes.add(n);
        }
        int rooms = CLIENTS / ROOM_SIZE;
        List<User> users = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            int room = i / ROOM_SIZE;
            // Member m of room r sits on node (r + m) % 3: every room spans the three nodes.
            NodeProcess node = nodes.get((room + i % ROOM_SIZE) % 3);
            users.add(new User(i, node.url("/room/r" + room)));
            if (i % 100 == 99) {
                for (User u : users.subList(i - 99, i + 1)) {
                    u.open.get(30, TimeUnit.SECONDS);
                }
            }
        }
        toClose.add(() -> users.forEach(u -> u.ws.close()));
        // Barrier: the first member of each room probes until every member got a probe.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (users.stream().anyMatch(u -> u.probes.get() == 0)) {
            assertThat(System.nanoTime()).as("every room joined on every node within 30 s").isLessThan(deadline);
            for (int r = 0; r < rooms; r++) {
                users.get(r * ROOM_SIZE).ws.send("p");
            }
            Thread.sleep(100);
        }
        Thread.sleep(500);

        int perUser = RATE / CLIENTS * SECONDS;
        long intervalNanos = TimeUnit.SECONDS.toNanos(1) / RATE;
        long start = System.nanoTime();
        AtomicInteger sent = new AtomicInteger();
        for (int k = 0; k < perUser; k++) {
            for (User u : users) {
                long due = start + (long) sent.get() * intervalNanos;
                long wait = due - System.nanoTime();
                if (wait > 200_000) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                u.ws.send((u.index % ROOM_SIZE) + ":" + k);
                sent.incrementAndGet();
            }
        }
        double sendSeconds = (System.nanoTime() - start) / 1e9;
        long expected = (long) perUser * ROOM_SIZE;
        long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (users.stream().anyMatch(u -> u.received.get() < expected) && System.nanoTime() < waitUntil) {
            Thread.sleep(50);
        }
        double allSeconds = (System.nanoTime() - start) / 1e9;
        long delivered = users.stream().mapToLong(u -> u.received.get()).sum();
        System.out.printf("fan-out: %d messages in %.2f s (%.0f/s), %d deliveries of %d in %.2f s%n",
                sent.get(), sendSeconds, sent.get() / sendSeconds, delivered, expected * CLIENTS, allSeconds);
        for (User u : users) {
            assertThat(u.error).isNull();
            assertThat(u.received.get()).as("messages received by user " + u.index).isEqualTo(expected);
        }
        assertThat(sent.get() / sendSeconds).as("messages per second sent").isGreaterThan(0.9 * RATE);
        for (NodeProcess n : nodes) {
            long[] stats = n.stats();
            assertThat(stats[3]).as("missed on " + n.id).isZero();
            assertThat(stats[1]).as("not relayed by " + n.id).isZero();
        }
    }
}
