package dev.duplex.internal.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The client's side of an HTTP {@code CONNECT} tunnel through a proxy (RFC 9110 §9.3.6), sans
 * I/O: the request to write, then the proxy's answer parsed as it arrives. It is apart from the
 * transport so that the channel moves bytes and knows no HTTP, and so that the exchange is
 * tested with byte vectors; it sits beside {@link HttpHeadParser}, which parses the answer.
 *
 * <ol>
 *   <li>{@link #request()}: {@code CONNECT host:port HTTP/1.1}, {@code Host} (RFC 9110 §7.2:
 *       the authority again) and, if given, {@code Proxy-Authorization}.</li>
 *   <li>{@link #feed}: the answer head, at most {@value #MAX_ANSWER_HEAD} bytes; any chopping
 *       gives the same result. Bytes after the head stay in the buffer: they are the tunnel's
 *       (the TLS handshake's, or the WebSocket handshake's).</li>
 *   <li>{@link #established}: a 2xx answer opens the tunnel (RFC 9110 §15.3); anything else is
 *       the proxy's refusal (407 asks for credentials).</li>
 * </ol>
 *
 * <p>Not thread-safe: one per connection, used by its event loop.
 */
public final class ConnectTunnel {
    /** The longest answer head accepted from a proxy. */
    public static final int MAX_ANSWER_HEAD = 16 * 1024;

    private final String target;
    private final ByteBuffer request;
    private final HttpHeadParser answer = HttpHeadParser.forResponses(8192, MAX_ANSWER_HEAD, 100);

    /**
     * @param target "host:port" to reach through the proxy
     * @param authorization the {@code Proxy-Authorization} header value, or null
     */
    public ConnectTunnel(String target, String authorization) {
        this.target = target;
        StringBuilder sb = new StringBuilder(128)
                .append("CONNECT ").append(target).append(" HTTP/1.1\r\n")
                .append("Host: ").append(target).append("\r\n");
        if (authorization != null) {
            sb.append("Proxy-Authorization: ").append(authorization).append("\r\n");
        }
        sb.append("\r\n");
        this.request = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    /** "host:port", as asked for. */
    public String target() {
        return target;
    }

    /** The request's bytes; the caller writes them, advancing the buffer, until none remain. */
    public ByteBuffer request() {
        return request;
    }

    /**
     * Reads the proxy's answer from {@code in}, consuming only the head. Returns null until the
     * head is complete, then the head.
     *
     * @throws HandshakeException if the answer is not a valid HTTP response head within the limits
     */
    public HttpHead feed(ByteBuffer in) throws HandshakeException {
        return answer.feed(in);
    }

    /** True if {@code answer} opens the tunnel: a 2xx status. */
    public static boolean established(HttpHead answer) {
        return answer.status() / 100 == 2;
    }
}
