package dev.duplex.internal.protocol;

import static dev.duplex.internal.protocol.Wire.concat;
import static dev.duplex.internal.protocol.Wire.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link MessageReader} on its own, behind a {@link FrameDecoder} as in a connection: RFC 6455
 * section 5.7's examples as hex, each fed whole and split at every byte (the same events either
 * way), then the rules the reader enforces. Control frames reach its callback, not the listener.
 */
class MessageReaderTest {
    private final RecordingListener listener = new RecordingListener();
    private final List<String> controls = new ArrayList<>();
    private final CloseHandshake handshake = new CloseHandshake();

    private final MessageReader.ControlFrames callback = new MessageReader.ControlFrames() {
        @Override
        public void onPing(byte[] payload) {
            controls.add("ping " + hex(payload));
        }

        @Override
        public void onPong(byte[] payload) {
            controls.add("pong " + hex(payload));
        }

        @Override
        public void onClose(int code, String reason) {
            controls.add("close " + code + " " + reason);
        }
    };

    private FrameDecoder decoder(boolean server, long maxMessageSize) {
        return new FrameDecoder(server, Long.MAX_VALUE, new MessageReader(maxMessageSize, handshake, null, listener, callback));
    }

    // Feeds wire whole to one reader and in two pieces, at every cut, to fresh ones; returns the
    // events, checking that every cut gave the same.
    private List<String> everyCut(boolean server, String wireHex) throws ProtocolException {
        byte[] wire = hex(wireHex);
        decoder(server, Long.MAX_VALUE).decode(ByteBuffer.wrap(wire.clone()));
        List<String> whole = all();
        for (int cut = 0; cut <= wire.length; cut++) {
            listener.events.clear();
            controls.clear();
            byte[] copy = wire.clone();       // unmasked in place
            FrameDecoder d = decoder(server, Long.MAX_VALUE);
            d.decode(ByteBuffer.wrap(copy, 0, cut));
            d.decode(ByteBuffer.wrap(copy, cut, copy.length - cut));
            assertThat(all()).as("cut at %d", cut).isEqualTo(whole);
        }
        return whole;
    }

    private List<String> all() {
        List<String> events = new ArrayList<>(listener.events);
        events.addAll(controls);
        return events;
    }

    @Test
    void rfc5_7_aSingleFrameUnmaskedTextMessage() throws ProtocolException {
        assertThat(everyCut(false, "810548656c6c6f")).containsExactly("text Hello");
    }

    @Test
    void rfc5_7_aSingleFrameMaskedTextMessage() throws ProtocolException {
        assertThat(everyCut(true, "818537fa213d7f9f4d5158")).containsExactly("text Hello");
    }

    @Test
    void rfc5_7_aFragmentedUnmaskedTextMessage() throws ProtocolException {
        assertThat(everyCut(false, "010348656c" + "80026c6f")).containsExactly("text Hello");
    }

    @Test
    void rfc5_7_pingsGoToTheCallbackEvenInsideAFragmentedMessage() throws ProtocolException {
        assertThat(everyCut(false, "010348656c" + "890548656c6c6f" + "80026c6f"))
                .containsExactly("text Hello", "ping 48656c6c6f");
    }

    @Test
    void rfc5_7_anUnmaskedPong() throws ProtocolException {
        assertThat(everyCut(false, "8a0548656c6c6f")).containsExactly("pong 48656c6c6f");
    }

    @Test
    void rfc5_7_binaryMessagesWith16And64BitLengths() throws ProtocolException {
        byte[] p256 = Wire.filled(256, 1);
        assertThat(everyCut(false, "827e0100" + hex(p256))).containsExactly("binary " + hex(p256));
        byte[] p65536 = Wire.filled(65536, 2);
        listener.events.clear();
        decoder(false, Long.MAX_VALUE).decode(ByteBuffer.wrap(hex("827f0000000000010000" + hex(p65536))));
        assertThat(listener.binaries.get(listener.binaries.size() - 1)).isEqualTo(p65536);
    }

    @Test
    void aCloseFrameIsParsedIntoCodeAndReason() throws ProtocolException {
        assertThat(everyCut(false, "880603e862796521")).containsExactly("close 1000 bye!");
        controls.clear();
        decoder(false, Long.MAX_VALUE).decode(ByteBuffer.wrap(hex("8800")));
        assertThat(controls).containsExactly("close 1005 ");
    }

    @Test
    void invalidUtf8FailsAtTheFirstBadByteNotAtTheEnd() {
        // "Hello" then 0xff in a first fragment: refused before the message ends.
        assertThatThrownBy(() -> decoder(false, Long.MAX_VALUE).decode(ByteBuffer.wrap(hex("010648656c6c6fff"))))
                .isInstanceOf(ProtocolException.class)
                .satisfies(e -> assertThat(((ProtocolException) e).closeCode()).isEqualTo(CloseCodes.INVALID_PAYLOAD));
    }

    @Test
    void aTextMessageEndingInsideASequenceFails() {
        assertThatThrownBy(() -> decoder(false, Long.MAX_VALUE).decode(ByteBuffer.wrap(hex("8102c3a9" + "8101c3"))))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("ends inside a UTF-8 sequence");
        assertThat(listener.texts).containsExactly("é");
    }

    @Test
    void theMessageLimitCountsAllFragments() throws ProtocolException {
        FrameDecoder d = decoder(false, 5);
        d.decode(ByteBuffer.wrap(hex("0103616263")));
        assertThatThrownBy(() -> d.decode(ByteBuffer.wrap(hex("8003646566"))))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("at least 6 bytes exceeds the message size limit of 5 bytes")
                .satisfies(e -> assertThat(((ProtocolException) e).closeCode()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG));
    }

    @Test
    void aContinuationWithoutAMessageAndANewMessageInsideOneFail() {
        assertThatThrownBy(() -> decoder(false, Long.MAX_VALUE).decode(ByteBuffer.wrap(hex("800161"))))
                .hasMessageContaining("no message to continue");
        assertThatThrownBy(() -> decoder(false, Long.MAX_VALUE).decode(ByteBuffer.wrap(hex("010161" + "810162"))))
                .hasMessageContaining("expected a continuation");
    }

    @Test
    void afterOurCloseDataIsParsedButNotDelivered() throws ProtocolException {
        handshake.closeFrameSent();
        FrameDecoder d = decoder(false, Long.MAX_VALUE);
        d.decode(ByteBuffer.wrap(hex("810548656c6c6f" + "8a00")));
        assertThat(listener.events).isEmpty();
        assertThat(controls).as("control frames still count").containsExactly("pong ");
    }

    @Test
    void afterThePeersCloseDataIsAViolationAndControlFramesAreIgnored() throws ProtocolException {
        handshake.peerClosed();
        decoder(false, Long.MAX_VALUE).decode(ByteBuffer.wrap(hex("8a00")));
        assertThat(controls).isEmpty();
        assertThatThrownBy(() -> decoder(false, Long.MAX_VALUE).decode(ByteBuffer.wrap(hex("810161"))))
                .hasMessageContaining("RFC 6455 section 5.5.1");
    }

    @Test
    void itCountsMessagesAndTheHeapOfTheUnfinishedOne() throws ProtocolException {
        MessageReader reader = new MessageReader(Long.MAX_VALUE, handshake, null, listener, callback);
        FrameDecoder d = new FrameDecoder(false, Long.MAX_VALUE, reader);
        d.decode(ByteBuffer.wrap(concat(hex("810161"), hex("0201ff"))));
        assertThat(reader.messagesStarted()).isEqualTo(2);
        assertThat(reader.messageInProgress()).isTrue();
        // The first message's exact-size buffer, kept after its String was made, holds the second.
        assertThat(reader.unfinishedBytesInMemory()).isEqualTo(1);
        d.decode(ByteBuffer.wrap(hex("8000")));
        assertThat(reader.messageInProgress()).isFalse();
        assertThat(reader.unfinishedBytesInMemory()).isZero();
    }
}
