package dev.duplex;

/**
 * How a {@link WebSocket} exposes the payload of a received binary message in
 * {@link MessageEvent#data()}: the Java form of the DOM {@code BinaryType} enumeration.
 *
 * <p>The value is read when a message event is dispatched, not when its bytes arrive, so
 * changing it affects every message not yet delivered.
 */
public enum BinaryType {
    /**
     * Binary messages are delivered as an immutable {@link Blob} (the default, as in
     * browsers). Large messages may be kept in a temporary file rather than on the heap.
     */
    BLOB,
    /**
     * Binary messages are delivered as a {@link java.nio.ByteBuffer}: a fresh heap buffer,
     * positioned at 0, that the listener owns and may modify.
     */
    ARRAYBUFFER
}
