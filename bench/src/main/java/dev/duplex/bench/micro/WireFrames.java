package dev.duplex.bench.micro;

import dev.duplex.internal.protocol.FrameEncoder;
import dev.duplex.internal.protocol.Masking;
import java.nio.ByteBuffer;

/** Builds the bytes of one complete frame as they arrive from the network. */
final class WireFrames {
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;

    private WireFrames() {}

    /**
     * A final, uncompressed frame carrying {@code payload}; masked with {@code maskKey} when
     * {@code masked} (a client's frame), else as a server sends it.
     */
    static byte[] frame(int opcode, byte[] payload, boolean masked, int maskKey) {
        int headerSize = FrameEncoder.headerSize(payload.length, masked);
        byte[] wire = new byte[headerSize + payload.length];
        FrameEncoder.writeHeader(ByteBuffer.wrap(wire), true, 0, opcode, payload.length, masked, maskKey);
        if (masked) {
            Masking.maskCopy(payload, 0, wire, headerSize, payload.length, maskKey, 0);
        } else {
            System.arraycopy(payload, 0, wire, headerSize, payload.length);
        }
        return wire;
    }
}
