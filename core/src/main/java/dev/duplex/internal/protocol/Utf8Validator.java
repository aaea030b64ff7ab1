package dev.duplex.internal.protocol;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Incremental, fail-fast UTF-8 validation (RFC 3629), for text messages that arrive in pieces.
 *
 * <p>The validator rejects a sequence at the first byte that cannot continue any valid
 * encoding: overlong forms, surrogates (U+D800–U+DFFF) and code points above U+10FFFF are caught
 * on their second byte, as RFC 6455 §8.1 expects ("as soon as the bytes allow"). State carries
 * across calls, so a code point split between frames or reads is handled.
 */
public final class Utf8Validator {
    // States: 0 accept; 1..3 that many continuation bytes (0x80-0xBF) still due; the others
    // restrict the next byte's range and then behave like 1 or 2.
    private static final int ACCEPT = 0;
    private static final int AFTER_E0 = 4; // next A0-BF (no overlongs), then 1
    private static final int AFTER_ED = 5; // next 80-9F (no surrogates), then 1
    private static final int AFTER_F0 = 6; // next 90-BF (no overlongs), then 2
    private static final int AFTER_F4 = 7; // next 80-8F (max U+10FFFF), then 2
    private static final int REJECT = -1;

    private int state = ACCEPT;

    /** Validates the next bytes; false once the input can no longer be valid UTF-8. */
    public boolean feed(byte[] bytes, int offset, int length) {
        if (state == REJECT) {
            return false;
        }
        int s = state;
        int i = offset;
        int end = offset + length;
        while (i < end) {
            if (s == ACCEPT) {
                // ASCII fast path: skip eight bytes at a time when none has the high bit.
                while (i + 8 <= end && (readLong(bytes, i) & 0x8080808080808080L) == 0) {
                    i += 8;
                }
                while (i < end && bytes[i] >= 0) {
                    i++;
                }
                if (i == end) {
                    break;
                }
                // A whole multi-byte sequence is checked at once (one branch on its length rather
                // than a trip through the state machine per byte); an invalid one, or one cut by
                // the end of the input, goes through the state machine below.
                int n = wholeSequence(bytes, i, end);
                if (n != 0) {
                    i += n;
                    continue;
                }
            }
            s = next(s, bytes[i++] & 0xff);
            if (s == REJECT) {
                state = REJECT;
                return false;
            }
        }
        state = s;
        return true;
    }

    /** Validates the remaining bytes of {@code buffer} without moving its position. */
    public boolean feed(ByteBuffer buffer) {
        if (state == REJECT) {
            return false;
        }
        if (buffer.hasArray()) {
            return feed(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
        }
        int s = state;
        for (int i = buffer.position(); i < buffer.limit(); i++) {
            int b = buffer.get(i) & 0xff;
            if (s == ACCEPT && b < 0x80) {
                continue;
            }
            s = next(s, b);
            if (s == REJECT) {
                state = REJECT;
                return false;
            }
        }
        state = s;
        return true;
    }

    /** True if everything fed so far is valid and ends on a code point boundary. */
    public boolean isComplete() {
        return state == ACCEPT;
    }

    /** True if the input has already been rejected. */
    public boolean isRejected() {
        return state == REJECT;
    }

    public void reset() {
        state = ACCEPT;
    }

    /** Validates a whole byte range at once. */
    public static boolean isValid(byte[] bytes, int offset, int length) {
        Utf8Validator v = new Utf8Validator();
        return v.feed(bytes, offset, length) && v.isComplete();
    }

    public static boolean isValid(byte[] bytes) {
        return isValid(bytes, 0, bytes.length);
    }

    private static int next(int s, int b) {
        switch (s) {
            case ACCEPT:
                if (b < 0x80) return ACCEPT;
                if (b < 0xC2) return REJECT;            // continuation byte or overlong C0/C1
                if (b < 0xE0) return 1;
                if (b == 0xE0) return AFTER_E0;
                if (b == 0xED) return AFTER_ED;
                if (b < 0xF0) return 2;
                if (b == 0xF0) return AFTER_F0;
                if (b < 0xF4) return 3;
                if (b == 0xF4) return AFTER_F4;
                return REJECT;                          // F5..FF never appear in UTF-8
            case 1:
            case 2:
            case 3:
                return (b & 0xC0) == 0x80 ? s - 1 : REJECT;
            case AFTER_E0:
                return b >= 0xA0 && b <= 0xBF ? 1 : REJECT;
            case AFTER_ED:
                return b >= 0x80 && b <= 0x9F ? 1 : REJECT;
            case AFTER_F0:
                return b >= 0x90 && b <= 0xBF ? 2 : REJECT;
            case AFTER_F4:
                return b >= 0x80 && b <= 0x8F ? 2 : REJECT;
            default:
                return REJECT;
        }
    }

    /**
     * The length of the valid 2-, 3- or 4-byte sequence starting at {@code a[i]} (a byte of
     * 0x80 or more), or 0 if it is invalid or runs past {@code end}. Same rules as {@link #next}.
     */
    private static int wholeSequence(byte[] a, int i, int end) {
        int b0 = a[i] & 0xff;
        if (b0 < 0xE0) {
            return b0 >= 0xC2 && i + 1 < end && isContinuation(a[i + 1]) ? 2 : 0;
        }
        if (b0 < 0xF0) {
            if (i + 2 >= end) {
                return 0;
            }
            int b1 = a[i + 1] & 0xff;
            int low = b0 == 0xE0 ? 0xA0 : 0x80;      // no overlongs
            int high = b0 == 0xED ? 0x9F : 0xBF;     // no surrogates
            return b1 >= low && b1 <= high && isContinuation(a[i + 2]) ? 3 : 0;
        }
        if (b0 > 0xF4 || i + 3 >= end) {
            return 0;
        }
        int b1 = a[i + 1] & 0xff;
        int low = b0 == 0xF0 ? 0x90 : 0x80;          // no overlongs
        int high = b0 == 0xF4 ? 0x8F : 0xBF;         // nothing above U+10FFFF
        return b1 >= low && b1 <= high && isContinuation(a[i + 2]) && isContinuation(a[i + 3]) ? 4 : 0;
    }

    private static boolean isContinuation(byte b) {
        return (b & 0xC0) == 0x80;
    }

    private static long readLong(byte[] a, int i) {
        return (long) LONGS.get(a, i);
    }

    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
}
