package dev.duplex.internal.protocol;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

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
 *
 * <p>It is the façade over three parts that each do one thing, as OkHttp splits its WebSocket
 * into a reader, a writer and the object that owns their state: the {@link MessageReader}
 * (frames to messages), the {@link FrameWriter} (messages to frames, in order) and the
 * {@link CloseHandshake} (which of them still counts). This class owns the concurrency: the parts
 * are not thread-safe; every send, and every answer the receive side queues, runs with this
 * object's monitor held, which is what keeps the frames in call order.
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

    private final Role role;
    private final Listener listener;
    private final FrameDecoder decoder;
    private final PerMessageDeflate deflate;  // null unless permessage-deflate was negotiated
    private final CloseHandshake handshake = new CloseHandshake();
    private int peerCloseCode;              // guarded by this: the peer's close, for answerClose()
    private String peerCloseReason = "";
    private final MessageReader reader;       // receiving thread only
    private final FrameWriter writer;         // guarded by this

    private boolean holdClose;
    private volatile ProtocolException violation;   // the peer's bytes broke the protocol (fails even after its close)

    /**
     * @param maxMessageSize messages (all fragments together) above this fail with 1009
     * @param maxFrameSize frames above this fail with 1009
     * @param maskKeys a client's mask keys (its thread's, {@link CodecResources#maskKeys()}); null
     *        for a server, which never masks
     */
    public Connection(Role role, long maxMessageSize, long maxFrameSize, MaskKeySource maskKeys,
                      Listener listener, Output output) {
        this(role, maxMessageSize, maxFrameSize, maskKeys, null, listener, output);
    }

    /**
     * @param deflate the negotiated permessage-deflate codec (RFC 7692), or null; the connection
     *        owns it from here on and ends it in {@link #release()}
     */
    public Connection(Role role, long maxMessageSize, long maxFrameSize, MaskKeySource maskKeys,
                      PerMessageDeflate deflate, Listener listener, Output output) {
        this.role = role;
        this.deflate = deflate;
        this.listener = listener;
        boolean client = role == Role.CLIENT;
        if (client) {
            Objects.requireNonNull(maskKeys, "maskKeys: a client masks every frame");
        }
        this.writer = new FrameWriter(client, maskKeys, deflate, output);
        this.reader = new MessageReader(maxMessageSize, handshake, deflate, listener, new Controls());
        this.decoder = new FrameDecoder(role == Role.SERVER, maxFrameSize, reader);
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
        reader.spillLargeBinaryMessages(factory, threshold);
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

    /**
     * Delivers the messages received after our own close frame was sent (the peer sent them
     * before its close) instead of discarding them: for WebSocketOptions.messagesWhileClosing.
     * Call before receiving.
     */
    public void keepMessagesAfterOwnClose() {
        handshake.keepDataAfterOwnClose();
    }

    /**
     * Answers the peer's close frame only when {@link #answerClose()} is called, instead of at
     * once, and lets messages be sent until then: a server answers after the handlers of the
     * messages received before the close have run, so their replies (an echo, say) go out
     * before its close frame (RFC 6455 §5.5.1). Call before receiving.
     */
    public void holdCloseAnswer() {
        handshake.holdAnswer();
    }

    /** True if the peer's close frame arrived and waits for {@link #answerClose()}. */
    public boolean awaitsCloseAnswer() {
        return handshake.awaitsAnswer();
    }

    /** Sends the held answer to the peer's close frame (its code and reason echoed); the handshake is then complete. */
    public void answerClose() {
        synchronized (this) {
            if (handshake.answer()) {
                writer.abandonStreams();
                writer.close(peerCloseCode, peerCloseReason);
            }
        }
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
            handshake.release();
            if (deflate != null) {
                deflate.release();
            }
        }
        reader.dropMessage();
    }

    public Role role() {
        return role;
    }

    /** True until a close frame has been sent or received, or the connection failed. */
    public boolean isOpen() {
        return handshake.isOpen();
    }

    /** True once a close frame has been both sent and received. */
    public boolean isClosed() {
        return handshake.isClosed();
    }

    /** True if we have sent a close frame (ours, an echo, or after a failure). */
    public boolean closeSent() {
        return handshake.closeSent();
    }

    // ---------------------------------------------------------------- receiving

    /**
     * Processes received bytes, consuming all of them. A protocol violation is reported to the
     * listener (after our close frame is queued) and later input is ignored.
     */
    public void receive(ByteBuffer in) {
        if (handshake.failed() || violation != null) {
            in.position(in.limit());
            return;
        }
        try {
            decoder.decode(in);
        } catch (ProtocolException e) {
            in.position(in.limit());
            violation = e;
            if (holdClose) {
                reader.dropMessage();
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
        synchronized (this) {
            // After the peer's close, only a violation of the peer's (data after its close) fails.
            if (!handshake.mayFail(e == violation)) {
                return;
            }
            boolean sendClose = handshake.fail();
            writer.abandonStreams();
            if (sendClose) {
                writer.close(e.closeCode(), "");
            }
        }
        reader.dropMessage();
        listener.onProtocolError(e);
    }

    /**
     * True while an incoming message has started but not ended (its first frame arrived, its
     * last has not). Receiving thread only, like {@link #receive}.
     */
    public boolean messageInProgress() {
        return reader.messageInProgress() && handshake.isOpen() && violation == null;
    }

    /** How many incoming messages have started so far (tells one unfinished message from the next). */
    public int messagesStarted() {
        return reader.messagesStarted();
    }

    /** Heap bytes held by the unfinished incoming message, its buffer's size (0 when none, or once it spilled). */
    public long unfinishedBytesInMemory() {
        return reader.unfinishedBytesInMemory();
    }

    // The receive side's control frames: their answers go out through the send side.
    private final class Controls implements MessageReader.ControlFrames {
        @Override
        public void onPing(byte[] payload) {
            synchronized (Connection.this) {
                if (handshake.isOpen()) {
                    writer.control(Opcode.PONG, payload.clone());
                }
            }
            listener.onPing(payload);
        }

        @Override
        public void onPong(byte[] payload) {
            listener.onPong(payload);
        }

        @Override
        public void onClose(int code, String reason) {
            synchronized (Connection.this) {
                peerCloseCode = code;           // what a held answer echoes (answerClose)
                peerCloseReason = reason;
                if (handshake.peerClosed()) {
                    // Echo the status code and reason (RFC 6455 §5.5.1, as browsers do); an empty
                    // close is answered empty.
                    writer.abandonStreams();
                    writer.close(code, reason);
                }
            }
            reader.dropMessage();
            listener.onCloseFrame(code, reason);
        }
    }

    // ---------------------------------------------------------------- sending

    /**
     * A message sent in fragments, produced while it goes out (RFC 6455 §5.4), so a message of
     * any size needs no buffer of its size. Frames queued after it wait until it is finished.
     */
    public static final class OutboundStream {
        final boolean text;
        boolean started;          // its first fragment went out (the next ones are continuations)

        OutboundStream(boolean text) {
            this.text = text;
        }
    }

    /**
     * Reserves the next place in the outgoing order for a fragmented message; its fragments go
     * out through {@link #sendFragment} once {@link #isActive} says it is its turn. Returns null
     * once a close frame has been sent.
     */
    public synchronized OutboundStream openStream(boolean text) {
        return handshake.mayQueueMessages() ? writer.openStream(text) : null;
    }

    /** True when {@code stream} may send its fragments. */
    public synchronized boolean isActive(OutboundStream stream) {
        return writer.isActive(stream);
    }

    /**
     * Sends the next fragment of the active {@code stream} ({@code last}: the final one), taking
     * ownership of {@code chunk}; its credit is its length. Fragments are never compressed.
     * Returns false if the stream was abandoned (the connection failed or the peer closed).
     */
    public synchronized boolean sendFragment(OutboundStream stream, byte[] chunk, boolean last) {
        return handshake.streamsMayContinue() && writer.fragment(stream, chunk, last);
    }

    /** True while a stream is sending or waiting (a close frame queued behind it is not out yet). */
    public synchronized boolean hasStreams() {
        return writer.hasStreams();
    }

    /**
     * Queues a whole message as one frame, taking ownership of {@code payload} (a client masks
     * it in place). Returns false, queuing nothing, once a close frame has been sent.
     */
    public synchronized boolean sendMessage(boolean text, byte[] payload) {
        if (!handshake.mayQueueMessages()) {
            return false;
        }
        writer.message(text, payload);
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
        if (!handshake.mayQueueMessages()) {
            return false;
        }
        writer.maskedCopy(text, src, off, len);
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
        if (!handshake.mayQueueMessages()) {
            return false;
        }
        writer.encoded(header, payload, credit);
        return true;
    }

    /** Queues a ping (at most 125 bytes). Returns false once a close frame has been sent. */
    public synchronized boolean sendPing(byte[] payload) {
        return sendControl(Opcode.PING, payload);
    }

    /** Queues an unsolicited pong (a unidirectional heartbeat, RFC 6455 §5.5.3). */
    public synchronized boolean sendPong(byte[] payload) {
        return sendControl(Opcode.PONG, payload);
    }

    private boolean sendControl(int opcode, byte[] payload) {
        if (payload.length > 125) {
            throw new IllegalArgumentException("Control frame payload of " + payload.length + " bytes; at most 125");
        }
        if (!handshake.isOpen()) {
            return false;
        }
        writer.control(opcode, payload.clone());
        return true;
    }

    /**
     * Starts the closing handshake: queues a close frame with {@code code} (1005 means a frame
     * with no status) and {@code reason}. Returns false if a close frame was already sent.
     */
    public synchronized boolean close(int code, String reason) {
        if (!handshake.isOpen()) {
            return false;
        }
        writer.close(code, reason); // throws on a reason over 123 bytes: stay OPEN then
        handshake.closeFrameSent();
        return true;
    }
}
