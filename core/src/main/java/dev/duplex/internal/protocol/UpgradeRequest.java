package dev.duplex.internal.protocol;

import java.util.List;

/**
 * A client's valid WebSocket upgrade request, as checked by
 * {@link ServerHandshake#validate(HttpHead)}. Immutable.
 */
public final class UpgradeRequest {
    private final HttpHead head;
    private final String key;
    private final String path;
    private final String query;
    private final List<String> protocols;
    private final String extensionsOffer;
    private final String origin;

    UpgradeRequest(HttpHead head, String key, String path, String query, List<String> protocols,
            String extensionsOffer, String origin) {
        this.head = head;
        this.key = key;
        this.path = path;
        this.query = query;
        this.protocols = List.copyOf(protocols);
        this.extensionsOffer = extensionsOffer;
        this.origin = origin;
    }

    /** The request head, for any header the application wants (cookies, authorization...). */
    public HttpHead head() {
        return head;
    }

    /** The {@code Sec-WebSocket-Key}, to pass to {@link ServerHandshake#accept}. */
    public String key() {
        return key;
    }

    /**
     * The raw (still percent-encoded) path of the request target, without the query, e.g.
     * {@code "/chat"}; for an absolute-form target ({@code ws://host/chat}) its path, or
     * {@code "/"} if it has none.
     */
    public String path() {
        return path;
    }

    /** The raw query of the request target, without the {@code ?}; "" if none. */
    public String query() {
        return query;
    }

    /**
     * The offered subprotocols, from every {@code Sec-WebSocket-Protocol} header, split at
     * commas, in order; empty if none. Each is an HTTP token.
     */
    public List<String> protocols() {
        return protocols;
    }

    /**
     * The offered extensions: every {@code Sec-WebSocket-Extensions} value, joined with
     * {@code ", "}; "" if none.
     */
    public String extensionsOffer() {
        return extensionsOffer;
    }

    /** The {@code Origin} header value, or null if the request has none (non-browser client). */
    public String origin() {
        return origin;
    }

    /** The {@code Host} header value. */
    public String host() {
        return head.header("Host");
    }

    @Override
    public String toString() {
        return "UpgradeRequest[" + head.startLine() + ", protocols=" + protocols
                + ", extensions=" + extensionsOffer + ", origin=" + origin + "]";
    }
}
