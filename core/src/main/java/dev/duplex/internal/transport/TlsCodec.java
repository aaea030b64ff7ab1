package dev.duplex.internal.transport;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import java.nio.ByteBuffer;

/**
 * TLS for one connection, over an {@link SSLEngine}, without touching a socket: ciphertext
 * read from the network goes through {@link #unwrap}, plaintext to send through {@link #wrap},
 * and {@link #netOut()} holds the ciphertext waiting to be written. Runs on the channel's loop.
 *
 * <p>Partial records are kept in a buffer that exists only while a record is incomplete, so an
 * idle TLS connection holds no read buffer.
 */
final class TlsCodec {
    private static final ByteBuffer[] NOTHING = {ByteBuffer.allocate(0)};

    private final SSLEngine engine;
    private final int packetSize;
    private final int appSize;
    private ByteBuffer netIn;                // leftover ciphertext, in read mode; null when none
    private final ByteBuffer netOut;         // ciphertext to write, in read mode
    private ByteBuffer appIn;                // plaintext produced by one unwrap
    private boolean handshakeDone;
    private boolean inboundClosed;

    TlsCodec(SSLEngine engine) throws SSLException {
        this.engine = engine;
        this.packetSize = engine.getSession().getPacketBufferSize();
        this.appSize = engine.getSession().getApplicationBufferSize();
        this.netOut = ByteBuffer.allocate(packetSize * 2).flip();
        engine.beginHandshake();
    }

    SSLEngine engine() {
        return engine;
    }

    boolean handshakeDone() {
        return handshakeDone;
    }

    /** True once the peer sent close_notify (or the inbound side failed). */
    boolean inboundClosed() {
        return inboundClosed;
    }

    /** Bytes of ciphertext received but not yet decrypted (an incomplete record, or records
     * that wait until the engine has sent its own handshake message). */
    int bufferedInput() {
        return netIn == null ? 0 : netIn.remaining();
    }

    /** Ciphertext waiting to be written; write from it directly. */
    ByteBuffer netOut() {
        return netOut;
    }

    /** True if the engine has handshake bytes to send. */
    boolean wantsWrap() {
        HandshakeStatus hs = engine.getHandshakeStatus();
        return hs == HandshakeStatus.NEED_WRAP;
    }

    /** Receives plaintext decoded by {@link #unwrap}. */
    interface PlaintextSink {
        void accept(ByteBuffer plaintext);
    }

    /**
     * Decrypts {@code in} (fully consumed: an incomplete record is kept for next time) and hands
     * each piece of plaintext to {@code sink}.
     */
    void unwrap(ByteBuffer in, PlaintextSink sink) throws SSLException {
        ByteBuffer src = in;
        if (netIn != null) {
            netIn = append(netIn, in);
            src = netIn;
        }
        while (src.hasRemaining() && !inboundClosed) {
            if (appIn == null) {
                appIn = ByteBuffer.allocate(appSize);
            }
            appIn.clear();
            SSLEngineResult r = engine.unwrap(src, appIn);
            refuseRenegotiation(r);
            runTasks();
            noteHandshake(r);
            appIn.flip();
            if (appIn.hasRemaining()) {
                sink.accept(appIn);
            }
            if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                inboundClosed = true;
                break;
            }
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                break;
            }
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                appIn = ByteBuffer.allocate(Math.max(appIn.capacity() * 2, engine.getSession().getApplicationBufferSize()));
                continue;
            }
            if (r.bytesConsumed() == 0 && r.bytesProduced() == 0 && engine.getHandshakeStatus() != HandshakeStatus.NEED_UNWRAP) {
                break;   // the engine wants to wrap first
            }
        }
        // Keep only an incomplete record, in a buffer of its own.
        if (src.hasRemaining()) {
            if (src != netIn) {
                netIn = ByteBuffer.allocate(Math.max(packetSize, src.remaining())).put(src).flip();
            }
        } else {
            netIn = null;
        }
        in.position(in.limit());
    }

    /**
     * Encrypts handshake data and then as much of {@code srcs} as fits into {@link #netOut()}.
     * Only call when {@link #netOut()} is empty. Returns the number of plaintext bytes consumed.
     */
    long wrap(ByteBuffer[] srcs, int offset, int length) throws SSLException {
        netOut.clear();
        long consumed = 0;
        try {
            while (netOut.remaining() >= packetSize) {
                HandshakeStatus hs = engine.getHandshakeStatus();
                SSLEngineResult r;
                if (hs == HandshakeStatus.NEED_WRAP) {
                    r = engine.wrap(NOTHING, netOut);
                } else if (hs == HandshakeStatus.NEED_TASK) {
                    runTasks();
                    continue;
                } else if (handshakeDone && anyRemaining(srcs, offset, length)) {
                    r = engine.wrap(srcs, offset, length, netOut);
                    consumed += r.bytesConsumed();
                } else {
                    break;
                }
                runTasks();
                noteHandshake(r);
                if (r.getStatus() == SSLEngineResult.Status.CLOSED || r.bytesProduced() == 0) {
                    break;
                }
            }
        } finally {
            netOut.flip();
        }
        return consumed;
    }

    /** Queues close_notify into {@link #netOut()} (call when it is empty). */
    void closeOutbound() {
        engine.closeOutbound();
        netOut.clear();
        try {
            engine.wrap(NOTHING, netOut);
        } catch (SSLException ignored) {
            // The connection is closing; a missing close_notify only costs the peer a warning.
        } finally {
            netOut.flip();
        }
    }

    // A TLS 1.2 client may ask a server for a new handshake at any time (renegotiation): a way to
    // make the server spend CPU on key exchanges at will, and the root of old attacks. WebSocket
    // never needs it, so a server fails the connection instead. (TLS 1.3 has no renegotiation;
    // its post-handshake messages, KeyUpdate and tickets, are not refused.) A TLS 1.2 engine that
    // receives close_notify also asks to wrap, for its own close_notify: that is no handshake.
    private void refuseRenegotiation(SSLEngineResult r) throws SSLException {
        if (handshakeDone && !engine.getUseClientMode() && "TLSv1.2".equals(engine.getSession().getProtocol())
                && r.getStatus() != SSLEngineResult.Status.CLOSED
                && r.getHandshakeStatus() != HandshakeStatus.NOT_HANDSHAKING
                && r.getHandshakeStatus() != HandshakeStatus.FINISHED) {
            throw new javax.net.ssl.SSLHandshakeException("The client asked for TLS renegotiation, which this server refuses");
        }
    }

    private void noteHandshake(SSLEngineResult r) {
        if (r.getHandshakeStatus() == HandshakeStatus.FINISHED
                || (!handshakeDone && engine.getHandshakeStatus() == HandshakeStatus.NOT_HANDSHAKING
                    && r.getStatus() == SSLEngineResult.Status.OK)) {
            handshakeDone = true;
        }
    }

    // Certificate checks and key exchange steps: short enough to run on the loop.
    private void runTasks() {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }

    private static boolean anyRemaining(ByteBuffer[] srcs, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (srcs[i].hasRemaining()) {
                return true;
            }
        }
        return false;
    }

    private static ByteBuffer append(ByteBuffer readMode, ByteBuffer more) {
        if (readMode.capacity() - readMode.limit() >= more.remaining()) {
            int pos = readMode.position();
            readMode.position(readMode.limit()).limit(readMode.capacity());
            readMode.put(more);
            readMode.flip().position(pos);
            return readMode;
        }
        ByteBuffer b = ByteBuffer.allocate(readMode.remaining() + more.remaining());
        b.put(readMode).put(more).flip();
        return b;
    }
}
