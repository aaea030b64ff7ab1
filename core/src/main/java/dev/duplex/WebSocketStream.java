package dev.duplex;

import dev.duplex.internal.events.InboundBackPressure;
import dev.duplex.internal.protocol.CloseCodes;
import dev.duplex.internal.protocol.Utf8;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The stream form of a WebSocket, modelled on the WHATWG {@code WebSocketStream} proposal, on
 * {@link java.util.concurrent.Flow}: messages come from a {@link Flow.Publisher}, go out
 * through a {@link Writer} whose writes complete when their bytes reach the kernel, and
 * back-pressure is real both ways. A subscriber that requests nothing stops Duplex reading from
 * the socket, so TCP slows the peer down instead of memory growing; a writer is told to wait
 * once {@link StreamOptions#highWaterMark()} bytes are queued.
 *
 * <pre>{@code
 * WebSocketStream wss = WebSocketStream.connect("ws://localhost:8080/feed");
 * wss.opened().thenAccept(open -> {
 *     open.readable().subscribe(new Flow.Subscriber<Object>() {
 *         Flow.Subscription subscription;
 *         public void onSubscribe(Flow.Subscription s) { subscription = s; s.request(1); }
 *         public void onNext(Object message) { handle(message); subscription.request(1); }
 *         public void onError(Throwable e) { e.printStackTrace(); }
 *         public void onComplete() { System.out.println("done"); }
 *     });
 *     open.writable().write("subscribe:prices");     // a CompletionStage<Void>
 * });
 * wss.closed().thenAccept(c -> System.out.println("closed " + c.closeCode() + " " + c.reason()));
 * }</pre>
 *
 * <p>The same on a virtual thread (or any thread that may block), on the same machinery:
 * <pre>{@code
 * WebSocketStream wss = WebSocketStream.connect("ws://localhost:8080/feed");
 * wss.send("subscribe:prices");                  // waits for open, and while the queue is full
 * Object message;
 * while ((message = wss.receive(Duration.ofSeconds(30))) != null) {   // null: closed cleanly
 *     handle(message);
 * }
 * }</pre>
 *
 * <h2>Messages</h2>
 * The readable side publishes a {@code String} for each text message and a {@link ByteBuffer}
 * (its own, writable, position 0) for each binary message held on the heap. A binary message
 * larger than the connection's {@code largeMessageThreshold} (16 MiB by default), which Duplex
 * spills to a temporary file while it arrives, is published as a file-backed {@link Blob}
 * instead: the subscriber owns it and should {@link Blob#close()} it when done, which deletes
 * the file at once (otherwise that happens after garbage collection). Messages the stream still
 * holds when the subscription is cancelled are released by Duplex. The writer takes the same
 * types, plus {@code byte[]}.
 *
 * <h2>Back-pressure</h2>
 * <ul>
 *   <li><b>Reading:</b> the readable side holds up to {@link StreamOptions#readBuffer()} bytes
 *       of received messages beyond what its subscriber requested. Once the buffer is past that
 *       mark, Duplex stops reading from the socket (the peer's writes then stall on TCP flow
 *       control), and it resumes once the subscriber has taken the buffer below half of the
 *       mark. What may still arrive after the stop is one network read's worth (256 KiB) plus
 *       the message being assembled; a message larger than the buffer is held whole. Nobody
 *       subscribing at all holds the reading the same way.</li>
 *   <li><b>Writing:</b> {@link Writer#write(Object)} queues the message and returns a stage that
 *       completes when its last byte has been handed to the kernel. While at least
 *       {@link StreamOptions#highWaterMark()} payload bytes are queued on the socket,
 *       {@link Writer#ready()} is pending, {@link Writer#desiredSize()} is zero or less,
 *       {@link Writer#asSubscriber()} requests nothing more from its publisher, and
 *       {@link #send(Object)} blocks. {@code write} itself never refuses a message for being
 *       over the mark (the socket's own {@code maxBufferedAmount} still applies): waiting is
 *       the writer's part.</li>
 * </ul>
 *
 * <h2>Closing</h2>
 * {@link #closed()} completes with the code and reason of a clean close, and completes
 * exceptionally with a {@link ClosedException} (code 1006, and the cause) if the connection
 * ended without a closing handshake or never opened; {@link #opened()} then fails with it too.
 * When the subscriber of the readable side cancels, the socket is closed with
 * {@link StreamOptions#cancelCode()} (default 1000, normal closure) and
 * {@link StreamOptions#cancelReason()}, as cancelling a {@code WebSocketStream}'s readable side
 * closes the socket in browsers. The readable side completes after the last message once the
 * socket has closed cleanly, and fails with the {@code ClosedException} otherwise.
 *
 * <h2>Threads</h2>
 * The subscriber's methods, and the completions of the stages this class returns, run on the
 * socket's event queue (the executor of {@link WebSocketOptions#executor()}), one at a time and
 * in order, never on an I/O thread (unless that executor is {@link WebSocketOptions#IO_THREAD}).
 * Every method may be called from any thread. The blocking methods ({@link #receive},
 * {@link #send}) must not be called from those callbacks: they wait for work of that same queue.
 *
 * <h2>Server side</h2>
 * {@link #of(WebSocket)} wraps a socket a {@link WebSocketServer} accepted; call it in the
 * {@code connection} event's handler, before the socket's first message event, so the stream
 * sees every message:
 * <pre>{@code
 * server.onconnection(event -> {
 *     WebSocketStream stream = WebSocketStream.of(event.socket());
 *     Thread.startVirtualThread(() -> echo(stream));   // receive() and send() in a loop
 * });
 * }</pre>
 * A wrapped socket's messages should be sent through its stream: what is sent on the socket
 * directly still counts in the queue the writer waits on, but is not a write the writer tracks.
 *
 * <h2>How the pieces agree without a common lock</h2>
 * The readable side's buffer, subscriber and end state are touched only by tasks of the
 * socket's event queue, which run one at a time; the subscriber's {@code request} and
 * {@code cancel}, called from anywhere, change only an atomic demand or a flag and queue a task.
 * Pausing and resuming the reading is {@link InboundBackPressure}, whose header gives the
 * ordering that keeps a resume from being lost. A write's stage completes when the socket's
 * running total of payload bytes handed to the kernel reaches the running total of bytes queued
 * that the write was given: the socket keeps both totals in the order its connection queues
 * the messages. The writer publishes the oldest total it waits for ({@code nextEnd}) before it
 * reads the written total again, and the I/O thread adds to the written total before it reads
 * {@code nextEnd}: with volatile reads and writes at least one of them sees the other, so no
 * completion is missed. Waiting for the queue to fall below the mark uses the same order
 * (a waiter registers, then reads {@code bufferedAmount}; the I/O thread lowers it, then looks
 * for waiters).
 */
public final class WebSocketStream {
    private final WebSocket socket;
    private final StreamOptions limits;
    private final CompletableFuture<OpenInfo> opened = new CompletableFuture<>();
    private final CompletableFuture<CloseInfo> closed = new CompletableFuture<>();
    private final Readable readable;
    private final Writer writer;
    /** The cause from the socket's error event, which comes just before its close event. */
    private volatile Throwable failure;
    private BlockingReceiver receiver;     // guarded by this; made by the first receive()

    private WebSocketStream(WebSocket socket, StreamOptions limits) {
        this.socket = socket;
        this.limits = Objects.requireNonNull(limits, "limits");
        this.readable = new Readable();
        this.writer = new Writer();
        if (!socket.watchWrites(writer::written)) {
            throw new IllegalArgumentException("This WebSocket already has a WebSocketStream: " + socket);
        }
        socket.binaryType(BinaryType.BLOB);     // in-memory blobs become ByteBuffers without a copy
        // Messages received before this, whose events are still to come (to this stream, whose
        // listener is now registered), are counted too; one arriving between the two lines is
        // counted in neither, which only lets the buffer pass its mark by that message once.
        long early = socket.waitingForHandlers();
        socket.countArrivals(readable.held);
        readable.held.received(early);
        socket.addEventListener("open", e -> openedNow());
        socket.addEventListener("message", e -> readable.arrived(((MessageEvent) e).data()));
        socket.addEventListener("error", e -> failure = ((ErrorEvent) e).error());
        socket.addEventListener("close", e -> ended((CloseEvent) e));
    }

    // ------------------------------------------------------------------ opening

    /**
     * Opens a connection to {@code url} as a stream ({@code new WebSocketStream(url)}).
     *
     * @param url a ws, wss, http or https URL
     * @return the stream; {@link #opened()} completes once the opening handshake succeeded
     * @throws DOMException as {@link WebSocket#WebSocket(String)}
     */
    public static WebSocketStream connect(String url) {
        return connect(url, List.of(), WebSocketOptions.defaults(), StreamOptions.defaults());
    }

    /**
     * Opens a connection offering {@code protocols}, with {@code options}, as a stream with the
     * default {@link StreamOptions}.
     *
     * @param url a ws, wss, http or https URL
     * @param protocols the subprotocols to offer, in order of preference (may be empty)
     * @param options the connection's options
     * @return the stream
     * @throws DOMException as {@link WebSocket#WebSocket(String, List, WebSocketOptions)}
     */
    public static WebSocketStream connect(String url, List<String> protocols, WebSocketOptions options) {
        return connect(url, protocols, options, StreamOptions.defaults());
    }

    /**
     * Opens a connection as a stream with the back-pressure limits of {@code limits}.
     *
     * @param url a ws, wss, http or https URL
     * @param protocols the subprotocols to offer, in order of preference (may be empty)
     * @param options the connection's options
     * @param limits the stream's buffer, high-water mark and cancel code
     * @return the stream
     * @throws DOMException as {@link WebSocket#WebSocket(String, List, WebSocketOptions)}
     */
    public static WebSocketStream connect(String url, List<String> protocols, WebSocketOptions options,
                                          StreamOptions limits) {
        Objects.requireNonNull(limits, "limits");
        AtomicReference<WebSocketStream> made = new AtomicReference<>();
        // The socket delivers nothing before setup returns: the stream sees every event.
        WebSocket.connect(url, protocols, options, ws -> made.set(new WebSocketStream(ws, limits)));
        return made.get();
    }

    /**
     * Wraps {@code socket} as a stream with the default {@link StreamOptions}; see
     * {@link #of(WebSocket, StreamOptions)}.
     *
     * @param socket an open or connecting socket without a stream
     * @return the stream
     * @throws IllegalArgumentException if the socket is closed or already has a stream
     */
    public static WebSocketStream of(WebSocket socket) {
        return of(socket, StreamOptions.defaults());
    }

    /**
     * Wraps {@code socket} as a stream: for the sockets a {@link WebSocketServer} accepts, and
     * for a client socket made with {@link WebSocket#connect(String, List, WebSocketOptions,
     * java.util.function.Consumer) WebSocket.connect} (call it in the setup). The stream sees
     * the messages whose events are dispatched after this call, so call it before the first:
     * in the server's {@code connection} handler. It sets the socket's {@code binaryType} to
     * {@code BLOB}, which it relies on (do not change it), and adds listeners (handlers the
     * application set keep running). An open socket's {@link #opened()} is complete at once.
     *
     * @param socket an open or connecting socket without a stream
     * @param limits the stream's buffer, high-water mark and cancel code
     * @return the stream
     * @throws IllegalArgumentException if the socket is closed or already has a stream
     */
    public static WebSocketStream of(WebSocket socket, StreamOptions limits) {
        Objects.requireNonNull(socket, "socket");
        if (socket.readyState() == WebSocket.CLOSED) {
            throw new IllegalArgumentException("The WebSocket is already closed: " + socket);
        }
        WebSocketStream stream = new WebSocketStream(socket, limits);
        if (socket.readyState() != WebSocket.CONNECTING) {
            stream.openedNow();
        }
        return stream;
    }

    private void openedNow() {
        opened.complete(new OpenInfo(socket.protocol(), socket.extensions(), readable, writer));
    }

    // ------------------------------------------------------------------ attributes

    /**
     * Returns the socket's URL.
     *
     * @return the absolute, serialized URL, e.g. {@code "ws://localhost:8080/"}
     */
    public String url() {
        return socket.url();
    }

    /**
     * Returns the stage that completes once the connection is open, with the negotiated
     * protocol and extensions and the two sides of the stream; it fails with a
     * {@link ClosedException} if the connection could not be opened.
     *
     * @return the opening stage
     */
    public CompletionStage<OpenInfo> opened() {
        return opened.minimalCompletionStage();
    }

    /**
     * Returns the stage that completes with the close code and reason once the connection has
     * closed cleanly (after a closing handshake), or fails with a {@link ClosedException}
     * (code 1006, with the cause if there was one) if it ended otherwise.
     *
     * @return the closing stage
     */
    public CompletionStage<CloseInfo> closed() {
        return closed.minimalCompletionStage();
    }

    /**
     * Returns the writable side, also available from {@link OpenInfo#writable()}.
     *
     * @return the writer
     */
    public Writer writer() {
        return writer;
    }

    // ------------------------------------------------------------------ closing

    /** Starts the closing handshake with status 1000; see {@link #close(int, String)}. */
    public void close() {
        close(CloseCodes.NORMAL, "");
    }

    /**
     * Starts the closing handshake with {@code code} and {@code reason}, as
     * {@link WebSocket#close(int, String)}; messages already queued are sent first. Messages
     * the readable side already holds can still be read; nothing received later is delivered,
     * and reading resumes so that the peer's answer to the close frame is seen.
     *
     * @param code 1000 or 3000–4999 (on a server-side socket also 1001–1003 and 1007–1014)
     * @param reason at most 123 bytes of UTF-8
     * @throws DOMException {@code InvalidAccessError} for a code that may not be used;
     *     {@code SyntaxError} for a reason that is too long or has an unpaired surrogate
     */
    public void close(int code, String reason) {
        socket.close(code, reason);     // which also ends the stream's hold on the reading
    }

    /** Closes with any code an endpoint may send, on Duplex's behalf (cancel, a failed publisher). */
    private void closeSocket(int code, String reason) {
        if (socket.readyState() == WebSocket.CONNECTING) {
            socket.close();     // fails the connection: there is no closing handshake to start yet
        } else {
            socket.closeFromLibrary(code, fitReason(reason));
        }
    }

    /**
     * {@code reason} as a close frame can carry it: unpaired surrogates replaced, and cut (with
     * "...") to fit the 123 bytes of UTF-8 there is room for.
     */
    private static String fitReason(String reason) {
        String r = reason == null ? "" : reason;
        byte[] bytes = Utf8.encodeStrict(r);
        if (bytes != null && bytes.length <= 123) {
            return r;
        }
        StringBuilder out = new StringBuilder();
        int used = 0;
        for (int i = 0; i < r.length(); ) {
            int cp = r.codePointAt(i);
            boolean unpaired = cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE;
            int n = unpaired ? 3 : cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (used + n > 120) {
                return out.append("...").toString();
            }
            out.appendCodePoint(unpaired ? 0xFFFD : cp);      // U+FFFD: 3 bytes, as counted
            used += n;
            i += Character.charCount(cp);
        }
        return out.toString();
    }

    private void ended(CloseEvent event) {
        ClosedException end = new ClosedException(event.code(), event.reason(), event.wasClean(), failure);
        if (event.wasClean()) {
            closed.complete(new CloseInfo(event.code(), event.reason()));
        } else {
            closed.completeExceptionally(end);
        }
        opened.completeExceptionally(end);      // nothing if it was opened
        writer.ended(end);
        readable.ended(event.wasClean() ? null : end);
    }

    // ------------------------------------------------------------------ blocking form

    /**
     * Waits for the next message, as long as it takes; see {@link #receive(Duration)}.
     *
     * @return a {@code String}, a {@code ByteBuffer} or a {@code Blob}; null once the
     *     connection has closed cleanly and every message was received
     * @throws ClosedException if the connection failed or ended without a closing handshake
     * @throws InterruptedException if the thread is interrupted while waiting
     * @throws IllegalStateException if the readable side has another subscriber
     */
    public Object receive() throws IOException, InterruptedException {
        try {
            return receiver().take(0, false, null);
        } catch (TimeoutException e) {
            throw new IllegalStateException("An untimed receive() timed out", e);     // take(.., false, ..) never does
        }
    }

    /**
     * Waits up to {@code timeout} for the next message, for threads that may block (virtual
     * threads in particular). It uses the readable side (which then takes no other subscriber)
     * and requests one message at a time, only while a caller waits, so a thread that stops
     * calling it stops the reading just as a subscriber without demand does. A message that
     * arrives after a timeout is kept for the next call. Calls from several threads take turns.
     *
     * @param timeout how long to wait at most
     * @return a {@code String}, a {@code ByteBuffer} or a {@code Blob} (see the class comment);
     *     null once the connection has closed cleanly and every message was received
     * @throws TimeoutException if no message arrived within {@code timeout}
     * @throws ClosedException if the connection failed or ended without a closing handshake
     * @throws InterruptedException if the thread is interrupted while waiting
     * @throws IllegalStateException if the readable side has another subscriber
     */
    public Object receive(Duration timeout) throws IOException, InterruptedException, TimeoutException {
        Objects.requireNonNull(timeout, "timeout");
        long nanos;
        try {
            nanos = timeout.toNanos();
        } catch (ArithmeticException e) {
            nanos = Long.MAX_VALUE;
        }
        return receiver().take(nanos, true, timeout);
    }

    /**
     * Sends {@code message}, waiting first for the connection to open and then while at least
     * {@link StreamOptions#highWaterMark()} bytes are queued on the socket. Returns once the
     * message is queued (use {@link Writer#write(Object)} to know when it reached the kernel).
     *
     * @param message a {@code String}, {@code ByteBuffer} (its remaining bytes), {@code byte[]}
     *     or {@code Blob}; copied (or, for a blob, referenced) before this method returns
     * @throws ClosedException if the connection failed, or closed before the message was queued
     * @throws IOException if the socket is closing, so the message was not sent
     * @throws InterruptedException if the thread is interrupted while waiting
     * @throws IllegalArgumentException if {@code message} is of another type
     * @throws DOMException {@code SyntaxError} for a string with an unpaired surrogate
     */
    public void send(Object message) throws IOException, InterruptedException {
        Objects.requireNonNull(message, "message");
        awaitOpen();
        writer.awaitBelowMark();
        CompletableFuture<Void> queued = writer.write(message).toCompletableFuture();
        if (queued.isCompletedExceptionally()) {
            throw asIOException(queued);
        }
    }

    private void awaitOpen() throws IOException, InterruptedException {
        try {
            opened.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw again(e.getCause());
        }
    }

    private synchronized BlockingReceiver receiver() {
        if (receiver == null) {
            if (!readable.claim()) {
                throw new IllegalStateException("The readable side of this WebSocketStream has a subscriber; "
                        + "receive() needs it to itself");
            }
            receiver = new BlockingReceiver();
            readable.attach(receiver);
        }
        return receiver;
    }

    private static IOException asIOException(CompletableFuture<?> failed) {
        try {
            failed.join();
            throw new IllegalStateException("not failed");
        } catch (java.util.concurrent.CompletionException e) {
            return again(e.getCause());
        }
    }

    /** A fresh exception for this thread's stack, keeping the original as its cause. */
    private static IOException again(Throwable e) {
        if (e instanceof ClosedException c) {
            return new ClosedException(c.closeCode, c.reason, c.wasClean, c);
        }
        return e instanceof IOException io ? new IOException(io.getMessage(), io) : new IOException(String.valueOf(e), e);
    }

    // ------------------------------------------------------------------ for tests

    /** Bytes of received messages Duplex holds for this stream now: in its buffer and on their way to it. */
    long heldBytes() {
        return readable.held.waiting();
    }

    /** The most {@link #heldBytes()} was, sampled as each message entered the buffer. */
    long peakHeldBytes() {
        return readable.peak;
    }

    /** True while the stream's full buffer holds the socket's reading. */
    boolean readingHeld() {
        return readable.held.paused();
    }

    /** The socket under the stream. */
    WebSocket socket() {
        return socket;
    }

    @Override
    public String toString() {
        return "WebSocketStream[" + socket + "]";
    }

    // ------------------------------------------------------------------ the readable side

    /** The publisher of received messages; its state belongs to the socket's event queue. */
    private final class Readable implements Flow.Publisher<Object> {
        /** Messages from their arrival on the I/O thread until the subscriber takes them. */
        final InboundBackPressure held = new InboundBackPressure(limits.readBuffer(), socket::holdReading);
        volatile long peak;
        private final AtomicBoolean taken = new AtomicBoolean();
        private final AtomicLong demand = new AtomicLong();
        private final AtomicBoolean drainQueued = new AtomicBoolean();
        private volatile boolean cancelled;
        private final Flow.Subscription subscription = new Subscription();
        // event queue only:
        private final ArrayDeque<Object> buffer = new ArrayDeque<>();
        private Flow.Subscriber<? super Object> subscriber;
        private boolean ended;
        private Throwable endError;
        private boolean signalled;

        @Override
        public void subscribe(Flow.Subscriber<? super Object> s) {
            Objects.requireNonNull(s, "subscriber");      // Reactive Streams rule 1.9
            if (!claim()) {
                s.onSubscribe(NOTHING);
                s.onError(new IllegalStateException("The readable side of this WebSocketStream already has a "
                        + "subscriber (or receive() uses it); it takes one"));
                return;
            }
            attach(s);
        }

        boolean claim() {
            return taken.compareAndSet(false, true);
        }

        void attach(Flow.Subscriber<? super Object> s) {
            socket.enqueue(() -> {
                subscriber = s;
                s.onSubscribe(subscription);
                drain();
            });
        }

        /** A message event (event queue). */
        void arrived(Object data) {
            Object item = data instanceof ArrayBlob a
                    ? ByteBuffer.wrap(a.array(), a.offset(), (int) a.size()).slice()
                    : data;
            if (cancelled) {
                release(item);
                return;
            }
            buffer.add(item);
            long now = held.waiting();      // counted on arrival (WebSocket#countArrivals)
            if (now > peak) {
                peak = now;
            }
            drain();
        }

        private void drain() {
            Flow.Subscriber<? super Object> s = subscriber;
            if (s == null || cancelled) {
                return;
            }
            while (!buffer.isEmpty() && demand.get() > 0) {
                Object item = buffer.poll();
                held.handled(sizeOf(item));
                if (demand.get() != Long.MAX_VALUE) {
                    demand.decrementAndGet();
                }
                try {
                    s.onNext(item);
                } catch (RuntimeException | Error e) {
                    // Reactive Streams rule 2.13: the subscription is then cancelled. The event
                    // queue reports the exception to the thread's uncaught-exception handler.
                    subscription.cancel();
                    throw e;
                }
                if (cancelled) {
                    return;
                }
            }
            if (buffer.isEmpty() && ended && !signalled) {
                signalled = true;
                subscriber = null;
                if (endError == null) {
                    s.onComplete();
                } else {
                    s.onError(endError);
                }
            }
        }

        /** The close event (event queue): the end is signalled after the messages still held. */
        void ended(Throwable error) {
            ended = true;
            endError = error;
            drain();
        }


        private void dropEverything() {
            for (Object item : buffer) {
                release(item);
            }
            buffer.clear();
            subscriber = null;      // Reactive Streams rule 3.13
        }

        private void release(Object item) {
            if (item instanceof Blob b) {
                b.close();      // a spilled message: its temporary file goes now
            }
        }

        private long sizeOf(Object item) {
            return item instanceof String text ? 2L * text.length()
                    : item instanceof ByteBuffer bytes ? bytes.remaining()
                    : item instanceof Blob blob ? blob.size() : 0;
        }

        private final class Subscription implements Flow.Subscription {
            @Override
            public void request(long n) {
                if (n <= 0) {
                    socket.enqueue(() -> {
                        Flow.Subscriber<? super Object> s = subscriber;
                        if (s != null && !cancelled) {
                            cancel();
                            s.onError(new IllegalArgumentException("request(" + n
                                    + "): the number of messages requested must be positive (Reactive Streams rule 3.9)"));
                        }
                    });
                    return;
                }
                demand.getAndUpdate(d -> d + n < 0 ? Long.MAX_VALUE : d + n);
                if (drainQueued.compareAndSet(false, true)) {
                    socket.enqueue(() -> {
                        drainQueued.set(false);     // first: a request from now on queues another drain
                        drain();
                    });
                }
            }

            @Override
            public void cancel() {
                if (cancelled) {
                    return;
                }
                cancelled = true;
                closeSocket(limits.cancelCode(), limits.cancelReason());
                socket.enqueue(Readable.this::dropEverything);
            }
        }
    }

    private static final Flow.Subscription NOTHING = new Flow.Subscription() {
        @Override
        public void request(long n) {
        }

        @Override
        public void cancel() {
        }
    };

    // ------------------------------------------------------------------ the writable side

    /**
     * The writable side of a {@link WebSocketStream}: {@link #write(Object)} and its
     * back-pressure ({@link #ready()}, {@link #desiredSize()}), and {@link #asSubscriber()} to
     * feed it from a {@link Flow.Publisher}. Thread-safe.
     */
    public final class Writer {
        private final Object lock = new Object();
        private final ArrayDeque<PendingWrite> pending = new ArrayDeque<>();     // guarded by lock, in order
        private CompletableFuture<Void> ready;       // guarded by lock: the answer to ready() while waiting
        private volatile long nextEnd = Long.MAX_VALUE;   // the oldest pending write's total, MAX if none
        private volatile boolean readyWanted;
        private final ReentrantLock blocking = new ReentrantLock();
        private final Condition belowMark = blocking.newCondition();
        private volatile int blockedSenders;
        private volatile ClosedException end;

        private Writer() {}

        /**
         * Queues {@code message} for sending and returns a stage that completes when its last
         * byte has been handed to the kernel (with TLS: to the TLS layer), or fails with an
         * {@link IOException} if the socket closes first or is already closing. It never waits:
         * see {@link #ready()} for when to write.
         *
         * @param message a {@code String} (text), or a {@code ByteBuffer} (its remaining bytes;
         *     its position is not moved), {@code byte[]} or {@link Blob} (binary); copied, or
         *     for a blob referenced, before this method returns
         * @return the stage, completed on the socket's event queue
         * @throws IllegalArgumentException if {@code message} is of another type
         * @throws DOMException {@code SyntaxError} for a string with an unpaired surrogate
         */
        public CompletionStage<Void> write(Object message) {
            return writeNow(message);
        }

        private CompletableFuture<Void> writeNow(Object message) {
            Objects.requireNonNull(message, "message");
            ClosedException closedAlready = end;
            if (closedAlready != null) {
                return CompletableFuture.failedFuture(closedAlready);
            }
            int state = socket.readyState();
            if (state != WebSocket.OPEN) {
                return CompletableFuture.failedFuture(new IOException("The WebSocket is "
                        + (state == WebSocket.CONNECTING ? "not open yet" : "closing") + "; the message was not sent"));
            }
            CompletableFuture<Void> done = new CompletableFuture<>();
            synchronized (lock) {
                long total = socket.sendCounted(message);
                if (total < 0) {
                    return CompletableFuture.failedFuture(new IOException("The WebSocket is closing; the message was not sent"));
                }
                pending.add(new PendingWrite(total, done));
                if (pending.size() == 1) {
                    nextEnd = total;
                }
            }
            // The I/O thread may have passed the total before nextEnd was published (the class comment).
            long written = socket.writtenTotal();
            if (written >= nextEnd) {
                written(written);
            }
            return done;
        }

        /**
         * Returns a stage that completes once fewer than {@link StreamOptions#highWaterMark()}
         * payload bytes are queued on the socket: when to write again. Complete at once if
         * that is so now; fails with a {@link ClosedException} if the socket closes first.
         *
         * @return the stage, completed on the socket's event queue when it has to wait
         */
        public CompletionStage<Void> ready() {
            ClosedException closedAlready = end;
            if (closedAlready != null) {
                return CompletableFuture.failedFuture(closedAlready);
            }
            if (queuedBytes() < limits.highWaterMark()) {
                return CompletableFuture.completedFuture(null);
            }
            CompletableFuture<Void> answer;
            synchronized (lock) {
                if (ready == null) {
                    ready = new CompletableFuture<>();
                }
                answer = ready;
                readyWanted = true;
            }
            checkBelowMark();       // the queue may have drained before readyWanted was seen
            return answer.minimalCompletionStage();
        }

        /**
         * Returns how many more payload bytes may be queued before the high-water mark (as
         * {@code WritableStreamDefaultWriter.desiredSize}): zero or less means wait for
         * {@link #ready()}.
         *
         * @return {@link StreamOptions#highWaterMark()} minus {@link #queuedBytes()}
         */
        public long desiredSize() {
            return limits.highWaterMark() - queuedBytes();
        }

        /**
         * Returns the payload bytes queued on the socket and not yet handed to the kernel: its
         * {@link WebSocket#bufferedAmount()}.
         *
         * @return the queued bytes
         */
        public long queuedBytes() {
            return socket.bufferedAmount();
        }

        /**
         * Returns a subscriber that writes every message its publisher sends, requesting one
         * message at a time and the next only while fewer than
         * {@link StreamOptions#highWaterMark()} bytes are queued (otherwise once {@link #ready()}
         * completes): the publisher is told to wait instead of the queue growing. When the
         * publisher completes, the socket is closed with 1000 after the messages queued; when it
         * fails, or sends something that cannot be sent, the socket is closed with 1011
         * (internal error) and a reason saying why. When the socket closes, the subscription is
         * cancelled. Each returned subscriber takes one subscription (rule 2.5).
         *
         * @return a new subscriber
         */
        public Flow.Subscriber<Object> asSubscriber() {
            return new Sink();
        }

        /**
         * Starts the closing handshake with status 1000 after the messages queued, as closing a
         * {@code WebSocketStream}'s writable side does.
         *
         * @return {@link WebSocketStream#closed()}
         */
        public CompletionStage<CloseInfo> close() {
            WebSocketStream.this.close();
            return closed();
        }

        /** The socket handed {@code total} bytes to the kernel so far (usually on the I/O thread). */
        private void written(long total) {
            if (total >= nextEnd) {
                List<CompletableFuture<Void>> done = new ArrayList<>();
                synchronized (lock) {
                    while (!pending.isEmpty() && pending.peek().total <= total) {
                        done.add(pending.poll().done);
                    }
                    nextEnd = pending.isEmpty() ? Long.MAX_VALUE : pending.peek().total;
                }
                if (!done.isEmpty()) {
                    socket.enqueue(() -> done.forEach(f -> f.complete(null)));      // not on the I/O thread
                }
            }
            if (readyWanted || blockedSenders > 0) {
                checkBelowMark();
            }
        }

        private void checkBelowMark() {
            if (queuedBytes() >= limits.highWaterMark()) {
                return;
            }
            CompletableFuture<Void> answer;
            synchronized (lock) {
                answer = ready;
                ready = null;
                readyWanted = false;
            }
            if (answer != null) {
                socket.enqueue(() -> answer.complete(null));
            }
            if (blockedSenders > 0) {
                blocking.lock();
                try {
                    belowMark.signalAll();
                } finally {
                    blocking.unlock();
                }
            }
        }

        /** Blocks while the queue is at or above the mark (for {@link WebSocketStream#send}). */
        void awaitBelowMark() throws IOException, InterruptedException {
            blocking.lockInterruptibly();
            try {
                blockedSenders++;     // first: the I/O thread that lowers the queue from now on signals
                while (queuedBytes() >= limits.highWaterMark()) {
                    ClosedException e = end;
                    if (e != null) {
                        throw again(e);
                    }
                    belowMark.await();
                }
            } finally {
                blockedSenders--;
                blocking.unlock();
            }
        }

        /** The close event: writes not yet written fail, waiting writers learn it. */
        private void ended(ClosedException closedWith) {
            end = closedWith;
            long written = socket.writtenTotal();
            List<PendingWrite> left;
            CompletableFuture<Void> answer;
            synchronized (lock) {
                left = new ArrayList<>(pending);
                pending.clear();
                nextEnd = Long.MAX_VALUE;
                answer = ready;
                ready = null;
            }
            for (PendingWrite w : left) {
                if (w.total <= written) {
                    w.done.complete(null);
                } else {
                    w.done.completeExceptionally(closedWith);
                }
            }
            if (answer != null) {
                answer.completeExceptionally(closedWith);
            }
            blocking.lock();
            try {
                belowMark.signalAll();
            } finally {
                blocking.unlock();
            }
        }

        private record PendingWrite(long total, CompletableFuture<Void> done) {
        }

        /** {@link #asSubscriber()}: requests the next message only below the high-water mark. */
        private final class Sink implements Flow.Subscriber<Object> {
            private final AtomicReference<Flow.Subscription> upstream = new AtomicReference<>();

            @Override
            public void onSubscribe(Flow.Subscription s) {
                Objects.requireNonNull(s, "subscription");
                if (!upstream.compareAndSet(null, s)) {
                    s.cancel();     // Reactive Streams rule 2.5: one subscription at a time
                    return;
                }
                closed.whenComplete((info, error) -> s.cancel());
                requestWhenReady(s);
            }

            @Override
            public void onNext(Object item) {
                Flow.Subscription s = upstream.get();
                CompletableFuture<Void> written;
                try {
                    written = writeNow(item);
                } catch (RuntimeException e) {
                    s.cancel();
                    closeSocket(CloseCodes.INTERNAL_ERROR, "A message could not be sent: " + e.getMessage());
                    return;
                }
                if (written.isCompletedExceptionally()) {
                    s.cancel();         // the socket is closing: nothing more will go out
                    return;
                }
                requestWhenReady(s);
            }

            private void requestWhenReady(Flow.Subscription s) {
                if (desiredSize() > 0) {
                    s.request(1);
                } else {
                    ready().whenComplete((v, error) -> {
                        if (error == null) {
                            s.request(1);
                        } else {
                            s.cancel();
                        }
                    });
                }
            }

            @Override
            public void onError(Throwable error) {
                closeSocket(CloseCodes.INTERNAL_ERROR, "The publisher failed: " + error);
            }

            @Override
            public void onComplete() {
                closeSocket(CloseCodes.NORMAL, "");
            }
        }
    }

    // ------------------------------------------------------------------ the blocking reader

    /** The readable side's subscriber behind {@link #receive}: one message requested per wait. */
    private static final class BlockingReceiver implements Flow.Subscriber<Object> {
        private final ReentrantLock turn = new ReentrantLock();     // one receive() at a time
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private Flow.Subscription subscription;     // guarded by lock, and the fields below
        private boolean requested;
        private Object item;
        private boolean done;
        private Throwable error;

        Object take(long nanos, boolean timed, Duration timeout)
                throws IOException, InterruptedException, TimeoutException {
            turn.lockInterruptibly();
            try {
                lock.lockInterruptibly();
                try {
                    while (true) {
                        if (item != null) {
                            Object next = item;
                            item = null;
                            return next;
                        }
                        if (done) {
                            if (error != null) {
                                throw again(error);
                            }
                            return null;
                        }
                        if (!requested && subscription != null) {
                            requested = true;
                            // Usually only queues a task; an executor that runs it right here
                            // delivers the message now (the lock is reentrant): look again.
                            subscription.request(1);
                            continue;
                        }
                        if (timed) {
                            if (nanos <= 0) {
                                throw new TimeoutException("No message within " + timeout);
                            }
                            nanos = changed.awaitNanos(nanos);
                        } else {
                            changed.await();
                        }
                    }
                } finally {
                    lock.unlock();
                }
            } finally {
                turn.unlock();
            }
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            signal(() -> subscription = s);
        }

        @Override
        public void onNext(Object next) {
            signal(() -> {
                item = next;
                requested = false;
            });
        }

        @Override
        public void onError(Throwable e) {
            signal(() -> {
                done = true;
                error = e;
            });
        }

        @Override
        public void onComplete() {
            signal(() -> done = true);
        }

        private void signal(Runnable change) {
            lock.lock();
            try {
                change.run();
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    // ------------------------------------------------------------------ values

    /**
     * What {@link #opened()} completes with (the WHATWG {@code WebSocketOpenInfo}).
     *
     * @param protocol the subprotocol the server selected, "" if none
     * @param extensions the negotiated extensions as the server's header gave them, "" if none
     * @param readable the received messages: {@code String}, {@code ByteBuffer} or {@code Blob};
     *     one subscriber (a second one gets {@code onError} with an {@code IllegalStateException})
     * @param writable the writer
     */
    public record OpenInfo(String protocol, String extensions, Flow.Publisher<Object> readable, Writer writable) {
    }

    /**
     * What {@link #closed()} completes with after a clean close (the WHATWG {@code WebSocketCloseInfo}).
     *
     * @param closeCode the code of the peer's close frame (1005 if it had none)
     * @param reason the reason of the peer's close frame, "" if none
     */
    public record CloseInfo(int closeCode, String reason) {
    }

    /**
     * The connection is over: why a stream's stages failed or its blocking methods threw. After
     * a clean close ({@link #wasClean()}) it only tells a writer that its message was not sent;
     * otherwise {@link #closeCode()} is 1006 and {@link #getCause()} says why, if Duplex knows
     * (the cause of the socket's error event).
     */
    public static final class ClosedException extends IOException {
        private static final long serialVersionUID = 1L;
        private final int closeCode;
        private final String reason;
        private final boolean wasClean;

        ClosedException(int closeCode, String reason, boolean wasClean, Throwable cause) {
            super(describe(closeCode, reason, wasClean, cause), cause);
            this.closeCode = closeCode;
            this.reason = reason;
            this.wasClean = wasClean;
        }

        private static String describe(int code, String reason, boolean wasClean, Throwable cause) {
            if (cause instanceof ClosedException) {
                return cause.getMessage();
            }
            String m = wasClean
                    ? "The WebSocket closed (code " + code + (reason.isEmpty() ? "" : ", reason \"" + reason + "\"") + ")"
                    : "The WebSocket closed without a closing handshake (code " + code + ")";
            if (cause != null) {
                m += ": " + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage());
            }
            return m;
        }

        /**
         * Returns the close code: the peer's after a clean close, else 1006.
         *
         * @return the close code
         */
        public int closeCode() {
            return closeCode;
        }

        /**
         * Returns the close reason, "" if none.
         *
         * @return the reason
         */
        public String reason() {
            return reason;
        }

        /**
         * Returns true if the connection closed after a closing handshake.
         *
         * @return whether the close was clean
         */
        public boolean wasClean() {
            return wasClean;
        }
    }
}
