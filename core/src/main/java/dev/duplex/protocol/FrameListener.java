package dev.duplex.protocol;

import java.nio.ByteBuffer;

/** Receives frames from a {@link FrameDecoder} as they arrive: a header, payload pieces, an end. */
interface FrameListener {
    void onFrameStart(boolean fin, int rsv, int opcode, long length) throws ProtocolException;

    /**
     * Unmasked payload bytes, between position and limit. The buffer is only valid during the
     * call; consume or copy it.
     */
    void onFramePayload(ByteBuffer chunk) throws ProtocolException;

    void onFrameEnd() throws ProtocolException;
}
