package dev.duplex;

import dev.duplex.internal.protocol.Http;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a {@link HandshakeHandler} answers to an upgrade request: accept it, optionally with
 * a subprotocol, or reject it with an HTTP status and body. Immutable and thread-safe.
 *
 * <pre>{@code
 * HandshakeDecision.accept();                       // no subprotocol
 * HandshakeDecision.accept("chat");                 // one of request.protocols()
 * HandshakeDecision.reject(403, "forbidden");       // HTTP 403, body "forbidden"
 * HandshakeDecision.accept().withHeader("Set-Cookie", "session=1; HttpOnly");
 * }</pre>
 */
public final class HandshakeDecision {
    private static final HandshakeDecision ACCEPT = new HandshakeDecision(true, null, 101, "", Map.of());

    /** The handler behind {@link HandshakeHandler#acceptAll()}. */
    static final HandshakeHandler ACCEPT_ALL = new HandshakeHandler() {
        @Override
        public HandshakeDecision decide(HandshakeRequest request) {
            return ACCEPT;
        }

        @Override
        public String toString() {
            return "HandshakeHandler.acceptAll()";
        }
    };

    private final boolean accepted;
    private final String protocol;
    private final int status;
    private final String body;
    private final Map<String, List<String>> headers;

    private HandshakeDecision(boolean accepted, String protocol, int status, String body,
            Map<String, List<String>> headers) {
        this.accepted = accepted;
        this.protocol = protocol;
        this.status = status;
        this.body = body;
        this.headers = headers;
    }

    /**
     * Accepts the upgrade without selecting a subprotocol. A client that asked for
     * subprotocols will then fail the connection, as RFC 6455 and browsers require.
     *
     * @return an accepting decision with {@link #protocol()} null
     */
    public static HandshakeDecision accept() {
        return ACCEPT;
    }

    /**
     * Accepts the upgrade, selecting a subprotocol.
     *
     * @param protocol the subprotocol, which should be one of
     *                 {@link HandshakeRequest#protocols()} (a client fails the connection if
     *                 it gets one it did not offer); {@code null} selects none, as
     *                 {@link #accept()}
     * @return an accepting decision
     * @throws IllegalArgumentException if {@code protocol} is not an HTTP token
     */
    public static HandshakeDecision accept(String protocol) {
        if (protocol == null) {
            return ACCEPT;
        }
        if (!Http.isToken(protocol)) {
            throw new IllegalArgumentException("Invalid subprotocol '" + protocol
                    + "': a subprotocol must be a non-empty HTTP token (no spaces, commas or separators)");
        }
        return new HandshakeDecision(true, protocol, 101, "", Map.of());
    }

    /**
     * Rejects the upgrade with an HTTP error response. The body is sent as UTF-8 text
     * ({@code text/plain; charset=utf-8} unless a {@code Content-Type} header is added with
     * {@link #withHeader(String, String)}), and the connection is then closed.
     *
     * @param status the HTTP status code, 400 to 599 (e.g. 401, 403, 404, 429, 503)
     * @param body   the response body; {@code null} is taken as {@code ""}
     * @return a rejecting decision
     * @throws IllegalArgumentException if {@code status} is not between 400 and 599
     */
    public static HandshakeDecision reject(int status, String body) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("A handshake can only be rejected with a 4xx or 5xx status, not "
                    + status);
        }
        return new HandshakeDecision(false, null, status, body == null ? "" : body, Map.of());
    }

    /**
     * Returns a copy of this decision with an extra response header, e.g. {@code Set-Cookie}
     * on acceptance or {@code WWW-Authenticate} and {@code Retry-After} on rejection.
     * Adding a name again (in any case) adds another value.
     *
     * @param name  the header name, an HTTP token; not one of the headers the handshake sets
     *              itself (Host, Upgrade, Connection, Sec-WebSocket-Key,
     *              Sec-WebSocket-Version, Sec-WebSocket-Accept, Sec-WebSocket-Extensions,
     *              Sec-WebSocket-Protocol, Content-Length, Transfer-Encoding)
     * @param value the value: Latin-1 text without control characters other than tab;
     *              leading and trailing spaces and tabs are removed
     * @return a new decision; this one is unchanged
     * @throws NullPointerException     if {@code name} or {@code value} is null
     * @throws IllegalArgumentException if the name is not a token or is reserved, or the
     *                                  value holds a forbidden character
     */
    public HandshakeDecision withHeader(String name, String value) {
        String v = WebSocketOptions.checkHeader(name, value);
        Map<String, List<String>> copy = WebSocketOptions.thaw(headers);
        WebSocketOptions.addHeader(copy, name, v);
        return new HandshakeDecision(accepted, protocol, status, body, WebSocketOptions.freeze(copy));
    }

    /**
     * Tells whether the upgrade is accepted.
     *
     * @return true for {@link #accept()} and {@link #accept(String)}
     */
    public boolean accepted() {
        return accepted;
    }

    /**
     * Returns the selected subprotocol.
     *
     * @return the subprotocol, or {@code null} if none is selected (always null when
     *         rejecting)
     */
    public String protocol() {
        return protocol;
    }

    /**
     * Returns the HTTP status of the response.
     *
     * @return 101 (Switching Protocols) when accepted, else the rejection status
     */
    public int status() {
        return status;
    }

    /**
     * Returns the body of the rejection response.
     *
     * @return the body, {@code ""} when accepted or when none was given
     */
    public String body() {
        return body;
    }

    /**
     * Returns the extra response headers added with {@link #withHeader(String, String)}.
     *
     * @return an unmodifiable map in insertion order, names as first given; empty if none
     */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /**
     * Compares all parts of the decision.
     *
     * @param o the object to compare with
     * @return true if {@code o} is a decision with the same outcome, protocol, status, body
     *         and headers
     */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof HandshakeDecision)) {
            return false;
        }
        HandshakeDecision that = (HandshakeDecision) o;
        return accepted == that.accepted && status == that.status && Objects.equals(protocol, that.protocol)
                && body.equals(that.body) && headers.equals(that.headers);
    }

    /**
     * Returns a hash code consistent with {@link #equals(Object)}.
     *
     * @return the hash code
     */
    @Override
    public int hashCode() {
        return Objects.hash(accepted, protocol, status, body, headers);
    }

    /**
     * Returns a description for logs.
     *
     * @return e.g. {@code HandshakeDecision[accept, protocol=chat]} or
     *         {@code HandshakeDecision[reject 403, body="forbidden"]}
     */
    @Override
    public String toString() {
        String h = headers.isEmpty() ? "" : ", headers=" + headers;
        if (accepted) {
            return "HandshakeDecision[accept" + (protocol == null ? "" : ", protocol=" + protocol) + h + "]";
        }
        return "HandshakeDecision[reject " + status + ", body=\"" + body + "\"" + h + "]";
    }
}
