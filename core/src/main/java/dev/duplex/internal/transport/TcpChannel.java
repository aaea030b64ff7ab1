package dev.duplex.internal.transport;

import dev.duplex.internal.protocol.ConnectTunnel;
import dev.duplex.internal.protocol.HandshakeException;
import dev.duplex.internal.protocol.HttpHead;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * A non-blocking TCP connection pinned to one {@link EventLoop}, optionally through an HTTP
 * proxy's {@code CONNECT} tunnel and optionally under TLS.
 *
 * <p>Writes may be queued from any thread; the loop flushes them with gathering writes (or, under
 * TLS, encrypts as many as fit a batch of records) and reports each write's credit once its last
 * byte has reached the kernel. Reads go through the loop's shared buffer, so an idle connection
 * holds no read buffer of its own. The layer above sees plaintext only: the tunnel and the TLS
 * handshake happen before any of its queued bytes are sent or any data is delivered.
 *
 * <p>What it does itself is the socket's life and the order of the phases; the bytes are others'
 * business: the queue and its credit are a {@link WriteQueue}, the tunnel's request and answer a
 * {@link ConnectTunnel}, TLS a {@link TlsCodec}.
 */
public final class TcpChannel implements EventLoop.Selectable {
    static final int MAX_GATHER = 64;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    /**
     * Bytes the library queued on its own (pongs, close echoes, handshake answers) above which
     * the channel stops reading: a peer that sends pings and never reads cannot make the write
     * queue grow without bound. Application sends are limited by {@code maxBufferedAmount}.
     */
    static final long AUTOMATIC_WRITE_HIGH_WATER = 1 << 20;

    private static final int PAUSED_BY_APPLICATION = 1;
    private static final int PAUSED_BY_WRITE_BACKLOG = 2;

    /** Where the connection is in its set-up. */
    private enum Phase { CONNECTING, TUNNEL, OPEN }

    private final EventLoop loop;
    private final ChannelHandler handler;
    private SocketChannel channel;
    private SelectionKey key;
    private EventLoop.Timer connectTimer;
    private Phase phase = Phase.CONNECTING;

    private ConnectTunnel tunnel;            // client side only, until the proxy's answer
    private SSLEngine pendingEngine;          // TLS to start once the tunnel is up
    private TlsCodec tls;
    private long tlsCredit;                   // credit of plaintext now in tls.netOut()
    private boolean endOfStreamReported;

    private final WriteQueue writes = new WriteQueue();
    // A volatile field changed through a field updater rather than an AtomicInteger: an idle
    // connection carries no extra object.
    private volatile int flushScheduled;                             // 0 or 1
    private static final AtomicIntegerFieldUpdater<TcpChannel> FLUSH_SCHEDULED =
            AtomicIntegerFieldUpdater.newUpdater(TcpChannel.class, "flushScheduled");
    private boolean closeWhenFlushed;
    private boolean closed;
    private int readPauses;                                          // loop thread only

    private TcpChannel(EventLoop loop, ChannelHandler handler) {
        this.loop = loop;
        this.handler = handler;
    }

    /**
     * Starts a non-blocking connect to {@code address} on {@code loop}; the handler hears
     * {@code onConnected} or {@code onClosed} with the reason (refused, unreachable, timed out).
     */
    public static TcpChannel connect(EventLoop loop, InetSocketAddress address, long timeoutMillis,
                                     ChannelHandler handler) {
        return connect(loop, address, timeoutMillis, handler, null, null, null);
    }

    /**
     * Starts a connect that, once TCP is up, first asks the HTTP proxy at {@code address} for a
     * tunnel to {@code tunnelTarget} ("host:port", null for a direct connection), then runs TLS
     * with {@code tlsEngine} (null for none). The handler hears {@code onConnected} when TCP is
     * up; what it writes is held until the tunnel and TLS are ready.
     *
     * @param proxyAuthorization the {@code Proxy-Authorization} header value, or null
     */
    public static TcpChannel connect(EventLoop loop, InetSocketAddress address, long timeoutMillis,
                                     ChannelHandler handler, String tunnelTarget, String proxyAuthorization,
                                     SSLEngine tlsEngine) {
        TcpChannel c = new TcpChannel(loop, handler);
        c.pendingEngine = tlsEngine;
        if (tunnelTarget != null) {
            c.tunnel = new ConnectTunnel(tunnelTarget, proxyAuthorization);
        }
        loop.execute(() -> c.startConnect(address, timeoutMillis));
        return c;
    }

    /**
     * Adopts an accepted connection; must be called on {@code loop}. Reading starts at once;
     * with a {@code tlsEngine} (server mode) the TLS handshake runs first.
     */
    static TcpChannel accepted(EventLoop loop, SocketChannel channel, ChannelHandler handler,
                               SSLEngine tlsEngine) throws IOException {
        TcpChannel c = new TcpChannel(loop, handler);
        c.channel = channel;
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        c.key = loop.register(channel, SelectionKey.OP_READ, c);
        c.phase = Phase.OPEN;
        if (tlsEngine != null) {
            c.tls = new TlsCodec(tlsEngine);
        }
        return c;
    }

    public EventLoop loop() {
        return loop;
    }

    /** The remote address, or null before the connection exists. */
    public InetSocketAddress remoteAddress() {
        try {
            return channel == null ? null : (InetSocketAddress) channel.getRemoteAddress();
        } catch (IOException e) {
            return null;
        }
    }

    /** Bytes queued (as plaintext) and not yet handed to the kernel (or to TLS). */
    public long queuedBytes() {
        return writes.queuedBytes();
    }

    /** The negotiated TLS session's protocol (e.g. "TLSv1.3"), or null without TLS. */
    public String tlsProtocol() {
        return tls == null ? null : tls.engine().getSession().getProtocol();
    }

    private void startConnect(InetSocketAddress address, long timeoutMillis) {
        try {
            channel = SocketChannel.open();
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            boolean done = channel.connect(address);
            key = loop.register(channel, done ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, this);
            if (done) {
                connected();
            } else if (timeoutMillis > 0) {
                connectTimer = loop.schedule(() -> close(new SocketTimeoutException(
                        "Connect to " + address + " timed out after " + timeoutMillis + " ms")),
                        timeoutMillis, TimeUnit.MILLISECONDS);
            }
        } catch (IOException | RuntimeException e) {
            close(asIOException(e, address));
        }
    }

    @Override
    public void onSelected(int readyOps) {
        if (closed) {
            return;
        }
        try {
            if ((readyOps & SelectionKey.OP_CONNECT) != 0) {
                finishConnect();
                return;
            }
            if ((readyOps & SelectionKey.OP_WRITE) != 0) {
                flush();
            }
            if (!closed && (readyOps & SelectionKey.OP_READ) != 0) {
                read();
            }
        } catch (RuntimeException | Error e) {
            // A bug of ours (or of a listener run on this thread) in the middle of a read or a
            // write: the bytes in hand are lost, so the connection cannot go on correctly. End it,
            // then let the loop report the exception.
            try {
                close(new IOException("Duplex failed while handling this connection: " + e, e));
            } catch (RuntimeException | Error again) {
                e.addSuppressed(again);
            }
            throw e;
        }
    }

    private void finishConnect() {
        try {
            channel.finishConnect();
        } catch (IOException e) {
            close(asIOException(e, null));
            return;
        }
        if (connectTimer != null) {
            connectTimer.cancel();
        }
        key.interestOps(SelectionKey.OP_READ);
        connected();
    }

    private void connected() {
        if (tunnel != null) {
            phase = Phase.TUNNEL;
        } else {
            startTls();
        }
        handler.onConnected(this);
        flush();
    }

    private void startTls() {
        phase = Phase.OPEN;
        if (pendingEngine != null) {
            try {
                tls = new TlsCodec(pendingEngine);
            } catch (SSLException e) {
                close(TlsErrors.describe(e, pendingEngine.getPeerHost()));
            }
            pendingEngine = null;
        }
    }

    private IOException asIOException(Exception e, InetSocketAddress address) {
        if (e instanceof ConnectException && address != null && e.getMessage() != null
                && !e.getMessage().contains(address.toString())) {
            return new ConnectException(e.getMessage() + ": " + address);
        }
        return e instanceof IOException io ? io : new IOException(e.getMessage(), e);
    }

    // ------------------------------------------------------------------ reading

    private void read() {
        ByteBuffer buf = loop.readBuffer();
        int n;
        try {
            n = channel.read(buf);
        } catch (IOException e) {
            close(e);
            return;
        }
        if (n < 0) {
            if (phase == Phase.TUNNEL) {
                close(new IOException("The proxy closed the connection before answering CONNECT " + tunnel.target()));
            } else {
                endOfStream();
            }
            return;
        }
        if (n == 0) {
            return;
        }
        buf.flip();
        if (phase == Phase.TUNNEL) {
            readTunnelAnswer(buf);
        } else {
            deliver(buf);
        }
        if (!closed && writes.automaticBytes() > AUTOMATIC_WRITE_HIGH_WATER) {
            setPaused(PAUSED_BY_WRITE_BACKLOG, true);
        }
    }

    private void deliver(ByteBuffer data) {
        if (!data.hasRemaining()) {
            return;
        }
        if (tls == null) {
            handler.onData(this, data);
            return;
        }
        try {
            tls.unwrap(data, this::deliverPlaintext);
        } catch (SSLException e) {
            close(TlsErrors.describe(e, tls.engine().getPeerHost()));
            return;
        }
        if (closed) {
            return;
        }
        // The engine may stop decrypting until it has sent a message of its own (TLS 1.3 sends
        // session tickets after the handshake): send it, then decrypt what was kept back.
        for (int round = 0; round < 16 && !closed; round++) {
            if (tls.inboundClosed()) {
                endOfStream();
                return;
            }
            flush();
            int before = tls.bufferedInput();
            if (closed || before == 0 || tls.netOut().hasRemaining()) {
                return;
            }
            try {
                tls.unwrap(EMPTY, this::deliverPlaintext);
            } catch (SSLException e) {
                close(TlsErrors.describe(e, tls.engine().getPeerHost()));
                return;
            }
            if (tls.bufferedInput() == before) {
                return;     // an incomplete record: wait for more bytes
            }
        }
    }

    private void deliverPlaintext(ByteBuffer plain) {
        if (!closed) {
            handler.onData(this, plain);
        }
    }

    private void endOfStream() {
        key.interestOps(key.interestOps() & ~SelectionKey.OP_READ);
        if (!endOfStreamReported) {
            endOfStreamReported = true;
            handler.onEndOfStream(this);
        }
    }

    private void readTunnelAnswer(ByteBuffer buf) {
        HttpHead head;
        try {
            head = tunnel.feed(buf);
        } catch (HandshakeException e) {
            close(new IOException("Invalid answer from the proxy to CONNECT " + tunnel.target() + ": " + e.getMessage()));
            return;
        }
        if (head == null) {
            return;
        }
        if (!ConnectTunnel.established(head)) {
            close(new ProxyException(head.status(), "The proxy refused CONNECT " + tunnel.target() + ": "
                    + head.startLine(), head.headers()));
            return;
        }
        tunnel = null;
        startTls();
        if (!closed) {
            deliver(buf);
            flush();
        }
    }

    /** Stops or resumes reading for the layer above (its back-pressure); on the loop thread. */
    public void pauseReading(boolean pause) {
        setPaused(PAUSED_BY_APPLICATION, pause);
    }

    private void setPaused(int reason, boolean pause) {
        if (closed || key == null) {
            return;
        }
        int before = readPauses;
        readPauses = pause ? before | reason : before & ~reason;
        if ((before == 0) != (readPauses == 0)) {
            int ops = key.interestOps();
            key.interestOps(readPauses != 0 ? ops & ~SelectionKey.OP_READ : ops | SelectionKey.OP_READ);
        }
    }

    // ------------------------------------------------------------------ writing

    /**
     * Queues buffers to write, as one unit with {@code credit}. Safe from any thread; the bytes
     * are written in the order of the calls.
     */
    public void write(ByteBuffer a, ByteBuffer b, long credit) {
        writes.addBuffers(a, b, credit);
        scheduleFlush();
    }

    /**
     * Queues a WebSocket frame: its header, written by the loop straight into its write buffer
     * from these fields ({@link WriteQueue#addFrame}), then {@code payload} (already masked, if
     * {@code masked}), which the channel now owns. Safe from any thread, in order with
     * {@link #write}.
     */
    public void writeFrame(int firstByte, boolean masked, int maskKey, byte[] payload, long credit) {
        writes.addFrame(firstByte, masked, maskKey, payload, credit);
        scheduleFlush();
    }

    private void scheduleFlush() {
        // One flush task covers every write queued before it runs: no wakeup per message.
        if (FLUSH_SCHEDULED.compareAndSet(this, 0, 1)) {
            loop.execute(this::flushFromTask);
        }
    }

    private void flushFromTask() {
        flushScheduled = 0;
        if (!closed && phase != Phase.CONNECTING) {
            flush();
        }
    }

    private void flush() {
        writes.drainIncoming();
        if (closed || channel == null || phase == Phase.CONNECTING) {
            return;
        }
        long credit;
        boolean blocked;
        try {
            if (phase == Phase.TUNNEL) {
                ByteBuffer request = tunnel.request();
                channel.write(request);
                blocked = request.hasRemaining();
                credit = 0;
            } else if (tls == null) {
                credit = writes.writeTo(channel, loop.writeBuffer());
                blocked = writes.hasPending();
            } else {
                credit = flushTls();
                blocked = tls.netOut().hasRemaining();
            }
        } catch (SSLException e) {
            close(TlsErrors.describe(e, tls.engine().getPeerHost()));
            return;
        } catch (IOException e) {
            close(e);
            return;
        }
        int ops = key.interestOps();
        int want = blocked ? ops | SelectionKey.OP_WRITE : ops & ~SelectionKey.OP_WRITE;
        if (want != ops) {
            key.interestOps(want);
        }
        if (credit > 0) {
            handler.onWritten(this, credit);
        }
        if ((readPauses & PAUSED_BY_WRITE_BACKLOG) != 0 && writes.automaticBytes() <= AUTOMATIC_WRITE_HIGH_WATER / 2) {
            setPaused(PAUSED_BY_WRITE_BACKLOG, false);
        }
        if (closeWhenFlushed && !blocked && writes.isEmpty()) {
            close(null);
        }
    }

    /** Encrypts queued buffers a batch of records at a time; returns the credit now on the wire. */
    private long flushTls() throws IOException {
        long credit = 0;
        while (true) {
            ByteBuffer net = tls.netOut();
            if (net.hasRemaining()) {
                channel.write(net);
                if (net.hasRemaining()) {
                    break;  // kernel buffer full: wait for OP_WRITE
                }
            }
            credit += tlsCredit;
            tlsCredit = 0;
            if (!writes.hasPending() && !tls.wantsWrap()) {
                break;
            }
            ByteBuffer[] gather = loop.gatherArray();
            int n = writes.gather(gather);
            tls.wrap(gather, 0, n);
            Arrays.fill(gather, 0, n, null);
            tlsCredit += writes.completeWrites();
            if (!tls.netOut().hasRemaining()) {
                break;  // nothing to send yet: the handshake waits for the peer
            }
        }
        return credit;
    }

    // ------------------------------------------------------------------ closing

    /** Closes the channel once everything queued so far has been written. Any thread. */
    public void closeAfterFlush() {
        loop.execute(() -> {
            closeWhenFlushed = true;
            if (channel == null || phase == Phase.CONNECTING) {
                close(null);
            } else {
                flush();
            }
        });
    }

    /** Closes now, dropping anything unwritten. Safe from any thread. */
    public void abort(IOException cause) {
        if (loop.inLoop()) {
            close(cause);
        } else {
            loop.execute(() -> close(cause));
        }
    }

    /** True if this channel runs TLS. */
    public boolean isTls() {
        return tls != null;
    }

    /** True once the TLS handshake has completed (false for a plain channel). */
    public boolean tlsHandshakeDone() {
        return tls != null && tls.handshakeDone();
    }

    public boolean isClosed() {
        return closed;
    }

    private void close(IOException cause) {
        if (closed) {
            return;
        }
        closed = true;
        if (connectTimer != null) {
            connectTimer.cancel();
        }
        if (key != null) {
            key.cancel();
            loop.deregistered();
        }
        if (channel != null) {
            if (cause == null && tls != null && tls.handshakeDone() && !tls.netOut().hasRemaining()) {
                sendCloseNotify();
            }
            try {
                if (cause != null) {
                    // An error: reset rather than linger.
                    channel.setOption(StandardSocketOptions.SO_LINGER, 0);
                }
            } catch (IOException | RuntimeException ignored) {
                // Best effort.
            }
            try {
                channel.close();
            } catch (IOException ignored) {
                // Closing is all that is left to do.
            }
        }
        writes.clear();
        handler.onClosed(this, cause);
    }

    // Best effort, one non-blocking write: a missing close_notify costs the peer only a warning.
    private void sendCloseNotify() {
        try {
            tls.closeOutbound();
            channel.write(tls.netOut());
        } catch (IOException | RuntimeException ignored) {
            // The connection is going away anyway.
        }
    }
}
