package dev.duplex;

/**
 * The end of a {@link WebSocket} connection: the Java form of the DOM {@code CloseEvent}
 * interface, dispatched with type {@code "close"} exactly once per socket.
 *
 * <p>{@link #code()} is the status code the peer sent in its close frame (1005 if its frame
 * had none), or 1006 if the connection ended without a closing handshake (refused, failed,
 * timed out, dropped). {@link #wasClean()} is true only after a completed closing handshake.
 */
public class CloseEvent extends Event {
    private final int code;
    private final String reason;
    private final boolean wasClean;

    /**
     * Creates a close event.
     *
     * @param type     the event type, normally {@code "close"}
     * @param code     the close status code, e.g. 1000 (normal closure) or 1006 (abnormal)
     * @param reason   the close reason sent by the peer; {@code null} is taken as {@code ""}
     * @param wasClean whether the closing handshake completed
     * @throws NullPointerException if {@code type} is null
     */
    public CloseEvent(String type, int code, String reason, boolean wasClean) {
        super(type);
        this.code = code;
        this.reason = reason == null ? "" : reason;
        this.wasClean = wasClean;
    }

    /**
     * Returns the close status code.
     *
     * @return the code from the peer's close frame, 1005 if that frame carried none, or 1006
     *         if the connection closed abnormally
     */
    public int code() {
        return code;
    }

    /**
     * Returns the close reason.
     *
     * @return the reason from the peer's close frame, or {@code ""}
     */
    public String reason() {
        return reason;
    }

    /**
     * Tells whether the connection closed cleanly.
     *
     * @return true only if the WebSocket closing handshake completed
     */
    public boolean wasClean() {
        return wasClean;
    }

    /**
     * Returns a description for logs.
     *
     * @return e.g. {@code CloseEvent[type=close, code=1000, reason="bye", wasClean=true]}
     */
    @Override
    public String toString() {
        return "CloseEvent[type=" + type() + ", code=" + code + ", reason=\"" + reason + "\", wasClean=" + wasClean + "]";
    }
}
