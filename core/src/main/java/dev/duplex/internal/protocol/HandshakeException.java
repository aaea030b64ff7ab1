package dev.duplex.internal.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The opening handshake (RFC 6455 §4) failed: the peer's HTTP head was malformed, exceeded a
 * limit, or did not meet the protocol's requirements.
 *
 * <p>On the server side, {@link #httpStatus()} is the HTTP status to answer the client with
 * (see {@link ServerHandshake#rejectFor(HandshakeException)}); on the client side, where nobody
 * is answered, it is 0. The message is meant for a human: it says what was expected and what
 * was received.
 */
public class HandshakeException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int httpStatus;
    private HttpHead response;
    private String bodyExcerpt = "";

    /** A failure with no HTTP status to answer with (client side): {@link #httpStatus()} is 0. */
    public HandshakeException(String message) {
        this(message, 0);
    }

    /**
     * A failure to answer with {@code httpStatus} (server side), e.g. 400, 405, 414, 426, 431;
     * 0 when there is nobody to answer.
     */
    public HandshakeException(String message, int httpStatus) {
        super(message);
        this.httpStatus = httpStatus;
    }

    /** The HTTP status the server should answer with, or 0 (client side). */
    public int httpStatus() {
        return httpStatus;
    }

    /**
     * Attaches the server's answer that caused this failure (client side), with the start of its
     * body: the bytes of {@code rest} (what arrived after the head), up to {@code maxBody}.
     * {@code rest}'s position is not changed.
     */
    public HandshakeException withResponse(HttpHead response, ByteBuffer rest, int maxBody) {
        this.response = response;
        if (rest != null && rest.hasRemaining()) {
            byte[] b = new byte[Math.min(maxBody, rest.remaining())];
            rest.duplicate().get(b);
            bodyExcerpt = new String(b, StandardCharsets.UTF_8);
        }
        return this;
    }

    /** The server's answer that caused this failure, or null (server side, or no answer). */
    public HttpHead response() {
        return response;
    }

    /** The start of the answer's body, or "". */
    public String bodyExcerpt() {
        return bodyExcerpt;
    }
}
