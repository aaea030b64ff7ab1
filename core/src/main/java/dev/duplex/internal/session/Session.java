package dev.duplex.internal.session;

import dev.duplex.ConnectionOptions;


import dev.duplex.internal.metrics.Jfr;
import dev.duplex.internal.metrics.ServerCounters;
import dev.duplex.internal.protocol.CloseCodes;
import dev.duplex.internal.protocol.Connection;
import dev.duplex.internal.protocol.FrameEncoder;
import dev.duplex.internal.protocol.HandshakeException;
import dev.duplex.internal.protocol.ProtocolException;
import dev.duplex.internal.transport.ChannelHandler;
import dev.duplex.internal.transport.EventLoop;
import dev.duplex.internal.transport.TcpChannel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The life of one connection on its event loop, below the browser semantics: it joins the
 * transport ({@link TcpChannel}) to the protocol ({@link Connection}), runs the timers, and tells
 * its {@code WebSocket} (through {@link SocketEvents}) what happened. Subclasses add the opening handshake of each role.
 *
 * <p>Everything here runs on the loop thread, except the send methods, which
 * {@link Connection} makes thread-safe.
 */
public abstract class Session implements ChannelHandler, Connection.Listener, Connection.Output, Jfr.Endpoint {
    public static final SecureRandom RANDOM = new SecureRandom();

    public final EventLoop loop;
    public final long closeTimeoutMillis;
    public final KeepAlive keepAlive;
    public final PingTracker pings = new PingTracker();
    public SocketEvents socket;
    public volatile TcpChannel channel;
    public volatile Connection connection;          // set once the opening handshake succeeded
    private dev.duplex.internal.protocol.FrameTracer tracer;    // null unless WireLog traces frames
    /** The server's totals this connection adds to; null on a client. */
    protected ServerCounters counters;

    private Throwable failure;               // why the connection failed, if it did
    private int peerCode = CloseCodes.ABNORMAL;
    private String peerReason = "";
    private boolean closeHandshakeDone;
    private boolean terminated;
    private EventLoop.Timer closeTimer;
    private EventLoop.Timer keepAliveTimer;
    private TcpChannel abandoned;            // a channel given up on purpose (a followed redirect)
    private volatile long lastReceived;      // System.nanoTime() of the last bytes in
    private volatile long lastActivity;      // ... of the last bytes in or frame out
    private long pingSentAt;                 // 0: no ping awaiting an answer
    private boolean violated;                // the peer broke the protocol: reading stays paused
    private final long assemblyTimeoutMillis;  // 0: unfinished messages may take any time
    private EventLoop.Timer assemblyTimer;   // runs while a message is unfinished between reads
    private int timedMessage;                // which message (Connection#messagesStarted) it times
    private final SharedBudget unfinished;
    private long unfinishedHeld;             // bytes this connection holds in that budget

    /**
     * @param unfinished the budget that the heap bytes of unfinished incoming messages are
     *        drawn from (a server's, shared by its connections), or null for no such limit
     */
    public Session(EventLoop loop, ConnectionOptions options, SharedBudget unfinished) {
        this.loop = loop;
        this.closeTimeoutMillis = options.closeTimeout().toMillis();
        this.keepAlive = KeepAlive.of(options);
        this.assemblyTimeoutMillis = options.messageAssemblyTimeout().toMillis();
        this.unfinished = unfinished;
    }

    /** A server closes TCP first once the closing handshake is done; a client waits for it. */
    public abstract boolean isServer();

    /** The peer as host:port, for debug output. */
    public final String peerName() {
        TcpChannel ch = channel;
        java.net.InetSocketAddress a = ch == null ? null : ch.remoteAddress();
        return a == null ? "?" : a.getHostString() + ":" + a.getPort();
    }

    /**
     * Starts the protocol once the opening handshake has succeeded. From here on, sends go out;
     * call {@link #receiveEarly} afterwards with bytes that came with the handshake, once the
     * socket's first event (open, or the server's connection event) has been queued.
     */
    public final void attach(Connection c) {
        tracer = WireLog.frames(isServer(), peerName());
        c.holdCloseAfterViolation(true);
        connection = c;
        lastReceived = lastActivity = System.nanoTime();
        if (counters != null) {
            counters.connectionOpened();
        }
        Jfr.opened(this);
        if (keepAlive.enabled()) {
            scheduleKeepAlive(Math.min(positive(keepAlive.pingIntervalMillis), positive(keepAlive.idleTimeoutMillis)));
        }
    }

    /** Feeds bytes that arrived together with the end of the opening handshake. */
    public final void receiveEarly(ByteBuffer early) {
        if (early != null && early.hasRemaining()) {
            receive(connection, early);
        }
    }

    /** Feeds received bytes to the protocol, noting the peer is alive. */
    public final void receive(Connection c, ByteBuffer data) {
        lastReceived = lastActivity = System.nanoTime();
        if (counters != null) {
            counters.bytesIn(data.remaining());
        }
        pingSentAt = 0;         // any frame answers a keep-alive ping
        if (tracer != null) {
            tracer.inbound(data);     // first: the connection may unmask the bytes in place
        }
        c.receive(data);
        if (assemblyTimeoutMillis > 0) {
            timeAssembly(c);
        }
        if (unfinished != null) {
            countUnfinished(c);
        }
    }

    // A message still unfinished at the end of a read gets a timer; most messages arrive whole in
    // one read and never need one. A peer that starts a message and never ends it, while keeping
    // the connection alive with pings, would otherwise pin its bytes for as long as it likes.
    private void timeAssembly(Connection c) {
        if (!c.messageInProgress()) {
            if (assemblyTimer != null) {
                assemblyTimer.cancel();
                assemblyTimer = null;
            }
            return;
        }
        if (assemblyTimer == null || timedMessage != c.messagesStarted()) {
            if (assemblyTimer != null) {
                assemblyTimer.cancel();
            }
            timedMessage = c.messagesStarted();
            assemblyTimer = loop.schedule(() -> {
                assemblyTimer = null;
                if (c.messageInProgress() && c.messagesStarted() == timedMessage) {
                    c.fail(new ProtocolException(CloseCodes.POLICY_VIOLATION, "A message was not completed within "
                            + assemblyTimeoutMillis + " ms of its first frame (messageAssemblyTimeout)"));
                }
            }, assemblyTimeoutMillis, TimeUnit.MILLISECONDS);
        }
    }

    // Keeps this connection's share of the server's unfinished-message memory up to date; fails
    // the connection whose growth would pass the server's limit (1013: try again later).
    private void countUnfinished(Connection c) {
        long now = c.unfinishedBytesInMemory();
        long delta = now - unfinishedHeld;
        if (delta > 0 && !unfinished.reserve(delta)) {
            c.fail(new ProtocolException(CloseCodes.TRY_AGAIN_LATER, "An unfinished message of " + now
                    + " bytes does not fit: " + unfinished.exhausted(delta)));
            releaseUnfinished();
            return;
        }
        if (delta < 0) {
            unfinished.release(-delta);
        }
        unfinishedHeld = now;
    }

    private void releaseUnfinished() {
        if (unfinished != null && unfinishedHeld > 0) {
            unfinished.release(unfinishedHeld);
            unfinishedHeld = 0;
        }
    }

    private static long positive(long millis) {
        return millis > 0 ? millis : Long.MAX_VALUE;
    }

    private void scheduleKeepAlive(long millis) {
        keepAliveTimer = loop.schedule(this::checkKeepAlive, Math.max(1, millis), TimeUnit.MILLISECONDS);
    }

    // One timer for pings, pong timeouts and the idle timeout; it re-arms for the nearest deadline.
    private void checkKeepAlive() {
        Connection c = connection;
        if (c == null || !c.isOpen() || terminated) {
            return;
        }
        long now = System.nanoTime();
        long next = Long.MAX_VALUE;
        if (keepAlive.idleTimeoutMillis > 0) {
            long idle = TimeUnit.NANOSECONDS.toMillis(now - lastActivity);
            if (idle >= keepAlive.idleTimeoutMillis) {
                socket.closeFromLibrary(CloseCodes.GOING_AWAY, "Idle timeout");
                return;
            }
            next = keepAlive.idleTimeoutMillis - idle;
        }
        if (keepAlive.pingIntervalMillis > 0) {
            if (pingSentAt != 0) {
                long waited = TimeUnit.NANOSECONDS.toMillis(now - pingSentAt);
                if (keepAlive.pongTimeoutMillis > 0 && waited >= keepAlive.pongTimeoutMillis) {
                    c.fail(new ProtocolException(CloseCodes.INTERNAL_ERROR, "No pong (or any other frame) from the peer within "
                            + keepAlive.pongTimeoutMillis + " ms of a keep-alive ping"));
                    return;
                }
                if (keepAlive.pongTimeoutMillis > 0) {
                    next = Math.min(next, keepAlive.pongTimeoutMillis - waited);
                }
            } else {
                long quiet = TimeUnit.NANOSECONDS.toMillis(now - lastReceived);
                if (quiet >= keepAlive.pingIntervalMillis) {
                    pingSentAt = now;
                    if (c.sendPing(EMPTY)) {
                        pings.sent(EMPTY, now, null);
                    }
                    // Look again after one interval even when the pong timeout is longer: the pong
                    // usually comes first, and the next ping is then due an interval after it.
                    next = Math.min(next, keepAlive.pongTimeoutMillis > 0
                            ? Math.min(keepAlive.pongTimeoutMillis, keepAlive.pingIntervalMillis) : keepAlive.pingIntervalMillis);
                } else {
                    next = Math.min(next, keepAlive.pingIntervalMillis - quiet);
                }
            }
        }
        if (next != Long.MAX_VALUE) {
            scheduleKeepAlive(next);
        }
    }

    // ------------------------------------------------------------ called by WebSocket (any thread)

    /** Queues a message; false if a close frame was already sent (nothing is queued). */
    public final boolean send(boolean text, byte[] payload) {
        Connection c = connection;
        return c != null && sent(c.sendMessage(text, payload), text, payload.length);
    }

    // Counts a message queued for sending (all of them on a server; large ones for Flight Recorder).
    private boolean sent(boolean queued, boolean text, long size) {
        if (queued) {
            if (counters != null) {
                counters.messageOut();
            }
            Jfr.sent(this, text, size);
        }
        return queued;
    }

    /** Queues a copy of {@code len} bytes of {@code src}, made before returning; false as {@link #send}. */
    public final boolean sendCopy(boolean text, byte[] src, int off, int len) {
        Connection c = connection;
        return c != null && sent(c.sendMessageCopy(text, src, off, len), text, len);
    }

    /** Queues {@code len} bytes of {@code src}, which never change (no copy is needed); false as {@link #send}. */
    public final boolean sendUnchanging(boolean text, byte[] src, int off, int len) {
        Connection c = connection;
        return c != null && sent(c.sendMessageUnchanging(text, src, off, len), text, len);
    }

    /** Queues a frame encoded once for many sockets; false if a close frame was already sent. */
    public final boolean sendEncoded(ByteBuffer header, ByteBuffer payload, long credit) {
        Connection c = connection;
        boolean text = (header.get(header.position()) & 0x0F) == dev.duplex.internal.protocol.Opcode.TEXT;
        return c != null && sent(c.sendEncoded(header, payload, credit), text, credit);
    }

    private static final byte[] EMPTY = new byte[0];

    /**
     * Sends a ping with {@code data} (at most 125 bytes, copied now); the answer completes with
     * the round-trip time when its pong arrives, or fails if the connection ends first.
     */
    public final CompletableFuture<Duration> ping(byte[] data) {
        byte[] copy = data.clone();
        CompletableFuture<Duration> answer = new CompletableFuture<>();
        loop.execute(() -> {
            Connection c = connection;
            if (c == null || terminated || !c.sendPing(copy)) {
                answer.completeExceptionally(new IOException("The connection is closing; no ping was sent"));
            } else {
                pings.sent(copy, System.nanoTime(), answer);
            }
        });
        return answer;
    }

    /** Sends an unsolicited pong (RFC 6455 section 5.5.3); nothing once a close frame was sent. */
    public final void pong(byte[] data) {
        Connection c = connection;
        if (c != null) {
            c.sendPong(data);
        }
    }

    @Override
    public final void onPong(byte[] payload) {
        pings.answered(payload, System.nanoTime());
    }

    /** Starts the closing handshake with {@code code} and {@code reason}. */
    public final void close(int code, String reason) {
        loop.execute(() -> {
            Connection c = connection;
            if (c == null || terminated) {
                return;
            }
            if (c.close(code, reason)) {
                if (c.hasStreams()) {
                    // The close frame goes out after the blobs being sent: time it from then.
                    closeTimerWaitsForStreams = true;
                } else {
                    armCloseTimer("The peer did not answer the close frame within " + closeTimeoutMillis + " ms");
                }
            }
        });
    }

    /**
     * Stops or resumes reading from the network: the API layer's back-pressure when received
     * messages wait for slow handlers. Any thread.
     */
    public final void readingPaused(boolean paused) {
        readingPaused(paused ? PAUSE : RESUME);
    }

    /**
     * Stops or resumes reading as {@code paused} says when the I/O thread gets to it, for a
     * socket whose reading several parties may hold: since the decision is read there and not
     * when asked, requests from different threads that overtake each other still leave the
     * reading as the latest state of their reasons says. Any thread.
     */
    public final void readingPaused(java.util.function.BooleanSupplier paused) {
        loop.execute(() -> {
            TcpChannel ch = channel;
            if (ch != null && connection != null && !violated) {
                boolean pause = paused.getAsBoolean();
                ch.pauseReading(pause);
                Jfr.backPressure(this, pause);
            }
        });
    }

    private static final java.util.function.BooleanSupplier PAUSE = () -> true;
    private static final java.util.function.BooleanSupplier RESUME = () -> false;

    /** Fails the connection with a close frame carrying {@code code}: error, then close 1006. */
    public final void failWithCode(int code, String message) {
        loop.execute(() -> {
            Connection c = connection;
            if (c != null) {
                c.fail(new ProtocolException(code, message));
            } else {
                failNow(new IOException(message));
            }
        });
    }

    /** Fails the connection without a closing handshake: error, then close 1006. */
    public final void abort(Throwable cause) {
        loop.execute(() -> failNow(cause));
    }

    // ------------------------------------------------------------ protocol events (loop thread)

    @Override
    public final void onText(String text) {
        if (counters != null) {
            counters.messageIn();
        }
        Jfr.receivedText(this, text);
        socket.messageReceived(text);
    }

    @Override
    public final void onBinary(byte[] data) {
        if (counters != null) {
            counters.messageIn();
        }
        Jfr.received(this, data.length);
        socket.messageReceived(data);
    }

    @Override
    public final void onSpilledBinary(Object blob) {
        if (counters != null) {
            counters.messageIn();
        }
        if (blob instanceof SpilledMessage m) {
            Jfr.received(this, m.size());
        }
        socket.messageReceived(blob);
    }

    // ------------------------------------------------------------ large blobs, sent in fragments

    /** Blobs above this are streamed from their source in fragments instead of copied first. */
    public static final long STREAM_THRESHOLD = 4L << 20;
    private static final int FRAGMENT_SIZE = 256 * 1024;
    /** The next fragment is produced when fewer bytes than this wait in the write queue. */
    private static final long STREAM_LOW_WATER = 1L << 20;

    private static final class BlobSend {
        final Connection.OutboundStream stream;
        final ByteSource blob;
        long position;

        BlobSend(Connection.OutboundStream stream, ByteSource blob) {
            this.stream = stream;
            this.blob = blob;
        }
    }

    private final java.util.ArrayDeque<BlobSend> blobSends = new java.util.ArrayDeque<>(0);   // loop thread only; room made when used
    private boolean closeTimerWaitsForStreams;

    /**
     * Queues {@code blob} as one binary message whose bytes are read from the blob while it is
     * sent; false if a close frame was already sent. Its place in the message order is taken now.
     */
    public final boolean sendStreamed(ByteSource blob) {
        Connection c = connection;
        Connection.OutboundStream stream = c == null ? null : c.openStream(false);
        if (stream == null) {
            return false;
        }
        sent(true, false, blob.size());
        loop.execute(() -> {
            blobSends.add(new BlobSend(stream, blob));
            pumpStreams();
        });
        return true;
    }

    // Produces fragments of the active stream while the write queue is short (loop thread).
    private void pumpStreams() {
        Connection c = connection;
        TcpChannel ch = channel;
        if (c == null || ch == null || terminated) {
            return;
        }
        while (!blobSends.isEmpty() && ch.queuedBytes() < STREAM_LOW_WATER) {
            BlobSend active = null;
            for (BlobSend b : blobSends) {
                if (c.isActive(b.stream)) {
                    active = b;
                    break;
                }
            }
            if (active == null) {
                return;     // the active stream is not registered here yet
            }
            long left = active.blob.size() - active.position;
            int n = (int) Math.min(FRAGMENT_SIZE, left);
            byte[] chunk = new byte[n];
            try {
                int done = 0;
                while (done < n) {
                    int r = active.blob.read(active.position + done, chunk, done, n - done);
                    if (r <= 0) {
                        throw new java.io.UncheckedIOException(new IOException("The blob ended early"));
                    }
                    done += r;
                }
            } catch (java.io.UncheckedIOException e) {
                blobSends.clear();
                c.fail(new ProtocolException(CloseCodes.INTERNAL_ERROR,
                        "Cannot read the blob being sent: " + e.getCause().getMessage(), e.getCause()));
                return;
            }
            active.position += n;
            boolean last = active.position == active.blob.size();
            if (!c.sendFragment(active.stream, chunk, last)) {
                blobSends.clear();
                return;
            }
            if (last) {
                blobSends.remove(active);
            }
        }
        if (blobSends.isEmpty() && closeTimerWaitsForStreams && !c.hasStreams()) {
            closeTimerWaitsForStreams = false;
            armCloseTimer("The peer did not answer the close frame within " + closeTimeoutMillis + " ms");
        }
    }

    @Override
    public final void onCloseFrame(int code, String reason) {
        boolean ourCloseWasFirst = closeTimer != null;
        peerCode = code;
        peerReason = reason;
        closeHandshakeDone = true;
        if (!ourCloseWasFirst) {
            socket.closingStarted();
        }
        Connection c = connection;
        if (c != null && c.awaitsCloseAnswer()) {
            // A server answers once the handlers of the messages received before the close have
            // run, so that what they send (an echo, a last reply) reaches the peer before the
            // close frame; then it closes TCP first (RFC 6455 section 7.1.1).
            socket.afterQueuedEvents(() -> loop.execute(() -> {
                c.answerClose();
                TcpChannel ch = channel;
                if (isServer() && ch != null) {
                    ch.closeAfterFlush();
                }
            }));
        } else if (isServer()) {
            channel.closeAfterFlush();
        }
        // RFC 6455 §7.1.1: the client waits for the server to close TCP, but not for ever; and a
        // server's close echo may never drain to a peer that stopped reading.
        armCloseTimer(null);
    }

    @Override
    public final void onProtocolError(ProtocolException e) {
        fail(e);
    }

    /**
     * The peer's bytes broke the protocol: stop reading now, but queue the close frame only after
     * the handlers of the messages received before the violation have run, so that what they send
     * (an echo, say) reaches the peer first. The failure is recorded at once, so the close event
     * reports it even if the peer closes TCP meanwhile.
     */
    @Override
    public final void onViolation(ProtocolException e) {
        if (failure == null && !terminated) {
            failure = e;
        }
        violated = true;
        TcpChannel ch = channel;
        if (ch != null) {
            ch.pauseReading(true);
        }
        Connection c = connection;
        socket.afterQueuedEvents(() -> loop.execute(() -> c.fail(e)));
    }

    @Override
    public final void writeFrame(int firstByte, boolean masked, int maskKey, byte[] payload, long credit) {
        lastActivity = System.nanoTime();
        if (counters != null) {
            int n = payload.length;
            counters.bytesOut(2L + (n < 126 ? 0 : n <= 0xFFFF ? 2 : 8) + (masked ? 4 : 0) + n);
        }
        if (tracer != null) {
            tracer.outbound(FrameEncoder.header(firstByte, payload.length, masked, maskKey), ByteBuffer.wrap(payload));
        }
        channel.writeFrame(firstByte, masked, maskKey, payload, credit);
    }

    @Override
    public final void write(ByteBuffer header, ByteBuffer payload, long credit) {
        lastActivity = System.nanoTime();
        if (counters != null) {
            counters.bytesOut(header.remaining() + (payload == null ? 0L : payload.remaining()));
        }
        if (tracer != null) {
            tracer.outbound(header, payload);
        }
        channel.write(header, payload, credit);
    }

    // ------------------------------------------------------------ transport events (loop thread)

    /** Drops {@code ch} without ending the session: its closing is not reported. */
    public final void abandon(TcpChannel ch) {
        abandoned = ch;
        channel = null;
        ch.abort(null);
    }

    @Override
    public void onEndOfStream(TcpChannel ch) {
        if (ch == abandoned) {
            return;
        }
        if (connection == null && !isServer()) {
            // Nothing queued can go out any more (with TLS, the upgrade request waits for a TLS
            // handshake that will not happen): fail now rather than at the connect timeout.
            if (failure == null) {
                failure = new IOException(ch.isTls() && !ch.tlsHandshakeDone()
                        ? "The server closed the connection during the TLS handshake (is it a TLS server? wss:// needs one)"
                        : "The server closed the connection during the opening handshake");
            }
            ch.abort(null);
            return;
        }
        // After the opening handshake, a peer that just goes away is not a failure of ours:
        // as in browsers, that is a close event with 1006 and no error event. What is queued
        // still goes out, but a peer that half-closed and stopped reading cannot keep us waiting.
        // A close answer still held for the handlers (onCloseFrame) closes TCP once it is written.
        Connection c = connection;
        if (c == null || !c.awaitsCloseAnswer()) {
            ch.closeAfterFlush();
        }
        if (closeTimer == null) {
            armCloseTimer(null);
        }
    }

    @Override
    public final void onWritten(TcpChannel ch, long credit) {
        if (socket != null) {
            socket.written(credit);
        }
        if (!blobSends.isEmpty() || closeTimerWaitsForStreams) {
            pumpStreams();
        }
    }

    @Override
    public final void onClosed(TcpChannel ch, IOException cause) {
        if (ch == abandoned) {
            return;
        }
        // A reset after the opening handshake is the peer going away (close 1006, no error);
        // before it, or a TLS failure, is a failed connection (error, then close 1006).
        if (cause != null && failure == null && !closeHandshakeDone
                && (connection == null || cause instanceof javax.net.ssl.SSLException)) {
            failure = cause;
        }
        terminate();
    }

    // ------------------------------------------------------------ ending

    /** Records why the connection failed and closes TCP once our close frame (if any) is out. */
    public final void fail(Throwable cause) {
        if (failure == null && !terminated) {
            failure = cause;
        }
        if (channel == null) {
            terminate();
            return;
        }
        channel.closeAfterFlush();
        armCloseTimer(null);
    }

    /** Fails with no further writes: the TCP connection is reset at once. */
    public final void failNow(Throwable cause) {
        if (failure == null && !terminated) {
            failure = cause;
        }
        if (channel == null) {
            terminate();
        } else {
            channel.abort(null);
        }
    }

    private void armCloseTimer(String timeoutMessage) {
        if (closeTimer != null) {
            closeTimer.cancel();
        }
        closeTimer = loop.schedule(() -> {
            if (timeoutMessage != null && !closeHandshakeDone && failure == null) {
                failure = new IOException(timeoutMessage);
            }
            channel.abort(null);
        }, closeTimeoutMillis, TimeUnit.MILLISECONDS);
    }

    public final void terminate() {
        if (terminated) {
            return;
        }
        terminated = true;
        if (closeTimer != null) {
            closeTimer.cancel();
        }
        if (keepAliveTimer != null) {
            keepAliveTimer.cancel();
        }
        if (assemblyTimer != null) {
            assemblyTimer.cancel();
        }
        releaseUnfinished();
        Connection c = connection;
        if (c != null) {
            c.release();          // permessage-deflate's native memory, on every way out
        }
        pings.closed(new IOException("The connection closed before the pong arrived"));
        // What the close event says: the failure, the closing handshake, or the peer went away.
        boolean clean = failure == null && closeHandshakeDone;
        int code = clean ? peerCode : CloseCodes.ABNORMAL;
        String reason = clean ? peerReason : "";
        if (c != null) {
            Jfr.closed(this, code, reason, clean, failure);
            if (counters != null) {
                counters.connectionClosed(code, clean);
            }
        } else if (failure != null && !answeredPlainHttp()) {
            int status = handshakeStatus(failure);
            Jfr.handshakeFailed(this, status, failure);
            if (counters != null) {
                counters.handshakeFailed(status);
            }
        }
        released();
        if (socket == null) {
            return;     // a server connection that never got past its opening handshake
        }
        socket.closed(code, reason, clean, failure);
    }

    /** The HTTP status behind a failed opening handshake, 0 if there was none. */
    private static int handshakeStatus(Throwable failure) {
        if (failure instanceof HandshakeException h) {
            return h.response() != null ? h.response().status() : h.httpStatus();
        }
        if (failure instanceof dev.duplex.internal.transport.ProxyException p) {
            return p.status();
        }
        return 0;
    }

    /** True if this connection was a plain HTTP request, answered: no failed handshake. */
    protected boolean answeredPlainHttp() {
        return false;
    }

    /** Hook for subclasses to release what they hold (timers, server bookkeeping). */
    public void released() {}
}
