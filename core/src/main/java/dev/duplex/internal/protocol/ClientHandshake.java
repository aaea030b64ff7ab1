package dev.duplex.internal.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.Collections;
import java.util.Random;

/**
 * The client side of the RFC 6455 §4.1 opening handshake, for one connection attempt: builds
 * the upgrade request and validates the server's response. Immutable; no I/O.
 *
 * <pre>{@code
 * ClientHandshake hs = new ClientHandshake("example.com", "/chat", List.of("chat"),
 *         "permessage-deflate; client_max_window_bits", null, Map.of(),
 *         ClientHandshake.newKey(secureRandom));
 * write(hs.request());
 * HttpHead head = parser.feed(...);            // HttpHeadParser.forResponses(...)
 * HandshakeResponse ok = hs.validate(head);    // throws HandshakeException if refused
 * }</pre>
 */
public final class ClientHandshake {
    /** The GUID RFC 6455 §1.3 appends to the key before hashing. */
    public static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private final String hostHeader;
    private final String resourceName;
    private final List<String> protocols;
    private final String extensionsOffer;
    private final String origin;
    private final Map<String, List<String>> extraHeaders;
    private final String key;

    /**
     * @param hostHeader      the {@code Host} header value: the URL's host, with {@code :port}
     *                        unless it is the scheme's default (RFC 6455 §4.1 item 4)
     * @param resourceName    the request target: path and query, e.g. {@code "/chat?x=1"},
     *                        starting with {@code /}, percent-encoded (visible ASCII only)
     * @param protocols       the subprotocols to offer, in order of preference; tokens, no
     *                        duplicates; null or empty for none
     * @param extensionsOffer the {@code Sec-WebSocket-Extensions} value to send; null or empty
     *                        for none
     * @param origin          the {@code Origin} header value, or null to send none
     * @param extraHeaders    further headers, sent in iteration order, one line per value;
     *                        null for none. They may not be headers the handshake sets itself
     *                        ({@code Host}, {@code Upgrade}, {@code Connection},
     *                        {@code Sec-WebSocket-*}), nor {@code Origin} when {@code origin}
     *                        is given.
     * @param key             the {@code Sec-WebSocket-Key}: base64 of 16 random bytes, see
     *                        {@link #newKey(java.util.Random)}
     * @throws IllegalArgumentException if an argument is not valid as described
     */
    public ClientHandshake(String hostHeader, String resourceName, List<String> protocols,
            String extensionsOffer, String origin, Map<String, List<String>> extraHeaders,
            String key) {
        Objects.requireNonNull(hostHeader, "hostHeader");
        Objects.requireNonNull(resourceName, "resourceName");
        Objects.requireNonNull(key, "key");
        if (hostHeader.isEmpty() || !Http.isValidHeaderValue(hostHeader)
                || hostHeader.indexOf(' ') >= 0 || hostHeader.indexOf('\t') >= 0) {
            throw new IllegalArgumentException("Invalid Host header value: " + hostHeader);
        }
        if (!isValidResourceName(resourceName)) {
            throw new IllegalArgumentException("Invalid resource name (must start with / and "
                    + "hold only visible ASCII, no '#'): " + resourceName);
        }
        List<String> offered = protocols == null ? List.of() : List.copyOf(protocols);
        Set<String> seen = new LinkedHashSet<>();
        for (String p : offered) {
            if (!Http.isToken(p)) {
                throw new IllegalArgumentException("Subprotocol is not an HTTP token: " + p);
            }
            if (!seen.add(p)) {
                throw new IllegalArgumentException("Subprotocol offered twice: " + p);
            }
        }
        String extensions = extensionsOffer == null ? "" : extensionsOffer;
        if (!Http.isValidHeaderValue(extensions)) {
            throw new IllegalArgumentException("Invalid Sec-WebSocket-Extensions value: "
                    + extensions);
        }
        if (origin != null && !Http.isValidHeaderValue(origin)) {
            throw new IllegalArgumentException("Invalid Origin header value: " + origin);
        }
        if (!isValidKey(key)) {
            throw new IllegalArgumentException(
                    "Sec-WebSocket-Key must be the base64 encoding of 16 bytes: " + key);
        }
        Map<String, List<String>> extras = new LinkedHashMap<>();
        if (extraHeaders != null) {
            for (Map.Entry<String, List<String>> e : extraHeaders.entrySet()) {
                String name = e.getKey();
                String lower = checkHeaderName(name);
                if (Http.isSetByClientHandshake(lower)) {
                    throw new IllegalArgumentException("Header " + name
                            + " is set by the WebSocket handshake and cannot be given as an extra header");
                }
                if (origin != null && lower.equals("origin")) {
                    throw new IllegalArgumentException(
                            "Origin is given both as origin and as an extra header");
                }
                extras.put(name, checkHeaderValues(name, e.getValue()));
            }
        }
        this.hostHeader = hostHeader;
        this.resourceName = resourceName;
        this.protocols = offered;
        this.extensionsOffer = extensions;
        this.origin = origin;
        this.extraHeaders = Collections.unmodifiableMap(extras);
        this.key = key;
    }

    /**
     * A fresh {@code Sec-WebSocket-Key}: the base64 encoding of 16 bytes from {@code random}
     * (RFC 6455 §4.1 item 7). Pass a {@link java.security.SecureRandom}.
     */
    public static String newKey(Random random) {
        byte[] nonce = new byte[16];
        random.nextBytes(nonce);
        return Base64.getEncoder().encodeToString(nonce);
    }

    /**
     * The {@code Sec-WebSocket-Accept} value for {@code key}: base64(SHA-1(key + GUID))
     * (RFC 6455 §4.2.2 item 5.4). For the RFC's sample key {@code "dGhlIHNhbXBsZSBub25jZQ=="}
     * it is {@code "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="}.
     */
    public static String acceptFor(String key) {
        return acceptFor(key, CodecResources.newSha1());
    }

    /**
     * {@link #acceptFor(String)} with a SHA-1 the caller reuses (its thread's,
     * {@link CodecResources#sha1()}); {@code digest()} leaves it reset for the next use.
     */
    public static String acceptFor(String key, MessageDigest sha1) {
        // The key is ISO-8859-1 text (a header value): hash its chars as bytes, then the GUID,
        // without building key + GUID.
        for (int i = 0; i < key.length(); i++) {
            sha1.update((byte) key.charAt(i));
        }
        sha1.update(GUID_BYTES);
        return Base64.getEncoder().encodeToString(sha1.digest());
    }

    private static final byte[] GUID_BYTES = GUID.getBytes(StandardCharsets.ISO_8859_1);

    /** The {@code Host} header value. */
    public String hostHeader() {
        return hostHeader;
    }

    /** The request target. */
    public String resourceName() {
        return resourceName;
    }

    /** The offered subprotocols, in order; empty if none. */
    public List<String> protocols() {
        return protocols;
    }

    /** The offered {@code Sec-WebSocket-Extensions} value, "" if none. */
    public String extensionsOffer() {
        return extensionsOffer;
    }

    /** The {@code Origin} header value, or null. */
    public String origin() {
        return origin;
    }

    /** The extra headers, unmodifiable, in the order they are sent. */
    public Map<String, List<String>> extraHeaders() {
        return extraHeaders;
    }

    /** The {@code Sec-WebSocket-Key}. */
    public String key() {
        return key;
    }

    /**
     * The complete upgrade request (RFC 6455 §4.1), a new buffer on each call, ready to be
     * written: {@code GET <resourceName> HTTP/1.1}, {@code Host}, {@code Upgrade: websocket},
     * {@code Connection: Upgrade}, {@code Sec-WebSocket-Key}, {@code Sec-WebSocket-Version: 13},
     * then {@code Sec-WebSocket-Protocol} (comma-joined, if any offered),
     * {@code Sec-WebSocket-Extensions} (if any offered), {@code Origin} (if set), the extra
     * headers, and the empty line.
     */
    public ByteBuffer request() {
        StringBuilder sb = new StringBuilder(256);
        sb.append("GET ").append(resourceName).append(" HTTP/1.1\r\n");
        line(sb, "Host", hostHeader);
        line(sb, "Upgrade", "websocket");
        line(sb, "Connection", "Upgrade");
        line(sb, "Sec-WebSocket-Key", key);
        line(sb, "Sec-WebSocket-Version", "13");
        if (!protocols.isEmpty()) {
            line(sb, "Sec-WebSocket-Protocol", String.join(", ", protocols));
        }
        if (!extensionsOffer.isEmpty()) {
            line(sb, "Sec-WebSocket-Extensions", extensionsOffer);
        }
        if (origin != null) {
            line(sb, "Origin", origin);
        }
        for (Map.Entry<String, List<String>> e : extraHeaders.entrySet()) {
            for (String value : e.getValue()) {
                line(sb, e.getKey(), value);
            }
        }
        sb.append("\r\n");
        return ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * Checks the server's response head against RFC 6455 §4.1 (the client's requirements on
     * the server's handshake): status 101; an {@code Upgrade} header with the token
     * {@code websocket} and a {@code Connection} header with the token {@code Upgrade} (both
     * case-insensitive, in comma lists); a single {@code Sec-WebSocket-Accept} equal to
     * {@link #acceptFor(String) acceptFor(key)}; at most one {@code Sec-WebSocket-Protocol},
     * holding exactly one of the offered subprotocols; only offered extensions in
     * {@code Sec-WebSocket-Extensions}.
     *
     * <p>A response selecting no subprotocol passes even when some were offered (the result's
     * {@link HandshakeResponse#protocol()} is then ""): failing that case is the API layer's job.
     *
     * @throws HandshakeException with a message saying what was wrong, and status 0
     * @throws IllegalArgumentException if {@code response} is a request head
     */
    public HandshakeResponse validate(HttpHead response) throws HandshakeException {
        return validate(response, CodecResources.newSha1());
    }

    /** {@link #validate(HttpHead)} with the thread's SHA-1 ({@link CodecResources#sha1()}). */
    public HandshakeResponse validate(HttpHead response, MessageDigest sha1) throws HandshakeException {
        if (response.isRequest()) {
            throw new IllegalArgumentException("Not a response head: " + response.startLine());
        }
        if (response.status() != 101) {
            StringBuilder message = new StringBuilder("Server answered HTTP ")
                    .append(response.status());
            if (!response.reasonPhrase().isEmpty()) {
                message.append(' ').append(response.reasonPhrase());
            }
            message.append(" instead of 101 Switching Protocols");
            String location = response.header("Location");
            if (response.status() >= 300 && response.status() < 400) {
                message.append(location != null
                        ? " (redirect to " + location + ", which WebSocket does not follow)"
                        : " (a redirect without a Location header)");
            }
            throw new HandshakeException(message.toString());
        }
        requireToken(response, "Upgrade", "websocket");
        requireToken(response, "Connection", "Upgrade");

        List<String> accepts = response.headers("Sec-WebSocket-Accept");
        if (accepts.isEmpty()) {
            throw new HandshakeException("Server response has no Sec-WebSocket-Accept header");
        }
        if (accepts.size() > 1) {
            throw new HandshakeException("Server response has " + accepts.size()
                    + " Sec-WebSocket-Accept headers, expected one");
        }
        String expected = acceptFor(key, sha1);
        if (!expected.equals(accepts.get(0))) {
            throw new HandshakeException("Sec-WebSocket-Accept mismatch (expected " + expected
                    + ", got " + accepts.get(0) + ")");
        }

        String protocol = selectedProtocol(response);
        String extensions = String.join(", ", response.headers("Sec-WebSocket-Extensions"));
        checkExtensions(extensions);
        return new HandshakeResponse(protocol, extensions, response);
    }

    private String selectedProtocol(HttpHead response) throws HandshakeException {
        List<String> values = response.headers("Sec-WebSocket-Protocol");
        if (values.isEmpty()) {
            return "";
        }
        if (values.size() > 1) {
            throw new HandshakeException("Server sent " + values.size()
                    + " Sec-WebSocket-Protocol headers (" + String.join(", ", values)
                    + "); it must select at most one subprotocol");
        }
        List<String> elements = HttpHead.listElements(values.get(0));
        if (elements.isEmpty()) {
            throw new HandshakeException("Server sent an empty Sec-WebSocket-Protocol header");
        }
        if (elements.size() > 1) {
            throw new HandshakeException("Server selected several subprotocols (\""
                    + values.get(0) + "\"); it must select at most one");
        }
        String selected = elements.get(0);
        if (protocols.isEmpty()) {
            throw new HandshakeException("Server selected subprotocol \"" + selected
                    + "\" although the client offered none");
        }
        if (!protocols.contains(selected)) {
            throw new HandshakeException("Server selected subprotocol \"" + selected
                    + "\" which the client did not offer (offered: "
                    + String.join(", ", protocols) + ")");
        }
        return selected;
    }

    private void checkExtensions(String extensions) throws HandshakeException {
        if (extensions.isEmpty()) {
            return;
        }
        Set<String> offered = new LinkedHashSet<>(extensionNames(extensionsOffer));
        for (String name : extensionNames(extensions)) {
            if (!Http.isToken(name)) {
                throw new HandshakeException("Malformed Sec-WebSocket-Extensions header from "
                        + "the server: \"" + extensions + "\"");
            }
            if (!offered.contains(name)) {
                throw new HandshakeException("Server accepted extension \"" + name
                        + "\" which the client did not offer"
                        + (offered.isEmpty() ? "" : " (offered: " + String.join(", ", offered) + ")"));
            }
        }
    }

    /** The extension names in a {@code Sec-WebSocket-Extensions} value, in order (RFC 6455 §9.1). */
    static List<String> extensionNames(String value) {
        List<String> names = new ArrayList<>();
        for (String element : HttpHead.listElements(value)) {
            int semicolon = element.indexOf(';');
            names.add(HttpHead.trimOws(semicolon < 0 ? element : element.substring(0, semicolon)));
        }
        return names;
    }

    private static void requireToken(HttpHead response, String header, String token)
            throws HandshakeException {
        List<String> values = response.headers(header);
        if (values.isEmpty()) {
            throw new HandshakeException("Server response has no " + header
                    + " header (expected \"" + header + ": " + token + "\")");
        }
        if (!response.hasToken(header, token)) {
            throw new HandshakeException("Server response " + header + " header is \""
                    + String.join(", ", values) + "\", expected \"" + token + "\"");
        }
    }

    private static void line(StringBuilder sb, String name, String value) {
        sb.append(name).append(": ").append(value).append("\r\n");
    }

    private static boolean isValidResourceName(String s) {
        if (s.isEmpty() || s.charAt(0) != '/') {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= 0x20 || c >= 0x7f || c == '#') {
                return false;
            }
        }
        return true;
    }

    /** True if {@code key} is 24 base64 characters decoding to 16 bytes (RFC 6455 §4.1 item 7). */
    static boolean isValidKey(String key) {
        if (key.length() != 24 || !key.endsWith("==")) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(key).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Checks that {@code name} is a token; returns it lower-cased. */
    static String checkHeaderName(String name) {
        if (!Http.isToken(name)) {
            throw new IllegalArgumentException("Header name is not an HTTP token: " + name);
        }
        return name.toLowerCase(Locale.ROOT);
    }

    /** Checks the values of an extra header; returns an immutable copy. */
    static List<String> checkHeaderValues(String name, List<String> values) {
        Objects.requireNonNull(values, () -> "values of header " + name);
        for (String value : values) {
            if (!Http.isValidHeaderValue(value)) {
                throw new IllegalArgumentException("Invalid value for header " + name + ": "
                        + value);
            }
        }
        return List.copyOf(values);
    }
}
