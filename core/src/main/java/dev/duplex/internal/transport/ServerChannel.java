package dev.duplex.internal.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import java.io.Closeable;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * A listening socket. Accepts on one loop and hands each new connection to the next loop of the
 * group, where it stays.
 */
public final class ServerChannel implements EventLoop.Selectable {
    private final EventLoopGroup group;
    private final EventLoop acceptLoop;
    private final Function<TcpChannel, ChannelHandler> handlers;
    private final ServerSocketChannel server;
    private final Supplier<SSLEngine> engines;   // null: plain TCP
    private SelectionKey key;
    private volatile boolean closed;

    /**
     * @param handlers makes the handler of each accepted connection; called on that
     *     connection's loop. Its channel argument is not yet usable for I/O.
     */
    private ServerChannel(EventLoopGroup group, ServerSocketChannel server,
                          Function<TcpChannel, ChannelHandler> handlers, Supplier<SSLEngine> engines) {
        this.group = group;
        this.acceptLoop = group.next();
        this.server = server;
        this.handlers = handlers;
        this.engines = engines;
    }

    /** Binds to {@code address} (port 0: any free port) and starts accepting. Blocks until listening. */
    public static ServerChannel listen(EventLoopGroup group, InetSocketAddress address, int backlog,
                                       Function<TcpChannel, ChannelHandler> handlers) throws IOException {
        return listen(group, address, backlog, handlers, null);
    }

    /**
     * As {@link #listen(EventLoopGroup, InetSocketAddress, int, Function)}, with TLS: each
     * accepted connection gets a server-mode engine from {@code engines} (null: plain TCP).
     */
    public static ServerChannel listen(EventLoopGroup group, InetSocketAddress address, int backlog,
                                       Function<TcpChannel, ChannelHandler> handlers,
                                       Supplier<SSLEngine> engines) throws IOException {
        ServerSocketChannel ssc = ServerSocketChannel.open();
        try {
            ssc.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            ssc.bind(address, backlog);
            ssc.configureBlocking(false);
        } catch (IOException e) {
            ssc.close();
            throw e;
        }
        ServerChannel s = new ServerChannel(group, ssc, handlers, engines);
        CompletableFuture<Void> registered = new CompletableFuture<>();
        s.acceptLoop.execute(() -> {
            try {
                s.key = s.acceptLoop.register(ssc, SelectionKey.OP_ACCEPT, s);
                registered.complete(null);
            } catch (IOException | RuntimeException e) {
                registered.completeExceptionally(e);
            }
        });
        try {
            registered.join();
        } catch (RuntimeException e) {
            ssc.close();
            throw new IOException("Cannot register the listening socket", e.getCause());
        }
        return s;
    }

    public InetSocketAddress localAddress() {
        try {
            return (InetSocketAddress) server.getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void onSelected(int readyOps) {
        // Accept a bounded batch per round so one busy listener cannot starve the loop.
        for (int i = 0; i < 64 && !closed; i++) {
            SocketChannel sc;
            try {
                sc = server.accept();
            } catch (IOException e) {
                // Typically EMFILE (out of descriptors). The pending connection stays in the
                // backlog, so the selector would report it again at once and the loop would spin
                // at 100% CPU: stop accepting for a moment instead.
                pauseAccepting();
                return;
            }
            if (sc == null) {
                return;
            }
            EventLoop loop = group.next();
            loop.execute(() -> adopt(loop, sc));
        }
    }

    /** How long accepting pauses after accept() failed (out of file descriptors, say). */
    static final long ACCEPT_BACKOFF_MILLIS = 100;

    private void pauseAccepting() {
        if (key == null || !key.isValid()) {
            return;
        }
        key.interestOps(0);
        acceptLoop.schedule(() -> {
            if (!closed && key.isValid()) {
                key.interestOps(SelectionKey.OP_ACCEPT);
            }
        }, ACCEPT_BACKOFF_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void adopt(EventLoop loop, SocketChannel sc) {
        if (closed) {
            closeQuietly(sc);
            return;
        }
        try {
            HandlerRef ref = new HandlerRef();
            TcpChannel ch = TcpChannel.accepted(loop, sc, ref, engines == null ? null : engines.get());
            ref.target = handlers.apply(ch);
            ref.target.onConnected(ch);
        } catch (IOException | RuntimeException e) {
            closeQuietly(sc);
        }
    }

    /** Stops accepting; open connections are not touched. Blocks until the port is released. */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (acceptLoop.inLoop()) {
            release();      // called from a listener running on the accept loop: waiting would deadlock
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        acceptLoop.execute(() -> {
            release();
            done.complete(null);
        });
        done.join();
    }

    private void release() {
        if (key != null) {
            key.cancel();
            acceptLoop.deregistered();
        }
        closeQuietly(server);
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // Nothing useful to do.
        }
    }

    /** Lets the handler be created after the channel it handles. */
    private static final class HandlerRef implements ChannelHandler {
        ChannelHandler target;

        @Override public void onConnected(TcpChannel c) { target.onConnected(c); }
        @Override public void onData(TcpChannel c, ByteBuffer d) { target.onData(c, d); }
        @Override public void onEndOfStream(TcpChannel c) { target.onEndOfStream(c); }
        @Override public void onWritten(TcpChannel c, long credit) { target.onWritten(c, credit); }
        @Override public void onClosed(TcpChannel c, IOException cause) { target.onClosed(c, cause); }
    }
}
