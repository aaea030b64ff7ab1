package dev.duplex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BlobTest {

    private static byte[] range(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    /**
     * A blob that is not array-backed, as a file-backed one would be: byte i is (i mod 251).
     * Exercises the generic implementations in Blob.
     */
    static final class ComputedBlob extends Blob {
        private final long size;

        ComputedBlob(long size, String type) {
            super(type);
            this.size = size;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        int read(long position, byte[] dst, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (position >= size) {
                return -1;
            }
            // return short reads on purpose, as a file might
            int n = (int) Math.min(Math.min(len, 7), size - position);
            for (int i = 0; i < n; i++) {
                dst[off + i] = (byte) ((position + i) % 251);
            }
            return n;
        }
    }

    @Test
    void ofBytesCopiesTheArray() {
        byte[] source = bytes(1, 2, 3);
        Blob blob = Blob.of(source);
        source[0] = 99;

        assertThat(blob.size()).isEqualTo(3);
        assertThat(blob.bytes()).containsExactly(1, 2, 3);
        assertThat(blob.type()).isEmpty();
    }

    @Test
    void bytesReturnsAFreshCopyEachTime() {
        Blob blob = Blob.of(bytes(1, 2, 3));
        byte[] first = blob.bytes();
        first[0] = 42;
        assertThat(blob.bytes()).containsExactly(1, 2, 3);
        assertThat(blob.bytes()).isNotSameAs(blob.bytes());
    }

    @Test
    void wrapTakesOwnershipWithoutCopying() {
        byte[] source = bytes(1, 2, 3);
        Blob blob = Blob.wrap(source);
        source[0] = 7; // the library never does this; shows that no copy was made
        assertThat(blob.bytes()).containsExactly(7, 2, 3);
        assertThat(Blob.wrap(range(10), 2, 3).bytes()).containsExactly(2, 3, 4);
    }

    @Test
    void ofStringIsUtf8() {
        Blob blob = Blob.of("h\u00e9llo \u20ac \uD83D\uDE00");
        assertThat(blob.bytes()).isEqualTo("h\u00e9llo \u20ac \uD83D\uDE00".getBytes(StandardCharsets.UTF_8));
        assertThat(blob.size()).isEqualTo(1 + 2 + 3 + 1 + 3 + 1 + 4);
        assertThat(blob.text()).isEqualTo("h\u00e9llo \u20ac \uD83D\uDE00");
        assertThat(blob.type()).isEmpty();
        assertThat(Blob.of("{}", "application/JSON").type()).isEqualTo("application/json");
    }

    @Test
    void ofStringReplacesUnpairedSurrogatesWithReplacementCharacter() {
        assertThat(Blob.of("a\uD800b").bytes()).containsExactly('a', 0xEF, 0xBF, 0xBD, 'b');
        assertThat(Blob.of("\uDC00").bytes()).containsExactly(0xEF, 0xBF, 0xBD);
        assertThat(Blob.of("x\uD83D").text()).isEqualTo("x\uFFFD");
    }

    @Test
    void nullArgumentsAreRejected() {
        assertThatThrownBy(() -> Blob.of((byte[]) null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Blob.of((String) null)).isInstanceOf(NullPointerException.class);
        assertThat(Blob.of(new byte[0], null).type()).isEmpty();
    }

    @ParameterizedTest(name = "type \"{0}\" -> \"{1}\"")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        "text/plain|text/plain",
        "Text/PLAIN;Charset=UTF-8|text/plain;charset=utf-8",
        "''|''",
        "' image/png '|' image/png '",
        "'~!@#$%^&*()'|'~!@#$%^&*()'",
        "text/pl\u00e4in|''",
    })
    void typeIsNormalizedAsTheFileApiSays(String given, String expected) {
        assertThat(Blob.of(new byte[0], given).type()).isEqualTo(expected);
        assertThat(Blob.of(range(5)).slice(0, 5, given).type()).isEqualTo(expected);
    }

    @Test
    void typeWithControlCharactersBecomesEmpty() {
        for (String type : new String[] {"a\tb", "a\nb", "text/plain\u007f", "\u0000", "x\u0100"}) {
            assertThat(Blob.of(new byte[0], type).type()).as("type %s", type).isEmpty();
            assertThat(Blob.of("x").slice(0, 1, type).type()).as("slice type %s", type).isEmpty();
        }
        assertThat(Blob.of(new byte[0], " !~").type()).isEqualTo(" !~");
    }

    @ParameterizedTest(name = "slice({0}, {1}) of 10 bytes")
    @CsvSource({
        "0, 10, 0, 10",
        "2, 5, 2, 5",
        "0, 0, 0, 0",
        "-3, 10, 7, 10",
        "-3, -1, 7, 9",
        "-1, 100, 9, 10",
        "5, 2, 0, 0",
        "-2, -5, 0, 0",
        "-100, 3, 0, 3",
        "-100, -100, 0, 0",
        "8, 100, 8, 10",
        "100, 200, 0, 0",
        "10, 10, 0, 0",
        "3, -3, 3, 7",
        "-9223372036854775808, 9223372036854775807, 0, 10",
    })
    void sliceFollowsTheFileApi(long start, long end, int from, int to) {
        Blob blob = Blob.of(range(10), "application/octet-stream");
        Blob slice = blob.slice(start, end);

        byte[] expected = new byte[to - from];
        for (int i = from; i < to; i++) {
            expected[i - from] = (byte) i;
        }
        assertThat(slice.bytes()).isEqualTo(expected);
        assertThat(slice.size()).isEqualTo(to - from);
        assertThat(slice.type()).isEmpty(); // slice(start, end) has no content type, as in JS
        // the generic (non-array) implementation agrees
        assertThat(new ComputedBlob(10, "").slice(start, end).bytes()).isEqualTo(expected);
    }

    @Test
    void sliceOverloads() {
        Blob blob = Blob.of(range(10), "a/b");
        assertThat(blob.slice().bytes()).isEqualTo(range(10));
        assertThat(blob.slice().type()).isEmpty();
        assertThat(blob.slice(7).bytes()).containsExactly(7, 8, 9);
        assertThat(blob.slice(-2).bytes()).containsExactly(8, 9);
        Blob typed = blob.slice(1, 3, "Text/Plain");
        assertThat(typed.bytes()).containsExactly(1, 2);
        assertThat(typed.type()).isEqualTo("text/plain");
        assertThat(blob.slice(0, 1, null).type()).isEmpty();
        assertThat(blob.type()).isEqualTo("a/b"); // unchanged
    }

    @Test
    void sliceOfSliceUsesTheRightOffsets() {
        Blob blob = Blob.of(range(20));
        Blob inner = blob.slice(5, 15).slice(2, -2);
        assertThat(inner.bytes()).containsExactly(7, 8, 9, 10, 11, 12);
        assertThat(inner.slice(-1).bytes()).containsExactly(12);
        assertThat(inner.text()).hasSize(6);

        Blob computed = new ComputedBlob(20, "").slice(5, 15).slice(2, -2);
        assertThat(computed.bytes()).containsExactly(7, 8, 9, 10, 11, 12);
    }

    @Test
    void textDecodesUtf8() {
        assertThat(Blob.of("\u65e5\u672c\u8a9e text".getBytes(StandardCharsets.UTF_8)).text())
                .isEqualTo("\u65e5\u672c\u8a9e text");
        assertThat(Blob.of(new byte[0]).text()).isEmpty();
    }

    @Test
    void textDropsALeadingByteOrderMarkOnly() {
        assertThat(Blob.of(bytes(0xEF, 0xBB, 0xBF, 'h', 'i')).text()).isEqualTo("hi");
        assertThat(Blob.of(bytes(0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF)).text()).isEqualTo("\uFEFF");
        assertThat(Blob.of(bytes('h', 0xEF, 0xBB, 0xBF)).text()).isEqualTo("h\uFEFF");
    }

    @Test
    void textReplacesMalformedSequencesAsTheEncodingStandardSays() {
        // lone continuation bytes: one U+FFFD each
        assertThat(Blob.of(bytes(0x80, 0x80)).text()).isEqualTo("\uFFFD\uFFFD");
        // invalid lead bytes
        assertThat(Blob.of(bytes('a', 0xFF, 'b')).text()).isEqualTo("a\uFFFDb");
        assertThat(Blob.of(bytes(0xC0, 0xAF)).text()).isEqualTo("\uFFFD\uFFFD");
        // truncated sequence followed by ASCII: one U+FFFD, ASCII kept
        assertThat(Blob.of(bytes(0xE2, 0x82, 'A')).text()).isEqualTo("\uFFFDA");
        // truncated at the end
        assertThat(Blob.of(bytes('x', 0xF0, 0x9F, 0x98)).text()).isEqualTo("x\uFFFD");
        // encoded surrogate: the JDK gives one U+FFFD, the Encoding standard three
        assertThat(Blob.of(bytes(0xED, 0xA0, 0x80)).text()).isEqualTo("\uFFFD\uFFFD\uFFFD");
        // overlong and out-of-range four-byte sequences
        assertThat(Blob.of(bytes(0xF0, 0x80, 0x80)).text()).isEqualTo("\uFFFD\uFFFD\uFFFD");
        assertThat(Blob.of(bytes(0xF4, 0x90, 0x80, 0x80)).text()).isEqualTo("\uFFFD\uFFFD\uFFFD\uFFFD");
        // valid text around the errors survives
        assertThat(Blob.of(bytes(0xC3, 0xA9, 0x80, 0xF0, 0x9F, 0x98, 0x80)).text()).isEqualTo("\u00e9\uFFFD\uD83D\uDE00");
    }

    @Test
    void arrayBufferIsAFreshIndependentBuffer() {
        Blob blob = Blob.of(bytes(1, 2, 3, 4)).slice(1);
        ByteBuffer buffer = blob.arrayBuffer();
        assertThat(buffer.position()).isZero();
        assertThat(buffer.limit()).isEqualTo(3);
        assertThat(buffer.capacity()).isEqualTo(3);
        assertThat(buffer.isReadOnly()).isFalse();
        assertThat(buffer.hasArray()).isTrue();
        assertThat(buffer.get(0)).isEqualTo((byte) 2);

        buffer.put(0, (byte) 99);
        assertThat(blob.bytes()).containsExactly(2, 3, 4);
        assertThat(blob.arrayBuffer()).isNotSameAs(blob.arrayBuffer());
        assertThat(blob.arrayBuffer().get(0)).isEqualTo((byte) 2);
    }

    @Test
    void streamReadsEverything() throws IOException {
        Blob blob = Blob.of(range(100)).slice(10, 90);
        try (InputStream in = blob.stream()) {
            assertThat(in.read()).isEqualTo(10);
            assertThat(in.skip(5)).isEqualTo(5);
            assertThat(in.read()).isEqualTo(16);
            byte[] rest = in.readAllBytes();
            assertThat(rest).hasSize(73);
            assertThat(rest[0]).isEqualTo((byte) 17);
            assertThat(rest[72]).isEqualTo((byte) 89);
            assertThat(in.read()).isEqualTo(-1);
        }
        // each call gives a new stream from the start
        assertThat(blob.stream().readAllBytes()).isEqualTo(blob.bytes());
        assertThat(Blob.of(new byte[0]).stream().read()).isEqualTo(-1);
    }

    @Test
    void genericStreamSupportsMarkSkipAndShortReads() throws IOException {
        Blob blob = new ComputedBlob(1000, "");
        InputStream in = blob.stream();
        assertThat(in.markSupported()).isTrue();
        assertThat(in.available()).isEqualTo(1000);
        assertThat(in.skip(500)).isEqualTo(500);
        in.mark(0);
        assertThat(in.read()).isEqualTo(500 % 251);
        in.reset();
        byte[] all = in.readAllBytes();
        assertThat(all).hasSize(500);
        assertThat(all[499] & 0xFF).isEqualTo(999 % 251);
        assertThat(in.read(new byte[4], 0, 4)).isEqualTo(-1);
        assertThat(in.skip(10)).isZero();
        assertThat(blob.bytes()).hasSize(1000);
        assertThat(blob.bytes()[998] & 0xFF).isEqualTo(998 % 251);
    }

    @Test
    void blobsLargerThanAnArrayCanOnlyBeStreamedOrSliced() throws IOException {
        long size = Integer.MAX_VALUE + 10L;
        Blob big = new ComputedBlob(size, "application/octet-stream");
        assertThat(big.size()).isEqualTo(size);

        assertThatThrownBy(big::bytes).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("bytes()").hasMessageContaining("stream()").hasMessageContaining(String.valueOf(size));
        assertThatThrownBy(big::arrayBuffer).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("stream()");
        assertThatThrownBy(big::text).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("text()");

        InputStream in = big.stream();
        assertThat(in.skip(size - 3)).isEqualTo(size - 3);
        assertThat(in.readAllBytes()).containsExactly(
                (byte) ((size - 3) % 251), (byte) ((size - 2) % 251), (byte) ((size - 1) % 251));

        Blob tail = big.slice(-4);
        assertThat(tail.size()).isEqualTo(4);
        assertThat(tail.bytes()[3]).isEqualTo((byte) ((size - 1) % 251));
        assertThat(big.slice(Integer.MAX_VALUE, Integer.MAX_VALUE + 2L).bytes())
                .containsExactly((byte) (Integer.MAX_VALUE % 251L), (byte) ((Integer.MAX_VALUE + 1L) % 251));
    }

    @Test
    void blobsAreComparedByIdentity() {
        Blob a = Blob.of("same");
        Blob b = Blob.of("same");
        assertThat(a).isNotEqualTo(b);
        assertThat(a).isEqualTo(a);
        assertThat(a.hashCode()).isEqualTo(System.identityHashCode(a));
    }

    @Test
    void toStringShowsSizeAndType() {
        assertThat(Blob.of("hello", "text/plain").toString()).isEqualTo("Blob[size=5, type=\"text/plain\"]");
        assertThat(Blob.of(new byte[0]).toString()).isEqualTo("Blob[size=0, type=\"\"]");
    }
}
