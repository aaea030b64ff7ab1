package dev.duplex;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link WebSocketStream}'s blocking form on virtual threads (JDK 21+; compiled and run only
 * there, see core/pom.xml): the use it was made for. A server hands each accepted socket's
 * stream to a virtual thread that echoes with {@code receive()} and {@code send()}; clients on
 * virtual threads do the same from the other side.
 */
@Timeout(120)
class WebSocketStreamOnVirtualThreadsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final TestKit kit = new TestKit();

    /**
     * 200 clients, each on its own virtual thread, send 50 numbered messages and read each echo
     * back before the next, against a server that echoes from one virtual thread per socket:
     * every reply arrives, in order, and every server thread sees the clean close (null).
     */
    @Test
    void virtualThreadsEchoThroughTheBlockingFormOnBothSides() throws Exception {
        int clients = 200;
        int perClient = 50;
        ConcurrentLinkedQueue<Throwable> serverFailures = new ConcurrentLinkedQueue<>();
        CountDownLatch serverThreadsDone = new CountDownLatch(clients);
        WebSocketServer server = startServer(stream -> Thread.ofVirtual().start(() -> {
            try {
                for (Object m; (m = stream.receive(WAIT)) != null; ) {
                    stream.send(m);
                }
            } catch (Exception e) {
                serverFailures.add(e);
            } finally {
                serverThreadsDone.countDown();
            }
        }));

        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<List<Object>>> replies = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                replies.add(threads.submit(() -> {
                    WebSocketStream stream = WebSocketStream.connect(TestKit.url(server), List.of(), plainClient());
                    List<Object> got = new ArrayList<>();
                    for (int i = 0; i < perClient; i++) {
                        stream.send("client " + client + " message " + i);
                        got.add(stream.receive(WAIT));
                    }
                    stream.close();
                    assertThat(stream.receive(WAIT)).as("end of the stream after a clean close").isNull();
                    return got;
                }));
            }
            for (int c = 0; c < clients; c++) {
                List<Object> expected = new ArrayList<>();
                for (int i = 0; i < perClient; i++) {
                    expected.add("client " + c + " message " + i);
                }
                assertThat(replies.get(c).get(60, TimeUnit.SECONDS)).containsExactlyElementsOf(expected);
            }
        }
        assertThat(serverThreadsDone.await(30, TimeUnit.SECONDS)).as("every server thread saw the end").isTrue();
        assertThat(serverFailures).isEmpty();
    }

    /**
     * A virtual thread's {@code send()} blocks while the peer reads nothing (the socket's queue
     * is at the high-water mark), holding the queue near the mark instead of growing it, and
     * goes on when the peer starts reading; every byte then arrives.
     */
    @Test
    void aBlockingSendOnAVirtualThreadWaitsForAPeerThatDoesNotReadAndResumesWhenItDoes() throws Exception {
        CompletableFuture<WebSocketStream> serverSide = new CompletableFuture<>();
        WebSocketServer server = startServer(serverSide::complete);
        WebSocketStream client = WebSocketStream.connect(TestKit.url(server), List.of(), plainClient());
        kit.track(client::close);
        WebSocketStream peer = serverSide.get(30, TimeUnit.SECONDS);   // reads nothing until told to

        int size = 64 << 10;
        int count = 1600;                                              // 100 MiB
        AtomicLong sent = new AtomicLong();
        AtomicLong peakQueued = new AtomicLong();
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < count; i++) {
                    byte[] payload = new byte[size];
                    payload[0] = (byte) i;
                    client.send(payload);
                    sent.incrementAndGet();
                    peakQueued.accumulateAndGet(client.writer().queuedBytes(), Math::max);
                }
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });

        long stalledAt = awaitStall(sent);
        assertThat(stalledAt).as("messages queued before send() blocked").isLessThan(count / 4);
        assertThat(writer.isAlive()).isTrue();
        assertThat(peakQueued.get()).as("queued bytes stay near the high-water mark")
                .isLessThanOrEqualTo(StreamOptions.DEFAULT_HIGH_WATER_MARK + size);

        for (int i = 0; i < count; i++) {
            Object m = peer.receive(WAIT);
            assertThat(m).isInstanceOf(java.nio.ByteBuffer.class);
            java.nio.ByteBuffer b = (java.nio.ByteBuffer) m;
            assertThat(b.remaining()).isEqualTo(size);
            assertThat(b.get(b.position())).isEqualTo((byte) i);
        }
        writer.join(30_000);
        assertThat(writer.isAlive()).isFalse();
        assertThat(sent.get()).isEqualTo(count);
    }

    /** Waits until {@code sent} stops moving for half a second and returns where it stopped. */
    private static long awaitStall(AtomicLong sent) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long last = -1;
        while (System.nanoTime() < deadline) {
            long now = sent.get();
            if (now == last && now > 0) {
                return now;
            }
            last = now;
            Thread.sleep(500);
        }
        throw new AssertionError("send() never blocked; " + sent.get() + " messages were queued");
    }

    /** A server that wraps each accepted socket in a stream and hands it to {@code onStream}. */
    private static WebSocketServer startServer(java.util.function.Consumer<WebSocketStream> onStream) {
        return kit.server(ServerOptions.builder().perMessageDeflate(false).closeTimeout(Duration.ofSeconds(5)),
                e -> onStream.accept(WebSocketStream.of(e.socket())));
    }

    private static WebSocketOptions plainClient() {
        return WebSocketOptions.builder().perMessageDeflate(false).build();
    }
}
