package dev.duplex.internal.protocol;

import java.util.Objects;

/**
 * The outcome of a successful client-side opening handshake: what the server agreed to.
 * Returned by {@link ClientHandshake#validate(HttpHead)}. Immutable.
 */
public final class HandshakeResponse {
    private final String protocol;
    private final String extensions;
    private final HttpHead head;

    /**
     * @param protocol   the subprotocol the server selected, "" if none
     * @param extensions the server's {@code Sec-WebSocket-Extensions}, "" if none
     * @param head       the server's 101 response head
     */
    public HandshakeResponse(String protocol, String extensions, HttpHead head) {
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        this.extensions = Objects.requireNonNull(extensions, "extensions");
        this.head = Objects.requireNonNull(head, "head");
    }

    /**
     * The subprotocol the server selected ({@code Sec-WebSocket-Protocol}), "" if none. When
     * protocols were offered and this is "", the connection must fail: that rule belongs to
     * the API layer (WHATWG WebSockets), not to this check.
     */
    public String protocol() {
        return protocol;
    }

    /**
     * The extensions in use: the server's {@code Sec-WebSocket-Extensions} value (repeated
     * header lines joined with {@code ", "}), "" if none. Every extension named here was
     * offered by the client; parameters are for the extension itself to check.
     */
    public String extensions() {
        return extensions;
    }

    /** The server's response head, e.g. for its {@code Set-Cookie} headers. */
    public HttpHead head() {
        return head;
    }

    @Override
    public String toString() {
        return "HandshakeResponse[protocol=" + protocol + ", extensions=" + extensions + "]";
    }
}
