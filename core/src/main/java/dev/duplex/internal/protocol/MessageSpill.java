package dev.duplex.internal.protocol;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Storage outside the heap for one binary message that grew past the in-memory threshold
 * (for example a temporary file), so a message of gigabytes needs no gigabytes of heap. The
 * protocol layer only calls it; what it does is up to the layer that supplies it.
 */
public interface MessageSpill {
    /** Appends the remaining bytes of {@code chunk}. */
    void write(ByteBuffer chunk) throws IOException;

    /** The message is complete: returns the object handed to {@link Connection.Listener#onSpilledBinary}. */
    Object finish() throws IOException;

    /** The message will not complete (failure, close): release and delete what was written. */
    void discard();

    /**
     * Thrown by {@link #write} when the storage's own limit (not the message size limit) has no
     * room left: the connection fails with 1013 (try again later) rather than 1011.
     */
    class LimitReached extends IOException {
        private static final long serialVersionUID = 1L;

        public LimitReached(String message) {
            super(message);
        }
    }

    /** Opens a spill for a message; called when a binary message first exceeds the threshold. */
    interface Factory {
        MessageSpill open() throws IOException;
    }
}
