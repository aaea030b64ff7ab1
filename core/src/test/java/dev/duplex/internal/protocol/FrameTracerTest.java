package dev.duplex.internal.protocol;

import static dev.duplex.internal.protocol.Wire.hex;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link FrameTracer}: one line per frame, and the traced bytes are left exactly as they were. */
class FrameTracerTest {
    private final List<String> lines = new ArrayList<>();

    @Test
    void maskedTextFromTheRfcIsShownUnmaskedAndTheInputIsUntouched() {
        FrameTracer t = new FrameTracer(true, lines::add);
        byte[] frame = hex("818537fa213d7f9f4d5158");      // RFC 6455 §5.7: masked "Hello"
        ByteBuffer in = ByteBuffer.wrap(frame.clone());
        t.inbound(in);
        assertThat(lines).containsExactly("< TEXT 5 bytes: \"Hello\"");
        assertThat(in.position()).isZero();
        assertThat(in.array()).isEqualTo(frame);
    }

    @Test
    void framesSplitAcrossReadsAreShownOnceComplete() {
        FrameTracer t = new FrameTracer(false, lines::add);
        byte[] frames = hex("010348656c" + "80026c6f" + "8a00" + "880403e86f6b");
        for (byte b : frames) {
            t.inbound(ByteBuffer.wrap(new byte[] {b}));
        }
        assertThat(lines).containsExactly("< TEXT (not final) 3 bytes: \"Hel\"",
                "< CONTINUATION 2 bytes: \"lo\"", "< PONG 0 bytes", "< CLOSE 4 bytes: code 1000 \"ok\"");
    }

    @Test
    void binaryIsHexAndLongPayloadsAreCut() {
        FrameTracer t = new FrameTracer(false, lines::add);
        byte[] payload = new byte[300];
        payload[0] = (byte) 0xAB;
        ByteBuffer frame = ByteBuffer.allocate(4 + 300).put(hex("827e012c")).put(payload).flip();
        t.inbound(frame);
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).startsWith("< BINARY 300 bytes: ab0000").endsWith(" …")
                .hasSize("< BINARY 300 bytes: ".length() + 2 * FrameTracer.PREVIEW + 2);
    }

    @Test
    void outboundClientFramesAreUnmaskedForDisplayOnly() {
        FrameTracer t = new FrameTracer(false, lines::add);
        ByteBuffer header = ByteBuffer.wrap(hex("818537fa213d"));
        ByteBuffer payload = ByteBuffer.wrap(hex("7f9f4d5158"));
        t.outbound(header, payload);
        assertThat(lines).containsExactly("> TEXT 5 bytes: \"Hello\"");
        assertThat(payload.position()).isZero();
        assertThat(payload.array()).isEqualTo(hex("7f9f4d5158"));
        assertThat(header.position()).isZero();
    }

    @Test
    void compressedFramesShowNoPreviewAndControlCharactersAreEscaped() {
        FrameTracer t = new FrameTracer(false, lines::add);
        t.outbound(ByteBuffer.wrap(hex("c107")), ByteBuffer.wrap(hex("f248cdc9c90700")));
        t.inbound(ByteBuffer.wrap(hex("81036109" + "22")));
        assertThat(lines).containsExactly("> TEXT compressed 7 bytes", "< TEXT 3 bytes: \"a\\u0009\\\"\"");
    }

    @Test
    void anUnparseableStreamIsReportedOnceThenIgnored() {
        FrameTracer t = new FrameTracer(true, lines::add);
        t.inbound(ByteBuffer.wrap(hex("8105" + "48656c6c6f")));      // unmasked at a server
        t.inbound(ByteBuffer.wrap(hex("818537fa213d7f9f4d5158")));
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).startsWith("< (not a valid frame: ");
    }
}
