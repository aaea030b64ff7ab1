package dev.duplex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import dev.duplex.WebSocketStream.CloseInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link WebSocketStream} over real sockets on 127.0.0.1, against a Duplex server whose sockets
 * are wrapped with {@link WebSocketStream#of}: back-pressure in both directions (the reading
 * stops when the subscriber has no demand, the writer is told to wait at the high-water mark),
 * write stages that complete when the bytes reach the kernel, cancellation's close code, and
 * the blocking form.
 */
@Timeout(120)
class WebSocketStreamTest {
    private static final long WAIT_MILLIS = 30_000;
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final LinkedBlockingQueue<WebSocketStream> accepted = new LinkedBlockingQueue<>();

    @AfterEach
    void tearDown() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    // ------------------------------------------------------------------ (a) reading back-pressure

    /**
     * A server streams 1 GiB in 16 KiB messages as fast as its writer lets it; the client's
     * subscriber requests one message at a time, pausing now and then, and twice stops
     * requesting until the server is seen blocked. The bytes the client holds never exceed its
     * read buffer plus one network read, the server's queue stops at the high-water mark (TCP
     * pushed back), the heap stays flat, and every message arrives in order.
     */
    @Test
    void aSlowSubscriberHoldsTheReadingAndTheFastSenderWaitsAtTheHighWaterMark() throws Exception {
        int size = 16 << 10;
        int count = (1 << 30) / size;          // 1 GiB
        long highWater = StreamOptions.DEFAULT_HIGH_WATER_MARK;
        Generator generator = new Generator(count, size);
        WebSocketServer server = startServer(stream -> stream.opened().thenAccept(open -> {
            generator.writer = open.writable();
            generator.subscribe(open.writable().asSubscriber());
        }));
        WebSocketStream client = WebSocketStream.connect(url(server), List.of(), plainClient());
        toClose.add(client::close);
        WebSocketStream.OpenInfo open = get(client.opened());
        long baseline = usedHeapAfterGc();

        int[] stallAt = {count / 16, count / 2};
        AtomicInteger received = new AtomicInteger();
        AtomicLong receivedBytes = new AtomicLong();
        AtomicReference<String> broken = new AtomicReference<>();
        AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
        LinkedBlockingQueue<Integer> stalls = new LinkedBlockingQueue<>();
        CompletableFuture<Void> completed = new CompletableFuture<>();
        open.readable().subscribe(new Flow.Subscriber<Object>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription.set(s);
                s.request(1);
            }

            @Override
            public void onNext(Object item) {
                int n = received.getAndIncrement();
                ByteBuffer b = (ByteBuffer) item;
                receivedBytes.addAndGet(b.remaining());
                if (b.remaining() != size || b.getInt(0) != n) {
                    broken.compareAndSet(null, "message " + n + ": " + b.remaining() + " bytes, numbered " + b.getInt(0));
                }
                if (n % 1024 == 1023) {
                    pause(1);
                }
                if (n == stallAt[0] || n == stallAt[1]) {
                    stalls.add(n);          // no request: the test thread asks for the next one
                } else {
                    subscription.get().request(1);
                }
            }

            @Override
            public void onError(Throwable e) {
                completed.completeExceptionally(e);
            }

            @Override
            public void onComplete() {
                completed.complete(null);
            }
        });

        List<String> figures = new ArrayList<>();
        for (int stall = 0; stall < stallAt.length; stall++) {
            Integer at = stalls.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            assertThat(at).as("the subscriber reached message " + stallAt[stall]).isEqualTo(stallAt[stall]);
            // The subscriber has no demand: the client stops reading, the kernel's buffers fill,
            // and the server's writer stops at the high-water mark with nothing requested.
            await(() -> client.readingHeld(), "the client to stop reading");
            await(() -> generator.demand.get() == 0 && generator.writer.queuedBytes() >= highWater,
                    "the server's writer to wait at the high-water mark (queued " + generator.writer.queuedBytes() + ")");
            long sentBefore = generator.sent.get();
            long heap = usedHeapAfterGc();
            assertThat(client.heldBytes()).as("bytes the client holds while it waits").isLessThanOrEqualTo(1L << 20);
            figures.add("stall at message " + at + ": client holds " + client.heldBytes() + " B, server queue "
                    + generator.writer.queuedBytes() + " B, server produced " + (sentBefore * size >> 20)
                    + " MiB of 1024, used heap after GC " + (heap >> 20) + " MiB (baseline " + (baseline >> 20) + " MiB)");
            assertThat(heap - baseline).as("heap growth while 1 GiB is waiting to be read").isLessThan(64L << 20);
            subscription.get().request(1);
        }

        get(completed);
        CloseInfo closed = get(client.closed());
        long end = usedHeapAfterGc();
        figures.add("done: " + (receivedBytes.get() >> 20) + " MiB received; peak held by the client "
                + client.peakHeldBytes() + " B; peak server queue " + generator.peakQueued.get()
                + " B; used heap after GC " + (end >> 20) + " MiB");
        System.out.println("[WebSocketStreamTest] " + String.join("\n[WebSocketStreamTest] ", figures));

        assertThat(broken.get()).isNull();
        assertThat(received.get()).isEqualTo(count);
        assertThat(receivedBytes.get()).isEqualTo(1L << 30);
        assertThat(closed.closeCode()).isEqualTo(1000);
        // The read buffer (256 KiB), one network read (256 KiB) and the message being assembled.
        assertThat(client.peakHeldBytes()).isLessThanOrEqualTo(StreamOptions.DEFAULT_READ_BUFFER + (256 << 10) + size);
        // The writer requests only below the mark, so the queue passes it by less than a message.
        assertThat(generator.peakQueued.get()).isGreaterThanOrEqualTo(highWater).isLessThan(highWater + size);
        assertThat(end - baseline).isLessThan(64L << 20);
    }

    // ------------------------------------------------------------------ (b) cancellation

    /** Cancelling the subscription closes the socket with 1000 (the default cancelCode), which the server sees. */
    @Test
    void cancellingTheReadableSideClosesWith1000ByDefault() throws Exception {
        assertCancelCloses(StreamOptions.defaults(), 1000, "");
    }

    /** With a configured cancelCode and cancelReason, those are what the server sees. */
    @Test
    void cancellingTheReadableSideClosesWithTheConfiguredCode() throws Exception {
        assertCancelCloses(StreamOptions.builder().cancelCode(4001).cancelReason("enough").build(), 4001, "enough");
    }

    private void assertCancelCloses(StreamOptions limits, int code, String reason) throws Exception {
        Generator endless = new Generator(Integer.MAX_VALUE, 1024);
        CompletableFuture<WebSocketStream> serverSide = new CompletableFuture<>();
        WebSocketServer server = startServer(stream -> {
            serverSide.complete(stream);
            stream.opened().thenAccept(open -> {
                endless.writer = open.writable();
                endless.subscribe(open.writable().asSubscriber());
            });
        });
        WebSocketStream client = WebSocketStream.connect(url(server), List.of(), plainClient(), limits);
        toClose.add(client::close);
        List<Object> got = new ArrayList<>();
        CountDownLatch cancelled = new CountDownLatch(1);
        get(client.opened()).readable().subscribe(new Flow.Subscriber<Object>() {
            Flow.Subscription s;

            @Override
            public void onSubscribe(Flow.Subscription s) {
                this.s = s;
                s.request(3);
            }

            @Override
            public void onNext(Object item) {
                got.add(item);
                if (got.size() == 3) {
                    s.cancel();
                    cancelled.countDown();
                }
            }

            @Override
            public void onError(Throwable e) {
                fail("no onError after cancel: " + e);
            }

            @Override
            public void onComplete() {
                fail("no onComplete after cancel");
            }
        });
        assertThat(cancelled.await(WAIT_MILLIS, TimeUnit.MILLISECONDS)).isTrue();
        CloseInfo seenByServer = get(get(serverSide).closed());
        assertThat(seenByServer.closeCode()).isEqualTo(code);
        assertThat(seenByServer.reason()).isEqualTo(reason);
        CloseInfo seenByClient = get(client.closed());
        assertThat(seenByClient.closeCode()).isEqualTo(code);
        assertThat(got).hasSize(3);
        await(endless.cancelled::get, "the server's writer to cancel its publisher once the socket closed");
    }

    /** A second subscriber gets onSubscribe, then onError; the first keeps the messages. */
    @Test
    void theReadableSideTakesOneSubscriber() throws Exception {
        WebSocketServer server = startServer(stream -> stream.writer().write("one"));
        WebSocketStream client = WebSocketStream.connect(url(server));
        toClose.add(client::close);
        Flow.Publisher<Object> readable = get(client.opened()).readable();
        Recorder first = new Recorder(1);
        readable.subscribe(first);
        Recorder second = new Recorder(1);
        readable.subscribe(second);
        assertThat(get(second.failed)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already has a subscriber");
        assertThat(first.items.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS)).isEqualTo("one");
        assertThatThrownBy(() -> client.receive(Duration.ofMillis(1))).isInstanceOf(IllegalStateException.class);
    }

    /**
     * Messages over the client's largeMessageThreshold come as file-backed blobs; the one the
     * subscriber takes is its to close, and cancelling releases the ones the stream still held
     * (and the socket those it drops once closing).
     */
    @Test
    void spilledMessagesComeAsBlobsAndCancellingDeletesTheHeldFiles() throws Exception {
        int before = FileBlob.liveTemporaryFiles();
        int size = 200 << 10;
        WebSocketServer server = startServer(stream -> {
            for (int i = 0; i < 3; i++) {
                byte[] b = new byte[size];
                b[0] = (byte) i;
                stream.writer().write(b);
            }
        });
        WebSocketOptions spilling = WebSocketOptions.builder().perMessageDeflate(false).largeMessageThreshold(64 << 10).build();
        WebSocketStream client = WebSocketStream.connect(url(server), List.of(), spilling);
        toClose.add(client::close);
        Recorder one = new Recorder(1);
        get(client.opened()).readable().subscribe(one);
        Object first = one.items.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        assertThat(first).isInstanceOf(Blob.class);
        Blob blob = (Blob) first;
        assertThat(blob.size()).isEqualTo(size);
        assertThat(blob.slice(0, 1).bytes()[0]).isEqualTo((byte) 0);
        // The read buffer (256 KiB) holds one more: the reading stops with the second (or third) held.
        await(client::readingHeld, "the reading to stop");
        assertThat(client.heldBytes()).isGreaterThanOrEqualTo(size);
        assertThat(FileBlob.liveTemporaryFiles()).isGreaterThanOrEqualTo(before + 2);
        blob.close();
        one.subscription.cancel();
        get(client.closed());
        await(() -> FileBlob.liveTemporaryFiles() == before, "the held blobs' files to be deleted");
    }

    // ------------------------------------------------------------------ (c) writing back-pressure

    /** A write's stage completes once its bytes have been written, and the peer gets the message. */
    @Test
    void aWriteCompletesWhenItsBytesReachedTheKernel() throws Exception {
        WebSocketServer server = startServer(null);
        WebSocketStream client = WebSocketStream.connect(url(server));
        toClose.add(client::close);
        WebSocketStream.Writer writer = get(client.opened()).writable();
        WebSocketStream serverSide = accepted.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        get(writer.write("hello"));
        get(writer.write(new byte[] {1, 2, 3}));
        get(writer.write(Blob.of("blob")));
        assertThat(writer.queuedBytes()).isZero();
        assertThat(client.socket().writtenTotal()).isEqualTo(5 + 3 + 4);
        assertThat(serverSide.receive(Duration.ofMillis(WAIT_MILLIS))).isEqualTo("hello");
        assertThat(bytes(serverSide.receive(Duration.ofMillis(WAIT_MILLIS)))).containsExactly(1, 2, 3);
        assertThat(bytes(serverSide.receive(Duration.ofMillis(WAIT_MILLIS)))).containsExactly('b', 'l', 'o', 'b');
        assertThatThrownBy(() -> writer.write(42)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> writer.write("\uD800")).isInstanceOf(DOMException.class);
    }

    /**
     * The server's stream has no subscriber, so it stops reading; the client's publisher, fed
     * through {@code asSubscriber()}, is asked for nothing more once the queue is at the
     * high-water mark: what it produced is bounded by the kernel's buffers, the server's read
     * buffer and the mark, far less than the 100 MiB it has. Then a message larger than all the
     * kernel's buffers together is written: its stage cannot complete, {@code ready()} cannot
     * either, and a blocking send blocks, until the server reads again; then every message
     * arrives in order and every stage completes.
     */
    @Test
    void theWriterIsToldToWaitInsteadOfQueueingWithoutBound() throws Exception {
        int size = 64 << 10;
        int count = 1600;                   // 100 MiB
        long kernel = LoopbackBuffers.loopbackBufferBytes();
        WebSocketServer server = startServer(null);
        WebSocketStream client = WebSocketStream.connect(url(server), List.of(), plainClient());
        toClose.add(client::close);
        WebSocketStream.Writer writer = get(client.opened()).writable();
        WebSocketStream serverSide = accepted.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        Generator generator = new Generator(count, size);
        generator.writer = writer;
        generator.subscribe(writer.asSubscriber());

        long highWater = StreamOptions.DEFAULT_HIGH_WATER_MARK;
        await(() -> generator.demand.get() == 0 && writer.queuedBytes() >= highWater && serverSide.readingHeld(),
                "the client's writer to wait at the high-water mark");
        long produced = generator.sent.get() * (long) size;
        long bound = kernel + StreamOptions.DEFAULT_READ_BUFFER + (256 << 10) + highWater + 2L * size;
        System.out.println("[WebSocketStreamTest] writer waits: produced " + (produced >> 20) + " MiB of "
                + ((long) count * size >> 20) + ", queued " + writer.queuedBytes() + " B, bound " + (bound >> 20) + " MiB");
        assertThat(produced).isLessThanOrEqualTo(bound).isLessThan((long) count * size);

        // More than the kernel can take while the server does not read: it stays queued.
        byte[] big = new byte[(int) (kernel + (4 << 20))];
        CompletableFuture<Void> bigWritten = writer.write(big).toCompletableFuture();
        assertThat(writer.desiredSize()).isLessThanOrEqualTo(0);
        CompletableFuture<Void> ready = writer.ready().toCompletableFuture();
        AtomicBoolean sent = new AtomicBoolean();
        AtomicReference<Throwable> sendFailed = new AtomicReference<>();
        Thread blocked = new Thread(() -> {
            try {
                client.send("blocking");
                sent.set(true);
            } catch (Throwable e) {
                sendFailed.set(e);
            }
        }, "blocking-send");
        blocked.start();
        await(() -> blocked.getState() == Thread.State.WAITING, "send() to block");
        assertThat(sent.get()).isFalse();
        assertThat(ready.isDone()).as("ready() while the queue is above the mark").isFalse();
        assertThat(bigWritten.isDone()).as("a write the kernel cannot take yet").isFalse();

        // The big message and the text go out among the publisher's remaining messages.
        List<Object> others = new ArrayList<>();
        int next = 0;
        for (int i = 0; i < count + 2; i++) {
            Object m = serverSide.receive(Duration.ofMillis(WAIT_MILLIS));
            if (m instanceof ByteBuffer b && b.remaining() == size) {
                assertThat(b.getInt(0)).isEqualTo(next++);
            } else {
                others.add(m instanceof Blob blob ? "blob of " + blob.size() : m instanceof ByteBuffer b
                        ? "buffer of " + b.remaining() : m);
                if (m instanceof Blob blob) {
                    blob.close();
                }
            }
        }
        assertThat(next).isEqualTo(count);
        blocked.join(WAIT_MILLIS);
        assertThat(sendFailed.get()).isNull();
        assertThat(sent.get()).isTrue();
        assertThat(others).containsExactly("blob of " + big.length, "blocking");
        get(ready);
        get(bigWritten);
        assertThat(generator.completedWith.get()).isTrue();
        CloseInfo closed = get(client.closed());       // the publisher completed: close 1000
        assertThat(closed.closeCode()).isEqualTo(1000);
    }

    /**
     * The server's stream holds the reading (no subscriber, buffer full) when the server closes
     * the socket itself, not through the stream: the hold ends with the close, so the server
     * reads past the client's data to its close frame and the closing handshake completes.
     */
    @Test
    void closingTheSocketDirectlyEndsTheStreamsHoldOnTheReading() throws Exception {
        WebSocketServer server = startServer(null);
        WebSocketStream client = WebSocketStream.connect(url(server), List.of(), plainClient());
        toClose.add(client::close);
        WebSocketStream.Writer writer = get(client.opened()).writable();
        WebSocketStream serverSide = accepted.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        for (int i = 0; i < 64; i++) {
            writer.write(new byte[64 << 10]);
        }
        await(serverSide::readingHeld, "the server's stream to hold the reading");
        serverSide.socket().close(1000, "bye");
        assertThat(get(serverSide.closed()).closeCode()).isEqualTo(1000);
        CloseInfo seenByClient = get(client.closed());
        assertThat(seenByClient.closeCode()).isEqualTo(1000);
        assertThat(seenByClient.reason()).isEqualTo("bye");
    }

    /**
     * A publisher that fails makes {@code asSubscriber()} close the socket with 1011 and a reason
     * that says so (cut to fit a close frame); the server reads what was written before.
     */
    @Test
    void aFailingPublisherClosesWith1011() throws Exception {
        WebSocketServer server = startServer(null);
        WebSocketStream client = WebSocketStream.connect(url(server));
        toClose.add(client::close);
        WebSocketStream.Writer writer = get(client.opened()).writable();
        WebSocketStream serverSide = accepted.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        Flow.Publisher<Object> failing = s -> {
            AtomicInteger n = new AtomicInteger();
            s.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long k) {
                    if (n.incrementAndGet() <= 2) {
                        s.onNext("message " + n.get());
                    } else {
                        s.onError(new IllegalStateException("the source ran dry " + "x".repeat(200)));
                    }
                }

                @Override
                public void cancel() {
                }
            });
        };
        failing.subscribe(writer.asSubscriber());
        assertThat(serverSide.receive(Duration.ofMillis(WAIT_MILLIS))).isEqualTo("message 1");
        assertThat(serverSide.receive(Duration.ofMillis(WAIT_MILLIS))).isEqualTo("message 2");
        assertThat(serverSide.receive(Duration.ofMillis(WAIT_MILLIS))).isNull();
        CloseInfo seen = get(serverSide.closed());
        assertThat(seen.closeCode()).isEqualTo(1011);
        assertThat(seen.reason()).startsWith("The publisher failed: java.lang.IllegalStateException: the source ran dry")
                .endsWith("...");
        assertThat(seen.reason().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(123);
    }

    // ------------------------------------------------------------------ (d) the blocking form

    /** receive() times out, returns messages in order, and null after a clean close. */
    @Test
    void blockingReceiveWithTimeout() throws Exception {
        WebSocketServer server = startServer(null);
        WebSocketStream client = WebSocketStream.connect(url(server));
        toClose.add(client::close);
        WebSocketStream serverSide = accepted.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        assertThatThrownBy(() -> client.receive(Duration.ofMillis(50)))
                .isInstanceOf(TimeoutException.class).hasMessageContaining("PT0.05S");
        serverSide.send("hello");
        serverSide.send(new byte[] {7});
        assertThat(client.receive(Duration.ofMillis(WAIT_MILLIS))).isEqualTo("hello");
        assertThat(bytes(client.receive())).containsExactly(7);
        serverSide.close(1001, "going");
        assertThat(client.receive(Duration.ofMillis(WAIT_MILLIS))).isNull();
        assertThat(client.receive(Duration.ofMillis(WAIT_MILLIS))).isNull();
        CloseInfo closed = get(client.closed());
        assertThat(closed.closeCode()).isEqualTo(1001);
        assertThat(closed.reason()).isEqualTo("going");
        assertThatThrownBy(() -> client.send("late")).isInstanceOf(WebSocketStream.ClosedException.class)
                .hasMessageContaining("1001");
    }

    /** A connection that cannot be made: receive() and send() throw, opened() and closed() fail, with the cause. */
    @Test
    void aFailedConnectionFailsEveryStage() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        WebSocketStream client = WebSocketStream.connect("ws://127.0.0.1:" + port + "/");
        assertThatThrownBy(() -> client.receive(Duration.ofMillis(WAIT_MILLIS)))
                .isInstanceOf(WebSocketStream.ClosedException.class)
                .satisfies(e -> assertThat(((WebSocketStream.ClosedException) e).closeCode()).isEqualTo(1006))
                .hasMessageContaining("without a closing handshake");
        assertThatThrownBy(() -> client.send("x")).isInstanceOf(WebSocketStream.ClosedException.class);
        assertThatThrownBy(() -> get(client.opened())).hasCauseInstanceOf(WebSocketStream.ClosedException.class);
        assertThatThrownBy(() -> get(client.closed())).hasCauseInstanceOf(WebSocketStream.ClosedException.class)
                .satisfies(e -> assertThat(e.getCause().getCause()).isNotNull());
    }

    /** The negotiated protocol is in the open info on both sides; a socket takes one stream. */
    @Test
    void openInfoAndWrappingServerSockets() throws Exception {
        CompletableFuture<String> serverProtocol = new CompletableFuture<>();
        AtomicReference<Throwable> secondWrap = new AtomicReference<>();
        WebSocketServer server = new WebSocketServer(ServerOptions.builder().host("127.0.0.1").port(0)
                .handshake(r -> HandshakeDecision.accept("chat")).build());
        toClose.add(server::close);
        server.onconnection(e -> {
            WebSocketStream stream = WebSocketStream.of(e.socket());
            try {
                WebSocketStream.of(e.socket());
            } catch (IllegalArgumentException twice) {
                secondWrap.set(twice);
            }
            stream.opened().thenAccept(open -> serverProtocol.complete(open.protocol()));
        });
        server.start();
        WebSocketStream client = WebSocketStream.connect(url(server), List.of("chat"), WebSocketOptions.defaults());
        toClose.add(client::close);
        WebSocketStream.OpenInfo open = get(client.opened());
        assertThat(open.protocol()).isEqualTo("chat");
        assertThat(open.extensions()).contains("permessage-deflate");
        assertThat(open.writable()).isSameAs(client.writer());
        assertThat(get(serverProtocol)).isEqualTo("chat");
        assertThat(secondWrap.get()).hasMessageContaining("already has a WebSocketStream");
        assertThatThrownBy(() -> StreamOptions.builder().cancelCode(1006)).isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------ helpers

    /** A publisher of {@code count} numbered messages of {@code size} bytes, made as requested. */
    static final class Generator implements Flow.Publisher<Object> {
        final int count;
        final int size;
        final AtomicLong demand = new AtomicLong();
        final AtomicLong sent = new AtomicLong();
        final AtomicLong peakQueued = new AtomicLong();
        final AtomicBoolean cancelled = new AtomicBoolean();
        final AtomicBoolean completedWith = new AtomicBoolean();
        private final AtomicInteger wip = new AtomicInteger();
        volatile WebSocketStream.Writer writer;

        Generator(int count, int size) {
            this.count = count;
            this.size = size;
        }

        @Override
        public void subscribe(Flow.Subscriber<? super Object> s) {
            byte[] message = new byte[size];        // the writer copies it: one array serves all
            s.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {
                    demand.addAndGet(n);
                    if (wip.getAndIncrement() != 0) {
                        return;     // the loop below, further up this thread's stack or on another, sees it
                    }
                    do {
                        while (demand.get() > 0 && sent.get() < count && !cancelled.get()) {
                            demand.decrementAndGet();
                            ByteBuffer.wrap(message).putInt(0, (int) sent.getAndIncrement());
                            s.onNext(message);
                            peakQueued.accumulateAndGet(writer.queuedBytes(), Math::max);
                        }
                        if (sent.get() == count && !cancelled.get() && completedWith.compareAndSet(false, true)) {
                            s.onComplete();
                        }
                    } while (wip.decrementAndGet() != 0);
                }

                @Override
                public void cancel() {
                    cancelled.set(true);
                }
            });
        }
    }

    /** A subscriber that requests {@code initial} messages and records what it gets. */
    static final class Recorder implements Flow.Subscriber<Object> {
        final LinkedBlockingQueue<Object> items = new LinkedBlockingQueue<>();
        final CompletableFuture<Throwable> failed = new CompletableFuture<>();
        final long initial;
        volatile Flow.Subscription subscription;

        Recorder(long initial) {
            this.initial = initial;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(initial);
        }

        @Override
        public void onNext(Object item) {
            items.add(item);
        }

        @Override
        public void onError(Throwable e) {
            failed.complete(e);
        }

        @Override
        public void onComplete() {
            failed.complete(null);
        }
    }

    private WebSocketServer startServer(java.util.function.Consumer<WebSocketStream> onStream) throws IOException {
        WebSocketServer server = new WebSocketServer(ServerOptions.builder().host("127.0.0.1").port(0)
                .perMessageDeflate(false).maxMessageSize(256L << 20).closeTimeout(Duration.ofSeconds(5)).build());
        toClose.add(server::close);
        server.onconnection(e -> {
            WebSocketStream stream = WebSocketStream.of(e.socket());
            accepted.add(stream);
            if (onStream != null) {
                onStream.accept(stream);
            }
        });
        server.start();
        return server;
    }

    private static String url(WebSocketServer server) {
        return "ws://127.0.0.1:" + server.port() + "/";
    }

    private static WebSocketOptions plainClient() {
        return WebSocketOptions.builder().perMessageDeflate(false).build();
    }

    private static byte[] bytes(Object message) {
        ByteBuffer b = ((ByteBuffer) message).duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static <T> T get(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("waited " + WAIT_MILLIS + " ms for " + what);
            }
            Thread.sleep(5);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(20);
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }
}
