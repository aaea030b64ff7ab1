package dev.duplex.internal.protocol;

import static dev.duplex.internal.protocol.Wire.KEY;
import static dev.duplex.internal.protocol.Wire.concat;
import static dev.duplex.internal.protocol.Wire.frame;
import static dev.duplex.internal.protocol.Wire.hex;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link FrameDecoder} alone: header parsing, the per-frame rules, unmasking, any chopping. */
class FrameDecoderTest {

    /** Records frames; payload pieces of one frame are joined so chopping does not show. */
    static final class Frames implements FrameListener {
        final List<String> events = new ArrayList<>();
        final List<Integer> pieceSizes = new ArrayList<>();
        private StringBuilder payload;

        @Override
        public void onFrameStart(boolean fin, int rsv, int opcode, long length) {
            events.add("start fin=" + fin + " rsv=" + rsv + " " + Opcode.name(opcode) + " " + length);
            payload = new StringBuilder();
        }

        @Override
        public void onFramePayload(ByteBuffer chunk, int mask) {
            // An empty piece may come when a header ends exactly at the end of the input.
            if (chunk.hasRemaining()) {
                pieceSizes.add(chunk.remaining());
            }
            byte[] b = Wire.bytes(chunk);
            Masking.mask(b, 0, b.length, mask, 0);
            payload.append(Wire.hex(b));
        }

        @Override
        public void onFrameEnd() {
            events.add("payload " + payload);
            events.add("end");
        }
    }

    private final Frames frames = new Frames();

    private FrameDecoder server() {
        return new FrameDecoder(true, Long.MAX_VALUE, frames);
    }

    private FrameDecoder client() {
        return new FrameDecoder(false, Long.MAX_VALUE, frames);
    }

    private static void feed(FrameDecoder d, byte[] bytes) throws ProtocolException {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        d.decode(in);
        assertThat(in.hasRemaining()).as("decode consumes everything").isFalse();
    }

    private static int closeCodeOf(FrameDecoder d, byte[] bytes) {
        try {
            feed(d, bytes);
        } catch (ProtocolException e) {
            return e.closeCode();
        }
        throw new AssertionError("no ProtocolException for " + hex(bytes));
    }

    // ------------------------------------------------------------------ RFC 6455 §5.7

    @Test
    void rfcUnmaskedHello() throws Exception {
        feed(client(), hex("810548656c6c6f"));
        assertThat(frames.events).containsExactly("start fin=true rsv=0 TEXT 5", "payload 48656c6c6f", "end");
    }

    @Test
    void rfcMaskedHello() throws Exception {
        feed(server(), hex("818537fa213d7f9f4d5158"));
        assertThat(frames.events).containsExactly("start fin=true rsv=0 TEXT 5", "payload 48656c6c6f", "end");
    }

    @Test
    void rfcFragmentedHello() throws Exception {
        feed(client(), hex("010348656c 80026c6f"));
        assertThat(frames.events).containsExactly(
                "start fin=false rsv=0 TEXT 3", "payload 48656c", "end",
                "start fin=true rsv=0 CONTINUATION 2", "payload 6c6f", "end");
    }

    @Test
    void rfc256And65536ByteBinary() throws Exception {
        byte[] p256 = Wire.filled(256, 1);
        byte[] p64k = Wire.filled(65536, 2);
        feed(client(), concat(hex("827E0100"), p256, hex("827F0000000000010000"), p64k));
        assertThat(frames.events).containsExactly(
                "start fin=true rsv=0 BINARY 256", "payload " + hex(p256), "end",
                "start fin=true rsv=0 BINARY 65536", "payload " + hex(p64k), "end");
    }

    // ------------------------------------------------------------------ lengths

    @Test
    void lengthEncodingsAtEveryBoundary() throws Exception {
        for (int n : new int[] {0, 1, 125, 126, 127, 65535, 65536, 70000}) {
            for (boolean masked : new boolean[] {false, true}) {
                Frames f = new Frames();
                FrameDecoder d = new FrameDecoder(masked, Long.MAX_VALUE, f);
                byte[] payload = Wire.filled(n, n);
                feed(d, frame(true, 0, Opcode.BINARY, payload, masked ? KEY : null));
                assertThat(f.events).as("n=%d masked=%s", n, masked)
                        .containsExactly("start fin=true rsv=0 BINARY " + n, "payload " + hex(payload), "end");
                assertThat(d.atFrameBoundary()).isTrue();
            }
        }
    }

    @Test
    void nonMinimalLengthEncodingsAreReadAsWritten() throws Exception {
        // 16-bit form for 5 bytes and 64-bit form for 300: the length is what it says.
        feed(client(), concat(hex("827E0005"), hex("0102030405"), hex("827F000000000000012C"), Wire.filled(300, 0)));
        assertThat(frames.events).containsExactly(
                "start fin=true rsv=0 BINARY 5", "payload 0102030405", "end",
                "start fin=true rsv=0 BINARY 300", "payload " + hex(Wire.filled(300, 0)), "end");
    }

    @Test
    void emptyFramesEndWithoutPayloadCalls() throws Exception {
        feed(server(), concat(frame(true, 0, Opcode.PING, new byte[0], KEY), frame(true, 0, Opcode.TEXT, new byte[0], KEY)));
        assertThat(frames.events).containsExactly(
                "start fin=true rsv=0 PING 0", "payload ", "end",
                "start fin=true rsv=0 TEXT 0", "payload ", "end");
        assertThat(frames.pieceSizes).isEmpty();
    }

    @Test
    void headerSplitAnywhereAndPayloadStreamedAsItArrives() throws Exception {
        byte[] payload = Wire.filled(300, 3);
        byte[] wire = frame(true, 0, Opcode.BINARY, payload, KEY); // 2 + 2 + 4 header bytes
        FrameDecoder d = server();
        for (int i = 0; i < 7; i++) {
            feed(d, new byte[] {wire[i]});
            assertThat(frames.events).as("after %d header bytes", i + 1).isEmpty();
            assertThat(d.atFrameBoundary()).isFalse();
        }
        feed(d, new byte[] {wire[7]});
        assertThat(frames.events).containsExactly("start fin=true rsv=0 BINARY 300");
        assertThat(frames.pieceSizes).isEmpty();
        feed(d, java.util.Arrays.copyOfRange(wire, 8, 108));
        assertThat(frames.events).containsExactly("start fin=true rsv=0 BINARY 300");
        assertThat(frames.pieceSizes).containsExactly(100);
        feed(d, java.util.Arrays.copyOfRange(wire, 108, wire.length));
        assertThat(frames.events).endsWith("payload " + hex(payload), "end");
        assertThat(d.atFrameBoundary()).isTrue();
    }

    @Test
    void choppingDoesNotChangeFrames() throws Exception {
        Random r = new Random(11);
        for (int round = 0; round < 200; round++) {
            boolean masked = r.nextBoolean();
            List<byte[]> parts = new ArrayList<>();
            for (int i = r.nextInt(6); i >= 0; i--) {
                int op = new int[] {Opcode.TEXT, Opcode.BINARY, Opcode.CONTINUATION, Opcode.PING, Opcode.PONG, Opcode.CLOSE}[r.nextInt(6)];
                int n = Opcode.isControl(op) ? r.nextInt(126) : new int[] {0, 5, 125, 126, 300, 65535, 65536}[r.nextInt(7)];
                byte[] key = new byte[4];
                r.nextBytes(key);
                parts.add(frame(Opcode.isControl(op) || r.nextBoolean(), 0, op, Wire.filled(n, r.nextInt()), masked ? key : null));
            }
            byte[] wire = concat(parts.toArray(new byte[0][]));

            Frames whole = new Frames();
            new FrameDecoder(masked, Long.MAX_VALUE, whole).decode(ByteBuffer.wrap(wire.clone()));

            Frames chopped = new Frames();
            FrameDecoder d = new FrameDecoder(masked, Long.MAX_VALUE, chopped);
            byte[] copy = wire.clone();
            int pos = 0;
            while (pos < copy.length) {
                int n = Math.min(copy.length - pos, r.nextInt(4) == 0 ? 1 : 1 + r.nextInt(200));
                // Alternate heap, direct and read-only input (read-only cannot be unmasked in place).
                ByteBuffer in;
                switch (r.nextInt(3)) {
                    case 0: in = ByteBuffer.wrap(copy, pos, n).slice(); break;
                    case 1: in = ByteBuffer.allocateDirect(n).put(copy, pos, n).flip(); break;
                    default: in = ByteBuffer.wrap(copy, pos, n).asReadOnlyBuffer(); break;
                }
                d.decode(in);
                assertThat(in.hasRemaining()).isFalse();
                pos += n;
            }
            assertThat(chopped.events).as("round %d", round).isEqualTo(whole.events);
            assertThat(d.atFrameBoundary()).isTrue();
        }
    }

    @Test
    void theDecoderNeverWritesToItsInput() throws Exception {
        byte[] wire = hex("818537fa213d7f9f4d5158");
        server().decode(ByteBuffer.wrap(wire).asReadOnlyBuffer());
        server().decode(ByteBuffer.wrap(wire));     // writable: still left as it was
        assertThat(frames.events).containsSubsequence("payload 48656c6c6f", "payload 48656c6c6f");
        assertThat(wire).isEqualTo(hex("818537fa213d7f9f4d5158"));
    }

    // ------------------------------------------------------------------ failures

    @Test
    void reservedBitsFailOnTheFirstByte() {
        for (int rsv = 1; rsv <= 7; rsv++) {
            byte b0 = (byte) (0x80 | (rsv << 4) | Opcode.TEXT);
            FrameDecoder d = client();
            assertThat(closeCodeOf(d, new byte[] {b0})).as("rsv %d", rsv).isEqualTo(1002);
        }
        assertThat(frames.events).isEmpty();
    }

    @Test
    void reservedBitsAllowedByAnExtension() throws Exception {
        FrameDecoder d = client();
        d.allowRsv(0x4);
        feed(d, concat(frame(true, 4, Opcode.TEXT, Wire.utf8("x"), null)));
        assertThat(frames.events).containsExactly("start fin=true rsv=4 TEXT 1", "payload 78", "end");
        // RSV2 and RSV3 are still not allowed.
        assertThat(closeCodeOf(d, frame(true, 2, Opcode.TEXT, new byte[0], null))).isEqualTo(1002);
        FrameDecoder d3 = client();
        d3.allowRsv(0x4);
        assertThat(closeCodeOf(d3, frame(true, 5, Opcode.TEXT, new byte[0], null))).isEqualTo(1002);

        Frames all = new Frames();
        FrameDecoder d7 = new FrameDecoder(true, Long.MAX_VALUE, all);
        d7.allowRsv(0x7);
        feed(d7, concat(frame(true, 7, Opcode.BINARY, new byte[] {1}, KEY), frame(true, 1, Opcode.BINARY, new byte[0], KEY)));
        assertThat(all.events).containsExactly("start fin=true rsv=7 BINARY 1", "payload 01", "end",
                "start fin=true rsv=1 BINARY 0", "payload ", "end");
    }

    @Test
    void unknownOpcodesFailOnTheFirstByte() {
        for (int op : new int[] {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF}) {
            assertThat(closeCodeOf(client(), new byte[] {(byte) (0x80 | op)})).as("opcode %x", op).isEqualTo(1002);
            assertThat(closeCodeOf(client(), new byte[] {(byte) op})).as("opcode %x no fin", op).isEqualTo(1002);
        }
        assertThat(frames.events).isEmpty();
    }

    @Test
    void fragmentedControlFramesFail() {
        for (int op : new int[] {Opcode.CLOSE, Opcode.PING, Opcode.PONG}) {
            assertThat(closeCodeOf(server(), new byte[] {(byte) op})).as(Opcode.name(op)).isEqualTo(1002);
        }
    }

    @Test
    void controlFramesOver125BytesFail() throws Exception {
        for (int op : new int[] {Opcode.CLOSE, Opcode.PING, Opcode.PONG}) {
            assertThat(closeCodeOf(client(), frame(true, 0, op, new byte[126], null))).isEqualTo(1002);
            // Even announced through a 16-bit length, and before any payload arrives.
            assertThat(closeCodeOf(client(), concat(new byte[] {(byte) (0x80 | op), 126, 0, 126}))).isEqualTo(1002);
            assertThat(closeCodeOf(client(), concat(new byte[] {(byte) (0x80 | op), 127}, hex("0000000000000080"))))
                    .isEqualTo(1002);
        }
        // Exactly 125 is fine.
        feed(client(), frame(true, 0, Opcode.PING, new byte[125], null));
        assertThat(frames.events).hasSize(3);
    }

    @Test
    void maskingMustMatchTheRole() throws Exception {
        assertThat(closeCodeOf(server(), hex("810548656c6c6f"))).isEqualTo(1002);
        assertThat(closeCodeOf(client(), hex("818537fa213d7f9f4d5158"))).isEqualTo(1002);
        // Reported from the header alone: no payload needed.
        assertThat(closeCodeOf(server(), hex("8105"))).isEqualTo(1002);
        assertThat(closeCodeOf(client(), hex("818537fa213d"))).isEqualTo(1002);
        assertThat(frames.events).isEmpty();
    }

    @Test
    void sixtyFourBitLengthWithTopBitSetFails() {
        assertThat(closeCodeOf(client(), hex("827F8000000000000000"))).isEqualTo(1002);
        assertThat(closeCodeOf(client(), hex("827FFFFFFFFFFFFFFFFF"))).isEqualTo(1002);
        assertThat(closeCodeOf(server(), hex("82FF8000000000000001 37fa213d"))).isEqualTo(1002);
        assertThat(frames.events).isEmpty();
    }

    @Test
    void largestLegalLengthIsAnnounced() throws Exception {
        feed(client(), hex("827F7FFFFFFFFFFFFFFF"));
        assertThat(frames.events).containsExactly("start fin=true rsv=0 BINARY " + Long.MAX_VALUE);
    }

    @Test
    void frameOverMaxFrameSizeFailsWith1009BeforeThePayload() throws Exception {
        Frames f = new Frames();
        FrameDecoder d = new FrameDecoder(false, 100, f);
        feed(d, frame(true, 0, Opcode.BINARY, new byte[100], null));
        assertThat(f.events).hasSize(3);
        assertThat(closeCodeOf(new FrameDecoder(false, 100, f), hex("8265"))).isEqualTo(1009); // 101 announced
        assertThat(closeCodeOf(new FrameDecoder(false, 100, f), hex("827F0000000100000000"))).isEqualTo(1009);
        assertThat(closeCodeOf(new FrameDecoder(true, 100, f), hex("82FE0065 37fa213d"))).isEqualTo(1009);
        assertThat(f.events).hasSize(3);
    }
}
