package dev.duplex.internal.protocol;

import static dev.duplex.internal.protocol.Wire.hex;
import static dev.duplex.internal.protocol.Wire.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * {@link FrameWriter} on its own: the bytes of each kind of frame (RFC 6455 section 5.7's
 * examples as hex), then the order of streamed and held frames.
 */
class FrameWriterTest {
    private static final MaskKeySource RFC_KEY = () -> 0x37fa213d;     // the key of section 5.7

    private final RecordingOutput out = new RecordingOutput();

    private FrameWriter server() {
        return new FrameWriter(false, null, null, out);
    }

    private FrameWriter client() {
        return new FrameWriter(true, RFC_KEY, null, out);
    }

    @Test
    void rfc5_7_aServersTextMessageIsOneUnmaskedFrameCreditedWithItsLength() {
        server().message(true, utf8("Hello"));
        assertThat(hex(out.bytes())).isEqualTo("810548656c6c6f");
        assertThat(out.credits).containsExactly(5L);
    }

    @Test
    void rfc5_7_aClientsTextMessageIsMaskedWithAFreshKey() {
        client().message(true, utf8("Hello"));
        assertThat(hex(out.bytes())).isEqualTo("818537fa213d7f9f4d5158");
    }

    @Test
    void aMaskedCopyGivesTheSameBytesAndLeavesTheSourceAlone() {
        byte[] src = utf8("xHellox");
        client().maskedCopy(true, src, 1, 5);
        assertThat(hex(out.bytes())).isEqualTo("818537fa213d7f9f4d5158");
        assertThat(src).isEqualTo(utf8("xHellox"));
    }

    @Test
    void rfc5_7_pingsAndPongsCarryNoCredit() {
        server().control(Opcode.PING, utf8("Hello"));
        server().control(Opcode.PONG, utf8("Hello"));
        assertThat(hex(out.bytes())).isEqualTo("890548656c6c6f" + "8a0548656c6c6f");
        assertThat(out.credits).containsExactly(0L, 0L);
    }

    @Test
    void aCloseFrameCarriesTheCodeThenTheReasonOrNothingFor1005() {
        FrameWriter w = server();
        w.close(1000, "bye!");
        w.close(CloseCodes.NO_STATUS, "ignored");
        assertThat(hex(out.bytes())).isEqualTo("880603e862796521" + "8800");
    }

    @Test
    void aCloseReasonOver123BytesIsRefusedAndNothingQueued() {
        assertThatThrownBy(() -> server().close(1000, "a".repeat(124)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most 123");
        assertThat(out.bytes()).isEmpty();
    }

    @Test
    void aStreamHoldsLaterDataAndCloseFramesButLetsPingsThrough() {
        FrameWriter w = server();
        Connection.OutboundStream s = w.openStream(true);
        w.message(true, utf8("late"));
        w.control(Opcode.PING, new byte[0]);
        w.close(1000, "");
        assertThat(w.fragment(s, utf8("Hel"), false)).isTrue();
        assertThat(hex(out.bytes())).as("the ping, then the first fragment").isEqualTo("8900" + "010348656c");
        assertThat(w.fragment(s, utf8("lo"), true)).isTrue();
        assertThat(hex(out.bytes())).isEqualTo("8900" + "010348656c" + "80026c6f" + "81046c617465" + "880203e8");
        assertThat(w.hasStreams()).isFalse();
    }

    @Test
    void aSecondStreamWaitsForTheFirstsLastFragment() {
        FrameWriter w = server();
        Connection.OutboundStream a = w.openStream(false);
        Connection.OutboundStream b = w.openStream(false);
        assertThat(w.isActive(b)).isFalse();
        assertThat(w.fragment(b, new byte[] {2}, true)).as("not its turn").isFalse();
        w.fragment(a, new byte[] {1}, true);
        assertThat(w.isActive(b)).isTrue();
        w.fragment(b, new byte[] {2}, true);
        assertThat(hex(out.bytes())).isEqualTo("820101" + "820102");
    }

    @Test
    void abandoningStreamsDropsWhatTheyHeld() {
        FrameWriter w = server();
        Connection.OutboundStream s = w.openStream(true);
        w.message(true, utf8("held"));
        w.abandonStreams();
        assertThat(w.fragment(s, utf8("x"), true)).isFalse();
        w.close(1001, "");
        assertThat(hex(out.bytes())).isEqualTo("880203e9");
    }

    @Test
    void anEncodedFrameWaitsBehindAStreamAndIsWrittenFromDuplicates() {
        FrameWriter w = server();
        ByteBuffer header = ByteBuffer.wrap(hex("8203"));
        ByteBuffer payload = ByteBuffer.wrap(hex("010203"));
        Connection.OutboundStream s = w.openStream(false);
        w.encoded(header, payload, 3);
        assertThat(out.bytes()).isEmpty();
        w.fragment(s, new byte[] {9}, true);
        assertThat(hex(out.bytes())).isEqualTo("820109" + "8203010203");
        assertThat(header.position()).as("the shared buffers are not moved").isZero();
        assertThat(payload.position()).isZero();
    }
}
