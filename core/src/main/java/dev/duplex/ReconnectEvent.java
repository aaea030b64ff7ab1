package dev.duplex;

import java.time.Duration;

/**
 * What a {@link ReconnectingWebSocket} is doing about a lost connection (a Java extension),
 * dispatched with one of two types:
 * <ul>
 *   <li>{@code "reconnecting"}: a connection ended (or could not be opened) in a way that is
 *       retried, and attempt {@link #attempt()} starts after {@link #delay()}. {@link #code()},
 *       {@link #reason()} and {@link #error()} say how that connection ended.</li>
 *   <li>{@code "reconnected"}: attempt {@link #attempt()} opened a new connection, right after
 *       its {@code open} event; {@link #delay()} is the delay that attempt waited, and
 *       {@link #code()}, {@link #reason()} and {@link #error()} describe the last failure
 *       before it.</li>
 * </ul>
 */
public class ReconnectEvent extends Event {
    private final int attempt;
    private final Duration delay;
    private final int code;
    private final String reason;
    private final Throwable error;

    /**
     * Creates a reconnect event.
     *
     * @param type    {@code "reconnecting"} or {@code "reconnected"}
     * @param attempt the attempt, from 1 (counted since the last stable connection, see {@link ReconnectPolicy})
     * @param delay   the delay before that attempt
     * @param code    the close code of the connection that ended (1006 if it never opened)
     * @param reason  the close reason; null is taken as ""
     * @param error   the cause the failed connection reported, or null
     */
    public ReconnectEvent(String type, int attempt, Duration delay, int code, String reason, Throwable error) {
        super(type);
        this.attempt = attempt;
        this.delay = delay;
        this.code = code;
        this.reason = reason == null ? "" : reason;
        this.error = error;
    }

    /** @return the attempt, 1 for the first after a drop */
    public int attempt() {
        return attempt;
    }

    /** @return the delay before the attempt (back-off with jitter, at most the policy's maxDelay) */
    public Duration delay() {
        return delay;
    }

    /** @return the close code of the connection that ended, e.g. 1001, 1006 or 1012 */
    public int code() {
        return code;
    }

    /** @return the close reason the server sent, "" if none */
    public String reason() {
        return reason;
    }

    /** @return why that connection failed (a refused connect, a 503 answer, a timeout), or null if it was just closed */
    public Throwable error() {
        return error;
    }

    @Override
    public String toString() {
        return "ReconnectEvent[" + type() + ", attempt=" + attempt + ", delay=" + delay + ", code=" + code
                + (error == null ? "" : ", error=" + error.getMessage()) + "]";
    }
}
