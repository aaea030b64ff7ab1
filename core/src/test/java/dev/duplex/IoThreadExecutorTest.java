package dev.duplex;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.TestServers.Accepted;
import dev.duplex.TestServers.TestServer;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Listeners run on the I/O threads themselves ({@link WebSocketOptions#IO_THREAD}). */
@Timeout(60)
class IoThreadExecutorTest {
    private final TestServers servers = new TestServers();

    @AfterEach
    void tearDown() {
        servers.close();
    }

    @Test
    void listenersRunOnTheIoThreadsAndEveryMessageComesBackInOrder() {
        AtomicReference<String> serverThread = new AtomicReference<>();
        TestServer server = servers.start(b -> b.executor(ServerOptions.IO_THREAD), a -> a.socket().onmessage(e -> {
            serverThread.compareAndSet(null, Thread.currentThread().getName());
            TestServers.echo(a.socket(), ((MessageEvent) e).data());
        }));
        WebSocket ws = servers.client(server.url(), List.of(),
                WebSocketOptions.builder().executor(WebSocketOptions.IO_THREAD).build());
        int n = 5_000;
        ws.onopen(e -> {
            for (int i = 0; i < n; i++) {
                if (i % 3 == 0) {
                    ws.send(new byte[] {(byte) i, (byte) (i >> 8)});
                } else {
                    ws.send("m" + i);
                }
            }
        });
        ws.binaryType(BinaryType.ARRAYBUFFER);
        EventLog log = EventLog.attach(ws);
        List<Object> got = log.awaitMessages(n);
        for (int i = 0; i < n; i++) {
            if (i % 3 == 0) {
                ByteBuffer b = (ByteBuffer) got.get(i);
                assertThat(b.remaining()).isEqualTo(2);
                assertThat((b.get(0) & 0xFF) | (b.get(1) & 0xFF) << 8).as("message %d", i).isEqualTo(i & 0xFFFF);
            } else {
                assertThat(got.get(i)).isEqualTo("m" + i);
            }
        }
        assertThat(serverThread.get()).startsWith("duplex-io-");
        assertThat(log.entries().stream().filter(en -> en.type().equals("message")).map(en -> en.thread().getName()))
                .allMatch(name -> name.startsWith("duplex-io-"));
        log.assertWellFormed();
    }

    @Test
    void serverCloseCalledFromAnIoThreadListenerStartsTheShutdownWithoutWaitingOnItself() {
        AtomicReference<TestServer> self = new AtomicReference<>();
        AtomicLong closeMillis = new AtomicLong(-1);
        TestServer server = servers.start(b -> b.executor(ServerOptions.IO_THREAD), a -> a.socket().onmessage(e -> {
            long t0 = System.nanoTime();
            self.get().server.close();
            closeMillis.set((System.nanoTime() - t0) / 1_000_000);
        }));
        self.set(server);
        EventLog client = servers.openClient(server);
        client.socket().send("stop");
        CloseEvent c = client.awaitClose();
        assertThat(c.code()).isEqualTo(1001);
        assertThat(c.wasClean()).isTrue();
        // Waiting there would block the very thread that carries the closing handshake, until
        // the close timeout (2 s in TestServers) plus a second had run out.
        assertThat(closeMillis.get()).isBetween(0L, 1_000L);
    }

    @Test
    void aDeepQueueHeldBehindTheGateIsDeliveredWholeOnTheIoThread() {
        int n = 200_000;
        TestServer server = servers.start(b -> b, (Accepted a) -> {
            for (int i = 0; i < n; i++) {
                a.socket().send(Integer.toString(i));
            }
        });
        WebSocket ws = servers.client(server.url(), List.of(),
                WebSocketOptions.builder().executor(WebSocketOptions.IO_THREAD).build());
        EventLog log = EventLog.attach(ws);
        // Stay runnable without touching the socket: the gate stays shut while the messages pile
        // up behind it, then the loop opens it and drains them all at once on its own thread.
        long until = System.nanoTime() + 1_500_000_000L;
        long spins = 0;
        while (System.nanoTime() < until) {
            spins++;
        }
        assertThat(spins).isPositive();
        List<Object> got = log.awaitMessages(n);
        for (int i = 0; i < n; i += 997) {
            assertThat(got.get(i)).isEqualTo(Integer.toString(i));
        }
        assertThat(got.get(n - 1)).isEqualTo(Integer.toString(n - 1));
        log.assertWellFormed();
    }
}
