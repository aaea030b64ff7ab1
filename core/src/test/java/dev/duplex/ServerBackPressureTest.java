package dev.duplex;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A server facing a client faster than its handlers, and a client that never answers a close:
 * the two server-side limits that {@code docs/HOSTILE-PEERS.md} listed as untested.
 */
@Timeout(60)
class ServerBackPressureTest {
    private static final int MESSAGE = 1 << 20;
    private static LeakCheck leaks;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    /**
     * The baseline is taken after one connection, so that what the JDK opens once per process
     * on first use (the random source, for example) is not counted as a leak.
     */
    @BeforeAll
    static void warmUpThenTakeTheBaseline() throws Exception {
        WebSocketServer server = new WebSocketServer(ServerOptions.builder().host("127.0.0.1").port(0).build());
        server.start();
        try (RawPeer client = RawPeer.connect(server.port())) {
            client.handshake(server.port());
        }
        server.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (LeakCheck.ioThreads() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);     // the idle I/O thread ends with its selector's descriptors
        }
        leaks = LeakCheck.start();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        leaks.assertNothingLeft();
    }

    /**
     * Handlers blocked, a client writing 1 MiB messages as fast as TCP lets it: once 16 MiB of
     * received messages wait for handlers ({@link WebSocket#INBOUND_HIGH_WATER}), Duplex stops
     * reading, so the client's writes stall instead of the server's heap growing; when the
     * handlers resume, every message is delivered, in order.
     */
    @Test
    void slowHandlersStopReadingAtTheHighWaterMarkAndLoseNothing() throws Exception {
        // What the kernel may buffer on loopback: the receiver's and the sender's socket buffers
        // at their largest (autotuning grows them up to these).
        int kernelMiB = (int) (LoopbackBuffers.loopbackBufferBytes() >> 20) + 1;
        int bound = 16 + kernelMiB + 2;
        int total = bound + 32;
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger delivered = new AtomicInteger();
        AtomicInteger outOfOrder = new AtomicInteger();
        WebSocketServer server = new WebSocketServer(ServerOptions.builder().host("127.0.0.1").port(0)
                .perMessageDeflate(false).build());
        toClose.add(server::close);
        server.onconnection(e -> {
            WebSocket ws = e.socket();
            ws.binaryType(BinaryType.ARRAYBUFFER);
            ws.onmessage(m -> {
                try {
                    release.await();      // a handler that cannot keep up
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
                java.nio.ByteBuffer b = (java.nio.ByteBuffer) ((MessageEvent) m).data();
                if (b.remaining() != MESSAGE || b.get(0) != (byte) delivered.get()) {
                    outOfOrder.incrementAndGet();
                }
                delivered.incrementAndGet();
            });
        });
        server.start();

        RawPeer client = RawPeer.connect(server.port());
        toClose.add(client);
        client.handshake(server.port());
        AtomicInteger written = new AtomicInteger();
        AtomicLong writeError = new AtomicLong();
        Thread writer = new Thread(() -> {
            try {
                for (int i = 0; i < total; i++) {
                    byte[] payload = new byte[MESSAGE];
                    payload[0] = (byte) i;
                    client.write(RawPeer.frame(true, 0x2, payload, true, -1));
                    written.incrementAndGet();
                }
            } catch (IOException e) {
                writeError.incrementAndGet();
            }
        }, "fast-writer");
        writer.setDaemon(true);
        writer.start();

        // With the handlers stuck, the writer gets 16 MiB plus what the kernel's socket buffers
        // hold through, then stalls.
        int previous = -1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            Thread.sleep(500);
            int now = written.get();
            if (now == previous) {
                break;      // stalled
            }
            previous = now;
        }
        int stalledAt = written.get();
        assertThat(stalledAt).as("1 MiB messages written before the writes stalled").isBetween(16, bound);
        assertThat(writer.isAlive()).isTrue();
        assertThat(delivered.get()).isLessThanOrEqualTo(1);

        release.countDown();
        writer.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(writeError.get()).isZero();
        assertThat(written.get()).isEqualTo(total);
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (delivered.get() < total && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(delivered.get()).as("every message delivered").isEqualTo(total);
        assertThat(outOfOrder.get()).as("messages out of order or wrong").isZero();
    }

    /**
     * A server-side {@code close()} to a client that reads the close frame but never answers: after
     * {@code closeTimeout} the server drops the TCP connection and reports error, then close 1006.
     */
    @Test
    void serverSideCloseTimesOutWhenTheClientNeverAnswers() throws Exception {
        BlockingQueue<EventLog> logs = new LinkedBlockingQueue<>();
        WebSocketServer server = new WebSocketServer(ServerOptions.builder().host("127.0.0.1").port(0)
                .closeTimeout(Duration.ofMillis(400)).build());
        toClose.add(server::close);
        server.onconnection(e -> logs.add(EventLog.attach(e.socket())));
        server.start();

        RawPeer client = RawPeer.connect(server.port());
        toClose.add(client);
        client.handshake(server.port());
        EventLog log = logs.poll(10, TimeUnit.SECONDS);
        assertThat(log).isNotNull();
        WebSocket atServer = server.clients().iterator().next();
        long start = System.nanoTime();
        atServer.close(4001, "bye");
        RawPeer.Frame close = client.readFrame(125);
        assertThat(close.isClose()).isTrue();
        assertThat(close.masked).isFalse();
        assertThat(atServer.readyState()).isEqualTo(WebSocket.CLOSING);

        ErrorEvent error = log.assertFailed();
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(ms).as("closed after the 400 ms close timeout").isBetween(350L, 5000L);
        assertThat(error.message()).contains("did not answer the close frame").contains("400 ms");
        assertThat(atServer.readyState()).isEqualTo(WebSocket.CLOSED);
        try {
            assertThat(client.in.read()).as("the server closed TCP").isEqualTo(-1);
        } catch (java.net.SocketException reset) {
            // dropped with a reset: closed too
        }
        assertThat(server.clients()).isEmpty();
    }
}
