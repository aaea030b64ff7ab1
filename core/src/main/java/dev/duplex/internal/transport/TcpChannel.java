package dev.duplex.internal.transport;

import dev.duplex.internal.protocol.FrameEncoder;
import dev.duplex.internal.protocol.HandshakeException;
import dev.duplex.internal.protocol.HttpHead;
import dev.duplex.internal.protocol.HttpHeadParser;

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
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * A non-blocking TCP connection pinned to one {@link EventLoop}, optionally through an HTTP
 * proxy's {@code CONNECT} tunnel and optionally under TLS.
 *
 * <p>Writes may be queued from any thread; the loop flushes them with gathering writes (or, under
 * TLS, encrypts as many as fit a batch of records) and reports each write's credit once its last
 * byte has reached the kernel. Reads go through the loop's shared buffer, so an idle connection
 * holds no read buffer of its own. The layer above sees plaintext only: the tunnel and the TLS
 * handshake happen before any of its queued bytes are sent or any data is delivered.
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
    private static final int MAX_PROXY_RESPONSE_HEAD = 16 * 1024;

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

    // Proxy tunnel (client side only): the CONNECT request and the parser of the proxy's answer.
    private ByteBuffer tunnelRequest;
    private HttpHeadParser tunnelParser;
    private String tunnelTarget;
    private SSLEngine pendingEngine;          // TLS to start once the tunnel is up
    private TlsCodec tls;
    private long tlsCredit;                   // credit of plaintext now in tls.netOut()
    private boolean endOfStreamReported;

    private final ConcurrentLinkedQueue<Write> incoming = new ConcurrentLinkedQueue<>();
    // Counters and flags are volatile fields changed through field updaters rather than Atomic*
    // objects, and the queue starts with no room: an idle connection carries neither.
    private volatile int flushScheduled;                             // 0 or 1
    private final ArrayDeque<Write> pending = new ArrayDeque<>(0);  // loop thread only
    private volatile long automaticQueued;
    private volatile long queued;
    private static final AtomicIntegerFieldUpdater<TcpChannel> FLUSH_SCHEDULED =
            AtomicIntegerFieldUpdater.newUpdater(TcpChannel.class, "flushScheduled");
    private static final AtomicLongFieldUpdater<TcpChannel> AUTOMATIC_QUEUED =
            AtomicLongFieldUpdater.newUpdater(TcpChannel.class, "automaticQueued");
    private static final AtomicLongFieldUpdater<TcpChannel> QUEUED =
            AtomicLongFieldUpdater.newUpdater(TcpChannel.class, "queued");
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
            c.tunnelTarget = tunnelTarget;
            c.tunnelRequest = connectRequest(tunnelTarget, proxyAuthorization);
            c.tunnelParser = HttpHeadParser.forResponses(8192, MAX_PROXY_RESPONSE_HEAD, 100);
        }
        loop.execute(() -> c.startConnect(address, timeoutMillis));
        return c;
    }

    private static ByteBuffer connectRequest(String target, String authorization) {
        StringBuilder sb = new StringBuilder(128)
                .append("CONNECT ").append(target).append(" HTTP/1.1\r\n")
                .append("Host: ").append(target).append("\r\n");
        if (authorization != null) {
            sb.append("Proxy-Authorization: ").append(authorization).append("\r\n");
        }
        sb.append("\r\n");
        return ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
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
        return queued;
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
        if (tunnelRequest != null) {
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
        return e instanceof IOException ? (IOException) e : new IOException(e.getMessage(), e);
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
                close(new IOException("The proxy closed the connection before answering CONNECT " + tunnelTarget));
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
        if (!closed && automaticQueued > AUTOMATIC_WRITE_HIGH_WATER) {
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
            head = tunnelParser.feed(buf);
        } catch (HandshakeException e) {
            close(new IOException("Invalid answer from the proxy to CONNECT " + tunnelTarget + ": " + e.getMessage()));
            return;
        }
        if (head == null) {
            return;
        }
        if (head.status() / 100 != 2) {
            close(new ProxyException(head.status(), "The proxy refused CONNECT " + tunnelTarget + ": "
                    + head.startLine(), head.headers()));
            return;
        }
        tunnelRequest = null;
        tunnelParser = null;
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
        enqueue(new Write(a, b, credit));
    }

    /**
     * Queues a WebSocket frame: its header, written by the loop straight into its write buffer
     * from these fields ({@link FrameEncoder#writeHeader(ByteBuffer, int, long, boolean, int)}),
     * then {@code payload} (already masked, if {@code masked}), which the channel now owns. Safe
     * from any thread, in order with {@link #write}.
     */
    public void writeFrame(int firstByte, boolean masked, int maskKey, byte[] payload, long credit) {
        enqueue(new Write(firstByte, masked, maskKey, payload, credit));
    }

    private void enqueue(Write w) {
        long credit = w.credit;
        QUEUED.addAndGet(this, w.size);
        if (credit == 0) {
            AUTOMATIC_QUEUED.addAndGet(this, w.size);
        }
        incoming.add(w);
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
        Write w;
        while ((w = incoming.poll()) != null) {
            pending.add(w);
        }
        if (closed || channel == null || phase == Phase.CONNECTING) {
            return;
        }
        long credit;
        boolean blocked;
        try {
            if (phase == Phase.TUNNEL) {
                channel.write(tunnelRequest);
                blocked = tunnelRequest.hasRemaining();
                credit = 0;
            } else if (tls == null) {
                credit = flushPlain();
                blocked = !pending.isEmpty();
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
        if ((readPauses & PAUSED_BY_WRITE_BACKLOG) != 0 && automaticQueued <= AUTOMATIC_WRITE_HIGH_WATER / 2) {
            setPaused(PAUSED_BY_WRITE_BACKLOG, false);
        }
        if (closeWhenFlushed && !blocked && pending.isEmpty() && incoming.isEmpty()) {
            close(null);
        }
    }

    /** Gathering writes of queued buffers; returns the credit of the writes completed. */
    // The queued frames are heap buffers. Handed to a gathering write, the JDK would copy each
    // of them, whole, into a temporary direct buffer on every call (a third of the CPU of a
    // small-message echo). Instead they are copied here, up to the loop's direct write buffer's
    // size, into that one buffer, written with one write(), and the sources advanced by what the
    // kernel took.
    private long flushPlain() throws IOException {
        long credit = 0;
        ByteBuffer out = loop.writeBuffer();
        while (!pending.isEmpty()) {
            out.clear();
            for (Write p : pending) {
                if (!copyAhead(p, out)) {
                    break;
                }
            }
            out.flip();
            if (!out.hasRemaining()) {
                credit += completeWrites();     // only empty writes were queued
                break;
            }
            int written = channel.write(out);
            consume(written);
            credit += completeWrites();
            if (out.hasRemaining()) {
                break;  // kernel buffer full: wait for OP_WRITE
            }
        }
        return credit;
    }

    // Copies what fits of the write's unwritten bytes into out, without consuming them; false
    // once out is full.
    private static boolean copyAhead(Write p, ByteBuffer out) {
        if (!p.isFrameFields()) {
            return copyAhead(p.a, out) && copyAhead(p.b, out);
        }
        int position = p.framePosition;
        if (position < p.headerSize) {
            if (position == 0 && out.remaining() >= p.headerSize) {
                FrameEncoder.writeHeader(out, p.firstByte, p.payload.length, p.masked, p.maskKey);
            } else if (!copyAhead(p.header().position(position), out)) {
                return false;   // a header cut by a full buffer or a partial write: rare, so encoded again
            }
            position = p.headerSize;
        }
        int offset = position - p.headerSize;
        int n = Math.min(p.payload.length - offset, out.remaining());
        out.put(p.payload, offset, n);
        return offset + n == p.payload.length && out.hasRemaining();
    }

    // Copies what fits of src into out without moving src; false once out is full.
    private static boolean copyAhead(ByteBuffer src, ByteBuffer out) {
        if (src == null || !src.hasRemaining()) {
            return true;
        }
        int n = Math.min(src.remaining(), out.remaining());
        out.put(out.position(), src, src.position(), n);
        out.position(out.position() + n);
        return n == src.remaining() && out.hasRemaining();
    }

    // Advances the queued buffers, in order, past the bytes the kernel accepted.
    private void consume(long written) {
        for (Write p : pending) {
            if (written == 0) {
                return;
            }
            if (p.isFrameFields()) {
                int k = (int) Math.min(written, p.size - p.framePosition);
                p.framePosition += k;
                written -= k;
            } else {
                written -= skip(p.a, written);
                written -= skip(p.b, written);
            }
        }
    }

    private static long skip(ByteBuffer b, long n) {
        if (b == null || n == 0) {
            return 0;
        }
        int k = (int) Math.min(n, b.remaining());
        b.position(b.position() + k);
        return k;
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
            if (pending.isEmpty() && !tls.wantsWrap()) {
                break;
            }
            ByteBuffer[] gather = loop.gatherArray();
            int n = gatherPending(gather);
            tls.wrap(gather, 0, n);
            Arrays.fill(gather, 0, n, null);
            tlsCredit += completeWrites();
            if (!tls.netOut().hasRemaining()) {
                break;  // nothing to send yet: the handshake waits for the peer
            }
        }
        return credit;
    }

    private int gatherPending(ByteBuffer[] gather) {
        int n = 0;
        for (Write p : pending) {
            if (n + 2 > MAX_GATHER) {
                break;
            }
            p.asBuffers();      // TLS encrypts from buffers
            if (p.a != null && p.a.hasRemaining()) gather[n++] = p.a;
            if (p.b != null && p.b.hasRemaining()) gather[n++] = p.b;
        }
        return n;
    }

    /** Drops the writes whose bytes are all consumed; returns their credit. */
    private long completeWrites() {
        long credit = 0;
        while (!pending.isEmpty() && pending.peekFirst().remaining() == 0) {
            Write done = pending.pollFirst();
            QUEUED.addAndGet(this, -done.size);
            credit += done.credit;
            if (done.credit == 0) {
                AUTOMATIC_QUEUED.addAndGet(this, -done.size);
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
        pending.clear();
        incoming.clear();
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

    /**
     * Bytes queued as one unit: two buffers, or a frame kept as header fields and a payload array
     * (no buffer objects: the plain path writes the header straight into the loop's write
     * buffer). A frame becomes two buffers only on the TLS path ({@link #asBuffers}).
     */
    private static final class Write {
        ByteBuffer a;
        ByteBuffer b;
        final byte[] payload;       // a frame's payload; null for buffer writes
        final int firstByte;
        final boolean masked;
        final int maskKey;
        final int headerSize;
        int framePosition;          // bytes of the frame (header, then payload) already written
        final long credit;
        final long size;

        Write(ByteBuffer a, ByteBuffer b, long credit) {
            this.a = a;
            this.b = b;
            this.payload = null;
            this.firstByte = 0;
            this.masked = false;
            this.maskKey = 0;
            this.headerSize = 0;
            this.credit = credit;
            this.size = remaining();
        }

        Write(int firstByte, boolean masked, int maskKey, byte[] payload, long credit) {
            this.payload = payload;
            this.firstByte = firstByte;
            this.masked = masked;
            this.maskKey = maskKey;
            this.headerSize = FrameEncoder.headerSize(payload.length, masked);
            this.credit = credit;
            this.size = headerSize + (long) payload.length;
        }

        // True for a frame still held as header fields and payload array (not yet as buffers).
        boolean isFrameFields() {
            return payload != null && a == null;
        }

        long remaining() {
            if (isFrameFields()) {
                return size - framePosition;
            }
            return (a == null ? 0 : a.remaining()) + (b == null ? 0 : b.remaining());
        }

        // The frame's header, encoded into a new buffer.
        ByteBuffer header() {
            return FrameEncoder.header(firstByte, payload.length, masked, maskKey);
        }

        // A frame as header and payload buffers, from where writing got to; buffer writes as they are.
        void asBuffers() {
            if (!isFrameFields()) {
                return;
            }
            a = header().position(Math.min(framePosition, headerSize));
            int offset = Math.max(0, framePosition - headerSize);
            b = ByteBuffer.wrap(payload, offset, payload.length - offset);
        }
    }
}
