package dev.duplex;

import dev.duplex.protocol.CloseCodes;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
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
 * may be called from any thread. {@link WebSocketOptions#IO_THREAD} runs handlers on the I/O
 * thread itself (no hand-off between threads: the fastest, for handlers that never block).
 *
 * <h2>Handlers registered after the constructor miss nothing</h2>
 * JavaScript code can set {@code onopen} after {@code new WebSocket(...)} because events wait for
 * the running script to finish. Duplex gives the same guarantee with a deterministic rule: a new
 * socket holds its events until the thread that constructed it is done registering:
 * <ul>
 *   <li>A socket created inside a Duplex event handler delivers nothing before that handler
 *       returns, however long it runs or sleeps (exactly JavaScript's run-to-completion).</li>
 *   <li>A socket created on any other thread starts delivering when that thread waits, sleeps
 *       or ends (its {@link Thread#getState() state} is {@code WAITING},
 *       {@code TIMED_WAITING} or {@code TERMINATED}: for example it awaits a latch, joins, or
 *       returns from a task of an executor and waits for the next one), or when it calls
 *       {@link #send}, {@link #close},
 *       {@link #readyState()} or {@link #bufferedAmount()} on the socket.</li>
 * </ul>
 * Waiting for a lock is not waiting for the next task: a thread {@code BLOCKED} on a
 * {@code synchronized} monitor, or parked for a {@code ReentrantLock}, {@code ReentrantReadWriteLock}
 * or {@code StampedLock}, counts only when it is seen so on two checks in a row a millisecond apart,
 * so that a moment of contention (a logger's lock, say) does not open the gate.
 * Handler and listener registration ({@code onopen(...)}, {@code addEventListener}) and the
 * other attribute getters do not count. So a handler registered on the constructing thread before
 * it next blocks, or next uses the socket, sees every event from {@code open} on.
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

    private static final long GATE_POLL_MILLIS = 1;
    /**
     * Received bytes waiting for handlers above which the socket stops reading from the network
     * (TCP flow control then slows the peer down); reading resumes below half of it.
     */
    static final long INBOUND_HIGH_WATER = 16L << 20;

    private final String url;
    private final String origin;
    private final boolean serverSide;
    private final Session session;
    private final EventDispatcher events;
    private final long maxBufferedAmount;
    private final Thread creator;
    /** False for sockets made inside an event handler: their gate opens when the handler returns. */
    private final boolean watchCreator;
    private volatile long bufferedAmount;
    private static final AtomicLongFieldUpdater<WebSocket> BUFFERED_AMOUNT =
            AtomicLongFieldUpdater.newUpdater(WebSocket.class, "bufferedAmount");
    private volatile int readyState;
    private volatile BinaryType binaryType = BinaryType.BLOB;
    private volatile String protocol = "";
    private volatile String extensions = "";
    private volatile boolean overflowed;
    private boolean gateWatched;     // loop thread only
    private boolean creatorSeenContending;     // loop thread only: at the previous gate check
    private final InboundBackPressure inbound = new InboundBackPressure(INBOUND_HIGH_WATER, this::pauseReading);

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
        Objects.requireNonNull(options, "options");
        WebSocketUrl parsed = WebSocketUrl.parse(url);
        List<String> offered = WebSocketUrl.validateProtocols(protocols == null ? List.of() : protocols);
        this.url = parsed.href();
        this.origin = parsed.origin();
        this.serverSide = false;
        this.maxBufferedAmount = options.maxBufferedAmount();
        this.readyState = CONNECTING;
        this.creator = Thread.currentThread();
        Executor executor = options.executor() != null ? options.executor() : EventThreads.shared();
        this.events = new EventDispatcher(executor, false);
        this.watchCreator = !EventDispatcher.inEventTask();
        if (!watchCreator) {
            EventDispatcher.openGateAfterCurrentTask(events);
        }
        ClientSession s = new ClientSession(parsed, offered, options);
        s.socket = this;
        this.session = s;
        s.start();
    }

    /** A server-side socket, already open. */
    WebSocket(Session session, String url, String protocol, String extensions, Executor executor,
              long maxBufferedAmount) {
        this.url = url;
        this.origin = originOf(url);
        this.serverSide = true;
        this.session = session;
        this.protocol = protocol;
        this.extensions = extensions;
        this.maxBufferedAmount = maxBufferedAmount;
        this.readyState = OPEN;
        this.creator = null;
        this.watchCreator = false;
        this.events = new EventDispatcher(executor, true);
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
        Objects.requireNonNull(data, "data");
        checkNotConnecting();
        byte[] bytes = Utf8.encodeStrict(data);
        if (bytes == null) {
            throw DOMException.syntax("The message contains an unpaired surrogate and is not a valid USVString");
        }
        queue(true, bytes);
    }

    /**
     * Sends a binary message with the remaining bytes of {@code data} (its position is not
     * moved). The bytes are copied before this method returns.
     *
     * @throws DOMException {@code InvalidStateError} while {@link #CONNECTING}
     */
    public void send(ByteBuffer data) {
        Objects.requireNonNull(data, "data");
        checkNotConnecting();
        if (data.hasArray()) {
            if (reserve(data.remaining())) {
                session.sendCopy(false, data.array(), data.arrayOffset() + data.position(), data.remaining());
            }
            return;
        }
        byte[] copy = new byte[data.remaining()];
        data.duplicate().get(copy);
        queue(false, copy);
    }

    /**
     * Sends a binary message; the array is copied before this method returns.
     *
     * @throws DOMException {@code InvalidStateError} while {@link #CONNECTING}
     */
    public void send(byte[] data) {
        Objects.requireNonNull(data, "data");
        checkNotConnecting();
        if (reserve(data.length)) {
            session.sendCopy(false, data, 0, data.length);     // copied (and masked) before returning
        }
    }

    /**
     * Sends the contents of {@code data} as a binary message. A blob's bytes never change, so a
     * server sends an in-memory blob (a received message, or one from {@link Blob#of}) without
     * copying it: relaying or echoing a message received as a {@code Blob} costs no copy.
     *
     * @throws DOMException {@code InvalidStateError} while {@link #CONNECTING}
     */
    public void send(Blob data) {
        Objects.requireNonNull(data, "data");
        checkNotConnecting();
        if (data.size() > Session.STREAM_THRESHOLD) {
            // Read from its source while it is sent, in fragments: no copy of its size.
            if (reserve(data.size())) {
                session.sendStreamed(data);
            }
            return;
        }
        if (data instanceof ArrayBlob) {
            // Its bytes never change: a server sends them as they are, so a message received as
            // a Blob and sent back (an echo, a relay) is not copied; a client masks a copy.
            ArrayBlob bytes = (ArrayBlob) data;
            if (reserve(bytes.size())) {
                session.sendUnchanging(false, bytes.array(), bytes.offset(), (int) bytes.size());
            }
            return;
        }
        queue(false, data.bytes());
    }

    private void checkNotConnecting() {
        int state = readyState;    // read before the gate may open: an open event let out now has not run
        touch();
        if (state == CONNECTING) {
            throw DOMException.invalidState("Cannot send while the WebSocket is still CONNECTING");
        }
    }

    /** Queues a frame a server encoded once for all its clients (see {@link WebSocketServer#broadcast}). */
    boolean sendEncoded(ByteBuffer header, ByteBuffer payload, long size) {
        if (readyState == CONNECTING) {
            return false;
        }
        return reserve(size) && session.sendEncoded(header, payload, size);
    }

    private void queue(boolean text, byte[] payload) {
        if (reserve(payload.length)) {
            session.send(text, payload);
        }
    }

    /**
     * Adds a message's size to {@code bufferedAmount}; true if it should be sent. After closing
     * starts, data is not sent but still counted (WHATWG); past the limit the socket is closed.
     */
    private boolean reserve(long size) {
        if (readyState != OPEN || overflowed) {
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
        synchronized (this) {
            int state = readyState;
            if (state == CLOSING || state == CLOSED) {
                return;
            }
            readyState = CLOSING;
            if (state == CONNECTING) {
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
        return "WebSocket[" + url + ", " + states[readyState] + "]";
    }

    // ------------------------------------------------------------------ from the session (loop thread)

    void established(String protocol, String extensions) {
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

    void messageReceived(Object data) {
        // Bytes held on the heap until the handler runs (a spilled message lives in a file).
        long size = data instanceof byte[] ? ((byte[]) data).length
                : data instanceof String ? 2L * ((String) data).length() : 0;
        inbound.received(size);
        enqueue(() -> {
            inbound.handled(size);
            if (readyState != OPEN) {
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
                dispatchEvent(new ErrorEvent("error", describe(error), error));
            }
            dispatchEvent(new CloseEvent("close", code, reason, wasClean));
        });
    }

    void written(long credit) {
        BUFFERED_AMOUNT.addAndGet(this, -credit);
    }

    /** Queues a task on this socket's event queue (for the server's connection event). */
    void enqueue(Runnable task) {
        events.enqueue(task);
        if (!events.gateOpen() && watchCreator) {
            watchGate();
        }
    }

    private void pauseReading(boolean paused) {
        session.readingPaused(paused);
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isEmpty() ? e.getClass().getSimpleName() : m;
    }

    // ------------------------------------------------------------------ the registration gate

    // Opens the gate if the constructing thread uses the socket: it has finished registering.
    private void touch() {
        if (creator != null && !events.gateOpen() && Thread.currentThread() == creator) {
            events.openGate();
        }
    }

    // Polls the constructing thread's state from the loop until it stops running (see class doc).
    private void watchGate() {
        session.loop.execute(() -> {
            if (!gateWatched) {
                gateWatched = true;
                checkGate();
            }
        });
    }

    private void checkGate() {
        if (events.gateOpen()) {
            return;
        }
        ThreadActivity activity = ThreadActivity.of(creator);
        boolean contending = activity == ThreadActivity.CONTENDING;
        if (activity == ThreadActivity.WAITING || (contending && creatorSeenContending)) {
            events.openGate();
        } else {
            creatorSeenContending = contending;
            session.loop.schedule(this::checkGate, GATE_POLL_MILLIS, TimeUnit.MILLISECONDS);
        }
    }
}
