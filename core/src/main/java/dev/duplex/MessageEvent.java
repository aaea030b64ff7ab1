package dev.duplex;

import java.nio.ByteBuffer;

/**
 * A message received by a {@link WebSocket}: the Java form of the DOM {@code MessageEvent}
 * interface, dispatched with type {@code "message"}.
 *
 * <p>{@link #data()} is a {@link String} for a text message, and for a binary message either
 * a {@link Blob} or a {@link ByteBuffer}, depending on the socket's
 * {@link WebSocket#binaryType() binaryType} when the event is dispatched.
 */
public class MessageEvent extends Event {
    private static final int MAX_TEXT_IN_TO_STRING = 60;

    private final Object data;
    private final String origin;

    /**
     * Creates a message event.
     *
     * @param type   the event type, normally {@code "message"}
     * @param data   the message: a {@code String}, {@code Blob} or {@code ByteBuffer} when
     *               created by Duplex; any object (or null) when created by an application
     * @param origin the origin of the sender, e.g. {@code "ws://localhost:8080"};
     *               {@code null} is taken as {@code ""}
     * @throws NullPointerException if {@code type} is null
     */
    public MessageEvent(String type, Object data, String origin) {
        super(type);
        this.data = data;
        this.origin = origin == null ? "" : origin;
    }

    /**
     * Returns the message payload.
     *
     * @return a {@link String} (text message), a {@link Blob} (binary message, binaryType
     *         {@link BinaryType#BLOB}) or a {@link ByteBuffer} (binary message, binaryType
     *         {@link BinaryType#ARRAYBUFFER}; a fresh buffer positioned at 0 that the
     *         listener owns)
     */
    public Object data() {
        return data;
    }

    /**
     * Returns the origin of the message: for a client socket, the serialized origin of the
     * socket's URL, e.g. {@code "ws://localhost:8080"}.
     *
     * @return the origin, never null
     */
    public String origin() {
        return origin;
    }

    /**
     * Returns the last event ID, which WebSocket messages never have.
     *
     * @return always {@code ""} (kept for parity with the DOM interface)
     */
    public String lastEventId() {
        return "";
    }

    /**
     * Returns a description for logs: the type, origin and a summary of the data (long text
     * is shortened, binary data is described by its size).
     *
     * @return e.g. {@code MessageEvent[type=message, data="hello", origin=ws://localhost:8080]}
     */
    @Override
    public String toString() {
        return "MessageEvent[type=" + type() + ", data=" + describe(data) + ", origin=" + origin + "]";
    }

    private static String describe(Object data) {
        if (data instanceof String) {
            String s = (String) data;
            if (s.length() > MAX_TEXT_IN_TO_STRING) {
                return "\"" + s.substring(0, MAX_TEXT_IN_TO_STRING) + "\u2026\" (" + s.length() + " chars)";
            }
            return "\"" + s + "\"";
        }
        if (data instanceof ByteBuffer) {
            return "ByteBuffer[" + ((ByteBuffer) data).remaining() + " bytes]";
        }
        return String.valueOf(data);
    }
}
