package dev.duplex.internal.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The server side of the RFC 6455 §4.2 opening handshake: checks a client's upgrade request
 * and builds the 101 answer, or an HTTP error response. Stateless; no I/O.
 *
 * <pre>{@code
 * HttpHead head = parser.feed(in);                  // HttpHeadParser.forRequests(...)
 * try {
 *     UpgradeRequest req = ServerHandshake.validate(head);
 *     write(ServerHandshake.accept(req.key(), "chat", "", Map.of()));
 * } catch (HandshakeException e) {
 *     write(ServerHandshake.rejectFor(e));          // then close the connection
 * }
 * }</pre>
 */
public final class ServerHandshake {
    private ServerHandshake() {}

    /**
     * Checks a client's opening handshake (RFC 6455 §4.2.1), in this order:
     * <ol>
     *   <li>method {@code GET}, else 405 (answer with {@code Allow: GET});</li>
     *   <li>HTTP/1.1 or later, else 400;</li>
     *   <li>a request target in origin-form ({@code /path?query}) or absolute-form with a
     *       {@code ws}, {@code wss}, {@code http} or {@code https} scheme, without fragment,
     *       else 400;</li>
     *   <li>exactly one non-empty {@code Host}, else 400;</li>
     *   <li>an {@code Upgrade} header with the token {@code websocket}: no {@code Upgrade} at
     *       all (a plain HTTP request) gives 426, one without that token 400;</li>
     *   <li>a {@code Connection} header with the token {@code Upgrade}, else 400;</li>
     *   <li>exactly one {@code Sec-WebSocket-Version}, equal to {@code 13}, else 426 (answer
     *       with {@code Sec-WebSocket-Version: 13}, RFC 6455 §4.4); checked before the key so
     *       that clients of older drafts learn which version to use;</li>
     *   <li>exactly one {@code Sec-WebSocket-Key}, the base64 encoding of 16 bytes, else
     *       400;</li>
     *   <li>{@code Sec-WebSocket-Protocol} elements that are all tokens, else 400.</li>
     * </ol>
     * {@link #rejectFor(HandshakeException)} builds the matching error response.
     *
     * @throws HandshakeException with the status to answer with
     * @throws IllegalArgumentException if {@code request} is a response head
     */
    public static UpgradeRequest validate(HttpHead request) throws HandshakeException {
        if (!request.isRequest()) {
            throw new IllegalArgumentException("Not a request head: " + request.startLine());
        }
        if (!"GET".equals(request.method())) {
            throw new HandshakeException("Method " + request.method()
                    + " not allowed: a WebSocket handshake is a GET request", 405);
        }
        if (request.version().compareTo("HTTP/1.1") < 0) {
            throw new HandshakeException("A WebSocket handshake needs HTTP/1.1 or later (got "
                    + request.version() + ")", 400);
        }
        String[] pathAndQuery = splitTarget(request.target());

        List<String> hosts = request.headers("Host");
        if (hosts.isEmpty()) {
            throw new HandshakeException("Missing Host header", 400);
        }
        if (hosts.size() > 1) {
            throw new HandshakeException("Several Host headers", 400);
        }
        if (hosts.get(0).isEmpty()) {
            throw new HandshakeException("Empty Host header", 400);
        }

        List<String> upgrades = request.headers("Upgrade");
        if (upgrades.isEmpty()) {
            throw new HandshakeException("Upgrade Required: this is a WebSocket endpoint", 426);
        }
        if (!request.hasToken("Upgrade", "websocket")) {
            throw new HandshakeException("Upgrade header is \"" + String.join(", ", upgrades)
                    + "\", expected \"websocket\"", 400);
        }
        if (!request.hasToken("Connection", "Upgrade")) {
            List<String> connections = request.headers("Connection");
            throw new HandshakeException(connections.isEmpty()
                    ? "Missing Connection header (expected \"Connection: Upgrade\")"
                    : "Connection header is \"" + String.join(", ", connections)
                            + "\", expected the token \"Upgrade\"", 400);
        }

        List<String> versions = request.headers("Sec-WebSocket-Version");
        if (versions.isEmpty()) {
            throw new HandshakeException(
                    "Missing Sec-WebSocket-Version header (this server supports version 13)", 426);
        }
        if (versions.size() > 1 || !versions.get(0).equals("13")) {
            throw new HandshakeException("Unsupported Sec-WebSocket-Version \""
                    + String.join(", ", versions) + "\" (this server supports version 13)", 426);
        }

        List<String> keys = request.headers("Sec-WebSocket-Key");
        if (keys.isEmpty()) {
            throw new HandshakeException("Missing Sec-WebSocket-Key header", 400);
        }
        if (keys.size() > 1) {
            throw new HandshakeException("Several Sec-WebSocket-Key headers", 400);
        }
        String key = keys.get(0);
        if (!ClientHandshake.isValidKey(key)) {
            throw new HandshakeException("Invalid Sec-WebSocket-Key " + HttpHeadParser.quote(key)
                    + ": it must be the base64 encoding of 16 bytes", 400);
        }

        List<String> offered = request.headers("Sec-WebSocket-Protocol");
        List<String> protocols = offered.isEmpty() ? List.of() : new ArrayList<>();
        for (String value : offered) {
            for (String protocol : HttpHead.listElements(value)) {
                if (!Http.isToken(protocol)) {
                    throw new HandshakeException("Invalid subprotocol "
                            + HttpHeadParser.quote(protocol)
                            + " in Sec-WebSocket-Protocol: it must be an HTTP token", 400);
                }
                protocols.add(protocol);
            }
        }
        List<String> offers = request.headers("Sec-WebSocket-Extensions");
        String extensions = offers.size() == 1 ? offers.get(0) : String.join(", ", offers);
        return new UpgradeRequest(request, key, pathAndQuery[0], pathAndQuery[1], protocols,
                extensions, request.header("Origin"));
    }

    /**
     * Splits a request target (origin-form or absolute-form) into raw path and raw query
     * ("" if none).
     *
     * @throws HandshakeException (400) for a target that is neither form or has a fragment
     */
    public static String[] splitTarget(String target) throws HandshakeException {
        String pathAndQuery;
        if (target.startsWith("/")) {
            pathAndQuery = target;
        } else {
            // absolute-form (RFC 9112 §3.2.2): scheme "://" authority [path-abempty] ["?" query]
            int schemeEnd = target.indexOf("://");
            String scheme = schemeEnd <= 0 ? "" : target.substring(0, schemeEnd)
                    .toLowerCase(Locale.ROOT);
            if (!Set.of("ws", "wss", "http", "https").contains(scheme)) {
                throw new HandshakeException("Invalid request target "
                        + HttpHeadParser.quote(target) + " (expected a path such as /chat)", 400);
            }
            int authorityStart = schemeEnd + 3;
            int pathStart = authorityStart;
            while (pathStart < target.length() && target.charAt(pathStart) != '/'
                    && target.charAt(pathStart) != '?') {
                pathStart++;
            }
            if (pathStart == authorityStart) {
                throw new HandshakeException("Invalid request target "
                        + HttpHeadParser.quote(target) + ": no host", 400);
            }
            pathAndQuery = target.substring(pathStart);
            if (!pathAndQuery.startsWith("/")) {
                pathAndQuery = "/" + pathAndQuery;
            }
        }
        if (pathAndQuery.indexOf('#') >= 0) {
            throw new HandshakeException("Invalid request target " + HttpHeadParser.quote(target)
                    + ": a fragment is not allowed", 400);
        }
        int question = pathAndQuery.indexOf('?');
        return question < 0
                ? new String[] {pathAndQuery, ""}
                : new String[] {pathAndQuery.substring(0, question),
                        pathAndQuery.substring(question + 1)};
    }

    /**
     * The server's 101 answer (RFC 6455 §4.2.2): {@code HTTP/1.1 101 Switching Protocols},
     * {@code Upgrade: websocket}, {@code Connection: Upgrade}, {@code Sec-WebSocket-Accept},
     * then {@code Sec-WebSocket-Protocol} and {@code Sec-WebSocket-Extensions} when non-null
     * and non-empty, the extra headers (e.g. {@code Set-Cookie}) in iteration order, one line
     * per value, and the empty line.
     *
     * @param key          the client's {@code Sec-WebSocket-Key} ({@link UpgradeRequest#key()})
     * @param protocol     the selected subprotocol (a token, one the client offered), or
     *                     null/"" for none
     * @param extensions   the accepted extensions' header value, or null/"" for none
     * @param extraHeaders further headers, or null; not the ones written here, nor
     *                     {@code Content-Length}/{@code Transfer-Encoding}
     * @throws IllegalArgumentException if a value is not a valid header value, the protocol
     *         is not a token, or an extra header is one of those forbidden above
     */
    public static ByteBuffer accept(String key, String protocol, String extensions,
            Map<String, List<String>> extraHeaders) {
        return accept(key, protocol, extensions, extraHeaders, CodecResources.newSha1());
    }

    /** {@link #accept(String, String, String, Map)} with the thread's SHA-1 ({@link CodecResources#sha1()}). */
    public static ByteBuffer accept(String key, String protocol, String extensions,
            Map<String, List<String>> extraHeaders, MessageDigest sha1) {
        Objects.requireNonNull(key, "key");
        if (!Http.isValidHeaderValue(key)) {
            throw new IllegalArgumentException("Invalid Sec-WebSocket-Key: " + key);
        }
        if (protocol != null && !protocol.isEmpty() && !Http.isToken(protocol)) {
            throw new IllegalArgumentException("Subprotocol is not an HTTP token: " + protocol);
        }
        if (extensions != null && !Http.isValidHeaderValue(extensions)) {
            throw new IllegalArgumentException("Invalid Sec-WebSocket-Extensions value: "
                    + extensions);
        }
        Map<String, List<String>> extras = checkExtras(extraHeaders);
        for (String name : extras.keySet()) {
            if (Http.isSetByServerHandshake(name)) {
                throw new IllegalArgumentException("Header " + name
                        + " cannot be an extra header of the 101 response");
            }
        }
        StringBuilder sb = new StringBuilder(256).append("HTTP/1.1 101 Switching Protocols\r\n");
        line(sb, "Upgrade", "websocket");
        line(sb, "Connection", "Upgrade");
        line(sb, "Sec-WebSocket-Accept", ClientHandshake.acceptFor(key, sha1));
        if (protocol != null && !protocol.isEmpty()) {
            line(sb, "Sec-WebSocket-Protocol", protocol);
        }
        if (extensions != null && !extensions.isEmpty()) {
            line(sb, "Sec-WebSocket-Extensions", extensions);
        }
        appendExtras(sb, extras, Set.of());
        sb.append("\r\n");
        return ByteBuffer.wrap(latin1(sb));
    }

    /**
     * A complete HTTP error response refusing the upgrade, after which the connection is to be
     * closed: the status line with {@link #reasonPhrase(int)},
     * {@code Content-Type: text/plain; charset=utf-8} (unless the extra headers give a
     * {@code Content-Type}), {@code Content-Length}, {@code Connection: close} (merged with any
     * {@code Connection} extra header), the other extra headers in iteration order, and the
     * body encoded as UTF-8.
     *
     * @param status       an HTTP status from 200 to 599, typically 4xx or 5xx
     * @param body         the body text, or null for none
     * @param extraHeaders further headers, or null; not {@code Content-Length} or
     *                     {@code Transfer-Encoding}
     * @throws IllegalArgumentException on a status out of range or an invalid extra header
     */
    public static ByteBuffer reject(int status, String body, Map<String, List<String>> extraHeaders) {
        return response(status, body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8), extraHeaders,
                false);
    }

    /**
     * A complete response followed by closing, as {@link #reject} but with a body of bytes; with
     * {@code headOnly} (the answer to a {@code HEAD} request) the body is left out and its
     * {@code Content-Length} kept.
     *
     * @throws IllegalArgumentException on a status out of range or an invalid extra header
     */
    public static ByteBuffer response(int status, byte[] content, Map<String, List<String>> extraHeaders,
            boolean headOnly) {
        byte[] head = responseHead(status, content.length, extraHeaders);
        ByteBuffer out = ByteBuffer.allocate(head.length + (headOnly ? 0 : content.length)).put(head);
        if (!headOnly) {
            out.put(content);
        }
        return out.flip();
    }

    /**
     * The head of a response whose body of {@code contentLength} bytes the caller sends after it
     * (a streamed file), with the same headers as {@link #response}.
     *
     * @throws IllegalArgumentException on a status out of range or an invalid extra header
     */
    public static byte[] responseHead(int status, long contentLength, Map<String, List<String>> extraHeaders) {
        if (status < 200 || status > 599) {
            throw new IllegalArgumentException("Status out of range 200-599: " + status);
        }
        Map<String, List<String>> extras = checkExtras(extraHeaders);
        String contentType = "text/plain; charset=utf-8";
        List<String> connection = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : extras.entrySet()) {
            String lower = e.getKey().toLowerCase(Locale.ROOT);
            if (Http.isComputedFromBody(lower)) {
                throw new IllegalArgumentException("Header " + e.getKey()
                        + " is computed from the body and cannot be an extra header");
            }
            if (lower.equals("content-type") && !e.getValue().isEmpty()) {
                contentType = null;
            }
            if (lower.equals("connection")) {
                connection.addAll(e.getValue());
            }
        }
        boolean hasClose = false;
        for (String value : connection) {
            for (String element : HttpHead.listElements(value)) {
                hasClose |= element.equalsIgnoreCase("close");
            }
        }
        if (!hasClose) {
            connection.add("close");
        }
        StringBuilder sb = new StringBuilder(256).append("HTTP/1.1 ").append(status).append(' ')
                .append(reasonPhrase(status)).append("\r\n");
        if (contentType != null) {
            line(sb, "Content-Type", contentType);
        }
        line(sb, "Content-Length", Long.toString(contentLength));
        line(sb, "Connection", String.join(", ", connection));
        appendExtras(sb, extras, Set.of("connection"));
        sb.append("\r\n");
        return latin1(sb);
    }

    /**
     * The error response for a failed handshake: the exception's status (400 if it is not
     * 400-599), its message plus a newline as the body, and the headers the status calls for:
     * {@code Upgrade: websocket}, {@code Connection: Upgrade} and
     * {@code Sec-WebSocket-Version: 13} for 426 (RFC 9110 §15.5.22, RFC 6455 §4.4),
     * {@code Allow: GET} for 405 (RFC 9110 §15.5.6).
     */
    public static ByteBuffer rejectFor(HandshakeException e) {
        int status = e.httpStatus() >= 400 && e.httpStatus() <= 599 ? e.httpStatus() : 400;
        Map<String, List<String>> extras = new LinkedHashMap<>();
        if (status == 426) {
            extras.put("Upgrade", List.of("websocket"));
            extras.put("Connection", List.of("Upgrade"));
            extras.put("Sec-WebSocket-Version", List.of("13"));
        } else if (status == 405) {
            extras.put("Allow", List.of("GET"));
        }
        String message = e.getMessage() == null ? reasonPhrase(status) : e.getMessage();
        return reject(status, message + "\n", extras);
    }

    /**
     * The standard reason phrase for {@code status} (RFC 9110 §15) for common codes,
     * {@code "Error"} otherwise.
     */
    public static String reasonPhrase(int status) {
        switch (status) {
            case 101: return "Switching Protocols";
            case 200: return "OK";
            case 204: return "No Content";
            case 301: return "Moved Permanently";
            case 302: return "Found";
            case 303: return "See Other";
            case 307: return "Temporary Redirect";
            case 308: return "Permanent Redirect";
            case 400: return "Bad Request";
            case 401: return "Unauthorized";
            case 403: return "Forbidden";
            case 404: return "Not Found";
            case 405: return "Method Not Allowed";
            case 406: return "Not Acceptable";
            case 408: return "Request Timeout";
            case 409: return "Conflict";
            case 410: return "Gone";
            case 413: return "Content Too Large";
            case 414: return "URI Too Long";
            case 426: return "Upgrade Required";
            case 429: return "Too Many Requests";
            case 431: return "Request Header Fields Too Large";
            case 500: return "Internal Server Error";
            case 501: return "Not Implemented";
            case 502: return "Bad Gateway";
            case 503: return "Service Unavailable";
            case 504: return "Gateway Timeout";
            case 505: return "HTTP Version Not Supported";
            default: return "Error";
        }
    }

    /** Whether {@link #response} would accept this header (a token name, values without control characters). */
    public static boolean isValidExtraHeader(String name, List<String> values) {
        try {
            ClientHandshake.checkHeaderName(name);
            ClientHandshake.checkHeaderValues(name, values);
            return true;
        } catch (IllegalArgumentException | NullPointerException e) {
            return false;
        }
    }

    private static Map<String, List<String>> checkExtras(Map<String, List<String>> extraHeaders) {
        if (extraHeaders == null || extraHeaders.isEmpty()) {
            return Map.of();
        }
        Map<String, List<String>> extras = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : extraHeaders.entrySet()) {
            ClientHandshake.checkHeaderName(e.getKey());
            extras.put(e.getKey(), ClientHandshake.checkHeaderValues(e.getKey(), e.getValue()));
        }
        return extras;
    }

    private static void appendExtras(StringBuilder sb, Map<String, List<String>> extras,
            Set<String> skip) {
        for (Map.Entry<String, List<String>> e : extras.entrySet()) {
            if (skip.contains(e.getKey().toLowerCase(Locale.ROOT))) {
                continue;
            }
            for (String value : e.getValue()) {
                line(sb, e.getKey(), value);
            }
        }
    }

    /** The builder's text as ISO-8859-1 bytes, in one copy (toString and getBytes make two). */
    private static byte[] latin1(StringBuilder sb) {
        byte[] bytes = new byte[sb.length()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) sb.charAt(i);
        }
        return bytes;
    }

    private static void line(StringBuilder sb, String name, String value) {
        sb.append(name).append(": ").append(value).append("\r\n");
    }
}
