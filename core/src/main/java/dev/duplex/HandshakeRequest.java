package dev.duplex;

import dev.duplex.internal.protocol.HttpHead;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A client's WebSocket upgrade request, as received by a {@link WebSocketServer}: given to
 * the {@link HandshakeHandler} and available afterwards from
 * {@link ConnectionEvent#request()}. Immutable and thread-safe.
 */
public final class HandshakeRequest {
    private final String method;
    private final String path;
    private final String query;
    // From the server's parser: header lookups go to the parsed head, and the map view is
    // built only if headers() is called, so that an upgrade nobody inspects costs no map.
    private final HttpHead head;
    private volatile Map<String, List<String>> headers;
    private final List<String> protocols;
    private final InetSocketAddress remoteAddress;

    /**
     * Creates a request.
     *
     * @param method        the request method, e.g. {@code "GET"}
     * @param path          the raw (still percent-encoded) path, without the query
     * @param query         the raw query without {@code '?'}; null or {@code ""} if none
     * @param headers       the header fields, values in the order received; names may be in
     *                      any case, and names differing only in case are merged
     * @param protocols     the subprotocols offered in {@code Sec-WebSocket-Protocol}, in order
     * @param remoteAddress the client's address, or null if unknown
     */
    HandshakeRequest(String method, String path, String query, Map<String, List<String>> headers,
            List<String> protocols, InetSocketAddress remoteAddress) {
        this(method, path, query, null, headers, protocols, remoteAddress);
    }

    /** A request from a parsed head; the arguments are as above, the headers {@code head}'s. */
    HandshakeRequest(String method, String path, String query, HttpHead head,
            List<String> protocols, InetSocketAddress remoteAddress) {
        this(method, path, query, Objects.requireNonNull(head, "head"), null, protocols,
                remoteAddress);
    }

    private HandshakeRequest(String method, String path, String query, HttpHead head,
            Map<String, List<String>> headers, List<String> protocols,
            InetSocketAddress remoteAddress) {
        this.method = Objects.requireNonNull(method, "method");
        this.path = Objects.requireNonNull(path, "path");
        this.query = query == null ? "" : query;
        this.head = head;
        this.headers = head == null ? caseInsensitiveCopy(headers) : null;
        this.protocols = protocols == null ? List.of() : List.copyOf(protocols);
        this.remoteAddress = remoteAddress;
    }

    private static Map<String, List<String>> caseInsensitiveCopy(Map<String, List<String>> headers) {
        TreeMap<String, List<String>> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (headers != null) {
            headers.forEach((name, values) -> map.computeIfAbsent(name, k -> new ArrayList<>()).addAll(values));
        }
        map.replaceAll((name, values) -> List.copyOf(values));
        return Collections.unmodifiableMap(map);
    }

    /**
     * Returns the request method.
     *
     * @return {@code "GET"} for every valid WebSocket upgrade
     */
    public String method() {
        return method;
    }

    /**
     * Returns the path of the request target, as sent (still percent-encoded), without the
     * query.
     *
     * @return e.g. {@code "/chat"} for {@code GET /chat?room=1 HTTP/1.1}
     */
    public String path() {
        return path;
    }

    /**
     * Returns the query of the request target, as sent (still percent-encoded), without the
     * {@code '?'}.
     *
     * @return e.g. {@code "room=1"}; {@code ""} if there is no query
     */
    public String query() {
        return query;
    }

    /**
     * Returns the first value of a header.
     *
     * @param name the header name, in any case
     * @return the first value received, or {@code null} if the request has no such header
     * @throws NullPointerException if {@code name} is null
     */
    public String header(String name) {
        Objects.requireNonNull(name, "header name must not be null");
        if (head != null) {
            return head.header(name);
        }
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /**
     * Returns all header fields.
     *
     * @return an unmodifiable map whose key lookup ignores case ({@code get("origin")} finds
     *         {@code Origin}), iterated in case-insensitive alphabetical order; each value is
     *         the unmodifiable list of values in the order received (a header sent as several
     *         fields has several values; a comma-separated value is not split)
     */
    public Map<String, List<String>> headers() {
        Map<String, List<String>> map = headers;
        if (map == null) {
            map = caseInsensitiveCopy(head.headers());
            headers = map;
        }
        return map;
    }

    /**
     * Returns the {@code Origin} header, which browsers set to the origin of the page that
     * opened the connection. Check it to refuse connections from other web sites.
     *
     * @return e.g. {@code "https://example.com"}, or {@code null} if absent (non-browser
     *         clients usually send none)
     */
    public String origin() {
        return header("Origin");
    }

    /**
     * Returns the subprotocols the client offered, in its order of preference.
     *
     * @return an unmodifiable list, empty if none was offered
     */
    public List<String> protocols() {
        return protocols;
    }

    /**
     * Returns the address the connection came from (the proxy's, if the client is behind
     * one).
     *
     * @return the address, or {@code null} if unknown
     */
    public InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    /**
     * Returns a description for logs: method, target, origin, protocols and address. Header
     * values are left out since they may hold credentials.
     *
     * @return e.g. {@code HandshakeRequest[GET /chat?x=1, origin=null, protocols=[chat], from=/127.0.0.1:5555]}
     */
    @Override
    public String toString() {
        return "HandshakeRequest[" + method + " " + path + (query.isEmpty() ? "" : "?" + query)
                + ", origin=" + origin() + ", protocols=" + protocols + ", from=" + remoteAddress + "]";
    }
}
