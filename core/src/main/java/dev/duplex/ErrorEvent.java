package dev.duplex;

/**
 * A failure of a {@link WebSocket}, dispatched with type {@code "error"} immediately before
 * its {@code "close"} event.
 *
 * <p>Browsers dispatch a bare {@code Event} and hide the cause; Duplex says what went wrong
 * in {@link #message()} and hands over the underlying exception in {@link #error()}.
 */
public class ErrorEvent extends Event {
    private final String message;
    private final Throwable error;

    /**
     * Creates an error event.
     *
     * @param type    the event type, normally {@code "error"}
     * @param message a human-readable description; {@code null} is taken as {@code ""}
     * @param error   the exception behind the failure, or {@code null} if there is none
     * @throws NullPointerException if {@code type} is null
     */
    public ErrorEvent(String type, String message, Throwable error) {
        super(type);
        this.message = message == null ? "" : message;
        this.error = error;
    }

    /**
     * Returns what went wrong, e.g. {@code "Connection refused"}.
     *
     * @return the description, never null
     */
    public String message() {
        return message;
    }

    /**
     * Returns the exception behind the failure (a Java extension: browsers hide it).
     *
     * @return the cause, or {@code null} if there is none
     */
    public Throwable error() {
        return error;
    }

    /**
     * Returns a description for logs.
     *
     * @return e.g. {@code ErrorEvent[type=error, message="Connection refused", error=java.net.ConnectException: ...]}
     */
    @Override
    public String toString() {
        return "ErrorEvent[type=" + type() + ", message=\"" + message + "\", error=" + error + "]";
    }
}
