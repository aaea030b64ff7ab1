package dev.duplex.internal.protocol;

import static dev.duplex.internal.protocol.Wire.hex;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link Utf8Validator} against the JDK's UTF-8 decoder (strict, REPORT) as the reference for
 * validity, and against the JDK's UTF-8 encoder for which prefixes can still become valid.
 */
class Utf8ValidatorTest {

    // ------------------------------------------------------------------ reference

    private static final ThreadLocal<CharsetDecoder> DECODER = ThreadLocal.withInitial(() ->
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT));

    /** The JDK decoder's verdict; CoderResult instead of exceptions keeps the exhaustive tests fast. */
    static boolean referenceValid(byte[] b, int off, int len) {
        CharsetDecoder d = DECODER.get().reset();
        CharBuffer out = CharBuffer.allocate(len + 4);
        CoderResult r = d.decode(ByteBuffer.wrap(b, off, len), out, true);
        if (r.isError()) {
            return false;
        }
        if (!r.isUnderflow()) {
            throw new AssertionError("reference decoder: " + r);
        }
        return !d.flush(out).isError();
    }

    /** The same through the exception-throwing API, to cross-check the above. */
    static boolean referenceValidByException(byte[] b) {
        try {
            DECODER.get().reset().decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    static boolean referenceValid(byte[] b) {
        return referenceValid(b, 0, b.length);
    }

    /** Every proper prefix (1..3 bytes) of the UTF-8 encoding of a Unicode scalar value, as hex. */
    private static Set<String> properPrefixes;
    /** The same, packed as {@code length << 24 | bytes} for speed. */
    private static Set<Integer> packedPrefixes;

    @BeforeAll
    static void buildPrefixes() {
        properPrefixes = new HashSet<>();
        packedPrefixes = new HashSet<>();
        for (int cp = 0x80; cp <= 0x10FFFF; cp++) {
            if (cp >= 0xD800 && cp <= 0xDFFF) {
                continue;
            }
            byte[] e = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
            for (int k = 1; k < e.length; k++) {
                properPrefixes.add(hex(Arrays.copyOf(e, k)));
                packedPrefixes.add(pack(e, 0, k));
            }
        }
    }

    /**
     * True if some continuation makes {@code b[0..len)} valid UTF-8: it splits into a part the
     * reference decoder accepts and a tail of at most 3 bytes that begins some valid encoding.
     * {@code validUpTo[k]} says whether the reference accepts {@code b[0..k)}.
     */
    static boolean extendable(byte[] b, int len, boolean[] validUpTo) {
        for (int k = len; k >= Math.max(0, len - 3); k--) {
            boolean tailOk = k == len || packedPrefixes.contains(pack(b, k, len));
            if (tailOk && validUpTo[k]) {
                return true;
            }
        }
        return false;
    }

    private static int pack(byte[] b, int from, int to) {
        int v = (to - from) << 24;
        for (int i = from; i < to; i++) {
            v |= (b[i] & 0xFF) << (8 * (to - 1 - i));
        }
        return v;
    }

    /** Index of the first byte after which no continuation is valid, or -1. */
    static int firstFailure(byte[] b) {
        boolean[] validUpTo = new boolean[b.length + 1];
        for (int k = 0; k <= b.length; k++) {
            validUpTo[k] = referenceValid(b, 0, k);
        }
        for (int i = 0; i < b.length; i++) {
            if (!extendable(b, i + 1, validUpTo)) {
                return i;
            }
        }
        return -1;
    }

    // ------------------------------------------------------------------ the reference itself

    @Test
    void referenceDecoderIsStrict() {
        // JDK 17's decoder rejects what RFC 3629 forbids: overlongs, surrogates, > U+10FFFF.
        for (String bad : List.of("c080", "c1bf", "e08080", "e09fbf", "f0808080", "f08fbfbf",
                "eda080", "edbfbf", "eda080edb080", "f4908080", "f5808080", "ff", "80", "c2", "e2 82", "f09f98")) {
            assertThat(referenceValid(hex(bad))).as(bad).isFalse();
            assertThat(referenceValidByException(hex(bad))).as(bad).isFalse();
        }
        for (String good : List.of("", "00", "7f", "c280", "dfbf", "e0a080", "ed9fbf", "ee8080", "efbfbf",
                "f0908080", "f48fbfbf", "e282ac", "f09f9880")) {
            assertThat(referenceValid(hex(good))).as(good).isTrue();
            assertThat(referenceValidByException(hex(good))).as(good).isTrue();
        }
        assertThat(properPrefixes).contains("c2", "e0a0", "f090", "f48f", "f48fbf", "ed9f")
                .doesNotContain("c0", "c1", "e080", "eda0", "f080", "f490", "f5", "80");
    }

    // ------------------------------------------------------------------ edges

    private static final String[][] EDGES = {
        // boundaries, valid on both sides
        {"7f", "valid"}, {"c280", "valid"}, {"dfbf", "valid"}, {"e0a080", "valid"}, {"efbfbf", "valid"},
        {"f0908080", "valid"}, {"f48fbfbf", "valid"}, {"ed9fbf", "valid"}, {"ee8080", "valid"},
        {"e1808080".substring(0, 6), "valid"}, {"f1808080", "valid"}, {"f3bfbfbf", "valid"}, {"ecbfbf", "valid"},
        {"", "valid"}, {"00", "valid"}, {"48656c6c6f", "valid"}, {"cebae1bdb9cf83cebcceb5", "valid"},
        // U+110000 and above
        {"f4908080", "invalid"}, {"f7bfbfbf", "invalid"},
        // surrogates, first and last
        {"eda080", "invalid"}, {"edafbf", "invalid"}, {"edb080", "invalid"}, {"edbfbf", "invalid"},
        // overlongs
        {"c080", "invalid"}, {"c1bf", "invalid"}, {"e08080", "invalid"}, {"e09fbf", "invalid"},
        {"f0808080", "invalid"}, {"f08fbfbf", "invalid"}, {"c0af", "invalid"}, {"e080af", "invalid"},
        // lead bytes that never occur
        {"f5", "invalid"}, {"f6", "invalid"}, {"f7", "invalid"}, {"f8", "invalid"}, {"f8888080", "invalid"},
        {"fc8480808080", "invalid"}, {"fe", "invalid"}, {"ff", "invalid"},
        // lone continuation bytes
        {"80", "invalid"}, {"bf", "invalid"}, {"41bf", "invalid"}, {"c280bf", "invalid"},
        // truncated sequences
        {"c2", "invalid"}, {"e0a0", "invalid"}, {"e2", "invalid"}, {"f09f98", "invalid"}, {"f4", "invalid"},
        {"f48fbf", "invalid"}, {"c241", "invalid"}, {"e28241", "invalid"}, {"f09f9841", "invalid"},
    };

    @Test
    void edgeSequencesAgreeWithReferenceAndExpectation() {
        for (String[] e : EDGES) {
            byte[] b = hex(e[0]);
            boolean expected = e[1].equals("valid");
            assertThat(referenceValid(b)).as("reference " + e[0]).isEqualTo(expected);
            assertThat(Utf8Validator.isValid(b)).as(e[0]).isEqualTo(expected);
            checkAgainstReference(b, new Random(e[0].hashCode()));
        }
    }

    @Test
    void surrogateRangeAndFailFastOnSecondByte() {
        for (int b2 = 0xA0; b2 <= 0xBF; b2++) {
            Utf8Validator v = new Utf8Validator();
            assertThat(v.feed(new byte[] {(byte) 0xED}, 0, 1)).isTrue();
            assertThat(v.feed(new byte[] {(byte) b2}, 0, 1)).as("ED %02X", b2).isFalse();
        }
        // Overlongs and > U+10FFFF fail on their second byte too.
        for (String s : List.of("e080", "e09f", "f080", "f08f", "f490", "f4bf")) {
            byte[] b = hex(s);
            Utf8Validator v = new Utf8Validator();
            assertThat(v.feed(b, 0, 1)).as(s).isTrue();
            assertThat(v.feed(b, 1, 1)).as(s).isFalse();
            assertThat(firstFailure(b)).as(s).isEqualTo(1);
        }
        // C0, C1 and F5..FF fail on their first byte.
        for (int lead : new int[] {0xC0, 0xC1, 0xF5, 0xF8, 0xFF}) {
            assertThat(new Utf8Validator().feed(new byte[] {(byte) lead}, 0, 1)).isFalse();
        }
    }

    @Test
    void everyScalarValueIsValidAndEverySurrogateInvalid() {
        Utf8Validator v = new Utf8Validator();
        for (int cp = 0; cp <= 0x10FFFF; cp++) {
            if (cp >= 0xD800 && cp <= 0xDFFF) {
                byte[] cesu = {(byte) 0xED, (byte) (0x80 | ((cp >> 6) & 0x3F)), (byte) (0x80 | (cp & 0x3F))};
                assertThat(Utf8Validator.isValid(cesu)).as("U+%X", cp).isFalse();
                continue;
            }
            byte[] e = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
            if (!v.feed(e, 0, e.length)) {
                throw new AssertionError(String.format("U+%X rejected", cp));
            }
        }
        assertThat(v.isComplete()).isTrue();
    }

    /** All 1- and 2-byte inputs, exhaustively. */
    @Test
    void allShortInputs() {
        for (int a = 0; a < 256; a++) {
            checkAgainstReference(new byte[] {(byte) a}, null);
            for (int b = 0; b < 256; b++) {
                checkAgainstReference(new byte[] {(byte) a, (byte) b}, null);
            }
        }
    }

    /** Every 3- and 4-byte combination of bytes on either side of each boundary. */
    @Test
    void allBoundaryByteCombinations() {
        int[] interesting = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF,
                0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF};
        byte[] b = new byte[4];
        for (int x0 : interesting) {
            for (int x1 : interesting) {
                for (int x2 : interesting) {
                    checkAgainstReference(new byte[] {(byte) x0, (byte) x1, (byte) x2}, null);
                    for (int x3 : interesting) {
                        b[0] = (byte) x0;
                        b[1] = (byte) x1;
                        b[2] = (byte) x2;
                        b[3] = (byte) x3;
                        checkAgainstReference(b, null);
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ random

    @Test
    void randomSequencesBiasedTowardHighBytes() {
        Random r = new Random(42);
        int invalid = 0;
        int rounds = 20000;
        for (int round = 0; round < rounds; round++) {
            byte[] b = randomBiased(r, r.nextInt(40));
            if (!referenceValid(b)) {
                invalid++;
            }
            checkAgainstReference(b, r);
        }
        // Both outcomes must be well represented, or the comparison proves little.
        assertThat(invalid).isBetween(rounds / 10, rounds - rounds / 10);
    }

    @Test
    void randomValidTextChoppedAnywhere() {
        Random r = new Random(7);
        for (int round = 0; round < 3000; round++) {
            byte[] b = randomText(r, r.nextInt(25)).getBytes(StandardCharsets.UTF_8);
            assertThat(referenceValid(b)).isTrue();
            checkAgainstReference(b, r);
            // A valid text with one byte replaced is checked the same way.
            if (b.length > 0) {
                byte[] c = b.clone();
                c[r.nextInt(c.length)] = (byte) (0x80 + r.nextInt(128));
                checkAgainstReference(c, r);
            }
        }
    }

    /** Mixes ASCII runs (exercising the 8-byte fast path) with multi-byte and bad sequences. */
    static byte[] randomBiased(Random r, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            int k = r.nextInt(10);
            if (k < 2) {
                b[i] = (byte) r.nextInt(0x80);
            } else if (k < 3) {
                b[i] = (byte) (0x80 + r.nextInt(0x40)); // continuation bytes
            } else if (k < 4) {
                b[i] = (byte) (0xC0 + r.nextInt(0x40)); // lead bytes
            } else {
                // a whole valid code point, so that valid inputs are common
                byte[] cp = randomText(r, 1).getBytes(StandardCharsets.UTF_8);
                int m = Math.min(cp.length, n - i);
                System.arraycopy(cp, 0, b, i, m);
                i += m - 1;
            }
        }
        return b;
    }

    static String randomText(Random r, int codePoints) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < codePoints; i++) {
            int k = r.nextInt(5);
            int cp;
            if (k == 0) {
                cp = r.nextInt(0x80);
            } else if (k == 1) {
                cp = 0x80 + r.nextInt(0x800 - 0x80);
            } else if (k == 2) {
                do {
                    cp = 0x800 + r.nextInt(0x10000 - 0x800);
                } while (cp >= 0xD800 && cp <= 0xDFFF);
            } else if (k == 3) {
                cp = 0x10000 + r.nextInt(0x110000 - 0x10000);
            } else {
                // ASCII run for the fast path
                for (int j = r.nextInt(20); j > 0; j--) {
                    sb.append((char) ('a' + r.nextInt(26)));
                }
                continue;
            }
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------ the comparison

    /**
     * Checks, for one input: whole-input validity equals the reference; fed byte by byte the
     * validator returns false exactly at the first byte after which the reference says no
     * continuation is valid; random choppings (array and heap/direct ByteBuffer) agree.
     */
    static void checkAgainstReference(byte[] b, Random chop) {
        boolean valid = referenceValid(b);
        int fail = firstFailure(b);
        check(!valid || fail == -1, b, "reference valid but a prefix is not extendable");

        check(Utf8Validator.isValid(b) == valid, b, "isValid should be " + valid);
        byte[] padded = new byte[b.length + 6];
        System.arraycopy(b, 0, padded, 3, b.length);
        check(Utf8Validator.isValid(padded, 3, b.length) == valid, b, "isValid at an offset should be " + valid);

        // Byte by byte: false exactly at the first failing byte.
        Utf8Validator v = new Utf8Validator();
        for (int i = 0; i < b.length; i++) {
            boolean ok = v.feed(b, i, 1);
            boolean expectOk = fail < 0 || i < fail;
            if (ok != expectOk || v.isRejected() == expectOk) {
                check(false, b, "byte " + i + ": feed returned " + ok + ", first failure is at " + fail);
            }
            if (!ok) {
                break;
            }
        }
        check(v.isComplete() == (fail < 0 && valid), b, "byte-by-byte isComplete");

        // Whole at once.
        Utf8Validator w = new Utf8Validator();
        check(w.feed(b, 0, b.length) == (fail < 0), b, "whole feed");
        check(w.isComplete() == valid, b, "whole isComplete");

        if (chop == null) {
            return;
        }
        // Random choppings: as a byte range, a heap ByteBuffer and a direct ByteBuffer.
        for (int mode = 0; mode < 3; mode++) {
            Utf8Validator c = new Utf8Validator();
            int pos = 0;
            boolean rejected = false;
            while (pos < b.length) {
                int n = 1 + chop.nextInt(Math.min(b.length - pos, 12));
                boolean ok;
                if (mode == 0) {
                    ok = c.feed(b, pos, n);
                } else {
                    ByteBuffer buf = mode == 1 ? ByteBuffer.allocate(b.length + 2) : ByteBuffer.allocateDirect(b.length + 2);
                    buf.put(0, (byte) 0xFF).put(b.length + 1, (byte) 0xFF);
                    for (int i = 0; i < b.length; i++) {
                        buf.put(i + 1, b[i]);
                    }
                    buf.limit(pos + 1 + n).position(pos + 1);
                    ok = c.feed(buf);
                    check(buf.position() == pos + 1, b, "feed(ByteBuffer) moved the position");
                }
                boolean containsFailure = fail >= pos && fail < pos + n;
                check(ok == !containsFailure, b, "mode " + mode + " chunk [" + pos + "," + (pos + n) + ") returned " + ok
                        + ", first failure at " + fail);
                pos += n;
                if (!ok) {
                    rejected = true;
                    break;
                }
            }
            if (!rejected) {
                check(c.isComplete() == valid, b, "mode " + mode + " isComplete");
            }
        }
    }

    private static void check(boolean condition, byte[] input, String what) {
        if (!condition) {
            throw new AssertionError(what + " for input " + hex(input));
        }
    }

    // ------------------------------------------------------------------ state

    @Test
    void rejectionIsSticky() {
        Utf8Validator v = new Utf8Validator();
        assertThat(v.feed(hex("41ff"), 0, 2)).isFalse();
        assertThat(v.isRejected()).isTrue();
        assertThat(v.feed(hex("41"), 0, 1)).isFalse();
        assertThat(v.feed(ByteBuffer.wrap(hex("4142434445464748494a"))) ).isFalse();
        assertThat(v.feed(new byte[0], 0, 0)).isFalse();
        assertThat(v.feed(ByteBuffer.allocateDirect(0))).isFalse();
        assertThat(v.isComplete()).isFalse();
        v.reset();
        assertThat(v.isRejected()).isFalse();
        assertThat(v.isComplete()).isTrue();
        assertThat(v.feed(hex("41"), 0, 1)).isTrue();
    }

    @Test
    void codePointSplitAcrossCallsIsAccepted() {
        byte[] smile = hex("f09f9880");
        for (int cut = 1; cut < 4; cut++) {
            Utf8Validator v = new Utf8Validator();
            assertThat(v.feed(smile, 0, cut)).isTrue();
            assertThat(v.isComplete()).isFalse();
            assertThat(v.feed(smile, cut, 4 - cut)).isTrue();
            assertThat(v.isComplete()).isTrue();
        }
    }

    @Test
    void asciiFastPathStopsAtTheFirstHighByte() {
        // A bad byte at each position of a long ASCII run, including after 8-byte blocks.
        for (int n = 0; n < 40; n++) {
            byte[] b = new byte[40];
            Arrays.fill(b, (byte) 'a');
            b[n] = (byte) 0x80;
            Utf8Validator v = new Utf8Validator();
            assertThat(v.feed(b, 0, n)).isTrue();
            assertThat(v.feed(b, n, 40 - n)).as("bad at %d", n).isFalse();
            assertThat(Utf8Validator.isValid(b)).isFalse();
            // And the fast path must not read outside [offset, offset + length).
            assertThat(Utf8Validator.isValid(b, 0, n)).isTrue();
            assertThat(Utf8Validator.isValid(b, n + 1, 39 - n)).isTrue();
        }
    }
}
