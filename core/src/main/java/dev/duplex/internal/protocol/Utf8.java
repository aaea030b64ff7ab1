package dev.duplex.internal.protocol;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Text and UTF-8, the one place for the rules: strings to bytes (WebIDL's USVString: refuse
 * unpaired surrogates where the API must throw, or replace them with U+FFFD where browsers
 * convert silently), and bytes to strings (the Encoding standard's "UTF-8 decode", with and
 * without BOM). Checking received text incrementally is {@link Utf8Validator}'s job.
 */
public final class Utf8 {
    private Utf8() {}

    /** The UTF-8 bytes of {@code s}, or null if it contains an unpaired surrogate. */
    public static byte[] encodeStrict(String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return null;
                }
            }
        }
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Replaces unpaired surrogates with U+FFFD (the IDL USVString conversion). */
    public static String toScalarValues(String s) {
        int length = s.length();
        for (int i = 0; i < length; i++) {
            if (Character.isSurrogate(s.charAt(i))) {
                return replaceLoneSurrogates(s, i);
            }
        }
        return s;
    }

    private static String replaceLoneSurrogates(String s, int from) {
        StringBuilder sb = new StringBuilder(s.length());
        sb.append(s, 0, from);
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                sb.append(c).append(s.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                sb.append('\uFFFD');
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /**
     * The Encoding standard's "UTF-8 decode": drops a leading BOM, replaces malformed
     * sequences with U+FFFD.
     */
    public static String decode(byte[] bytes, int offset, int length) {
        if (length >= 3 && bytes[offset] == (byte) 0xEF && bytes[offset + 1] == (byte) 0xBB
                && bytes[offset + 2] == (byte) 0xBF) {
            offset += 3;
            length -= 3;
        }
        try {
            // Fast path for valid input (the usual case); the JDK's replacement rules differ
            // from the Encoding standard's for some malformed input, hence the fallback.
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, offset, length));
            return chars.toString();
        } catch (CharacterCodingException e) {
            return decodeWithoutBom(bytes, offset, length);
        }
    }

    /**
     * The Encoding standard's "UTF-8 decode without BOM": a leading BOM is kept as U+FEFF,
     * malformed sequences are replaced with U+FFFD (one per maximal invalid subpart).
     */
    public static String decodeWithoutBom(byte[] bytes) {
        return decodeWithoutBom(bytes, 0, bytes.length);
    }

    private static String decodeWithoutBom(byte[] bytes, int offset, int length) {
        StringBuilder sb = new StringBuilder(length);
        int codePoint = 0;
        int needed = 0;
        int seen = 0;
        int lower = 0x80;
        int upper = 0xBF;
        int end = offset + length;
        int i = offset;
        while (i < end) {
            int b = bytes[i] & 0xFF;
            if (needed == 0) {
                i++;
                if (b <= 0x7F) {
                    sb.append((char) b);
                } else if (b >= 0xC2 && b <= 0xDF) {
                    needed = 1;
                    codePoint = b & 0x1F;
                } else if (b >= 0xE0 && b <= 0xEF) {
                    if (b == 0xE0) {
                        lower = 0xA0;
                    } else if (b == 0xED) {
                        upper = 0x9F;
                    }
                    needed = 2;
                    codePoint = b & 0x0F;
                } else if (b >= 0xF0 && b <= 0xF4) {
                    if (b == 0xF0) {
                        lower = 0x90;
                    } else if (b == 0xF4) {
                        upper = 0x8F;
                    }
                    needed = 3;
                    codePoint = b & 0x07;
                } else {
                    sb.append('\uFFFD');
                }
                continue;
            }
            if (b < lower || b > upper) {
                // The sequence is cut short: replace it and process this byte afresh.
                codePoint = 0;
                needed = 0;
                seen = 0;
                lower = 0x80;
                upper = 0xBF;
                sb.append('\uFFFD');
                continue;
            }
            i++;
            lower = 0x80;
            upper = 0xBF;
            codePoint = (codePoint << 6) | (b & 0x3F);
            if (++seen == needed) {
                sb.appendCodePoint(codePoint);
                codePoint = 0;
                needed = 0;
                seen = 0;
            }
        }
        if (needed != 0) {
            sb.append('\uFFFD');
        }
        return sb.toString();
    }
}
