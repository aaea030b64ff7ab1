package dev.duplex;

import dev.duplex.internal.protocol.HttpHead;
import dev.duplex.internal.protocol.Utf8;
import dev.duplex.internal.session.Session;
import dev.duplex.internal.session.SocketEvents;

import dev.duplex.internal.metrics.ServerCounters;
import dev.duplex.internal.session.ServerLimits;
import dev.duplex.internal.session.ServerSide;

import dev.duplex.internal.events.EventThreads;
import dev.duplex.internal.session.AddressCounter;
import dev.duplex.internal.session.ServerSession;
import dev.duplex.internal.session.SharedBudget;

import dev.duplex.internal.protocol.CloseCodes;
import dev.duplex.internal.protocol.FrameEncoder;
import dev.duplex.internal.protocol.Opcode;

import dev.duplex.internal.transport.EventLoop;
import dev.duplex.internal.transport.EventLoopGroup;
import dev.duplex.internal.transport.ServerChannel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.time.Duration;
import java.nio.ByteBuffer;

import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A WebSocket server. Each accepted connection becomes a {@link WebSocket}, already
 * {@link WebSocket#OPEN}, delivered in a {@link ConnectionEvent}:
 *
 * <pre>{@code
 * WebSocketServer server = new WebSocketServer(ServerOptions.builder().port(8080).build());
 * server.onconnection(event -> {
 *     WebSocket ws = event.socket();
 *     ws.onmessage(e -> ws.send(((MessageEvent) e).data().toString()));
 * });
 * server.start();
 * }</pre>
 *
 * <p>A socket's {@code connection} event is delivered on that socket's event queue, before any of
 * its own events, so handlers set inside {@code onconnection} miss nothing. Connection events of
 * different sockets may run at the same time on different event threads.
 *
 * <p>Requests that are not valid WebSocket upgrades are answered by Duplex (400 with the
 * reason, 426 for other protocol versions or plain HTTP requests); valid ones go to the
 * {@link ServerOptions#handshake() handshake handler}, which accepts or rejects them.
 */
public class WebSocketServer extends EventTarget {
    private final ServerOptions options;
    private final Executor executor;
    private final EventLoopGroup group = EventLoopGroup.shared();
    private final Set<WebSocket> clients = ConcurrentHashMap.newKeySet();
    private final Set<ServerSession> sessions = ConcurrentHashMap.newKeySet();
    private final ServerLimits limits;
    private final ServerSide side = new Side();
    private final ServerCounters counters = new ServerCounters();
    private volatile ServerChannel listener;
    private volatile boolean closed;

    public WebSocketServer(ServerOptions options) {
        this.options = Objects.requireNonNull(options, "options");
        this.executor = options.executor() != null ? options.executor() : EventThreads.shared();
        this.limits = new ServerLimits(options);
    }

    /**
     * Binds to the configured host and port and starts accepting; returns once listening.
     *
     * @throws UncheckedIOException if the address cannot be bound (in use, not permitted...)
     * @throws IllegalStateException if the server was started before
     */
    public synchronized void start() {
        if (listener != null || closed) {
            throw new IllegalStateException(closed ? "The server was closed" : "The server is already started");
        }
        InetSocketAddress address = new InetSocketAddress(options.host(), options.port());
        try {
            listener = ServerChannel.listen(group, address, 1024, ch -> {
                ServerSession s = new ServerSession(side, options, options.deflateOptions().config(), executor, ch.loop());
                sessions.add(s);
                return s;
            }, tlsEngines());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot listen on " + options.host() + ":" + options.port()
                    + ": " + e.getMessage(), e);
        }
    }

    // Server-mode engines for wss://, or null for plain ws://.
    private java.util.function.Supplier<javax.net.ssl.SSLEngine> tlsEngines() {
        javax.net.ssl.SSLContext context = options.sslContext();
        if (context == null) {
            return null;
        }
        return () -> serverEngine(context);
    }

    /** TLS versions below this are never enabled on a server, whatever its SSLContext allows. */
    static final java.util.Set<String> SERVER_TLS_VERSIONS = java.util.Set.of("TLSv1.3", "TLSv1.2");

    /** A server-mode engine from {@code context}, with TLS 1.2 as the oldest version enabled. */
    static javax.net.ssl.SSLEngine serverEngine(javax.net.ssl.SSLContext context) {
        javax.net.ssl.SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        String[] modern = java.util.Arrays.stream(engine.getEnabledProtocols())
                .filter(SERVER_TLS_VERSIONS::contains).toArray(String[]::new);
        engine.setEnabledProtocols(modern);
        return engine;
    }

    /** The port the server listens on (the chosen one when configured with port 0). */
    public int port() {
        ServerChannel l = listener;
        if (l == null) {
            throw new IllegalStateException("The server is not started");
        }
        return l.localAddress().getPort();
    }

    /** The address the server listens on. */
    public InetSocketAddress address() {
        ServerChannel l = listener;
        if (l == null) {
            throw new IllegalStateException("The server is not started");
        }
        return l.localAddress();
    }

    /** The open sockets, as a snapshot (for example to broadcast). */
    public Set<WebSocket> clients() {
        return Set.copyOf(clients);
    }

    /**
     * Sends a text message to every open client. The frame is encoded once and the same bytes
     * are queued on every connection (uncompressed, even where permessage-deflate was
     * negotiated), so broadcasting costs one copy of the message, not one per client. Each
     * socket's {@code bufferedAmount} and its limit apply as for {@link WebSocket#send(String)}.
     *
     * @return the number of sockets the message was queued on
     * @throws DOMException {@code SyntaxError} if {@code text} has an unpaired surrogate
     */
    public int broadcast(String text) {
        byte[] bytes = Utf8.encodeStrict(Objects.requireNonNull(text, "text"));
        if (bytes == null) {
            throw DOMException.syntax("The message contains an unpaired surrogate and is not a valid USVString");
        }
        return broadcastFrame(Opcode.TEXT, bytes);
    }

    /** Sends a binary message to every open client, encoded once; see {@link #broadcast(String)}. */
    public int broadcast(byte[] data) {
        return broadcastFrame(Opcode.BINARY, Objects.requireNonNull(data, "data").clone());
    }

    /** Sends the remaining bytes of {@code data} (position unchanged) to every open client, encoded once. */
    public int broadcast(ByteBuffer data) {
        byte[] copy = new byte[data.remaining()];
        data.duplicate().get(copy);
        return broadcastFrame(Opcode.BINARY, copy);
    }

    /**
     * Sends a text message to some of this server's clients (a chat room, the sockets of one
     * user), encoded once as {@link #broadcast(String)} does for all of them: one frame, the same
     * bytes queued on each socket, uncompressed. Sockets that are not open clients of this server
     * (closed meanwhile, or never accepted by it) are skipped and not counted: this server only
     * sends its own, unmasked, server frames.
     *
     * @return the number of sockets the message was queued on
     * @throws DOMException {@code SyntaxError} if {@code text} has an unpaired surrogate
     */
    public int broadcast(String text, Iterable<WebSocket> recipients) {
        Objects.requireNonNull(recipients, "recipients");
        byte[] bytes = Utf8.encodeStrict(Objects.requireNonNull(text, "text"));
        if (bytes == null) {
            throw DOMException.syntax("The message contains an unpaired surrogate and is not a valid USVString");
        }
        return broadcastFrame(Opcode.TEXT, bytes, recipients);
    }

    /**
     * Sends a binary message to some of this server's clients, encoded once; see
     * {@link #broadcast(String, Iterable)}. The array is copied before this method returns.
     */
    public int broadcast(byte[] data, Iterable<WebSocket> recipients) {
        Objects.requireNonNull(recipients, "recipients");
        return broadcastFrame(Opcode.BINARY, Objects.requireNonNull(data, "data").clone(), recipients);
    }

    private int broadcastFrame(int opcode, byte[] payload) {
        return broadcastFrame(opcode, payload, clients);
    }

    private int broadcastFrame(int opcode, byte[] payload, Iterable<WebSocket> recipients) {
        ByteBuffer header = FrameEncoder.header(true, 0, opcode, payload.length, false, 0).asReadOnlyBuffer();
        ByteBuffer body = payload.length == 0 ? null : ByteBuffer.wrap(payload).asReadOnlyBuffer();
        boolean everyone = recipients == clients;
        int sent = 0;
        for (WebSocket ws : recipients) {
            // Only our own accepted sockets: a client-side socket must never get an unmasked frame.
            if ((everyone || clients.contains(ws)) && ws.sendEncoded(header, body, payload.length)) {
                sent++;
            }
        }
        return sent;
    }

    /**
     * Sets the {@code connection} event handler (null clears it). Listeners added with
     * {@code addEventListener("connection", ...)} receive the same {@link ConnectionEvent}s.
     */
    public void onconnection(ConnectionListener handler) {
        setEventHandler("connection", handler);
    }

    /** The {@code connection} event handler, or null. */
    public ConnectionListener onconnection() {
        return (ConnectionListener) getEventHandler("connection");
    }

    /**
     * Stops listening and closes every socket with 1001 (going away), then waits up to the close
     * timeout (plus a second) for their closing handshakes; see {@link #close(Duration)}.
     * Calling it again does nothing.
     */
    public void close() {
        close(options.closeTimeout().plusSeconds(1));
    }

    /**
     * Graceful shutdown: stops accepting, sends every open socket a close frame with 1001
     * ("Server shutting down"), drops connections still in their opening handshake, and waits up
     * to {@code timeout} for the closing handshakes; connections still open then are cut (their
     * sockets report close 1006). Returns when every connection is gone.
     *
     * <p>Called from a listener that runs on an I/O thread ({@link ServerOptions#IO_THREAD}), it
     * starts the same shutdown but returns at once: that thread carries the closing handshakes,
     * so it must not wait for them. Each socket's close timeout still cuts a peer that does not
     * answer.
     *
     * @return true if every connection finished its closing handshake within {@code timeout}
     *         (from an I/O thread: true if no connection was left when it returned)
     */
    public boolean close(Duration timeout) {
        synchronized (this) {
            if (closed) {
                return sessions.isEmpty();
            }
            closed = true;
        }
        ServerChannel l = listener;
        if (l != null) {
            l.close();
        }
        for (ServerSession s : sessions) {
            SocketEvents socket = s.socket;
            if (socket != null) {
                socket.closeFromLibrary(CloseCodes.GOING_AWAY, "Server shutting down");
            } else {
                s.abort(new IOException("The server is shutting down"));
            }
        }
        if (EventLoop.onAnyLoop()) {
            // Called from a listener that runs on an I/O thread (IO_THREAD executor): that thread
            // carries the closing handshakes, so waiting here would only stall them.
            return sessions.isEmpty();
        }
        boolean clean = awaitSessions(System.nanoTime() + timeout.toNanos());
        if (!clean) {
            for (ServerSession s : sessions) {
                s.abort(new IOException("The server shut down before the closing handshake finished"));
            }
            awaitSessions(System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
        }
        return clean;
    }

    private boolean awaitSessions(long deadline) {
        while (!sessions.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return sessions.isEmpty();
            }
        }
        return sessions.isEmpty();
    }

    /**
     * Returns this server's traffic totals since it was created: connections, messages and bytes
     * each way, closes by code and refused handshakes. Cheap to call (it sums a few striped
     * counters that the I/O threads update without contention), so a metrics library can poll
     * it; see {@link ServerMetrics} for what each number counts.
     *
     * <pre>{@code
     * ServerMetrics m = server.metrics();
     * System.out.println(m.connectionsOpen() + " open, " + m.messagesReceived() + " messages in");
     * }</pre>
     *
     * @return a snapshot, unaffected by later traffic
     */
    public ServerMetrics metrics() {
        return new ServerMetrics(counters.openedTotal(), counters.closedTotal(), counters.messagesIn(), counters.messagesOut(),
                counters.bytesIn(), counters.bytesOut(), counters.abnormalCloses(), counters.closesByCode(),
                counters.handshakeFailuresByStatus());
    }

    /** The options this server was made with. */
    public ServerOptions options() {
        return options;
    }

    // ------------------------------------------------------------------ for its sessions

    /** The counts and budgets its connections share (for tests). */
    ServerLimits limits() {
        return limits;
    }

    /** What its sessions need from the server, kept off the public API. */
    private final class Side implements ServerSide {
        @Override
        public ServerLimits limits() {
            return limits;
        }

        @Override
        public ServerCounters counters() {
            return counters;
        }

        @Override
        public HandshakeRequest request(String method, String path, String query, HttpHead head, List<String> protocols,
                                        InetSocketAddress remote) {
            return new HandshakeRequest(method, path, query, head, protocols, remote);
        }

        @Override
        public SocketEvents newSocket(Session session, String url, String protocol, String extensions) {
            return new WebSocket(session, url, protocol, extensions, executor, options.maxBufferedAmount()).events();
        }

        @Override
        public void opened(SocketEvents events, HandshakeRequest request) {
            WebSocket socket = WebSocket.of(events);
            clients.add(socket);
            socket.enqueue(() -> dispatchEvent(new ConnectionEvent(socket, request)));
            if (closed) {
                socket.closeFromLibrary(CloseCodes.GOING_AWAY, "Server shutting down");
            }
        }

        @Override
        public void ended(ServerSession session, SocketEvents events) {
            sessions.remove(session);
            if (events != null) {
                clients.remove(WebSocket.of(events));
            }
        }
    }

    @Override
    public String toString() {
        ServerChannel l = listener;
        return "WebSocketServer[" + (l == null ? "not started" : l.localAddress()) + "]";
    }

}
