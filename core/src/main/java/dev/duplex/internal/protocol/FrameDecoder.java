package dev.duplex.internal.protocol;

import java.nio.ByteBuffer;

/**
 * Incremental RFC 6455 §5.2 frame decoder: feed it bytes in any chopping, it reports the same
 * frames. It checks what a single header can tell (reserved bits, opcodes, control-frame rules,
 * masking by role, the 64-bit length's top bit, the frame size limit); rules that span frames
 * live in {@link Connection}.
 *
 * <p>Only the header (at most 14 bytes) is buffered; payload is handed to the listener straight
 * from the input, still masked, with the key it needs: the listener unmasks while it copies, so
 * each payload byte is touched once. The decoder itself never writes to its input.
 */
public final class FrameDecoder {
    private final boolean expectMasked;
    private final long maxFrameSize;
    private final FrameListener listener;
    private int allowedRsv;

    private final byte[] head = new byte[14];
    private int headLength;
    private long remaining;        // payload bytes still due for the current frame
    private boolean inPayload;
    private boolean masked;
    private int maskKey;
    private int maskPhase;

    /**
     * @param expectMasked true at a server (clients must mask), false at a client (servers must not)
     * @param maxFrameSize frames announcing more payload than this fail with 1009
     */
    FrameDecoder(boolean expectMasked, long maxFrameSize, FrameListener listener) {
        this.expectMasked = expectMasked;
        this.maxFrameSize = maxFrameSize;
        this.listener = listener;
    }

    /** The RSV bits (0x4 = RSV1, 0x2 = RSV2, 0x1 = RSV3) a negotiated extension gave meaning to. */
    void allowRsv(int bits) {
        this.allowedRsv = bits;
    }

    /** Consumes every remaining byte of {@code in}, reporting frames as they complete. */
    void decode(ByteBuffer in) throws ProtocolException {
        while (in.hasRemaining()) {
            if (!inPayload) {
                if (!readHeader(in)) {
                    return;
                }
                if (remaining == 0) {
                    inPayload = false;
                    listener.onFrameEnd();
                    continue;
                }
            }
            int n = (int) Math.min(remaining, in.remaining());
            int chunkEnd = in.position() + n;
            int inLimit = in.limit();
            remaining -= n;
            // The chunk is the input itself with its limit pulled in (no slice: no garbage per
            // read); whatever the listener does with its position, the input resumes after it.
            in.limit(chunkEnd);
            try {
                listener.onFramePayload(in, masked ? Integer.rotateLeft(maskKey, 8 * maskPhase) : 0);
            } finally {
                in.limit(inLimit);
                in.position(chunkEnd);
            }
            maskPhase = (maskPhase + n) & 3;
            if (remaining == 0) {
                inPayload = false;
                listener.onFrameEnd();
            }
        }
    }

    /** True between frames: no partial header or payload is pending. */
    boolean atFrameBoundary() {
        return !inPayload && headLength == 0;
    }

    /** Accumulates header bytes; true once a whole header has been read and checked. */
    private boolean readHeader(ByteBuffer in) throws ProtocolException {
        while (headLength < 2) {
            if (!in.hasRemaining()) {
                return false;
            }
            head[headLength++] = in.get();
            if (headLength == 1) {
                checkFirstByte(head[0]);
            }
        }
        int needed = headerLength(head[1]);
        while (headLength < needed) {
            if (!in.hasRemaining()) {
                return false;
            }
            head[headLength++] = in.get();
        }
        completeHeader();
        headLength = 0;
        return true;
    }

    // Reserved bits and opcode are checked as soon as the first byte arrives (fail fast).
    private void checkFirstByte(byte b0) throws ProtocolException {
        int rsv = (b0 >> 4) & 0x7;
        int opcode = b0 & 0xF;
        if ((rsv & ~allowedRsv) != 0) {
            throw ProtocolException.protocolError("WS_ERR_UNEXPECTED_RSV", "Reserved bits " + rsvNames(rsv & ~allowedRsv)
                    + " set without a negotiated extension that defines them");
        }
        if (!Opcode.isKnown(opcode)) {
            throw ProtocolException.protocolError("WS_ERR_INVALID_OPCODE", "Unknown opcode 0x" + Integer.toHexString(opcode));
        }
        if (Opcode.isControl(opcode) && (b0 & 0x80) == 0) {
            throw ProtocolException.protocolError("WS_ERR_EXPECTED_FIN", "Fragmented control frame (" + Opcode.name(opcode) + ")");
        }
    }

    private static int headerLength(byte b1) {
        int len7 = b1 & 0x7F;
        int n = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0);
        return (b1 & 0x80) != 0 ? n + 4 : n;
    }

    private void completeHeader() throws ProtocolException {
        boolean fin = (head[0] & 0x80) != 0;
        int rsv = (head[0] >> 4) & 0x7;
        int opcode = head[0] & 0xF;
        masked = (head[1] & 0x80) != 0;
        int len7 = head[1] & 0x7F;
        int p = 2;
        long length;
        if (len7 == 126) {
            length = ((head[2] & 0xFF) << 8) | (head[3] & 0xFF);
            p = 4;
        } else if (len7 == 127) {
            length = 0;
            for (int i = 2; i < 10; i++) {
                length = (length << 8) | (head[i] & 0xFF);
            }
            if (length < 0) {
                throw ProtocolException.protocolError("WS_ERR_INVALID_LENGTH", "64-bit payload length with the most significant bit set");
            }
            p = 10;
        } else {
            length = len7;
        }
        if (masked != expectMasked) {
            throw ProtocolException.protocolError(expectMasked ? "WS_ERR_EXPECTED_MASK" : "WS_ERR_UNEXPECTED_MASK", expectMasked
                    ? "Unmasked frame from a client (RFC 6455 §5.1: clients must mask)"
                    : "Masked frame from a server (RFC 6455 §5.1: servers must not mask)");
        }
        if (Opcode.isControl(opcode) && length > 125) {
            throw ProtocolException.protocolError("WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH", "Control frame (" + Opcode.name(opcode)
                    + ") with a " + length + "-byte payload; the maximum is 125");
        }
        if (length > maxFrameSize) {
            throw new ProtocolException(CloseCodes.MESSAGE_TOO_BIG,
                    "Frame of " + length + " bytes exceeds the frame size limit of " + maxFrameSize + " bytes");
        }
        if (masked) {
            maskKey = ((head[p] & 0xFF) << 24) | ((head[p + 1] & 0xFF) << 16)
                    | ((head[p + 2] & 0xFF) << 8) | (head[p + 3] & 0xFF);
            maskPhase = 0;
        }
        remaining = length;
        inPayload = length > 0;
        listener.onFrameStart(fin, rsv, opcode, length);
    }

    private static String rsvNames(int bits) {
        StringBuilder sb = new StringBuilder();
        if ((bits & 4) != 0) sb.append("RSV1 ");
        if ((bits & 2) != 0) sb.append("RSV2 ");
        if ((bits & 1) != 0) sb.append("RSV3 ");
        return sb.toString().trim();
    }
}
