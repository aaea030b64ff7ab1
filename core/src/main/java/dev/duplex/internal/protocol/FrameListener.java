package dev.duplex.internal.protocol;

import java.nio.ByteBuffer;

/** Receives frames from a {@link FrameDecoder} as they arrive: a header, payload pieces, an end. */
interface FrameListener {
    void onFrameStart(boolean fin, int rsv, int opcode, long length) throws ProtocolException;

    /**
     * Payload bytes as they came off the wire, between position and limit, still masked: XOR
     * them with {@code mask} (the frame's key rotated to this chunk's first byte, 0 for an
     * unmasked frame), e.g. with {@link Masking#maskCopy} while copying them out, so that each
     * byte is touched once. The buffer is only valid during the call; the listener may unmask it
     * in place unless it is read-only.
     */
    void onFramePayload(ByteBuffer chunk, int mask) throws ProtocolException;

    void onFrameEnd() throws ProtocolException;
}
