package dev.duplex;

import dev.duplex.protocol.CloseCodes;

import dev.duplex.transport.EventLoopGroup;
import dev.duplex.transport.ServerChannel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;

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
    private final AtomicInteger pendingHandshakes = new AtomicInteger();
    private final AtomicInteger openConnections = new AtomicInteger();
    private volatile ServerChannel listener;
    private volatile boolean closed;

    public WebSocketServer(ServerOptions options) {
        this.options = Objects.requireNonNull(options, "options");
        this.executor = options.executor() != null ? options.executor() : EventThreads.shared();
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
                ServerSession s = new ServerSession(this, options, executor, ch.loop());
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
        return () -> {
            javax.net.ssl.SSLEngine engine = context.createSSLEngine();
            engine.setUseClientMode(false);
            return engine;
        };
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
     * timeout for their closing handshakes. Connections still in their opening handshake are
     * dropped. Calling it again does nothing.
     */
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        ServerChannel l = listener;
        if (l != null) {
            l.close();
        }
        for (ServerSession s : sessions) {
            WebSocket ws = s.socket;
            if (ws != null) {
                ws.close(CloseCodes.GOING_AWAY, "Server shutting down");
            } else {
                s.abort(new IOException("The server is shutting down"));
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(options.closeTimeout().toMillis() + 1000);
        while (!sessions.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }

    /** The options this server was made with. */
    public ServerOptions options() {
        return options;
    }

    // ------------------------------------------------------------------ from sessions (loop thread)

    void opened(WebSocket socket, HandshakeRequest request) {
        clients.add(socket);
        socket.enqueue(() -> dispatchEvent(new ConnectionEvent(socket, request)));
        if (closed) {
            socket.close(CloseCodes.GOING_AWAY, "Server shutting down");
        }
    }

    /** Counts a new connection in its opening handshake; false if over the limit (not counted). */
    boolean handshakeStarted() {
        return reserve(pendingHandshakes, options.maxPendingHandshakes());
    }

    void handshakeEnded() {
        pendingHandshakes.decrementAndGet();
    }

    /** Counts a connection about to open; false if over the limit (not counted). */
    boolean connectionOpened() {
        return reserve(openConnections, options.maxConnections());
    }

    void connectionClosed() {
        openConnections.decrementAndGet();
    }

    private static boolean reserve(AtomicInteger counter, int limit) {
        if (counter.incrementAndGet() > limit) {
            counter.decrementAndGet();
            return false;
        }
        return true;
    }

    void sessionEnded(ServerSession session) {
        sessions.remove(session);
        if (session.socket != null) {
            clients.remove(session.socket);
        }
    }

    @Override
    public String toString() {
        ServerChannel l = listener;
        return "WebSocketServer[" + (l == null ? "not started" : l.localAddress()) + "]";
    }

}
