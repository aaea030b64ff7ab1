package dev.duplex;

import dev.duplex.internal.protocol.Utf8;
import dev.duplex.internal.session.ByteSource;
import dev.duplex.internal.session.SpilledMessage;

import dev.duplex.internal.session.SocketEvents;
import dev.duplex.internal.url.UrlException;

import dev.duplex.internal.events.EventDispatcher;
import dev.duplex.internal.events.EventThreads;
import dev.duplex.internal.events.InboundBackPressure;
import dev.duplex.internal.session.ClientSession;
import dev.duplex.internal.session.Session;
import dev.duplex.internal.url.WebSocketUrl;

import dev.duplex.internal.protocol.CloseCodes;
import dev.duplex.internal.transport.EventLoop;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * The browser's {@code WebSocket} (WHATWG WebSockets Standard), for Java: the same constructor,
 * attributes, methods and events, on client connections and on the connections a
 * {@link WebSocketServer} accepts.
 *
 * <pre>{@code
 * WebSocket ws = new WebSocket("ws://localhost:8080/chat");
 * ws.onopen(e -> ws.send("Hello Server!"));
 * ws.onmessage(e -> System.out.println("Message from server: " + ((MessageEvent) e).data()));
 * ws.onclose(e -> System.out.println("Closed: " + ((CloseEvent) e).code()));
 * }</pre>
 *
 * <h2>Threads and events</h2>
 * Connecting starts in the constructor. Events are delivered on the executor of
 * {@link WebSocketOptions#executor()} (by default a small pool of Duplex daemon threads), one at
 * a time and in order for each socket: a socket's handlers never run concurrently. Every method
 * may be called from any thread. {@link WebSocketOptions#IO_THREAD} runs handlers on the socket's
 * I/O thread, and only there (no hand-off between threads: the fastest, for handlers that never
 * block).
 *
 * <h2>When a new socket starts delivering events</h2>
 * JavaScript code can set {@code onopen} after {@code new WebSocket(...)} because events wait for
 * the running script to finish. Java has no such moment, so a new client socket holds its events
 * (in order, nothing dropped, nothing polled) until one of these happens, whichever comes first:
 * <ol>
 *   <li><b>Deterministic, for libraries and frameworks:</b> with
 *       {@link #connect(String, List, WebSocketOptions, Consumer) WebSocket.connect(url, ..., setup)}
 *       the socket delivers nothing before {@code setup} returns, and then everything, whatever
 *       the threads involved do. Nothing else on this list applies to such a socket.</li>
 *   <li><b>Run-to-completion:</b> a socket created inside an event listener (of any socket or
 *       server) starts delivering when that listener returns, and one created on a Duplex I/O
 *       thread (in a {@link HandshakeHandler} of an {@code IO_THREAD} server, say) when the
 *       task that thread is running ends.</li>
 *   <li><b>The creating thread uses the socket:</b> it calls {@link #send}, {@link #close},
 *       {@link #readyState()} or {@link #bufferedAmount()} on it; it is then done registering.
 *       Registering listeners and the other getters do not count.</li>
 *   <li><b>The registration window ends:</b> {@value #REGISTRATION_WINDOW_MILLIS} ms after the
 *       first listener or event handler was registered on the socket, whatever the creating
 *       thread is doing meanwhile (blocked in I/O, spinning, parked, a virtual thread).</li>
 * </ol>
 * So MDN-style code, the constructor and then the handlers, misses nothing as long as it
 * registers its handlers within {@value #REGISTRATION_WINDOW_MILLIS} ms of the first one; a
 * socket with no listener at all holds its events until it gets one (or is used, as in 3). No
 * event waits longer than {@value #REGISTRATION_WINDOW_MILLIS} ms once its socket has a
 * listener. Server-side sockets need none of this: their {@code connection} event is the first
 * task on their queue, so handlers set in {@code onconnection} see every message.
 *
 * <p>{@link #readyState()} is the state that the events delivered so far imply (it becomes
 * {@code OPEN} as {@code open} is dispatched). Once the opening handshake has succeeded and the
 * {@code open} event is on its way, {@link #send} no longer throws {@code InvalidStateError}: the
 * message goes out, since the connection is open on the wire; and
 * {@link #close} starts the closing handshake (the {@code open} event is then not delivered, as
 * after any {@code close()}).
 *
 * <h2>Differences from today's Chromium</h2>
 * Deliberate, following the seed documents and RFC 6455: {@code send} of a string with an unpaired
 * surrogate throws {@code SyntaxError} (Chromium substitutes U+FFFD), as does such a close
 * reason; {@code close()} without arguments sends status 1000; a bad port throws
 * {@code SecurityError} from the constructor; invalid UTF-8 received fails the connection with
 * 1007; the error event is an {@link ErrorEvent} that carries its cause.
 */
public class WebSocket extends EventTarget {
    /** The connection has not yet been established. */
    public static final int CONNECTING = 0;
    /** The connection is established and communication is possible. */
    public static final int OPEN = 1;
    /** The connection is going through the closing handshake, or {@link #close} was called. */
    public static final int CLOSING = 2;
    /** The connection has been closed or could not be opened. */
    public static final int CLOSED = 3;

    /**
     * How long after its first listener a new client socket starts delivering events at the
     * latest (see "When a new socket starts delivering events" above), in milliseconds.
     */
    public static final long REGISTRATION_WINDOW_MILLIS = 20;
    /**
     * Received bytes waiting for handlers above which the socket stops reading from the network
     * (TCP flow control then slows the peer down); reading resumes below half of it.
     */
    static final long INBOUND_HIGH_WATER = 16L << 20;

    private final String url;
    private final String origin;
    private final boolean serverSide;
    private final Session session;
    private final EventDispatcher queue;
    private final SocketEvents events = new Events();
    private final long maxBufferedAmount;
    /** {@link WebSocketOptions#messagesWhileClosing()}: deliver messages in CLOSING too. */
    private final boolean messagesWhileClosing;
    /** The thread whose use of the socket opens its gate; null when that rule does not apply. */
    private final Thread creator;
    /** True if the registration window applies: a client socket not made by {@link #connect}. */
    private final boolean registrationWindow;
    /** Set on the I/O thread once the opening handshake succeeded, before open is queued. */
    private volatile boolean openDue;
    private volatile long bufferedAmount;
    private static final AtomicLongFieldUpdater<WebSocket> BUFFERED_AMOUNT =
            AtomicLongFieldUpdater.newUpdater(WebSocket.class, "bufferedAmount");
    private volatile int readyState;
    private volatile BinaryType binaryType = BinaryType.BLOB;
    private volatile String protocol = "";
    private volatile String extensions = "";
    private volatile boolean overflowed;
    private final InboundBackPressure inbound = new InboundBackPressure(INBOUND_HIGH_WATER, this::pauseReading);
    /** Why reading is paused: messages waiting for handlers, and a {@link WebSocketStream}'s full buffer. */
    private volatile boolean pausedForHandlers;
    private volatile boolean pausedForStream;
    private volatile InboundBackPressure streamHeld;    // see countArrivals
    private final Object streamReading = new Object();
    private boolean streamReleased;      // guarded by streamReading: see releaseStream
    private final java.util.function.BooleanSupplier readingHeld = () -> pausedForHandlers || pausedForStream;
    /**
     * Taken around reserving a message's size and queuing it on the connection, so that
     * {@link #queuedTotal} grows in the order in which the connection queues, and so credits
     * {@link #written}, the messages: a message's running total is then the exact point at which
     * its last byte has reached the kernel (what a {@link WebSocketStream} writer waits for).
     */
    private final Object sendOrder = new Object();
    private long queuedTotal;        // guarded by sendOrder: payload bytes queued on the connection, ever
    private volatile long writtenTotal;     // payload bytes handed to the kernel, ever
    private static final AtomicLongFieldUpdater<WebSocket> WRITTEN_TOTAL =
            AtomicLongFieldUpdater.newUpdater(WebSocket.class, "writtenTotal");
    /** Told the new {@link #writtenTotal} after each write (on the I/O thread); null if none. */
    private volatile java.util.function.LongConsumer writeWatcher;

    /**
     * Opens a connection to {@code url} ({@code new WebSocket(url)}).
     *
     * @throws DOMException {@code SyntaxError} for a URL that does not parse, has a scheme other
     *     than ws, wss, http or https, or has a fragment; {@code SecurityError} for a port on the
     *     Fetch standard's list of bad ports
     */
    public WebSocket(String url) {
        this(url, List.of(), WebSocketOptions.defaults());
    }

    /**
     * Opens a connection offering the subprotocols {@code protocols}, in order of preference
     * ({@code new WebSocket(url, protocols)}).
     *
     * @throws DOMException as {@link #WebSocket(String)}, and {@code SyntaxError} if a protocol
     *     is not an HTTP token or appears twice
     */
    public WebSocket(String url, String... protocols) {
        this(url, Arrays.asList(Objects.requireNonNull(protocols, "protocols")), WebSocketOptions.defaults());
    }

    /**
     * Opens a connection with {@code options} (headers, timeouts, limits, executor...).
     *
     * @throws DOMException as {@link #WebSocket(String, String...)}
     */
    public WebSocket(String url, List<String> protocols, WebSocketOptions options) {
        this(url, protocols, options, false);
    }

    /**
     * Opens a connection to {@code url}, and calls {@code setup} with the new socket before any
     * of its events is delivered: listeners registered there see every event, from {@code open}
     * on, whatever the threads involved do. This is the deterministic way to open a socket, for
     * libraries, frameworks and code that registers its listeners far from the constructor.
     *
     * <pre>{@code
     * WebSocket ws = WebSocket.connect("ws://localhost:8080/chat", socket -> {
     *     socket.onopen(e -> socket.send("Hello Server!"));
     *     socket.onmessage(e -> System.out.println(((MessageEvent) e).data()));
     * });
     * }</pre>
     *
     * @throws DOMException as {@link #WebSocket(String)}
     * @throws RuntimeException whatever {@code setup} throws; the connection is then abandoned
     *     and the socket delivers nothing
     */
    public static WebSocket connect(String url, Consumer<? super WebSocket> setup) {
        return connect(url, List.of(), WebSocketOptions.defaults(), setup);
    }

    /**
     * {@link #connect(String, Consumer)} with subprotocols and options.
     *
     * @throws DOMException as {@link #WebSocket(String, String...)}
     * @throws RuntimeException whatever {@code setup} throws; the connection is then abandoned
     *     and the socket delivers nothing
     */
    public static WebSocket connect(String url, List<String> protocols, WebSocketOptions options,
                                    Consumer<? super WebSocket> setup) {
        Objects.requireNonNull(setup, "setup");
        WebSocket ws = new WebSocket(url, protocols, options, true);
        try {
            setup.accept(ws);
        } catch (RuntimeException | Error e) {
            ws.queue.discard();
            ws.session.abort(new IOException("The setup callback of WebSocket.connect threw " + e));
            throw e;
        }
        ws.queue.openGate();
        return ws;
    }

    private WebSocket(String url, List<String> protocols, WebSocketOptions options, boolean deterministic) {
        Objects.requireNonNull(options, "options");
        WebSocketUrl parsed;
        List<String> offered;
        try {
            parsed = WebSocketUrl.parse(url);
            offered = WebSocketUrl.validateProtocols(protocols == null ? List.of() : protocols);
        } catch (UrlException e) {
            throw e.isSecurity() ? DOMException.security(e.getMessage()) : DOMException.syntax(e.getMessage());
        }
        this.url = parsed.href();
        this.origin = parsed.origin();
        this.serverSide = false;
        this.maxBufferedAmount = options.maxBufferedAmount();
        this.messagesWhileClosing = options.messagesWhileClosing();
        this.readyState = CONNECTING;
        ClientSession s = new ClientSession(parsed, offered, options, options.deflateOptions().config());
        this.session = s;
        Executor executor = options.executor() != null ? options.executor() : EventThreads.shared();
        this.queue = new EventDispatcher(executor, s.loop, executor == ConnectionOptions.IO_THREAD, false);
        this.registrationWindow = !deterministic;
        EventLoop ioThread = EventLoop.current();
        if (deterministic) {
            this.creator = null;
        } else if (EventDispatcher.inEventTask()) {
            this.creator = null;
            EventDispatcher.openGateAfterCurrentTask(queue);
        } else if (ioThread != null) {
            this.creator = null;
            ioThread.execute(queue::openGate);     // after the task this I/O thread is running
        } else {
            this.creator = Thread.currentThread();
        }
        s.socket = events;
        s.start();
    }

    /** A server-side socket, already open. */
    WebSocket(Session session, String url, String protocol, String extensions, Executor executor,
              long maxBufferedAmount) {
        this.url = url;
        this.origin = originOf(url);
        this.serverSide = true;
        this.messagesWhileClosing = false;
        this.session = session;
        this.protocol = protocol;
        this.extensions = extensions;
        this.maxBufferedAmount = maxBufferedAmount;
        this.readyState = OPEN;
        this.creator = null;
        this.registrationWindow = false;
        this.openDue = true;
        this.queue = new EventDispatcher(executor, session.loop, executor == ConnectionOptions.IO_THREAD, true);
    }

    private static String originOf(String url) {
        int scheme = url.indexOf("://");
        int slash = url.indexOf('/', scheme + 3);
        return slash < 0 ? url : url.substring(0, slash);
    }

    // ------------------------------------------------------------------ attributes

    /** The absolute, serialized URL, e.g. {@code "ws://localhost:8080/"}. */
    public String url() {
        return url;
    }

    /** {@link #CONNECTING}, {@link #OPEN}, {@link #CLOSING} or {@link #CLOSED}. */
    public int readyState() {
        int state = readyState;    // read before the gate may open: no event has run yet
        touch();
        return state;
    }

    /**
     * Bytes of message payload (UTF-8 bytes for text) queued by {@link #send} and not yet written
     * to the network. After the socket starts closing, further sends still add to it.
     */
    public long bufferedAmount() {
        long amount = bufferedAmount;
        touch();
        return amount;
    }

    /** The extensions the server accepted, as its header gave them; "" if none. */
    public String extensions() {
        return extensions;
    }

    /** The subprotocol the server selected; "" if none. */
    public String protocol() {
        return protocol;
    }

    /** How binary messages are delivered: {@link BinaryType#BLOB} (the default) or {@link BinaryType#ARRAYBUFFER}. */
    public BinaryType binaryType() {
        return binaryType;
    }

    /**
     * Sets how binary messages are delivered. It is read when each message event is dispatched,
     * so a change affects messages already received but not yet delivered.
     */
    public void binaryType(BinaryType type) {
        this.binaryType = Objects.requireNonNull(type, "type");
    }

    /** True for sockets handed out by a {@link WebSocketServer}. */
    public boolean isServerSide() {
        return serverSide;
    }

    // ------------------------------------------------------------------ sending

    /**
     * Sends a text message.
     *
     * @throws DOMException {@code InvalidStateError} while {@link #CONNECTING};
     *     {@code SyntaxError} if {@code data} contains an unpaired surrogate
     */
    public void send(String data) {
        sendText(data);
    }

    /**
     * Sends a binary message with the remaining bytes of {@code data} (its position is not
     * moved). The bytes are copied before this method returns.
     *
     * @throws DOMException {@code InvalidStateError} while {@link #CONNECTING}
     */
    public void send(ByteBuffer data) {
        sendBuffer(data);
    }

    /**
     * Sends a binary message; the array is copied before this method returns.
     *
     * @throws DOMException {@code InvalidStateError} while {@link #CONNECTING}
     */
    public void send(byte[] data) {
        sendBytes(data);
    }

    /**
     * Sends the contents of {@code data} as a binary message. A blob's bytes never change, so a
     * server sends an in-memory blob (a received message, or one from {@link Blob#of}) without
     * copying it: relaying or echoing a message received as a {@code Blob} costs no copy.
     *
     * @throws DOMException {@code InvalidStateError} while {@link #CONNECTING}
     */
    public void send(Blob data) {
        sendBlob(data);
    }

    // Each send below returns the running total of payload bytes queued on the connection
    // once its message is queued (see "sendOrder"), or -1 if the message was not queued.

    private long sendText(String data) {
        Objects.requireNonNull(data, "data");
        checkNotConnecting();
        byte[] bytes = Utf8.encodeStrict(data);
        if (bytes == null) {
            throw DOMException.syntax("The message contains an unpaired surrogate and is not a valid USVString");
        }
        return queue(true, bytes);
    }

    private long sendBuffer(ByteBuffer data) {
        Objects.requireNonNull(data, "data");
        checkNotConnecting();
        if (data.hasArray()) {
            synchronized (sendOrder) {
                int n = data.remaining();
                return reserve(n) && session.sendCopy(false, data.array(), data.arrayOffset() + data.position(), n)
                        ? queuedTotal += n : -1;
            }
        }
        byte[] copy = new byte[data.remaining()];
        data.duplicate().get(copy);
        return queue(false, copy);
    }

    private long sendBytes(byte[] data) {
        Objects.requireNonNull(data, "data");
        checkNotConnecting();
        synchronized (sendOrder) {
            // copied (and masked) before returning
            return reserve(data.length) && session.sendCopy(false, data, 0, data.length) ? queuedTotal += data.length : -1;
        }
    }

    private long sendBlob(Blob data) {
        Objects.requireNonNull(data, "data");
        checkNotConnecting();
        if (data.size() > Session.STREAM_THRESHOLD) {
            // Read from its source while it is sent, in fragments: no copy of its size.
            ByteSource source = new ByteSource() {
                @Override
                public long size() {
                    return data.size();
                }

                @Override
                public int read(long position, byte[] dst, int off, int len) {
                    return data.read(position, dst, off, len);
                }
            };
            synchronized (sendOrder) {
                return reserve(data.size()) && session.sendStreamed(source) ? queuedTotal += data.size() : -1;
            }
        }
        if (data instanceof ArrayBlob) {
            // Its bytes never change: a server sends them as they are, so a message received as
            // a Blob and sent back (an echo, a relay) is not copied; a client masks a copy.
            ArrayBlob bytes = (ArrayBlob) data;
            int n = (int) bytes.size();
            synchronized (sendOrder) {
                return reserve(n) && session.sendUnchanging(false, bytes.array(), bytes.offset(), n) ? queuedTotal += n : -1;
            }
        }
        return queue(false, data.bytes());
    }

    /**
     * Sends {@code message} (a {@code String}, {@code ByteBuffer}, {@code byte[]} or {@link Blob})
     * as {@link #send} does, for {@link WebSocketStream}: returns the running total of payload
     * bytes queued once this message is, which {@link #writtenTotal()} reaches when its last
     * byte is handed to the kernel; -1 if it was not queued (the socket is closing).
     */
    long sendCounted(Object message) {
        if (message instanceof String) {
            return sendText((String) message);
        } else if (message instanceof ByteBuffer) {
            return sendBuffer((ByteBuffer) message);
        } else if (message instanceof byte[]) {
            return sendBytes((byte[]) message);
        } else if (message instanceof Blob) {
            return sendBlob((Blob) message);
        }
        throw new IllegalArgumentException("A message is a String, a ByteBuffer, a byte[] or a Blob, not "
                + (message == null ? "null" : message.getClass().getName()));
    }

    private void checkNotConnecting() {
        int state = readyState;    // read before the gate may open: an open event let out now has not run
        boolean due = openDue;
        touch();
        if (state == CONNECTING && !due) {
            throw DOMException.invalidState("Cannot send while the WebSocket is still CONNECTING");
        }
    }

    /** True if a message sent now goes out: OPEN, or the handshake is done and open is on its way. */
    private boolean sendable() {
        int state = readyState;
        return state == OPEN || (state == CONNECTING && openDue);
    }

    /** Queues a frame a server encoded once for all its clients (see {@link WebSocketServer#broadcast}). */
    boolean sendEncoded(ByteBuffer header, ByteBuffer payload, long size) {
        if (readyState == CONNECTING && !openDue) {
            return false;
        }
        synchronized (sendOrder) {
            if (reserve(size) && session.sendEncoded(header, payload, size)) {
                queuedTotal += size;
                return true;
            }
            return false;
        }
    }

    private long queue(boolean text, byte[] payload) {
        synchronized (sendOrder) {
            return reserve(payload.length) && session.send(text, payload) ? queuedTotal += payload.length : -1;
        }
    }

    /**
     * Adds a message's size to {@code bufferedAmount}; true if it should be sent. After closing
     * starts, data is not sent but still counted (WHATWG); past the limit the socket is closed.
     */
    private boolean reserve(long size) {
        if (!sendable() || overflowed) {
            BUFFERED_AMOUNT.addAndGet(this, size);
            return false;
        }
        long total = BUFFERED_AMOUNT.addAndGet(this, size);
        if (total > maxBufferedAmount) {
            overflowed = true;
            session.abort(new IOException("bufferedAmount would reach " + total
                    + " bytes, over the limit of " + maxBufferedAmount
                    + " (WebSocketOptions.maxBufferedAmount); the socket was closed"));
            return false;
        }
        return true;
    }

    // ------------------------------------------------------------------ pings (a Java extension)

    /**
     * Sends a ping with no application data; see {@link #ping(byte[])}.
     *
     * @throws DOMException {@code InvalidStateError} while {@link #CONNECTING}
     */
    public CompletionStage<Duration> ping() {
        return ping(new byte[0]);
    }

    /**
     * Sends a ping frame carrying {@code data} (RFC 6455 section 5.5.2). The stage completes with
     * the round-trip time when the peer's pong arrives (a pong answers the oldest waiting ping
     * with the same data and every ping sent before it, since a peer may answer only the latest
     * of several), and fails if the socket closes first, or at once if it is already closing.
     * Browsers have no such method; it is for keep-alive checks and latency measurements.
     *
     * @param data at most 125 bytes, copied before this method returns
     * @throws IllegalArgumentException if {@code data} is longer than 125 bytes
     * @throws DOMException {@code InvalidStateError} while {@link #CONNECTING}
     */
    public CompletionStage<Duration> ping(byte[] data) {
        checkControlData(data);
        checkNotConnecting();
        if (!sendable()) {
            return CompletableFuture.failedFuture(new IOException("The WebSocket is "
                    + (readyState == CLOSING ? "CLOSING" : "CLOSED") + "; no ping was sent"));
        }
        return session.ping(data);
    }

    /**
     * Sends an unsolicited pong frame carrying {@code data}: a one-way heartbeat that expects no
     * answer (RFC 6455 section 5.5.3). Does nothing once the socket is closing.
     *
     * @param data at most 125 bytes, copied before this method returns
     * @throws IllegalArgumentException if {@code data} is longer than 125 bytes
     * @throws DOMException {@code InvalidStateError} while {@link #CONNECTING}
     */
    public void pong(byte[] data) {
        checkControlData(data);
        checkNotConnecting();
        if (sendable()) {
            session.pong(data.clone());
        }
    }

    private static void checkControlData(byte[] data) {
        Objects.requireNonNull(data, "data");
        if (data.length > 125) {
            throw new IllegalArgumentException("A ping or pong carries at most 125 bytes (RFC 6455 section 5.5); got "
                    + data.length);
        }
    }

    /**
     * The round-trip time of the latest answered ping: one sent by {@link #ping(byte[])} or a
     * keep-alive ping ({@link WebSocketOptions#pingInterval()}); empty before the first answer.
     */
    public Optional<Duration> roundTripTime() {
        long n = session.pings.latestNanos();
        return n < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(n));
    }

    /**
     * The smoothed round-trip time of the answered pings, as TCP computes it (RFC 6298: each
     * new sample counts for one eighth); empty before the first answer.
     */
    public Optional<Duration> smoothedRoundTripTime() {
        long n = session.pings.smoothedNanos();
        return n < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(n));
    }

    // ------------------------------------------------------------------ closing

    /** Starts the closing handshake with status 1000. */
    public void close() {
        close(CloseCodes.NORMAL, "");
    }

    /**
     * Starts the closing handshake with {@code code}.
     *
     * @throws DOMException {@code InvalidAccessError} if {@code code} is not 1000 or in 3000–4999
     *     (server-side sockets may also use the codes RFC 6455 lets endpoints send)
     */
    public void close(int code) {
        close(code, "");
    }

    /**
     * Starts the closing handshake with {@code code} and {@code reason}. Does nothing if the
     * socket is already closing or closed; fails the connection if it is still connecting.
     *
     * @throws DOMException {@code InvalidAccessError} for a code that may not be used (see
     *     {@link #close(int)}); {@code SyntaxError} if {@code reason} is longer than 123 bytes of
     *     UTF-8 or contains an unpaired surrogate
     */
    public void close(int code, String reason) {
        try {
            closeNow(code, reason);
        } finally {
            // Only after readyState has moved on: an open event this lets out then finds the
            // socket CLOSING and is dropped, as in JavaScript, where it could not run during close().
            touch();
        }
    }

    private void closeNow(int code, String reason) {
        boolean allowed = code == CloseCodes.NORMAL || (code >= 3000 && code <= 4999)
                || (serverSide && CloseCodes.isValidOnWire(code));
        if (!allowed) {
            throw DOMException.invalidAccess("Close code " + code + " is not allowed: use 1000 or 3000-4999"
                    + (serverSide ? ", or a code RFC 6455 lets an endpoint send (1001-1003, 1007-1014)" : ""));
        }
        String r = reason == null ? "" : reason;
        byte[] bytes = Utf8.encodeStrict(r);
        if (bytes == null) {
            throw DOMException.syntax("The close reason contains an unpaired surrogate");
        }
        if (bytes.length > 123) {
            throw DOMException.syntax("The close reason is " + bytes.length + " bytes of UTF-8; at most 123 are allowed");
        }
        releaseStream();
        synchronized (this) {
            int state = readyState;
            if (state == CLOSING || state == CLOSED) {
                return;
            }
            readyState = CLOSING;
            if (state == CONNECTING && !openDue) {
                session.abort(new IOException("close() was called before the connection was established"));
                return;
            }
        }
        session.close(code, r);
    }

    /**
     * Starts the closing handshake on the library's own initiative (idle timeout, server
     * shutdown), with codes the public {@link #close(int, String)} may refuse on a client.
     */
    void closeFromLibrary(int code, String reason) {
        releaseStream();
        synchronized (this) {
            if (readyState == CLOSING || readyState == CLOSED) {
                return;
            }
            readyState = CLOSING;
        }
        session.close(code, reason);
    }

    // ------------------------------------------------------------------ event handler attributes

    /** Sets the {@code open} event handler (null clears it). */
    public void onopen(EventListener handler) {
        setEventHandler("open", handler);
    }

    public EventListener onopen() {
        return getEventHandler("open");
    }

    /** Sets the {@code message} event handler; its events are {@link MessageEvent}s. */
    public void onmessage(EventListener handler) {
        setEventHandler("message", handler);
    }

    public EventListener onmessage() {
        return getEventHandler("message");
    }

    /** Sets the {@code error} event handler; its events are {@link ErrorEvent}s with the cause. */
    public void onerror(EventListener handler) {
        setEventHandler("error", handler);
    }

    public EventListener onerror() {
        return getEventHandler("error");
    }

    /** Sets the {@code close} event handler; its events are {@link CloseEvent}s. */
    public void onclose(EventListener handler) {
        setEventHandler("close", handler);
    }

    public EventListener onclose() {
        return getEventHandler("close");
    }

    @Override
    public String toString() {
        String[] states = {"CONNECTING", "OPEN", "CLOSING", "CLOSED"};
        return "WebSocket[" + WebSocketUrl.redact(url) + ", " + states[readyState] + "]";
    }

    // ------------------------------------------------------------------ from the session (loop thread)

    void established(String protocol, String extensions) {
        openDue = true;
        enqueue(() -> {
            if (readyState != CONNECTING) {
                return;
            }
            this.protocol = protocol;
            this.extensions = extensions;
            readyState = OPEN;
            dispatchEvent(new Event("open"));
        });
    }

    void messageReceived(Object received) {
        Object data = received instanceof SpilledMessage m ? FileBlob.ownTemporary(m.file(), m.size(), m.budget()) : received;
        // Bytes held until the handler runs, on the heap or, for a spilled message, on disk: a
        // slow handler stops the reading either way.
        long size = data instanceof byte[] bytes ? bytes.length
                : data instanceof String text ? 2L * text.length()
                : data instanceof FileBlob file ? file.size() : 0;
        inbound.received(size);
        InboundBackPressure held = streamHeld;
        if (held != null) {
            held.received(size);    // here, on the I/O thread: a stream's pause comes within one read
        }
        enqueue(() -> {
            inbound.handled(size);
            int state = readyState;
            if (state != OPEN && !(state == CLOSING && messagesWhileClosing)) {
                if (held != null) {
                    held.handled(size);     // the stream never gets it: it no longer holds the reading
                }
                if (data instanceof FileBlob file) {
                    file.close();       // nobody will see it: its temporary file goes now, not after GC
                }
                return;     // close() was called: undelivered messages are dropped
            }
            Object value = data;
            if (data instanceof byte[]) {
                byte[] bytes = (byte[]) data;
                value = binaryType == BinaryType.BLOB ? Blob.wrap(bytes) : ByteBuffer.wrap(bytes);
            } else if (data instanceof FileBlob && binaryType == BinaryType.ARRAYBUFFER) {
                try {
                    value = ((FileBlob) data).mapReadOnly();
                } catch (IOException e) {
                    session.failWithCode(CloseCodes.MESSAGE_TOO_BIG, "A received message of " + ((FileBlob) data).size()
                            + " bytes cannot be delivered as an ArrayBuffer: " + e.getMessage()
                            + " (use binaryType BLOB for messages over 2 GiB)");
                    return;
                }
            }
            dispatchEvent(new MessageEvent("message", value, origin));
        });
    }

    void closingStarted() {
        releaseStream();        // the peer's close frame: no data follows it
        enqueue(() -> {
            synchronized (this) {
                if (readyState == OPEN) {
                    readyState = CLOSING;
                }
            }
        });
    }

    void closed(int code, String reason, boolean wasClean, Throwable error) {
        enqueue(() -> {
            readyState = CLOSED;
            if (error != null) {
                Throwable published = PublicErrors.of(error);
                dispatchEvent(new ErrorEvent("error", describe(published), published));
            }
            dispatchEvent(new CloseEvent("close", code, reason, wasClean));
        });
    }

    void written(long credit) {
        BUFFERED_AMOUNT.addAndGet(this, -credit);
        long total = WRITTEN_TOTAL.addAndGet(this, credit);
        java.util.function.LongConsumer watcher = writeWatcher;
        if (watcher != null) {
            watcher.accept(total);
        }
    }

    /** Payload bytes of every message sent so far that have been handed to the kernel. */
    long writtenTotal() {
        return writtenTotal;
    }

    /**
     * Sets what is told {@link #writtenTotal} after each write, on the I/O thread: the socket's
     * {@link WebSocketStream}, of which there is at most one.
     *
     * @return false if the socket already has a watcher (nothing is changed)
     */
    synchronized boolean watchWrites(java.util.function.LongConsumer watcher) {
        if (writeWatcher != null) {
            return false;
        }
        writeWatcher = Objects.requireNonNull(watcher, "watcher");
        return true;
    }

    /**
     * Runs {@code action} once the listeners of every event queued so far have run (so what they
     * sent is queued before whatever {@code action} sends), or now if the socket delivers nothing
     * yet: then there is no listener whose replies could be waited for.
     */
    void afterQueuedEvents(Runnable action) {
        if (queue.gateOpen()) {
            enqueue(action);
        } else {
            action.run();
        }
    }

    /** This socket's side of its session: {@link SocketEvents}, kept off the public API. */
    final SocketEvents events() {
        return events;
    }

    /** The socket whose {@link #events()} these are. */
    static WebSocket of(SocketEvents events) {
        return ((Events) events).socket();
    }

    private final class Events implements SocketEvents {
        WebSocket socket() {
            return WebSocket.this;
        }

        @Override
        public void established(String protocol, String extensions) {
            WebSocket.this.established(protocol, extensions);
        }

        @Override
        public void messageReceived(Object data) {
            WebSocket.this.messageReceived(data);
        }

        @Override
        public void closingStarted() {
            WebSocket.this.closingStarted();
        }

        @Override
        public void closed(int code, String reason, boolean wasClean, Throwable error) {
            WebSocket.this.closed(code, reason, wasClean, error);
        }

        @Override
        public void written(long credit) {
            WebSocket.this.written(credit);
        }

        @Override
        public void closeFromLibrary(int code, String reason) {
            WebSocket.this.closeFromLibrary(code, reason);
        }

        @Override
        public void afterQueuedEvents(Runnable action) {
            WebSocket.this.afterQueuedEvents(action);
        }
    }

    /** Queues a task on this socket's event queue (for the server's connection event). */
    void enqueue(Runnable task) {
        queue.enqueue(task);
    }

    private void pauseReading(boolean paused) {
        pausedForHandlers = paused;
        session.readingPaused(readingHeld);
    }

    /**
     * Stops (true) or resumes reading from the network for a {@link WebSocketStream} whose
     * buffer is full; reading resumes only once neither it nor the handlers' back-pressure
     * holds it. Any thread: the I/O thread reads both reasons when it applies the change.
     */
    void holdReading(boolean hold) {
        synchronized (streamReading) {
            pausedForStream = hold && !streamReleased;
        }
        session.readingPaused(readingHeld);
    }

    /**
     * The socket is closing: a {@link WebSocketStream} no longer holds the reading (nothing more
     * will be delivered to it, and the peer's answer to the close must be read). The lock keeps
     * a pause the stream decided just before from landing after this.
     */
    private void releaseStream() {
        if (streamHeld == null && !pausedForStream) {
            return;     // no stream, or already released
        }
        streamHeld = null;
        synchronized (streamReading) {
            streamReleased = true;
            pausedForStream = false;
        }
        session.readingPaused(readingHeld);
    }

    /**
     * Counts every message received from now on in {@code held} as it arrives, on the I/O thread,
     * before its event is queued: a {@link WebSocketStream} holds the messages from there until
     * its subscriber takes them, and decides on the pause without waiting for the events to run.
     * The counting, and the stream's hold on the reading, end when the socket starts closing.
     */
    void countArrivals(InboundBackPressure held) {
        this.streamHeld = held;
    }

    /** Bytes of received messages queued for their handlers (those whose events have not run yet). */
    long waitingForHandlers() {
        return inbound.waiting();
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isEmpty() ? e.getClass().getSimpleName() : m;
    }

    // ------------------------------------------------------------------ the registration gate

    // Opens the gate if the constructing thread uses the socket: it has finished registering.
    private void touch() {
        if (creator != null && !queue.gateOpen() && Thread.currentThread() == creator) {
            queue.openGate();
        }
    }

    // The first listener starts the registration window (see the class comment).
    @Override
    void listenerAdded() {
        if (registrationWindow && !queue.gateOpen()) {
            queue.openGateAfter(REGISTRATION_WINDOW_MILLIS);
        }
    }
}
