package dev.duplex;

import dev.duplex.internal.events.EventDispatcher;
import dev.duplex.internal.events.EventThreads;
import dev.duplex.internal.protocol.CloseCodes;
import dev.duplex.internal.protocol.Utf8;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A client socket that reconnects by itself (a Java extension): the {@link WebSocket} API
 * (the same methods, {@code readyState} values and events) over a succession of connections to
 * one URL, opened again with back-off after a drop, as a {@link ReconnectPolicy} says.
 *
 * <pre>{@code
 * ReconnectingWebSocket ws = ReconnectingWebSocket.connect("wss://example.com/feed", List.of(),
 *         WebSocketOptions.defaults(), ReconnectPolicy.defaults(), socket -> {
 *     socket.onopen(e -> socket.send("{\"subscribe\":\"prices\"}"));    // on every (re)open
 *     socket.onmessage(e -> System.out.println(((MessageEvent) e).data()));
 *     socket.onreconnecting(e -> System.err.println("retry " + ((ReconnectEvent) e).attempt()
 *             + " in " + ((ReconnectEvent) e).delay()));
 *     socket.onclose(e -> System.err.println("gave up: " + ((CloseEvent) e).code()));
 * });
 * }</pre>
 *
 * <h2>Events</h2>
 * <ul>
 *   <li>{@code open} on every connection that opens, the first and each reconnection: the
 *       place to (re)send subscriptions and authentication. What its listeners send goes out
 *       first, then the messages queued while disconnected, in the order they were sent.</li>
 *   <li>{@code message} for each message of whichever connection is current.</li>
 *   <li>{@code reconnecting} ({@link ReconnectEvent}) when a connection ended, or failed to
 *       open, in a way that is retried, before the wait: its attempt number, delay, and how
 *       the connection ended. Calling {@link #close} there stops reconnecting.</li>
 *   <li>{@code reconnected} ({@link ReconnectEvent}) after the {@code open} of a connection that
 *       replaced a lost one.</li>
 *   <li>{@code error} then {@code close}, once, when it stops for good: after the user's
 *       {@code close()}, a close that is not retried (a clean close by the server, a 4xx answer
 *       to the handshake, see {@link ReconnectPolicy}), or when {@code maxAttempts} ran out
 *       ({@code error} only when there is a cause, always just before {@code close}). A drop that
 *       is retried dispatches neither: {@code reconnecting} says it.</li>
 * </ul>
 * Events are delivered one at a time and in order, never concurrently, on the executor of the
 * {@link WebSocketOptions}.
 *
 * <h2>readyState and send()</h2>
 * {@code readyState} is {@code CONNECTING} before the first open and again while reconnecting,
 * {@code OPEN} while a connection is open, {@code CLOSING} after {@link #close}, and
 * {@code CLOSED} at the end. A {@code send()} while not open queues the message (sent after
 * the next open) or throws {@code InvalidStateError}, as the policy chooses; past the queue's
 * limits it throws {@code InvalidStateError} saying which limit. Messages handed to a
 * connection before it dropped are not sent again: whether the server got them cannot be known
 * (a message survives a drop only if it was sent while disconnected). After {@code close()},
 * as for a {@code WebSocket}, nothing is sent and {@code bufferedAmount} keeps climbing.
 *
 * <h2>When the socket starts delivering events</h2>
 * As for a {@link WebSocket}: {@link #connect(String, List, WebSocketOptions, ReconnectPolicy,
 * Consumer) connect(..., setup)} is the deterministic way (nothing is delivered before
 * {@code setup} returns); the constructors follow {@link WebSocket}'s rules for a socket made
 * with {@code new} (handlers registered right after the constructor miss nothing).
 * Connections opened to reconnect deliver nothing before their listeners are in place.
 */
public class ReconnectingWebSocket extends EventTarget {
    private static final ScheduledThreadPoolExecutor TIMER = timer();

    private final String url;
    private final List<String> protocols;
    private final WebSocketOptions options;
    private final ReconnectPolicy policy;
    private final Executor executor;
    private final Strand strand = new Strand();
    private final Object lock = new Object();

    // Guarded by lock.
    private WebSocket current;                  // null while waiting to reconnect, and at the end
    private volatile int readyState = WebSocket.CONNECTING;
    private boolean userClosed;
    private final ArrayDeque<Object> queued = new ArrayDeque<>();
    private long queuedBytes;
    private long bufferedAfterEnd;              // sends after the last connection was gone
    private int attempt;                        // attempts since the last stable connection
    private long openedAt;                      // System.nanoTime() of the current connection's open
    private Duration lastDelay = Duration.ZERO;
    private ScheduledFuture<?> pending;
    private Thread openDispatcher;              // the thread running the open listeners, if any
    private int lostCode = CloseCodes.ABNORMAL;
    private String lostReason = "";
    private Throwable lostError;

    /** The first socket while its internal listeners may still need adding (constructor form only). */
    private volatile WebSocket unattached;
    private volatile BinaryType binaryType = BinaryType.BLOB;
    private volatile String protocol = "";
    private volatile String extensions = "";

    /**
     * Opens a reconnecting socket to {@code url} with the default options and policy.
     *
     * @param url a ws, wss, http or https URL
     * @throws DOMException as {@link WebSocket#WebSocket(String)}
     */
    public ReconnectingWebSocket(String url) {
        this(url, List.of(), WebSocketOptions.defaults(), ReconnectPolicy.defaults());
    }

    /**
     * Opens a reconnecting socket to {@code url}, offering {@code protocols} on every connection.
     *
     * @param url       a ws, wss, http or https URL
     * @param protocols the subprotocols to offer, in order of preference (may be empty)
     * @param options   the options of every connection
     * @param policy    when and how fast to reconnect, and what {@code send()} does meanwhile
     * @throws DOMException as {@link WebSocket#WebSocket(String, String...)}
     */
    public ReconnectingWebSocket(String url, List<String> protocols, WebSocketOptions options, ReconnectPolicy policy) {
        this(policy, url, protocols, options);
        WebSocket first = new WebSocket(url, protocols, options);
        synchronized (lock) {
            current = first;
            unattached = first;
        }
    }

    /** The state of a socket whose first connection is not made yet. */
    private ReconnectingWebSocket(ReconnectPolicy policy, String url, List<String> protocols, WebSocketOptions options) {
        this.url = Objects.requireNonNull(url, "url");
        this.protocols = protocols == null ? List.of() : List.copyOf(protocols);
        this.options = Objects.requireNonNull(options, "options");
        this.policy = Objects.requireNonNull(policy, "policy");
        Executor e = options.executor();
        this.executor = e == null || e == ConnectionOptions.IO_THREAD ? EventThreads.shared() : e;
    }

    /**
     * Opens a reconnecting socket and calls {@code setup} with it before any of its events is
     * delivered (see {@link WebSocket#connect(String, List, WebSocketOptions, Consumer)}).
     *
     * @param url       a ws, wss, http or https URL
     * @param protocols the subprotocols to offer, in order of preference (may be empty)
     * @param options   the options of every connection
     * @param policy    when and how fast to reconnect, and what {@code send()} does meanwhile
     * @param setup     registers listeners; runs before anything is delivered
     * @return the socket, connecting
     * @throws DOMException as {@link WebSocket#WebSocket(String, String...)}
     * @throws RuntimeException whatever {@code setup} throws; nothing is then connected
     */
    public static ReconnectingWebSocket connect(String url, List<String> protocols, WebSocketOptions options,
                                                ReconnectPolicy policy, Consumer<? super ReconnectingWebSocket> setup) {
        Objects.requireNonNull(setup, "setup");
        ReconnectingWebSocket rws = new ReconnectingWebSocket(policy, url, protocols, options);
        WebSocket.connect(url, rws.protocols, options, ws -> {
            synchronized (rws.lock) {
                rws.current = ws;
            }
            rws.listen(ws);
            setup.accept(rws);
        });
        return rws;
    }

    /**
     * {@link #connect(String, List, WebSocketOptions, ReconnectPolicy, Consumer)} with no
     * subprotocols and the default options.
     *
     * @param url    a ws, wss, http or https URL
     * @param policy when and how fast to reconnect, and what {@code send()} does meanwhile
     * @param setup  registers listeners; runs before anything is delivered
     * @return the socket, connecting
     */
    public static ReconnectingWebSocket connect(String url, ReconnectPolicy policy,
                                                Consumer<? super ReconnectingWebSocket> setup) {
        return connect(url, List.of(), WebSocketOptions.defaults(), policy, setup);
    }

    // ------------------------------------------------------------------ attributes

    /** @return the URL given, serialized as {@link WebSocket#url()} does */
    public String url() {
        WebSocket ws = currentSocket();
        return ws != null ? ws.url() : url;
    }

    /** @return {@code CONNECTING}, {@code OPEN}, {@code CLOSING} or {@code CLOSED} (see the class comment) */
    public int readyState() {
        int state = readyState;
        touch();
        return state;
    }

    /**
     * @return payload bytes sent and not yet written to the network: those of the current
     *         connection plus those queued while disconnected
     */
    public long bufferedAmount() {
        touch();
        synchronized (lock) {
            WebSocket ws = current;
            return queuedBytes + bufferedAfterEnd + (ws == null ? 0 : ws.bufferedAmount());
        }
    }

    /** @return the number of messages queued while disconnected, waiting for the next open */
    public int queuedMessages() {
        synchronized (lock) {
            return queued.size();
        }
    }

    /** @return the subprotocol the latest connection's server selected, "" if none */
    public String protocol() {
        return protocol;
    }

    /** @return the extensions of the latest connection, "" if none */
    public String extensions() {
        return extensions;
    }

    /** @return how binary messages are delivered, {@link BinaryType#BLOB} by default */
    public BinaryType binaryType() {
        return binaryType;
    }

    /** Sets how binary messages are delivered, on this connection and the next ones. */
    public void binaryType(BinaryType type) {
        this.binaryType = Objects.requireNonNull(type, "type");
        WebSocket ws = currentSocket();
        if (ws != null) {
            ws.binaryType(type);
        }
    }

    /** @return the options every connection is opened with */
    public WebSocketOptions options() {
        return options;
    }

    /** @return the reconnect policy */
    public ReconnectPolicy policy() {
        return policy;
    }

    /**
     * Sends a ping on the current connection; see {@link WebSocket#ping()}.
     *
     * @return the round-trip time, or a failed stage if no connection is open
     */
    public CompletionStage<Duration> ping() {
        WebSocket ws = currentSocket();
        if (ws == null || readyState != WebSocket.OPEN) {
            return CompletableFuture.failedFuture(new IOException("No connection is open; no ping was sent"));
        }
        return ws.ping();
    }

    /** @return the latest round-trip time of the current connection; see {@link WebSocket#roundTripTime()} */
    public Optional<Duration> roundTripTime() {
        WebSocket ws = currentSocket();
        return ws == null ? Optional.empty() : ws.roundTripTime();
    }

    private WebSocket currentSocket() {
        synchronized (lock) {
            return current;
        }
    }

    // ------------------------------------------------------------------ sending

    /**
     * Sends a text message, or queues it while disconnected; see the class comment.
     *
     * @throws DOMException {@code SyntaxError} for an unpaired surrogate; {@code InvalidStateError}
     *     while disconnected if the policy fails such sends or the queue is full
     */
    public void send(String data) {
        Objects.requireNonNull(data, "data");
        byte[] bytes = Utf8.encodeStrict(data);
        if (bytes == null) {
            throw DOMException.syntax("The message contains an unpaired surrogate and is not a valid USVString");
        }
        send(data, bytes.length);
    }

    /** Sends a binary message (the array is copied now), or queues it; see {@link #send(String)}. */
    public void send(byte[] data) {
        Objects.requireNonNull(data, "data");
        send(data.clone(), data.length);
    }

    /** Sends the remaining bytes of {@code data} (copied now), or queues them; see {@link #send(String)}. */
    public void send(ByteBuffer data) {
        Objects.requireNonNull(data, "data");
        byte[] copy = new byte[data.remaining()];
        data.duplicate().get(copy);
        send(copy, copy.length);
    }

    /** Sends a blob, or queues it (blobs are immutable: not copied); see {@link #send(String)}. */
    public void send(Blob data) {
        Objects.requireNonNull(data, "data");
        send(data, data.size());
    }

    private void send(Object message, long size) {
        touch();
        synchronized (lock) {
            int state = readyState;
            WebSocket ws = current;
            if (state == WebSocket.CLOSING || state == WebSocket.CLOSED) {
                if (ws != null) {
                    deliver(ws, message);      // counted in its bufferedAmount, not sent
                } else {
                    bufferedAfterEnd += size;
                }
                return;
            }
            boolean direct = state == WebSocket.OPEN && ws != null && ws.readyState() == WebSocket.OPEN
                    && (openDispatcher == null || openDispatcher == Thread.currentThread());
            if (direct) {
                deliver(ws, message);
                return;
            }
            if (state == WebSocket.OPEN && openDispatcher != null && ws != null && ws.readyState() == WebSocket.OPEN) {
                // Another thread while the open listeners run: after what they send, in order.
                enqueue(message, size);
                return;
            }
            if (!policy.queuesWhileDisconnected()) {
                throw DOMException.invalidState("Cannot send while the ReconnectingWebSocket is "
                        + (state == WebSocket.OPEN ? "losing its connection" : "CONNECTING")
                        + " (ReconnectPolicy.failWhileDisconnected)");
            }
            if (queued.size() + 1 > policy.maxQueuedMessages() || queuedBytes + size > policy.maxQueuedBytes()) {
                throw DOMException.invalidState("The reconnect queue is full: " + queued.size() + " messages of "
                        + queuedBytes + " bytes wait, and one more of " + size + " bytes would pass the limit of "
                        + policy.maxQueuedMessages() + " messages or " + policy.maxQueuedBytes()
                        + " bytes (ReconnectPolicy.queueWhileDisconnected); the message was not queued");
            }
            enqueue(message, size);
        }
    }

    private void enqueue(Object message, long size) {
        queued.add(message);
        queuedBytes += size;
    }

    private static void deliver(WebSocket ws, Object message) {
        if (message instanceof String s) {
            ws.send(s);
        } else if (message instanceof byte[] b) {
            ws.send(b);
        } else {
            ws.send((Blob) message);
        }
    }

    // ------------------------------------------------------------------ closing

    /** Closes with status 1000 and stops reconnecting. */
    public void close() {
        close(CloseCodes.NORMAL, "");
    }

    /** Closes with {@code code} and stops reconnecting; see {@link #close(int, String)}. */
    public void close(int code) {
        close(code, "");
    }

    /**
     * Closes the current connection with {@code code} and {@code reason} (as
     * {@link WebSocket#close(int, String)}) and stops reconnecting; messages still queued are
     * dropped. While waiting to reconnect, the wait is cancelled and the socket dispatches
     * {@code error} then {@code close} with 1006, as a {@code WebSocket} closed while
     * connecting does. Does nothing if already closing or closed.
     *
     * @throws DOMException {@code InvalidAccessError} unless {@code code} is 1000 or 3000–4999;
     *     {@code SyntaxError} if {@code reason} is longer than 123 bytes of UTF-8 or has an
     *     unpaired surrogate
     */
    public void close(int code, String reason) {
        if (code != CloseCodes.NORMAL && (code < 3000 || code > 4999)) {
            throw DOMException.invalidAccess("Close code " + code + " is not allowed: use 1000 or 3000-4999");
        }
        String r = reason == null ? "" : reason;
        byte[] bytes = Utf8.encodeStrict(r);
        if (bytes == null) {
            throw DOMException.syntax("The close reason contains an unpaired surrogate");
        }
        if (bytes.length > 123) {
            throw DOMException.syntax("The close reason is " + bytes.length + " bytes of UTF-8; at most 123 are allowed");
        }
        touch();
        WebSocket ws;
        synchronized (lock) {
            if (readyState == WebSocket.CLOSING || readyState == WebSocket.CLOSED) {
                return;
            }
            userClosed = true;
            readyState = WebSocket.CLOSING;
            queued.clear();
            queuedBytes = 0;
            if (pending != null) {
                pending.cancel(false);
                pending = null;
            }
            ws = current;
        }
        if (ws != null) {
            ws.close(code, r);      // its close event ends this socket
            return;
        }
        // Between two connections: nothing is on the wire, so end here, as events (not inside close()).
        executor.execute(() -> strand.run(() -> finish(CloseCodes.ABNORMAL, "", false,
                new IOException("close() was called while waiting to reconnect"))));
    }

    // ------------------------------------------------------------------ event handler attributes

    /** Sets the {@code open} event handler, called on every (re)open (null clears it). */
    public void onopen(EventListener handler) {
        setEventHandler("open", handler);
    }

    /** @return the {@code open} event handler, or null */
    public EventListener onopen() {
        return getEventHandler("open");
    }

    /** Sets the {@code message} event handler; its events are {@link MessageEvent}s. */
    public void onmessage(EventListener handler) {
        setEventHandler("message", handler);
    }

    /** @return the {@code message} event handler, or null */
    public EventListener onmessage() {
        return getEventHandler("message");
    }

    /** Sets the {@code error} event handler; its events are {@link ErrorEvent}s. */
    public void onerror(EventListener handler) {
        setEventHandler("error", handler);
    }

    /** @return the {@code error} event handler, or null */
    public EventListener onerror() {
        return getEventHandler("error");
    }

    /** Sets the {@code close} event handler, called once at the very end; its events are {@link CloseEvent}s. */
    public void onclose(EventListener handler) {
        setEventHandler("close", handler);
    }

    /** @return the {@code close} event handler, or null */
    public EventListener onclose() {
        return getEventHandler("close");
    }

    /** Sets the {@code reconnecting} event handler; its events are {@link ReconnectEvent}s. */
    public void onreconnecting(EventListener handler) {
        setEventHandler("reconnecting", handler);
    }

    /** @return the {@code reconnecting} event handler, or null */
    public EventListener onreconnecting() {
        return getEventHandler("reconnecting");
    }

    /** Sets the {@code reconnected} event handler; its events are {@link ReconnectEvent}s. */
    public void onreconnected(EventListener handler) {
        setEventHandler("reconnected", handler);
    }

    /** @return the {@code reconnected} event handler, or null */
    public EventListener onreconnected() {
        return getEventHandler("reconnected");
    }

    @Override
    public String toString() {
        String[] states = {"CONNECTING", "OPEN", "CLOSING", "CLOSED"};
        return "ReconnectingWebSocket[" + url() + ", " + states[readyState] + "]";
    }

    // ------------------------------------------------------------------ the connections

    // The first socket of the constructor form gets its listeners when this socket gets its
    // first one, or is first used: its registration window then runs as a WebSocket's would.
    @Override
    void listenerAdded() {
        attachFirst();
    }

    private void touch() {
        WebSocket first = unattached;
        if (first != null) {
            attachFirst();
            first.readyState();         // the creating thread uses the socket: its gate opens
        }
    }

    private void attachFirst() {
        WebSocket first;
        synchronized (lock) {
            first = unattached;
            unattached = null;
        }
        if (first != null) {
            listen(first);
        }
    }

    /** Connects this socket's listeners to the events of {@code ws}. */
    private void listen(WebSocket ws) {
        ws.binaryType(binaryType);
        Throwable[] error = new Throwable[1];
        ws.addEventListener("open", e -> strand.run(() -> opened(ws)));
        ws.addEventListener("message", e -> strand.run(() -> {
            if (isCurrent(ws) && readyState == WebSocket.OPEN) {
                MessageEvent m = (MessageEvent) e;
                dispatchEvent(new MessageEvent("message", m.data(), m.origin()));
            }
        }));
        ws.addEventListener("error", e -> error[0] = ((ErrorEvent) e).error());
        ws.addEventListener("close", e -> {
            CloseEvent c = (CloseEvent) e;
            strand.run(() -> ended(ws, c.code(), c.reason(), c.wasClean(), error[0]));
        });
    }

    private boolean isCurrent(WebSocket ws) {
        synchronized (lock) {
            return current == ws;
        }
    }

    private void opened(WebSocket ws) {
        int reconnects;
        Duration delay;
        synchronized (lock) {
            if (current != ws || readyState != WebSocket.CONNECTING) {
                return;
            }
            protocol = ws.protocol();
            extensions = ws.extensions();
            reconnects = attempt;
            delay = lastDelay;
            openedAt = System.nanoTime();       // the count starts over only if it stays open (ended)
            readyState = WebSocket.OPEN;
            openDispatcher = Thread.currentThread();
        }
        try {
            dispatchEvent(new Event("open"));
            if (reconnects > 0) {
                dispatchEvent(new ReconnectEvent("reconnected", reconnects, delay, lostCode, lostReason, lostError));
            }
        } finally {
            synchronized (lock) {
                openDispatcher = null;
                if (readyState == WebSocket.OPEN && current == ws) {
                    for (Object m : queued) {
                        deliver(ws, m);
                    }
                }
                queued.clear();
                queuedBytes = 0;
            }
        }
    }

    private void ended(WebSocket ws, int code, String reason, boolean wasClean, Throwable error) {
        boolean retry;
        int next;
        Duration delay;
        synchronized (lock) {
            if (current != ws) {
                return;
            }
            current = null;
            bufferedAfterEnd += ws.bufferedAmount();
            if (openedAt != 0 && System.nanoTime() - openedAt >= policy.maxDelay().toNanos()) {
                attempt = 0;        // a stable connection: back to the initial delay
            }
            openedAt = 0;
            if (userClosed) {
                retry = false;
            } else {
                retry = policy.retries(code, error);
                if (retry && attempt >= policy.maxAttempts()) {
                    error = new IOException("Gave up reconnecting to " + url + " after " + attempt + " attempts"
                            + " (ReconnectPolicy.maxAttempts); the last one ended with " + code
                            + (error == null ? "" : ": " + error.getMessage()), error);
                    retry = false;
                }
            }
            if (retry) {
                bufferedAfterEnd = 0;
                next = ++attempt;
                delay = policy.delay(next, ThreadLocalRandom.current().nextDouble());
                lastDelay = delay;
                lostCode = code;
                lostReason = reason;
                lostError = error;
                readyState = WebSocket.CONNECTING;
            } else {
                next = 0;
                delay = null;
            }
        }
        if (!retry) {
            finish(code, reason, wasClean, error);
            return;
        }
        dispatchEvent(new ReconnectEvent("reconnecting", next, delay, code, reason, error));
        synchronized (lock) {
            if (!userClosed && readyState == WebSocket.CONNECTING && current == null) {
                pending = TIMER.schedule(() -> attempt(next), delay.toNanos(), TimeUnit.NANOSECONDS);
            }
        }
    }

    private void attempt(int number) {
        synchronized (lock) {
            if (userClosed || attempt != number || current != null) {
                return;
            }
            pending = null;
            try {
                current = WebSocket.connect(url, protocols, options, this::listen);
            } catch (RuntimeException e) {
                current = null;
                readyState = WebSocket.CLOSING;
                executor.execute(() -> strand.run(() -> finish(CloseCodes.ABNORMAL, "", false, e)));
            }
        }
    }

    // The end: error (if any) then close, once.
    private void finish(int code, String reason, boolean wasClean, Throwable error) {
        synchronized (lock) {
            if (readyState == WebSocket.CLOSED) {
                return;
            }
            readyState = WebSocket.CLOSED;
            current = null;
            bufferedAfterEnd += queuedBytes;
            queued.clear();
            queuedBytes = 0;
        }
        if (error != null) {
            String m = error.getMessage();
            dispatchEvent(new ErrorEvent("error", m == null || m.isEmpty() ? error.getClass().getSimpleName() : m, error));
        }
        dispatchEvent(new CloseEvent("close", code, reason, wasClean));
    }

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "duplex-reconnect");
            thread.setDaemon(true);
            return thread;
        });
        t.setRemoveOnCancelPolicy(true);
        return t;
    }

    /**
     * Runs this socket's event tasks one at a time, in order: on the thread that submits one when
     * none is running (so a slow listener still holds up the connection's reading, keeping its
     * back-pressure), otherwise after the running one, by the thread running it.
     */
    private static final class Strand {
        private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
        private boolean running;

        void run(Runnable task) {
            synchronized (this) {
                tasks.add(task);
                if (running) {
                    return;
                }
                running = true;
            }
            for (;;) {
                Runnable next;
                synchronized (this) {
                    next = tasks.poll();
                    if (next == null) {
                        running = false;
                        return;
                    }
                }
                try {
                    next.run();
                } catch (RuntimeException e) {
                    EventDispatcher.report(e);     // listeners' own exceptions are reported by EventTarget
                }
            }
        }
    }
}
