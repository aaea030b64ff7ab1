package dev.duplex.internal.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Writes RFC 6455 §5.2 frame headers: the shortest length encoding, and the mask key if any. */
public final class FrameEncoder {
    /** The largest header: 2 bytes, a 64-bit length, a 4-byte mask key. */
    public static final int MAX_HEADER_SIZE = 14;

    private FrameEncoder() {}

    public static int headerSize(long payloadLength, boolean masked) {
        int n = payloadLength <= 125 ? 2 : payloadLength <= 0xFFFF ? 4 : 10;
        return masked ? n + 4 : n;
    }

    /**
     * Puts a header at {@code dst}'s position.
     *
     * @param rsv the reserved bits, 0x4 for RSV1
     * @param masked whether a mask key follows (clients always mask)
     */
    public static void writeHeader(ByteBuffer dst, boolean fin, int rsv, int opcode, long payloadLength,
                                   boolean masked, int maskKey) {
        writeHeader(dst, firstByte(fin, rsv, opcode), payloadLength, masked, maskKey);
    }

    /** The first header byte: FIN, the reserved bits ({@code rsv}, 0x4 for RSV1) and the opcode. */
    public static int firstByte(boolean fin, int rsv, int opcode) {
        return (fin ? 0x80 : 0) | (rsv << 4) | opcode;
    }

    /** Puts a header whose first byte is {@code firstByte} (see {@link #firstByte}) at {@code dst}'s position. */
    public static void writeHeader(ByteBuffer dst, int firstByte, long payloadLength, boolean masked, int maskKey) {
        // Network byte order (RFC 6455 §5.2) whatever order the caller's buffer is set to.
        ByteOrder order = dst.order();
        dst.order(ByteOrder.BIG_ENDIAN);
        dst.put((byte) firstByte);
        int maskBit = masked ? 0x80 : 0;
        if (payloadLength <= 125) {
            dst.put((byte) (maskBit | payloadLength));
        } else if (payloadLength <= 0xFFFF) {
            dst.put((byte) (maskBit | 126));
            dst.putShort((short) payloadLength);
        } else {
            dst.put((byte) (maskBit | 127));
            dst.putLong(payloadLength);
        }
        if (masked) {
            dst.putInt(maskKey);
        }
        dst.order(order);
    }

    /** A fresh header buffer, flipped and ready to write. */
    public static ByteBuffer header(boolean fin, int rsv, int opcode, long payloadLength, boolean masked, int maskKey) {
        return header(firstByte(fin, rsv, opcode), payloadLength, masked, maskKey);
    }

    /** A fresh header buffer, flipped and ready to write. */
    public static ByteBuffer header(int firstByte, long payloadLength, boolean masked, int maskKey) {
        ByteBuffer b = ByteBuffer.allocate(headerSize(payloadLength, masked));
        writeHeader(b, firstByte, payloadLength, masked, maskKey);
        return b.flip();
    }
}
