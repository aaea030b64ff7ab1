package dev.duplex.internal.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * The send side of a {@link Connection}: makes frames (RFC 6455 §5.2) from messages, pings,
 * pongs and close frames, masks a client's (§5.3), compresses whole messages (RFC 7692), and
 * keeps them in the order they were made. A fragmented message sent as a stream
 * ({@link Connection.OutboundStream}, §5.4) holds every later data and close frame back until
 * its last fragment; pings and pongs may go out between its fragments (§5.4: control frames may
 * be injected in the middle of a fragmented message).
 *
 * <p>It only encodes and orders; whether a frame may still be sent (the close handshake) is the
 * {@link Connection}'s decision, made before it calls here. Not thread-safe: the connection
 * calls it with its monitor held, which is what keeps frames in call order on the output.
 */
final class FrameWriter {
    private static final byte[] EMPTY = new byte[0];

    private final boolean mask;             // a client masks every frame
    private final MaskKeySource maskKeys;   // clients only
    private final PerMessageDeflate deflate;  // null unless permessage-deflate was negotiated
    private final Connection.Output output;

    // Data and close frames queued while a stream is being sent, and later streams, in order.
    private Connection.OutboundStream activeStream;
    private final ArrayDeque<Object> held = new ArrayDeque<>(0);  // room made when used

    FrameWriter(boolean mask, MaskKeySource maskKeys, PerMessageDeflate deflate, Connection.Output output) {
        this.mask = mask;
        this.maskKeys = maskKeys;
        this.deflate = deflate;
        this.output = output;
    }

    /** A frame waiting behind a stream: one this connection made, or an encoded one (broadcast). */
    private record HeldFrame(int firstByte, boolean masked, int maskKey, byte[] payload,
                             ByteBuffer encodedHeader, ByteBuffer encodedPayload, long credit) {
        void writeTo(Connection.Output output) {
            if (encodedHeader != null) {
                output.write(encodedHeader, encodedPayload, credit);
            } else {
                output.writeFrame(firstByte, masked, maskKey, payload, credit);
            }
        }
    }

    // ---------------------------------------------------------------- messages

    /** A whole message as one frame, compressed when that pays; takes ownership of {@code payload}. */
    void message(boolean text, byte[] payload) {
        int opcode = text ? Opcode.TEXT : Opcode.BINARY;
        if (deflate != null) {
            byte[] packed = deflate.compress(payload);
            if (packed != null) {
                emit(opcode, 4, true, packed, payload.length, false);
                return;
            }
        }
        emit(opcode, 0, true, payload, payload.length, false);
    }

    /** A client's uncompressed message from bytes the caller keeps: copied and masked in one pass. */
    void maskedCopy(boolean text, byte[] src, int off, int len) {
        int key = maskKeys.nextKey();
        byte[] masked = new byte[len];
        Masking.maskCopy(src, off, masked, 0, len, key, 0);
        queueFrame(text ? Opcode.TEXT : Opcode.BINARY, 0, true, masked, true, key, len, false);
    }

    /** A frame encoded once for many connections; each connection writes from its own duplicates. */
    void encoded(ByteBuffer header, ByteBuffer payload, long credit) {
        ByteBuffer h = header.duplicate();
        ByteBuffer p = payload == null ? null : payload.duplicate();
        if (activeStream != null) {
            held.add(new HeldFrame(0, false, 0, null, h, p, credit));
        } else {
            output.write(h, p, credit);
        }
    }

    /** A ping or a pong; takes ownership of {@code payload} (at most 125 bytes, checked by the caller). */
    void control(int opcode, byte[] payload) {
        emit(opcode, 0, true, payload, 0, false);
    }

    /**
     * A close frame with {@code code} (1005: no status, an empty frame) and {@code reason}.
     *
     * @throws IllegalArgumentException if the reason is over 123 bytes of UTF-8; nothing is queued
     */
    void close(int code, String reason) {
        byte[] payload;
        if (code == CloseCodes.NO_STATUS) {
            payload = EMPTY;
        } else {
            byte[] r = reason == null ? EMPTY : reason.getBytes(StandardCharsets.UTF_8);
            if (r.length > 123) {
                throw new IllegalArgumentException("Close reason of " + r.length + " bytes; at most 123");
            }
            payload = new byte[2 + r.length];
            payload[0] = (byte) (code >> 8);
            payload[1] = (byte) code;
            System.arraycopy(r, 0, payload, 2, r.length);
        }
        emit(Opcode.CLOSE, 0, true, payload, 0, false);
    }

    // ---------------------------------------------------------------- streams

    /** Reserves the next place in the outgoing order for a fragmented message. */
    Connection.OutboundStream openStream(boolean text) {
        Connection.OutboundStream stream = new Connection.OutboundStream(text);
        if (activeStream == null) {
            activeStream = stream;
        } else {
            held.add(stream);
        }
        return stream;
    }

    boolean isActive(Connection.OutboundStream stream) {
        return activeStream == stream;
    }

    boolean hasStreams() {
        return activeStream != null;
    }

    /** The next fragment of the active {@code stream}; false if it is not the active one. */
    boolean fragment(Connection.OutboundStream stream, byte[] chunk, boolean last) {
        if (activeStream != stream) {
            return false;
        }
        int opcode = stream.started ? Opcode.CONTINUATION : stream.text ? Opcode.TEXT : Opcode.BINARY;
        stream.started = true;
        emit(opcode, 0, last, chunk, chunk.length, true);
        if (last) {
            activeStream = null;
            releaseHeld();
        }
        return true;
    }

    /**
     * The peer closed or the connection failed: unfinished streams and held frames are dropped,
     * so our close frame can go out now.
     */
    void abandonStreams() {
        activeStream = null;
        held.clear();
    }

    // Writes the frames held behind the stream that just ended, up to the next stream.
    private void releaseHeld() {
        Object next;
        while ((next = held.poll()) != null) {
            if (next instanceof Connection.OutboundStream stream) {
                activeStream = stream;
                return;
            }
            ((HeldFrame) next).writeTo(output);
        }
    }

    // ---------------------------------------------------------------- encoding

    // Masks a frame now (a fresh, unpredictable key per frame, RFC 6455 §5.3), in call order.
    private void emit(int opcode, int rsv, boolean fin, byte[] payload, long credit, boolean streamFragment) {
        int key = mask ? maskKeys.nextKey() : 0;
        if (mask) {
            Masking.mask(payload, 0, payload.length, key, 0);
        }
        queueFrame(opcode, rsv, fin, payload, mask, key, credit, streamFragment);
    }

    // Queues a frame whose payload is final (masked with key if masked). Data and close frames
    // wait behind an active stream; pings, pongs and the stream's own fragments go straight out.
    private void queueFrame(int opcode, int rsv, boolean fin, byte[] payload, boolean masked, int key, long credit,
                            boolean streamFragment) {
        int firstByte = FrameEncoder.firstByte(fin, rsv, opcode);
        boolean passes = streamFragment || opcode == Opcode.PING || opcode == Opcode.PONG;
        if (activeStream != null && !passes) {
            held.add(new HeldFrame(firstByte, masked, key, payload, null, null, credit));
            return;
        }
        output.writeFrame(firstByte, masked, key, payload, credit);
    }
}
