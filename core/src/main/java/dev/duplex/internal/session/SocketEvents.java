package dev.duplex.internal.session;

/**
 * What a {@link Session} tells the socket above it: the small interface through which the
 * connection machinery reaches the API's {@code WebSocket} (which implements it privately, so
 * none of this is part of the public API). Called on the connection's I/O thread.
 */
public interface SocketEvents {
    /** The opening handshake succeeded (client): the open event is due. */
    void established(String protocol, String extensions);

    /** A complete message: a {@code String}, a {@code byte[]} or a {@link SpilledMessage}. */
    void messageReceived(Object data);

    /** The peer started the closing handshake. */
    void closingStarted();

    /** The connection is over: the error (if any) and close events are due. */
    void closed(int code, String reason, boolean wasClean, Throwable error);

    /** {@code credit} bytes of message payload reached the kernel. */
    void written(long credit);

    /** Start the closing handshake on Duplex's own initiative (idle timeout, shutdown). */
    void closeFromLibrary(int code, String reason);

    /** Runs {@code action} after the listeners of the events queued so far (now if none can run yet). */
    void afterQueuedEvents(Runnable action);
}
