package dev.duplex.internal.protocol;

import static dev.duplex.internal.protocol.Wire.concat;
import static dev.duplex.internal.protocol.Wire.hex;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** {@link FrameEncoder}: header bytes for RFC 6455 §5.7's examples and every length boundary. */
class FrameEncoderTest {
    private static final int KEY = 0x37fa213d;

    private static String header(boolean fin, int rsv, int opcode, long length, boolean masked, int key) {
        ByteBuffer b = FrameEncoder.header(fin, rsv, opcode, length, masked, key);
        assertThat(b.position()).isZero();
        assertThat(b.remaining()).isEqualTo(FrameEncoder.headerSize(length, masked));
        return hex(Wire.bytes(b));
    }

    @Test
    void rfcExampleHeaders() {
        assertThat(header(true, 0, Opcode.TEXT, 5, false, 0)).isEqualTo("8105");
        assertThat(header(true, 0, Opcode.TEXT, 5, true, KEY)).isEqualTo("818537fa213d");
        assertThat(header(false, 0, Opcode.TEXT, 3, false, 0)).isEqualTo("0103");
        assertThat(header(true, 0, Opcode.CONTINUATION, 2, false, 0)).isEqualTo("8002");
        assertThat(header(true, 0, Opcode.PING, 5, false, 0)).isEqualTo("8905");
        assertThat(header(true, 0, Opcode.PONG, 5, true, KEY)).isEqualTo("8a8537fa213d");
        assertThat(header(true, 0, Opcode.BINARY, 256, false, 0)).isEqualTo("827e0100");
        assertThat(header(true, 0, Opcode.BINARY, 65536, false, 0)).isEqualTo("827f0000000000010000");
    }

    @Test
    void rfcMaskedHelloWithMasking() {
        byte[] payload = Wire.utf8("Hello");
        Masking.mask(payload, 0, payload.length, KEY, 0);
        byte[] frame = concat(Wire.bytes(FrameEncoder.header(true, 0, Opcode.TEXT, 5, true, KEY)), payload);
        assertThat(frame).isEqualTo(hex("818537fa213d7f9f4d5158"));
        byte[] pong = Wire.utf8("Hello");
        Masking.mask(pong, 0, pong.length, KEY, 0);
        assertThat(concat(Wire.bytes(FrameEncoder.header(true, 0, Opcode.PONG, 5, true, KEY)), pong))
                .isEqualTo(hex("8a8537fa213d7f9f4d5158"));
    }

    @Test
    void lengthEncodingBoundaries() {
        assertThat(header(true, 0, Opcode.BINARY, 0, false, 0)).isEqualTo("8200");
        assertThat(header(true, 0, Opcode.BINARY, 1, false, 0)).isEqualTo("8201");
        assertThat(header(true, 0, Opcode.BINARY, 125, false, 0)).isEqualTo("827d");
        assertThat(header(true, 0, Opcode.BINARY, 126, false, 0)).isEqualTo("827e007e");
        assertThat(header(true, 0, Opcode.BINARY, 127, false, 0)).isEqualTo("827e007f");
        assertThat(header(true, 0, Opcode.BINARY, 65535, false, 0)).isEqualTo("827effff");
        assertThat(header(true, 0, Opcode.BINARY, 65536, false, 0)).isEqualTo("827f0000000000010000");
        assertThat(header(true, 0, Opcode.BINARY, 0x1234567890L, false, 0)).isEqualTo("827f0000001234567890");
        assertThat(header(true, 0, Opcode.BINARY, Long.MAX_VALUE, false, 0)).isEqualTo("827f7fffffffffffffff");
        // The same with a mask key: the mask bit and four key bytes after the length.
        assertThat(header(true, 0, Opcode.BINARY, 0, true, KEY)).isEqualTo("828037fa213d");
        assertThat(header(true, 0, Opcode.BINARY, 125, true, KEY)).isEqualTo("82fd37fa213d");
        assertThat(header(true, 0, Opcode.BINARY, 126, true, KEY)).isEqualTo("82fe007e37fa213d");
        assertThat(header(true, 0, Opcode.BINARY, 65535, true, KEY)).isEqualTo("82feffff37fa213d");
        assertThat(header(true, 0, Opcode.BINARY, 65536, true, KEY)).isEqualTo("82ff000000000001000037fa213d");
    }

    @Test
    void headerSizes() {
        long[] lengths = {0, 125, 126, 65535, 65536, Long.MAX_VALUE};
        int[] unmasked = {2, 2, 4, 4, 10, 10};
        for (int i = 0; i < lengths.length; i++) {
            assertThat(FrameEncoder.headerSize(lengths[i], false)).as("%d", lengths[i]).isEqualTo(unmasked[i]);
            assertThat(FrameEncoder.headerSize(lengths[i], true)).as("%d masked", lengths[i]).isEqualTo(unmasked[i] + 4);
        }
        assertThat(FrameEncoder.MAX_HEADER_SIZE).isEqualTo(14);
    }

    @Test
    void finRsvAndOpcodeBits() {
        assertThat(header(true, 0x4, Opcode.TEXT, 0, false, 0)).isEqualTo("c100");
        assertThat(header(false, 0x4, Opcode.BINARY, 0, false, 0)).isEqualTo("4200");
        assertThat(header(true, 0x7, Opcode.CLOSE, 0, false, 0)).isEqualTo("f800");
        assertThat(header(false, 0x1, Opcode.CONTINUATION, 0, false, 0)).isEqualTo("1000");
        assertThat(header(true, 0, Opcode.PONG, 0, false, 0)).isEqualTo("8a00");
        // A key of zero is still written when masking is on.
        assertThat(header(true, 0, Opcode.TEXT, 1, true, 0)).isEqualTo("818100000000");
        assertThat(header(true, 0, Opcode.TEXT, 1, true, 0xFFFFFFFF)).isEqualTo("8181ffffffff");
    }

    @Test
    void writeHeaderAppendsAtThePositionInBigEndianEvenInALittleEndianBuffer() {
        ByteBuffer b = ByteBuffer.allocate(40).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x55);
        FrameEncoder.writeHeader(b, true, 0, Opcode.BINARY, 65536, true, KEY);
        assertThat(b.position()).isEqualTo(1 + 14);
        FrameEncoder.writeHeader(b, false, 0, Opcode.TEXT, 300, false, 0);
        assertThat(b.position()).isEqualTo(1 + 14 + 4);
        b.flip();
        assertThat(hex(Wire.bytes(b))).isEqualTo("55" + "82ff000000000001000037fa213d" + "017e012c");
        assertThat(b.order()).isEqualTo(java.nio.ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void headersDecodeBackThroughTheDecoder() throws Exception {
        for (long n : new long[] {0, 125, 126, 65535, 65536}) {
            for (boolean masked : new boolean[] {false, true}) {
                FrameDecoderTest.Frames f = new FrameDecoderTest.Frames();
                FrameDecoder d = new FrameDecoder(masked, Long.MAX_VALUE, f);
                byte[] payload = Wire.filled((int) n, 7);
                byte[] onWire = payload.clone();
                if (masked) {
                    Masking.mask(onWire, 0, onWire.length, KEY, 0);
                }
                d.decode(ByteBuffer.wrap(concat(Wire.bytes(FrameEncoder.header(true, 0, Opcode.BINARY, n, masked, KEY)), onWire)));
                assertThat(f.events).containsExactly("start fin=true rsv=0 BINARY " + n, "payload " + hex(payload), "end");
            }
        }
    }
}
