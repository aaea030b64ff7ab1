package dev.duplex.internal.protocol;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The XOR masking of RFC 6455 §5.3, eight bytes at a time. {@code phase} is the index into the
 * 4-byte key of the first byte being masked, so a payload can be (un)masked in pieces.
 */
public final class Masking {
    // Native byte order: no byte swap per 8 bytes; the key is arranged to match (keyLong).
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final boolean LITTLE = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    /** The rotated key twice, as a long whose bytes in memory (native order) are the key's in order. */
    private static long keyLong(int k) {
        long big = ((k & 0xFFFFFFFFL) << 32) | (k & 0xFFFFFFFFL);
        return LITTLE ? Long.reverseBytes(big) : big;
    }

    private Masking() {}

    /** Masks {@code len} bytes of {@code a} from {@code off} in place; returns the phase after them. */
    public static int mask(byte[] a, int off, int len, int key, int phase) {
        int k = Integer.rotateLeft(key, 8 * phase);
        long m = keyLong(k);
        int i = off;
        int end = off + len;
        // Four longs loaded before any is stored: about 1.5x the speed of one at a time on
        // JDK 17 (C2 does not vectorise view-var-handle loops on its own).
        for (; i + 32 <= end; i += 32) {
            long w0 = (long) LONGS.get(a, i);
            long w1 = (long) LONGS.get(a, i + 8);
            long w2 = (long) LONGS.get(a, i + 16);
            long w3 = (long) LONGS.get(a, i + 24);
            LONGS.set(a, i, w0 ^ m);
            LONGS.set(a, i + 8, w1 ^ m);
            LONGS.set(a, i + 16, w2 ^ m);
            LONGS.set(a, i + 24, w3 ^ m);
        }
        for (; i + 8 <= end; i += 8) {
            LONGS.set(a, i, (long) LONGS.get(a, i) ^ m);
        }
        for (int shift = 24; i < end; i++, shift -= 8) {
            a[i] ^= (byte) (k >>> shift);
        }
        return (phase + len) & 3;
    }

    /** Copies {@code len} bytes from {@code src} to {@code dst}, masking them on the way. */
    public static int maskCopy(byte[] src, int srcOff, byte[] dst, int dstOff, int len, int key, int phase) {
        int k = Integer.rotateLeft(key, 8 * phase);
        long m = keyLong(k);
        int i = 0;
        for (; i + 32 <= len; i += 32) {      // four at a time, as in mask()
            long w0 = (long) LONGS.get(src, srcOff + i);
            long w1 = (long) LONGS.get(src, srcOff + i + 8);
            long w2 = (long) LONGS.get(src, srcOff + i + 16);
            long w3 = (long) LONGS.get(src, srcOff + i + 24);
            LONGS.set(dst, dstOff + i, w0 ^ m);
            LONGS.set(dst, dstOff + i + 8, w1 ^ m);
            LONGS.set(dst, dstOff + i + 16, w2 ^ m);
            LONGS.set(dst, dstOff + i + 24, w3 ^ m);
        }
        for (; i + 8 <= len; i += 8) {
            LONGS.set(dst, dstOff + i, (long) LONGS.get(src, srcOff + i) ^ m);
        }
        for (int shift = 24; i < len; i++, shift -= 8) {
            dst[dstOff + i] = (byte) (src[srcOff + i] ^ (k >>> shift));
        }
        return (phase + len) & 3;
    }

    /** Masks the remaining bytes of {@code buf} in place without moving its position. */
    public static int mask(ByteBuffer buf, int key, int phase) {
        if (buf.hasArray()) {
            return mask(buf.array(), buf.arrayOffset() + buf.position(), buf.remaining(), key, phase);
        }
        int k = Integer.rotateLeft(key, 8 * phase);
        long m = ((k & 0xFFFFFFFFL) << 32) | (k & 0xFFFFFFFFL);
        ByteOrder order = buf.order();
        buf.order(ByteOrder.BIG_ENDIAN);
        int i = buf.position();
        int end = buf.limit();
        for (; i + 8 <= end; i += 8) {
            buf.putLong(i, buf.getLong(i) ^ m);
        }
        for (int shift = 24; i < end; i++, shift -= 8) {
            buf.put(i, (byte) (buf.get(i) ^ (k >>> shift)));
        }
        buf.order(order);
        return (phase + buf.remaining()) & 3;
    }
}
