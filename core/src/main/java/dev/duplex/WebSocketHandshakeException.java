package dev.duplex;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The opening handshake failed: the server (or an HTTP proxy on the way) answered something
 * other than a valid {@code 101 Switching Protocols}, or its answer broke RFC 6455 §4.1.
 * Handed out by {@link ErrorEvent#error()} on a client socket that never opened.
 *
 * <p>{@link #status()} lets a program tell {@code 401} from {@code 403} or {@code 503} without
 * parsing the message; {@link #headers()} carries, for example, {@code WWW-Authenticate} or
 * {@code Retry-After}; {@link #body()} is the start of the error page, for logs.
 *
 * <pre>{@code
 * ws.onerror(e -> {
 *     if (((ErrorEvent) e).error() instanceof WebSocketHandshakeException h && h.status() == 401) {
 *         refreshTokenAndReconnect();
 *     }
 * });
 * }</pre>
 */
public final class WebSocketHandshakeException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The most of a refusal's body that {@link #body()} keeps, in bytes. */
    public static final int BODY_EXCERPT_BYTES = 1024;

    private final int status;
    private final transient Map<String, List<String>> headers;
    private final String body;
    private final boolean fromProxy;

    /**
     * Creates a handshake failure.
     *
     * @param message   what went wrong, for humans
     * @param status    the HTTP status of the answer (101 for a switching answer that broke the
     *                  protocol), or 0 if there was none
     * @param headers   the answer's header fields by name; null is taken as none
     * @param body      the start of the answer's body; null is taken as ""
     * @param fromProxy whether the answer came from an HTTP proxy refusing {@code CONNECT}
     */
    public WebSocketHandshakeException(String message, int status, Map<String, List<String>> headers, String body,
            boolean fromProxy) {
        super(message);
        this.status = status;
        this.headers = headers == null ? Map.of() : headers;
        this.body = body == null ? "" : body;
        this.fromProxy = fromProxy;
    }

    /**
     * Returns the HTTP status the server (or proxy) answered with, e.g. 401, 403, 404 or 503.
     *
     * @return the status (101 when the answer switched protocols but broke RFC 6455, for example
     *         with a wrong {@code Sec-WebSocket-Accept}), or 0 if there was no answer
     */
    public int status() {
        return status;
    }

    /**
     * Returns the answer's header fields. Lookups ignore case, as HTTP field names do.
     *
     * @return the fields by name, each with its values in the order received; empty if there
     *         was no answer
     */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /**
     * Returns the start of the answer's body: what arrived together with the head, at most
     * {@value #BODY_EXCERPT_BYTES} bytes, decoded as UTF-8 (invalid bytes become U+FFFD).
     *
     * @return the excerpt, or "" if there was none
     */
    public String body() {
        return body;
    }

    /**
     * Tells whether the refusal came from an HTTP proxy (its answer to {@code CONNECT}) rather
     * than from the WebSocket server.
     *
     * @return true for a proxy's refusal
     */
    public boolean fromProxy() {
        return fromProxy;
    }
}
