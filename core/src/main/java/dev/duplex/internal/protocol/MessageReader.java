package dev.duplex.internal.protocol;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The receive side of a {@link Connection}: turns the {@link FrameDecoder}'s frames into messages
 * (RFC 6455 §5.4 fragmentation, §5.5 control frames, §5.6 data frames). It assembles fragments,
 * validates text as UTF-8 while it arrives (§8.1, fail-fast), inflates compressed messages
 * (RFC 7692), enforces the message size limits (counting inflated bytes before they are kept),
 * and moves a large binary message to a {@link MessageSpill}. Data messages go to the
 * {@link Connection.Listener}; control frames, whose answers are written by the send side, go to
 * the {@link ControlFrames} callback (the connection).
 *
 * <p>It is apart from the send side because the two share nothing but the close handshake's
 * state, which it only reads. Not thread-safe: one receiving thread at a time, like
 * {@link Connection#receive}.
 */
final class MessageReader implements FrameListener {
    /** What the received control frames ask for: answers that the send side writes. */
    interface ControlFrames {
        void onPing(byte[] payload);

        void onPong(byte[] payload);

        /** A valid close frame; {@code code} is 1005 when it carried no status. */
        void onClose(int code, String reason);
    }

    private static final byte[] EMPTY = new byte[0];
    /** Receive buffers up to this size are kept for the next message. */
    private static final int KEPT_BUFFER = 4096;

    private final long maxMessageSize;       // the configured limit
    private final long maxTextSize;          // text must fit a Java array
    private long maxBinarySize;              // binary may be larger when spilled
    private MessageSpill.Factory spillFactory;
    private long spillThreshold = Long.MAX_VALUE;
    private MessageSpill spill;              // the binary message being received, once spilled
    private long spilledLength;
    private final CloseHandshake handshake;
    private final PerMessageDeflate deflate;  // null unless permessage-deflate was negotiated
    private final Connection.Listener listener;
    private final ControlFrames controls;

    private int frameOpcode;
    private boolean frameFin;
    private int messageOpcode;              // TEXT or BINARY while a message is being assembled, else 0
    private int messagesStarted;            // counts incoming messages, to tell them apart
    private byte[] message;
    private int messageLength;
    private long messageExpected;           // announced total when the message is a single frame, else -1
    private final Utf8Validator utf8 = new Utf8Validator();
    private byte[] control;                 // a control frame's payload; made for the first one
    private int controlLength;
    private boolean discarding;             // data after our close frame: parsed, not kept
    private boolean compressed;             // the message being received has RSV1 (RFC 7692)
    private final PerMessageDeflate.Sink inflated = this::appendInflated;

    MessageReader(long maxMessageSize, CloseHandshake handshake, PerMessageDeflate deflate,
                  Connection.Listener listener, ControlFrames controls) {
        this.maxMessageSize = maxMessageSize;
        this.maxTextSize = Math.min(maxMessageSize, Connection.MAX_ARRAY_MESSAGE);
        this.maxBinarySize = maxTextSize;
        this.handshake = handshake;
        this.deflate = deflate;
        this.listener = listener;
        this.controls = controls;
    }

    /** See {@link Connection#spillLargeBinaryMessages}. */
    void spillLargeBinaryMessages(MessageSpill.Factory factory, long threshold) {
        this.spillFactory = factory;
        // Above the largest array a message cannot stay in memory, whatever the threshold says.
        this.spillThreshold = Math.min(threshold, Connection.MAX_ARRAY_MESSAGE);
        this.maxBinarySize = maxMessageSize;
    }

    /** Forgets the message being received (the connection ended): its buffer, its spill. */
    void dropMessage() {
        message = null;
        MessageSpill s = spill;
        spill = null;
        if (s != null) {
            s.discard();
        }
    }

    /** True while a message has started and not ended. */
    boolean messageInProgress() {
        return messageOpcode != 0;
    }

    int messagesStarted() {
        return messagesStarted;
    }

    long unfinishedBytesInMemory() {
        return messageOpcode == 0 || spill != null || message == null ? 0 : message.length;
    }

    // ---------------------------------------------------------------- frames

    @Override
    public void onFrameStart(boolean fin, int rsv, int opcode, long length) throws ProtocolException {
        if (handshake.peerCloseReceived() && !Opcode.isControl(opcode)) {
            throw ProtocolException.protocolError("WS_ERR_DATA_AFTER_CLOSE", "A " + Opcode.name(opcode) + " frame after the peer's close frame"
                    + " (RFC 6455 section 5.5.1: no data may follow a close frame)");
        }
        if (handshake.finished()) {
            return;
        }
        frameOpcode = opcode;
        frameFin = fin;
        boolean rsv1 = (rsv & 4) != 0;
        if (Opcode.isControl(opcode)) {
            if (rsv1) {
                throw ProtocolException.protocolError("WS_ERR_UNEXPECTED_RSV_1", "RSV1 set on a " + Opcode.name(opcode)
                        + " frame (RFC 7692 §6: only the first frame of a data message may be compressed)");
            }
            controlLength = 0;
            return;
        }
        if (opcode == Opcode.CONTINUATION) {
            if (rsv1) {
                throw ProtocolException.protocolError("WS_ERR_UNEXPECTED_RSV_1",
                        "RSV1 set on a continuation frame (RFC 7692 §6.1: only the first frame of a message)");
            }
            if (messageOpcode == 0) {
                throw ProtocolException.protocolError("WS_ERR_UNEXPECTED_CONTINUATION", "Continuation frame with no message to continue");
            }
        } else {
            if (messageOpcode != 0) {
                throw ProtocolException.protocolError("WS_ERR_EXPECTED_CONTINUATION",
                        "New " + Opcode.name(opcode) + " frame inside a fragmented message; expected a continuation");
            }
            messageOpcode = opcode;
            messagesStarted++;
            messageLength = 0;
            compressed = rsv1;
            messageExpected = fin && !rsv1 ? length : -1;
            discarding = !handshake.acceptsData();
            utf8.reset();
        }
        if (ignoringData()) {
            return;
        }
        // A compressed frame's size says nothing of the message's: that is counted as it inflates.
        if (!compressed && received() + length > messageLimit()) {
            throw new ProtocolException(CloseCodes.MESSAGE_TOO_BIG, "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH", "Message of "
                    + (fin && opcode != Opcode.CONTINUATION ? "" : "at least ") + (received() + length)
                    + " bytes exceeds the message size limit of " + messageLimit() + " bytes");
        }
    }

    @Override
    public void onFramePayload(ByteBuffer chunk, int mask) throws ProtocolException {
        if (handshake.finished()) {
            return;
        }
        if (Opcode.isControl(frameOpcode)) {
            int n = chunk.remaining();
            if (control == null) {
                control = new byte[125];
            }
            chunk.get(control, controlLength, n);
            Masking.mask(control, controlLength, n, mask, 0);
            controlLength += n;
            return;
        }
        if (ignoringData()) {
            return;
        }
        if (compressed) {
            deflate.inflate(unmasked(chunk, mask), inflated);
            return;
        }
        appendChecked(chunk, mask);
    }

    @Override
    public void onFrameEnd() throws ProtocolException {
        if (handshake.finished()) {
            return;
        }
        if (Opcode.isControl(frameOpcode)) {
            onControlFrame(frameOpcode, controlLength == 0 ? EMPTY : Arrays.copyOf(control, controlLength));
            return;
        }
        if (!frameFin) {
            return;
        }
        int opcode = messageOpcode;
        messageOpcode = 0;
        if (ignoringData()) {
            return;
        }
        if (compressed) {
            compressed = false;
            deflate.finishMessage(inflated);
        }
        if (opcode == Opcode.TEXT && !utf8.isComplete()) {
            throw new ProtocolException(CloseCodes.INVALID_PAYLOAD, "WS_ERR_INVALID_UTF8",
                    "Text message ends inside a UTF-8 sequence");
        }
        if (spill != null) {
            listener.onSpilledBinary(finishSpill());
        } else if (opcode == Opcode.TEXT) {
            listener.onText(takeText());
        } else {
            listener.onBinary(takeMessage());
        }
    }

    // Data after our close frame is parsed but not kept (RFC 6455 §1.4: the peer may still be
    // sending when our close arrives), unless the owner asked to keep it (messagesWhileClosing).
    private boolean ignoringData() {
        return discarding || !handshake.acceptsData();
    }

    // ---------------------------------------------------------------- control frames

    private void onControlFrame(int opcode, byte[] payload) throws ProtocolException {
        switch (opcode) {
            case Opcode.PING -> controls.onPing(payload);
            case Opcode.PONG -> controls.onPong(payload);
            case Opcode.CLOSE -> onCloseFrame(payload);
            default -> throw new AssertionError(opcode);
        }
    }

    // RFC 6455 §5.5.1 and §7.4: no status, or a two-byte code valid on the wire and a UTF-8 reason.
    private void onCloseFrame(byte[] payload) throws ProtocolException {
        int code = CloseCodes.NO_STATUS;
        String reason = "";
        if (payload.length == 1) {
            throw ProtocolException.protocolError("WS_ERR_INVALID_CLOSE_FRAME", "Close frame with a 1-byte payload");
        }
        if (payload.length >= 2) {
            code = ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
            if (!CloseCodes.isValidOnWire(code)) {
                throw ProtocolException.protocolError("WS_ERR_INVALID_CLOSE_CODE", "Close frame with invalid status code " + code);
            }
            if (!Utf8Validator.isValid(payload, 2, payload.length - 2)) {
                throw ProtocolException.protocolError("WS_ERR_INVALID_CLOSE_FRAME", "Close frame reason is not valid UTF-8");
            }
            reason = new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
        }
        controls.onClose(code, reason);
    }

    // ---------------------------------------------------------------- assembly

    // Text is validated where it was copied to, after unmasking: each payload byte is read from
    // the network buffer once.
    private void appendChecked(ByteBuffer chunk, int mask) throws ProtocolException {
        if (spillFactory != null && messageOpcode == Opcode.BINARY
                && (spill != null || (long) messageLength + chunk.remaining() > spillThreshold)) {
            appendSpilled(unmasked(chunk, mask));
            return;
        }
        int from = messageLength;
        appendInMemory(chunk, mask);
        if (messageOpcode == Opcode.TEXT && !utf8.feed(message, from, messageLength - from)) {
            throw new ProtocolException(CloseCodes.INVALID_PAYLOAD, "WS_ERR_INVALID_UTF8", "Invalid UTF-8 in a text message");
        }
    }

    // For the paths that need plain bytes in a buffer (inflate, spill): unmasks in place, or, for
    // read-only input, into a copy.
    private static ByteBuffer unmasked(ByteBuffer chunk, int mask) {
        if (mask == 0) {
            return chunk;
        }
        if (chunk.isReadOnly()) {
            byte[] copy = new byte[chunk.remaining()];
            chunk.get(chunk.position(), copy);
            Masking.mask(copy, 0, copy.length, mask, 0);
            return ByteBuffer.wrap(copy);
        }
        Masking.mask(chunk, mask, 0);
        return chunk;
    }

    // Decompressed bytes count against the limit before they are kept (an inflate bomb stops here).
    private void appendInflated(ByteBuffer chunk) throws ProtocolException {
        if (received() + chunk.remaining() > messageLimit()) {
            throw new ProtocolException(CloseCodes.MESSAGE_TOO_BIG, "Decompressed message exceeds the message size limit of "
                    + messageLimit() + " bytes");
        }
        appendChecked(chunk, 0);
    }

    /** Bytes of the current message received so far, in memory or spilled. */
    private long received() {
        return spill != null ? spilledLength : messageLength;
    }

    private long messageLimit() {
        return messageOpcode == Opcode.TEXT ? maxTextSize : maxBinarySize;
    }

    private void appendInMemory(ByteBuffer chunk, int mask) {
        int n = chunk.remaining();
        int needed = messageLength + n;
        if (message == null || message.length < needed) {
            message = grow(message, messageLength, needed);
        }
        if (mask == 0) {
            chunk.get(message, messageLength, n);
        } else if (chunk.hasArray()) {
            Masking.maskCopy(chunk.array(), chunk.arrayOffset() + chunk.position(), message, messageLength, n, mask, 0);
        } else {
            chunk.get(message, messageLength, n);
            Masking.mask(message, messageLength, n, mask, 0);
        }
        messageLength = needed;
    }

    // Grows with the bytes that actually arrive, not with what a header announces, so a peer
    // cannot make us reserve a large buffer up front: to a power of two at most four times what
    // arrived when the message's size is known from its single frame (and no further than that
    // size: it then ends in a buffer of exactly its size, which takeMessage hands over without a
    // copy, after two or three copies of its beginning instead of one per doubling), else to the
    // next power of two. Powers of two rather than multiples of the current length keep a
    // message that arrives in power-of-two reads plus a frame header from outgrowing its last
    // buffer by a few bytes.
    private byte[] grow(byte[] current, int length, int needed) {
        long target = Math.max(4096, Long.highestOneBit(needed - 1L) << 1);
        if (messageExpected >= 0) {
            target = Math.min(target << 1, messageExpected);
        }
        target = Math.max(target, needed);
        target = Math.min(target, Connection.MAX_ARRAY_MESSAGE);
        return length == 0 ? new byte[(int) target] : Arrays.copyOf(current, (int) target);
    }

    private byte[] takeMessage() {
        byte[] data;
        if (messageLength == 0) {
            data = EMPTY;
        } else if (message.length == messageLength) {
            data = message;
        } else {
            data = Arrays.copyOf(message, messageLength);
        }
        // Keep a small buffer for the next message; let a large one go.
        message = message != null && message.length <= KEPT_BUFFER && data != message ? message : null;
        messageLength = 0;
        return data;
    }

    // A text message becomes a String straight from the receive buffer, which is then kept for
    // the next message when small (as takeMessage does): the String is the only allocation.
    private String takeText() {
        String text = messageLength == 0 ? "" : new String(message, 0, messageLength, StandardCharsets.UTF_8);
        if (message != null && message.length > KEPT_BUFFER) {
            message = null;
        }
        messageLength = 0;
        return text;
    }

    // ---------------------------------------------------------------- spill

    // Moves the message to the spill the first time, then streams every later chunk there.
    private void appendSpilled(ByteBuffer chunk) throws ProtocolException {
        try {
            if (spill == null) {
                spill = spillFactory.open();
                spill.write(ByteBuffer.wrap(message == null ? EMPTY : message, 0, messageLength));
                spilledLength = messageLength;
                message = null;
                messageLength = 0;
            }
            spilledLength += chunk.remaining();
            spill.write(chunk);
        } catch (MessageSpill.LimitReached e) {
            throw new ProtocolException(CloseCodes.TRY_AGAIN_LATER, e.getMessage(), e);
        } catch (IOException e) {
            throw new ProtocolException(CloseCodes.INTERNAL_ERROR, "Cannot store a large message: " + e.getMessage(), e);
        }
    }

    private Object finishSpill() throws ProtocolException {
        MessageSpill done = spill;
        spill = null;
        try {
            return done.finish();
        } catch (IOException e) {
            done.discard();
            throw new ProtocolException(CloseCodes.INTERNAL_ERROR,
                    "Cannot store a large message: " + e.getMessage(), e);
        }
    }
}
