package dev.duplex.internal.protocol;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * One endpoint of an open WebSocket connection, without I/O (RFC 6455 §5–§7).
 *
 * <p>Received bytes go in through {@link #receive(ByteBuffer)} (from one thread at a time); what
 * they mean comes out through the {@link Listener}: messages, pings, pongs, the peer's close, or
 * a protocol violation with its close code. Frames to send — the user's messages, and the
 * automatic answers to pings and close frames — go to the {@link Output}. The send methods are
 * thread-safe and keep frames in call order.
 *
 * <p>The closing handshake: a received close is answered with a close echoing its code; after
 * our own close has been sent, incoming data is discarded until the peer's close arrives; after
 * a failure, everything received is ignored. What happens to the TCP connection afterwards is
 * the transport's decision (the server closes first, RFC 6455 §7.1.1).
 */
public final class Connection {
    /** Which end of the connection this is; it decides masking in both directions. */
    public enum Role { CLIENT, SERVER }

    /** The largest message that fits in one Java array. */
    public static final int MAX_ARRAY_MESSAGE = Integer.MAX_VALUE - 8;

    /** Receives what the peer's bytes mean. Called on the thread that calls {@code receive}. */
    public interface Listener {
        void onText(String text);

        void onBinary(byte[] data);

        /**
         * A binary message that outgrew memory and went to a {@link MessageSpill}; {@code handle}
         * is what its {@link MessageSpill#finish()} returned. Only called after
         * {@link #spillLargeBinaryMessages} was set up.
         */
        default void onSpilledBinary(Object handle) {
            throw new IllegalStateException("Spilled messages are not handled by " + getClass().getName());
        }

        /** A ping arrived; the pong has already been queued. */
        default void onPing(byte[] payload) {}

        default void onPong(byte[] payload) {}

        /**
         * The peer's close frame arrived. If we had not sent a close yet, the echo has already
         * been queued. {@code code} is 1005 when the frame carried no status.
         */
        void onCloseFrame(int code, String reason);

        /** The peer broke the protocol; a close frame with {@code e.closeCode()} has been queued. */
        void onProtocolError(ProtocolException e);

        /**
         * Only with {@link #holdCloseAfterViolation}: the peer's bytes broke the protocol. Nothing
         * more is read, but frames may still be sent; call {@link Connection#fail} with {@code e} to queue
         * the close frame and end the connection, once what should go out before it has been sent.
         */
        default void onViolation(ProtocolException e) {
            throw new IllegalStateException("Held violations are not handled by " + getClass().getName());
        }
    }

    /** Where frames go: the transport's write queue. Must accept calls from any thread. */
    public interface Output {
        /**
         * Queues one frame this connection made: a header with first byte {@code firstByte} (FIN,
         * RSV bits, opcode: {@link FrameEncoder#firstByte}), the length of {@code payload} and, if
         * {@code masked}, {@code maskKey}; then {@code payload}, already masked, which the output
         * now owns. The output writes the header itself ({@link FrameEncoder#writeHeader(ByteBuffer,
         * int, long, boolean, int)}), straight into its write buffer, so that framing a message
         * allocates nothing. {@code credit} is the number of bytes of user payload the frame
         * carries, for {@code bufferedAmount}.
         */
        void writeFrame(int firstByte, boolean masked, int maskKey, byte[] payload, long credit);

        /**
         * Queues a frame encoded elsewhere (a server's broadcast, encoded once for every
         * connection): its header and payload bytes as they go on the wire. {@code payload} may be
         * null for an empty frame.
         */
        void write(ByteBuffer header, ByteBuffer payload, long credit);
    }

    private enum State { OPEN, CLOSE_SENT, CLOSED, FAILED }

    private final Role role;
    private final long maxMessageSize;       // the configured limit
    private final long maxTextSize;          // text must fit a Java array
    private long maxBinarySize;              // binary may be larger when spilled
    private MessageSpill.Factory spillFactory;
    private long spillThreshold = Long.MAX_VALUE;
    private MessageSpill spill;              // the binary message being received, once spilled
    private long spilledLength;
    private final Listener listener;
    private final Output output;
    private final FrameDecoder decoder;
    private final MaskKeySource maskKeys;   // clients only
    private final PerMessageDeflate deflate;  // null unless permessage-deflate was negotiated

    private volatile State state = State.OPEN;
    private boolean holdClose;
    private volatile ProtocolException violation;   // the peer's bytes broke the protocol (fails even after its close)

    // Receive side, touched only by the receiving thread.
    private int frameOpcode;
    private boolean frameFin;
    private long frameLength;
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

    /**
     * @param maxMessageSize messages (all fragments together) above this fail with 1009
     * @param maxFrameSize frames above this fail with 1009
     * @param random the source of a client's mask keys, or null for Duplex's shared keystream
     *        ({@link MaskKeySource#shared()}); servers never mask
     */
    public Connection(Role role, long maxMessageSize, long maxFrameSize, SecureRandom random,
                      Listener listener, Output output) {
        this(role, maxMessageSize, maxFrameSize, random, null, listener, output);
    }

    /**
     * @param deflate the negotiated permessage-deflate codec (RFC 7692), or null; the connection
     *        owns it from here on and ends it in {@link #release()}
     */
    public Connection(Role role, long maxMessageSize, long maxFrameSize, SecureRandom random,
                      PerMessageDeflate deflate, Listener listener, Output output) {
        this.role = role;
        this.deflate = deflate;
        this.maxMessageSize = maxMessageSize;
        this.maxTextSize = Math.min(maxMessageSize, MAX_ARRAY_MESSAGE);
        this.maxBinarySize = maxTextSize;
        this.listener = listener;
        this.output = output;
        this.maskKeys = role != Role.CLIENT ? null : random != null ? MaskKeySource.of(random) : MaskKeySource.shared();
        this.decoder = new FrameDecoder(role == Role.SERVER, maxFrameSize, new Frames());
        if (deflate != null) {
            decoder.allowRsv(4);      // RSV1: "compressed" (RFC 7692 §6)
        }
    }

    /**
     * Sends binary messages larger than {@code threshold} bytes to storage from {@code factory}
     * instead of the heap, and lets binary messages go up to the configured maximum message
     * size even beyond the largest Java array. Call before receiving.
     */
    public void spillLargeBinaryMessages(MessageSpill.Factory factory, long threshold) {
        this.spillFactory = factory;
        // Above the largest array a message cannot stay in memory, whatever the threshold says.
        this.spillThreshold = Math.min(threshold, MAX_ARRAY_MESSAGE);
        this.maxBinarySize = maxMessageSize;
    }

    /**
     * Changes what a violation found in received bytes does: instead of queuing the close frame
     * at once, the connection stops reading and tells {@link Listener#onViolation}, whose owner
     * calls {@link #fail} when the replies to the messages received before the violation have
     * been queued, so that they reach the peer before the close frame (what strict peers, and the
     * Autobahn test suite's "strict" grade, expect). Call before receiving.
     */
    public void holdCloseAfterViolation(boolean hold) {
        this.holdClose = hold;
    }

    /** True if permessage-deflate is in use. */
    public boolean compression() {
        return deflate != null;
    }

    /**
     * Frees native resources (the permessage-deflate compressor and decompressor). Call once the
     * connection is over, on every path (closed, failed, aborted); idempotent. Later input is
     * ignored and later messages are not compressed.
     */
    public void release() {
        synchronized (this) {
            if (state == State.OPEN || state == State.CLOSE_SENT) {
                state = State.FAILED;
            }
            if (deflate != null) {
                deflate.release();
            }
        }
        message = null;
        discardSpill();
    }

    public Role role() {
        return role;
    }

    /** True until a close frame has been sent or received, or the connection failed. */
    public boolean isOpen() {
        return state == State.OPEN;
    }

    /** True once a close frame has been both sent and received. */
    public boolean isClosed() {
        return state == State.CLOSED;
    }

    /** True if we have sent a close frame (ours, an echo, or after a failure). */
    public boolean closeSent() {
        return state != State.OPEN;
    }

    // ---------------------------------------------------------------- receiving

    /**
     * Processes received bytes, consuming all of them. A protocol violation is reported to the
     * listener (after our close frame is queued) and later input is ignored.
     */
    public void receive(ByteBuffer in) {
        if (state == State.FAILED || violation != null) {
            in.position(in.limit());
            return;
        }
        try {
            decoder.decode(in);
        } catch (ProtocolException e) {
            in.position(in.limit());
            violation = e;
            if (holdClose) {
                message = null;
                discardSpill();
                listener.onViolation(e);
            } else {
                fail(e);
            }
        }
    }

    /**
     * Fails the connection from outside the decoder (for example a limit the transport enforces):
     * queues a close frame with {@code e.closeCode()} unless one was sent, and reports the error.
     */
    public void fail(ProtocolException e) {
        boolean sendClose;
        synchronized (this) {
            // After the peer's close, only a violation of the peer's (data after its close) fails.
            if (state == State.FAILED || (state == State.CLOSED && e != violation)) {
                return;
            }
            sendClose = state == State.OPEN;
            state = State.FAILED;
            abandonStreams();
            if (sendClose) {
                writeClose(e.closeCode(), "");
            }
        }
        message = null;
        discardSpill();
        listener.onProtocolError(e);
    }

    private final class Frames implements FrameListener {
        @Override
        public void onFrameStart(boolean fin, int rsv, int opcode, long length) throws ProtocolException {
            if (state == State.CLOSED && !Opcode.isControl(opcode)) {
                throw ProtocolException.protocolError("WS_ERR_DATA_AFTER_CLOSE", "A " + Opcode.name(opcode) + " frame after the peer's close frame"
                        + " (RFC 6455 section 5.5.1: no data may follow a close frame)");
            }
            if (finished()) {
                return;
            }
            frameOpcode = opcode;
            frameFin = fin;
            frameLength = length;
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
                discarding = state != State.OPEN;
                utf8.reset();
            }
            if (discarding || state != State.OPEN) {
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
            if (finished()) {
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
            if (discarding || state != State.OPEN) {
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
            if (finished()) {
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
            if (discarding || state != State.OPEN) {
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
                MessageSpill done = spill;
                spill = null;
                Object handle;
                try {
                    handle = done.finish();
                } catch (IOException e) {
                    done.discard();
                    throw new ProtocolException(CloseCodes.INTERNAL_ERROR,
                            "Cannot store a large message: " + e.getMessage(), e);
                }
                listener.onSpilledBinary(handle);
                return;
            }
            if (opcode == Opcode.TEXT) {
                listener.onText(takeText());
            } else {
                listener.onBinary(takeMessage());
            }
        }
    }

    // Control frames after the peer's close frame, and everything after a failure, are ignored,
    // exactly as if they had arrived in a later read; a data frame after the peer's close is a
    // violation (onFrameStart), as in Chromium.
    private boolean finished() {
        State s = state;
        return s == State.CLOSED || s == State.FAILED;
    }

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

    /**
     * True while an incoming message has started but not ended (its first frame arrived, its
     * last has not). Receiving thread only, like {@link #receive}.
     */
    public boolean messageInProgress() {
        return messageOpcode != 0 && state == State.OPEN && violation == null;
    }

    /** How many incoming messages have started so far (tells one unfinished message from the next). */
    public int messagesStarted() {
        return messagesStarted;
    }

    /** Heap bytes held by the unfinished incoming message, its buffer's size (0 when none, or once it spilled). */
    public long unfinishedBytesInMemory() {
        return messageOpcode == 0 || spill != null || message == null ? 0 : message.length;
    }

    /** Bytes of the current message received so far, in memory or spilled. */
    private long received() {
        return spill != null ? spilledLength : messageLength;
    }

    private long messageLimit() {
        return messageOpcode == Opcode.TEXT ? maxTextSize : maxBinarySize;
    }

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

    private void discardSpill() {
        MessageSpill s = spill;
        spill = null;
        if (s != null) {
            s.discard();
        }
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
        target = Math.min(target, MAX_ARRAY_MESSAGE);
        return length == 0 ? new byte[(int) target] : Arrays.copyOf(current, (int) target);
    }

    private static final byte[] EMPTY = new byte[0];

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
        message = message != null && message.length <= 4096 && data != message ? message : null;
        messageLength = 0;
        return data;
    }

    // A text message becomes a String straight from the receive buffer, which is then kept for
    // the next message when small (as takeMessage does): the String is the only allocation.
    private String takeText() {
        String text = messageLength == 0 ? "" : new String(message, 0, messageLength, StandardCharsets.UTF_8);
        if (message != null && message.length > 4096) {
            message = null;
        }
        messageLength = 0;
        return text;
    }

    private void onControlFrame(int opcode, byte[] payload) throws ProtocolException {
        switch (opcode) {
            case Opcode.PING:
                synchronized (this) {
                    if (state == State.OPEN) {
                        writeFrame(Opcode.PONG, payload.clone(), 0);
                    }
                }
                listener.onPing(payload);
                break;
            case Opcode.PONG:
                listener.onPong(payload);
                break;
            case Opcode.CLOSE:
                onCloseFrame(payload);
                break;
            default:
                throw new AssertionError(opcode);
        }
    }

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
        synchronized (this) {
            if (state == State.OPEN) {
                // Echo the status code and reason (RFC 6455 §5.5.1, as browsers do); an empty
                // close is answered empty.
                abandonStreams();
                writeClose(code, reason);
            }
            state = State.CLOSED;
        }
        message = null;
        discardSpill();
        listener.onCloseFrame(code, reason);
    }

    // ---------------------------------------------------------------- sending

    /**
     * A message sent in fragments, produced while it goes out (RFC 6455 §5.4), so a message of
     * any size needs no buffer of its size. Frames queued after it wait until it is finished.
     */
    public static final class OutboundStream {
        private final boolean text;
        private boolean started;

        private OutboundStream(boolean text) {
            this.text = text;
        }
    }

    // Data and close frames queued while a stream is being sent, and later streams, in order.
    private OutboundStream activeStream;
    private final java.util.ArrayDeque<Object> held = new java.util.ArrayDeque<>(0);  // room made when used

    // A frame waiting behind a stream: one this connection made, or an encoded one (broadcast).
    private static final class HeldFrame {
        final int firstByte;
        final boolean masked;
        final int maskKey;
        final byte[] payload;
        final ByteBuffer encodedHeader;
        final ByteBuffer encodedPayload;
        final long credit;

        HeldFrame(int firstByte, boolean masked, int maskKey, byte[] payload, long credit) {
            this.firstByte = firstByte;
            this.masked = masked;
            this.maskKey = maskKey;
            this.payload = payload;
            this.encodedHeader = null;
            this.encodedPayload = null;
            this.credit = credit;
        }

        HeldFrame(ByteBuffer header, ByteBuffer payload, long credit) {
            this.firstByte = 0;
            this.masked = false;
            this.maskKey = 0;
            this.payload = null;
            this.encodedHeader = header;
            this.encodedPayload = payload;
            this.credit = credit;
        }

        void writeTo(Output output) {
            if (encodedHeader != null) {
                output.write(encodedHeader, encodedPayload, credit);
            } else {
                output.writeFrame(firstByte, masked, maskKey, payload, credit);
            }
        }
    }

    /**
     * Reserves the next place in the outgoing order for a fragmented message; its fragments go
     * out through {@link #sendFragment} once {@link #isActive} says it is its turn. Returns null
     * once a close frame has been sent.
     */
    public synchronized OutboundStream openStream(boolean text) {
        if (state != State.OPEN) {
            return null;
        }
        OutboundStream stream = new OutboundStream(text);
        if (activeStream == null) {
            activeStream = stream;
        } else {
            held.add(stream);
        }
        return stream;
    }

    /** True when {@code stream} may send its fragments. */
    public synchronized boolean isActive(OutboundStream stream) {
        return activeStream == stream;
    }

    /**
     * Sends the next fragment of the active {@code stream} ({@code last}: the final one), taking
     * ownership of {@code chunk}; its credit is its length. Fragments are never compressed.
     * Returns false if the stream was abandoned (the connection failed or the peer closed).
     */
    public synchronized boolean sendFragment(OutboundStream stream, byte[] chunk, boolean last) {
        if (activeStream != stream || state == State.FAILED || state == State.CLOSED) {
            return false;
        }
        int opcode = stream.started ? Opcode.CONTINUATION : stream.text ? Opcode.TEXT : Opcode.BINARY;
        stream.started = true;
        emit(opcode, 0, last, chunk, chunk.length, true);
        if (last) {
            activeStream = null;
            releaseHeld();
        }
        return true;
    }

    /** True while a stream is sending or waiting (a close frame queued behind it is not out yet). */
    public synchronized boolean hasStreams() {
        return activeStream != null;
    }

    // Writes the frames held behind the stream that just ended, up to the next stream.
    private void releaseHeld() {
        Object next;
        while ((next = held.poll()) != null) {
            if (next instanceof OutboundStream) {
                activeStream = (OutboundStream) next;
                return;
            }
            ((HeldFrame) next).writeTo(output);
        }
    }

    // The peer closed or the connection failed: unfinished streams and held frames are dropped,
    // so our close frame can go out now.
    private void abandonStreams() {
        activeStream = null;
        held.clear();
    }

    /**
     * Queues a whole message as one frame, taking ownership of {@code payload} (a client masks
     * it in place). Returns false, queuing nothing, once a close frame has been sent.
     */
    public synchronized boolean sendMessage(boolean text, byte[] payload) {
        if (state != State.OPEN) {
            return false;
        }
        if (deflate != null) {
            byte[] packed = deflate.compress(payload);
            if (packed != null) {
                writeFrame(text ? Opcode.TEXT : Opcode.BINARY, 4, packed, payload.length);
                return true;
            }
        }
        writeFrame(text ? Opcode.TEXT : Opcode.BINARY, payload, payload.length);
        return true;
    }

    /**
     * Like {@link #sendMessage}, for bytes the caller keeps: they are copied before this method
     * returns. A client copies and masks in one pass (one read of the data instead of two).
     */
    public synchronized boolean sendMessageCopy(boolean text, byte[] src, int off, int len) {
        if (role == Role.SERVER || deflate != null) {
            return sendMessage(text, Arrays.copyOfRange(src, off, off + len));
        }
        if (state != State.OPEN) {
            return false;
        }
        int key = nextMaskKey();
        byte[] masked = new byte[len];
        Masking.maskCopy(src, off, masked, 0, len, key, 0);
        queueFrame(text ? Opcode.TEXT : Opcode.BINARY, 0, true, masked, true, key, len, false);
        return true;
    }

    /**
     * Like {@link #sendMessageCopy}, for bytes that never change (an immutable blob's): a server
     * sends {@code src} itself when the message is the whole array, since it neither masks nor
     * otherwise changes a payload; a client masks a copy.
     */
    public synchronized boolean sendMessageUnchanging(boolean text, byte[] src, int off, int len) {
        if (role == Role.SERVER && off == 0 && len == src.length) {
            return sendMessage(text, src);
        }
        return sendMessageCopy(text, src, off, len);
    }

    /**
     * Queues a data frame that was encoded once for many connections (a server's broadcast):
     * unmasked and uncompressed, so the same bytes are valid on every connection. The buffers
     * are not changed (each connection writes from its own duplicate). Returns false once a close
     * frame has been sent.
     *
     * @throws IllegalStateException on a client connection, whose frames must each be masked
     */
    public synchronized boolean sendEncoded(ByteBuffer header, ByteBuffer payload, long credit) {
        if (role != Role.SERVER) {
            throw new IllegalStateException("Only a server may share encoded frames: a client masks every frame");
        }
        if (state != State.OPEN) {
            return false;
        }
        ByteBuffer h = header.duplicate();
        ByteBuffer p = payload == null ? null : payload.duplicate();
        if (activeStream != null) {
            held.add(new HeldFrame(h, p, credit));
        } else {
            output.write(h, p, credit);
        }
        return true;
    }

    /** Queues a ping (at most 125 bytes). Returns false once a close frame has been sent. */
    public synchronized boolean sendPing(byte[] payload) {
        checkControlPayload(payload);
        if (state != State.OPEN) {
            return false;
        }
        writeFrame(Opcode.PING, payload.clone(), 0);
        return true;
    }

    /** Queues an unsolicited pong (a unidirectional heartbeat, RFC 6455 §5.5.3). */
    public synchronized boolean sendPong(byte[] payload) {
        checkControlPayload(payload);
        if (state != State.OPEN) {
            return false;
        }
        writeFrame(Opcode.PONG, payload.clone(), 0);
        return true;
    }

    /**
     * Starts the closing handshake: queues a close frame with {@code code} (1005 means a frame
     * with no status) and {@code reason}. Returns false if a close frame was already sent.
     */
    public synchronized boolean close(int code, String reason) {
        if (state != State.OPEN) {
            return false;
        }
        writeClose(code, reason); // throws on a reason over 123 bytes: stay OPEN then
        state = State.CLOSE_SENT;
        return true;
    }

    private static void checkControlPayload(byte[] payload) {
        if (payload.length > 125) {
            throw new IllegalArgumentException("Control frame payload of " + payload.length + " bytes; at most 125");
        }
    }

    private void writeClose(int code, String reason) {
        byte[] payload;
        if (code == CloseCodes.NO_STATUS) {
            payload = EMPTY;
        } else {
            byte[] r = reason == null ? EMPTY : reason.getBytes(StandardCharsets.UTF_8);
            if (r.length > 123) {
                throw new IllegalArgumentException("Close reason of " + r.length + " bytes; at most 123");
            }
            payload = new byte[2 + r.length];
            payload[0] = (byte) (code >> 8);
            payload[1] = (byte) code;
            System.arraycopy(r, 0, payload, 2, r.length);
        }
        writeFrame(Opcode.CLOSE, payload, 0);
    }

    // Called with the monitor held, so frames reach the output in the order they were made.
    private void writeFrame(int opcode, byte[] payload, long credit) {
        writeFrame(opcode, 0, payload, credit);
    }

    private void writeFrame(int opcode, int rsv, byte[] payload, long credit) {
        emit(opcode, rsv, true, payload, credit, false);
    }

    // Encodes (and masks) a frame now, in call order. Data and close frames wait behind an
    // active stream; pings, pongs (RFC 6455 §5.4: control frames may be injected in the middle
    // of a fragmented message) and the stream's own fragments go straight out.
    private void emit(int opcode, int rsv, boolean fin, byte[] payload, long credit, boolean streamFragment) {
        boolean mask = role == Role.CLIENT;
        int key = mask ? nextMaskKey() : 0;
        if (mask) {
            Masking.mask(payload, 0, payload.length, key, 0);
        }
        queueFrame(opcode, rsv, fin, payload, mask, key, credit, streamFragment);
    }

    // Queues a frame whose payload is final (masked with key if mask).
    private void queueFrame(int opcode, int rsv, boolean fin, byte[] payload, boolean mask, int key, long credit,
                            boolean streamFragment) {
        int firstByte = FrameEncoder.firstByte(fin, rsv, opcode);
        boolean passes = streamFragment || opcode == Opcode.PING || opcode == Opcode.PONG;
        if (activeStream != null && !passes) {
            held.add(new HeldFrame(firstByte, mask, key, payload, credit));
            return;
        }
        output.writeFrame(firstByte, mask, key, payload, credit);
    }

    // A fresh, unpredictable key per frame (RFC 6455 §5.3).
    private int nextMaskKey() {
        return maskKeys.nextKey();
    }
}
