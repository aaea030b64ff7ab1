package dev.duplex.internal.url;

import dev.duplex.internal.protocol.Utf8;


import dev.duplex.internal.protocol.Http;
import java.io.ByteArrayOutputStream;
import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * A parsed WebSocket URL: the URL steps of the WHATWG {@code WebSocket} constructor, on the
 * WHATWG URL Standard's parser for special schemes (without a base URL: relative URLs are
 * rejected). Immutable.
 *
 * <ul>
 *   <li>leading and trailing C0 controls and spaces are removed, and so are tabs and
 *       newlines anywhere;</li>
 *   <li>the scheme is case-insensitive; {@code http} becomes {@code ws} and {@code https}
 *       becomes {@code wss}; other schemes, a URL that does not parse, and a fragment (any
 *       {@code '#'}) are a {@code SyntaxError};</li>
 *   <li>host names are lower-cased (internationalized ones converted to their {@code xn--}
 *       form), IPv4 addresses in any of the URL Standard's forms normalized to dotted decimal,
 *       IPv6 addresses compressed;</li>
 *   <li>a port equal to the scheme's default is dropped; a port on the Fetch standard's
 *       bad-ports list is a {@code SecurityError};</li>
 *   <li>path and query are percent-encoded where the URL Standard does so (spaces, non-ASCII
 *       as UTF-8, ...); existing {@code %XX} escapes are kept; {@code .} and {@code ..}
 *       segments are resolved; an empty path becomes {@code "/"};</li>
 *   <li>user info is kept in {@link #href()} but is not part of the resource name or Host
 *       header.</li>
 * </ul>
 */
public final class WebSocketUrl {
    /** The Fetch standard's bad ports (https://fetch.spec.whatwg.org/#bad-port). */
    private static final int[] BAD_PORTS = {
        1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103,
        104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513,
        514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720,
        1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
    };

    private final boolean secure;
    private final String username;
    private final String password;
    /** Serialized host: a domain, dotted IPv4, or bracketed IPv6. */
    private final String host;
    /** Explicit non-default port, or -1. */
    private final int port;
    private final String path;
    /** Null if the URL has no query. */
    private final String query;

    private WebSocketUrl(boolean secure, String username, String password, String host, int port, String path,
            String query) {
        this.secure = secure;
        this.username = username;
        this.password = password;
        this.host = host;
        this.port = port;
        this.path = path;
        this.query = query;
    }

    /**
     * Parses a WebSocket URL as the {@code WebSocket} constructor does.
     *
     * @param url the URL, e.g. {@code "ws://localhost:8080/chat"}
     * @return the parsed URL
     * @throws NullPointerException if {@code url} is null
     * @throws UrlException {@code SyntaxError} if the URL does not parse, its scheme is not
     *                      ws, wss, http or https, or it has a fragment; {@code SecurityError}
     *                      if its port is a bad port
     */
    public static WebSocketUrl parse(String url) {
        Objects.requireNonNull(url, "url must not be null");
        return new Parser(url).parse();
    }

    /**
     * Checks the protocols given to the {@code WebSocket} constructor.
     *
     * @param protocols the requested subprotocols; null is taken as none
     * @return an immutable copy
     * @throws UrlException {@code SyntaxError} if one is null or not an HTTP token, or one
     *                      occurs twice (compared case-sensitively)
     */
    public static List<String> validateProtocols(List<String> protocols) {
        if (protocols == null || protocols.isEmpty()) {
            return List.of();
        }
        Set<String> seen = new HashSet<>();
        for (String p : protocols) {
            if (p == null) {
                throw UrlException.syntax("A requested subprotocol is null");
            }
            if (!Http.isToken(p)) {
                throw UrlException.syntax("Invalid subprotocol '" + p
                        + "': a subprotocol must be a non-empty HTTP token (no spaces, commas or separators)");
            }
            if (!seen.add(p)) {
                throw UrlException.syntax("The subprotocol '" + p + "' is requested more than once");
            }
        }
        return List.copyOf(protocols);
    }

    /** Tells whether a port is on the Fetch standard's bad-ports list. */
    public static boolean isBadPort(int port) {
        for (int p : BAD_PORTS) {
            if (p == port) {
                return true;
            }
        }
        return false;
    }

    /** Returns {@code "ws"} or {@code "wss"}. */
    public String scheme() {
        return secure ? "wss" : "ws";
    }

    /** True for {@code wss:} URLs (TLS). */
    public boolean secure() {
        return secure;
    }

    /** The host to connect to: a domain name, dotted IPv4, or IPv6 without brackets. */
    public String host() {
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }

    /** The port to connect to: the explicit port, or 80 ({@code ws}) / 443 ({@code wss}). */
    public int port() {
        return port >= 0 ? port : secure ? 443 : 80;
    }

    /** The value of the Host header: host (IPv6 bracketed) plus {@code :port} if not the default. */
    public String hostHeader() {
        return port >= 0 ? host + ":" + port : host;
    }

    /** {@code host:port} with the port always present (IPv6 bracketed): a CONNECT request's target. */
    public String hostHeaderWithPort() {
        return host + ":" + port();
    }

    /** The request target: path plus {@code ?query} if the URL has a query (even an empty one). */
    public String resourceName() {
        return query == null ? path : path + "?" + query;
    }

    /** The user name (percent-encoded), {@code ""} if none. */
    public String username() {
        return username;
    }

    /** The password (percent-encoded), {@code ""} if none. */
    public String password() {
        return password;
    }

    /** The serialized URL, e.g. {@code "ws://localhost:8080/chat?x=1"}. */
    public String href() {
        StringBuilder sb = new StringBuilder(scheme()).append("://");
        if (!username.isEmpty() || !password.isEmpty()) {
            sb.append(username);
            if (!password.isEmpty()) {
                sb.append(':').append(password);
            }
            sb.append('@');
        }
        return sb.append(hostHeader()).append(resourceName()).toString();
    }

    /** The serialized origin, e.g. {@code "ws://localhost:8080"} (default port omitted). */
    public String origin() {
        return scheme() + "://" + hostHeader();
    }

    /** {@link #href()} with the password, if any, replaced by {@code ****}: for messages and logs. */
    public String redacted() {
        return redact(href());
    }

    /** An absolute URL with the password of its user info, if any, replaced by {@code ****}. */
    public static String redact(String href) {
        int scheme = href.indexOf("://");
        int at = scheme < 0 ? -1 : href.indexOf('@', scheme + 3);
        int slash = scheme < 0 ? -1 : href.indexOf('/', scheme + 3);
        if (at < 0 || (slash >= 0 && at > slash)) {
            return href;
        }
        int colon = href.indexOf(':', scheme + 3);
        return colon < 0 || colon > at ? href : href.substring(0, colon + 1) + "****" + href.substring(at);
    }

    @Override
    public String toString() {
        return redacted();
    }

    // ------------------------------------------------------------------------------------
    // Parser

    private static final class Parser {
        private final String original;
        private final int[] cp;
        private int pos;

        Parser(String url) {
            this.original = url;
            int start = 0;
            int end = url.length();
            while (start < end && url.charAt(start) <= 0x20) {
                start++;
            }
            while (end > start && url.charAt(end - 1) <= 0x20) {
                end--;
            }
            StringBuilder sb = new StringBuilder(end - start);
            for (int i = start; i < end; i++) {
                char c = url.charAt(i);
                if (c != '\t' && c != '\n' && c != '\r') {
                    sb.append(c);
                }
            }
            this.cp = sb.codePoints().toArray();
        }

        private UrlException syntax(String reason) {
            return UrlException.syntax("Invalid WebSocket URL '" + original + "': " + reason);
        }

        private int peek() {
            return pos < cp.length ? cp[pos] : -1;
        }

        WebSocketUrl parse() {
            // scheme
            if (cp.length == 0) {
                throw syntax("the URL is empty");
            }
            if (!isAsciiAlpha(cp[0])) {
                throw syntax("it is not an absolute URL (it must start with a scheme such as ws://)");
            }
            int i = 1;
            while (i < cp.length && (isAsciiAlphanumeric(cp[i]) || cp[i] == '+' || cp[i] == '-' || cp[i] == '.')) {
                i++;
            }
            if (i >= cp.length || cp[i] != ':') {
                throw syntax("it is not an absolute URL (it must start with a scheme such as ws://)");
            }
            String scheme = new String(cp, 0, i).toLowerCase(Locale.ROOT);
            boolean secure;
            switch (scheme) {
                case "ws":
                case "http":
                    secure = false;
                    break;
                case "wss":
                case "https":
                    secure = true;
                    break;
                default:
                    throw syntax("the scheme '" + scheme + "' is not supported; use ws, wss, http or https");
            }
            pos = i + 1;

            // special authority (ignore) slashes: any mix of '/' and '\'
            while (peek() == '/' || peek() == '\\') {
                pos++;
            }

            // authority: up to '/', '\', '?', '#' or the end; the last '@' ends the user info
            int authorityStart = pos;
            int authorityEnd = pos;
            int lastAt = -1;
            while (authorityEnd < cp.length) {
                int c = cp[authorityEnd];
                if (c == '/' || c == '\\' || c == '?' || c == '#') {
                    break;
                }
                if (c == '@') {
                    lastAt = authorityEnd;
                }
                authorityEnd++;
            }
            String username = "";
            String password = "";
            int hostStart = authorityStart;
            if (lastAt >= 0) {
                int colon = -1;
                for (int k = authorityStart; k < lastAt; k++) {
                    if (cp[k] == ':') {
                        colon = k;
                        break;
                    }
                }
                StringBuilder user = new StringBuilder();
                StringBuilder pass = new StringBuilder();
                for (int k = authorityStart; k < lastAt; k++) {
                    if (k == colon) {
                        continue;
                    }
                    percentEncode(colon >= 0 && k > colon ? pass : user, cp[k], USERINFO_SET);
                }
                username = user.toString();
                password = pass.toString();
                hostStart = lastAt + 1;
                if (hostStart == authorityEnd) {
                    throw syntax("the host is missing after the user info");
                }
            }

            // host and port
            int hostEnd = hostStart;
            boolean insideBrackets = false;
            while (hostEnd < authorityEnd) {
                int c = cp[hostEnd];
                if (c == ':' && !insideBrackets) {
                    break;
                }
                if (c == '[') {
                    insideBrackets = true;
                } else if (c == ']') {
                    insideBrackets = false;
                }
                hostEnd++;
            }
            if (hostEnd == hostStart) {
                throw syntax("the host is missing");
            }
            String host = parseHost(new String(cp, hostStart, hostEnd - hostStart));
            int port = -1;
            if (hostEnd < authorityEnd) {
                port = parsePort(hostEnd + 1, authorityEnd, secure, scheme);
            }
            pos = authorityEnd;

            // path
            if (peek() == '/' || peek() == '\\') {
                pos++;
            }
            List<String> segments = new ArrayList<>();
            StringBuilder buffer = new StringBuilder();
            for (;;) {
                int c = peek();
                if (c == -1 || c == '/' || c == '\\' || c == '?' || c == '#') {
                    String segment = buffer.toString();
                    boolean slash = c == '/' || c == '\\';
                    if (isDoubleDot(segment)) {
                        if (!segments.isEmpty()) {
                            segments.remove(segments.size() - 1);
                        }
                        if (!slash) {
                            segments.add("");
                        }
                    } else if (isSingleDot(segment)) {
                        if (!slash) {
                            segments.add("");
                        }
                    } else {
                        segments.add(segment);
                    }
                    buffer.setLength(0);
                    if (!slash) {
                        break;
                    }
                } else {
                    percentEncode(buffer, c, PATH_SET);
                }
                pos++;
            }
            StringBuilder path = new StringBuilder();
            for (String s : segments) {
                path.append('/').append(s);
            }

            // query
            String query = null;
            if (peek() == '?') {
                pos++;
                StringBuilder q = new StringBuilder();
                while (peek() != -1 && peek() != '#') {
                    percentEncode(q, peek(), SPECIAL_QUERY_SET);
                    pos++;
                }
                query = q.toString();
            }

            // fragment
            if (peek() == '#') {
                throw syntax("it has a fragment ('#" + new String(cp, pos + 1, cp.length - pos - 1)
                        + "'), which WebSocket URLs cannot have");
            }

            if (port >= 0 && isBadPort(port)) {
                throw UrlException.security("Port " + port + " (in '" + original + "') is on the Fetch standard's"
                        + " list of bad ports, which browsers refuse to connect to; use another port");
            }
            return new WebSocketUrl(secure, username, password, host, port, path.toString(), query);
        }

        private int parsePort(int start, int end, boolean secure, String scheme) {
            long value = 0;
            for (int k = start; k < end; k++) {
                int c = cp[k];
                if (c < '0' || c > '9') {
                    throw syntax("the port '" + new String(cp, start, end - start) + "' is not a number");
                }
                value = Math.min(value * 10 + (c - '0'), 1_000_000L);
            }
            if (start == end) {
                return -1; // "ws://host:/" has no port
            }
            if (value > 65535) {
                throw syntax("the port " + new String(cp, start, end - start) + " is out of range (0 to 65535)");
            }
            int defaultPort = secure ? 443 : 80;
            return value == defaultPort ? -1 : (int) value;
        }

        private String parseHost(String input) {
            if (input.startsWith("[")) {
                if (!input.endsWith("]") || input.length() < 2) {
                    throw syntax("the IPv6 address '" + input + "' is missing its closing ']'");
                }
                int[] pieces = parseIpv6(input.substring(1, input.length() - 1));
                if (pieces == null) {
                    throw syntax("'" + input + "' is not a valid IPv6 address");
                }
                return "[" + serializeIpv6(pieces) + "]";
            }
            String domain = Utf8.decodeWithoutBom(percentDecode(input));
            String ascii = domainToAscii(domain);
            for (int k = 0; k < ascii.length(); k++) {
                char c = ascii.charAt(k);
                if (isForbiddenDomainCodePoint(c)) {
                    throw syntax("the host '" + input + "' contains the forbidden character '"
                            + (c < 0x20 || c == 0x7f ? String.format("U+%04X", (int) c) : String.valueOf(c)) + "'");
                }
            }
            if (endsInANumber(ascii)) {
                long ipv4 = parseIpv4(ascii);
                if (ipv4 < 0) {
                    throw syntax("the host '" + input + "' is not a valid IPv4 address");
                }
                return (ipv4 >>> 24) + "." + ((ipv4 >>> 16) & 0xFF) + "." + ((ipv4 >>> 8) & 0xFF) + "." + (ipv4 & 0xFF);
            }
            return ascii;
        }

        private String domainToAscii(String domain) {
            boolean ascii = true;
            for (int k = 0; k < domain.length(); k++) {
                if (domain.charAt(k) >= 0x80) {
                    ascii = false;
                    break;
                }
            }
            String result;
            if (ascii) {
                result = domain.toLowerCase(Locale.ROOT);
            } else {
                try {
                    result = IDN.toASCII(domain, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
                } catch (IllegalArgumentException e) {
                    throw syntax("the host '" + domain + "' is not a valid internationalized domain name");
                }
            }
            for (String label : result.split("\\.", -1)) {
                if (label.startsWith("xn--") && IDN.toUnicode(label, IDN.ALLOW_UNASSIGNED).equals(label)) {
                    throw syntax("the host label '" + label + "' is not valid Punycode");
                }
            }
            if (result.isEmpty()) {
                throw syntax("the host is empty");
            }
            return result;
        }
    }

    // ------------------------------------------------------------------------------------
    // Percent-encoding (URL Standard §1.3)

    private static final int PATH_SET = 1;
    private static final int SPECIAL_QUERY_SET = 2;
    private static final int USERINFO_SET = 3;

    private static boolean inSet(int c, int set) {
        if (c < 0x20 || c > 0x7E) {
            return true;
        }
        boolean query = c == ' ' || c == '"' || c == '#' || c == '<' || c == '>';
        switch (set) {
            case PATH_SET:
                return query || c == '?' || c == '^' || c == '`' || c == '{' || c == '}';
            case SPECIAL_QUERY_SET:
                return query || c == '\'';
            case USERINFO_SET:
                return query || c == '?' || c == '^' || c == '`' || c == '{' || c == '}'
                        || c == '/' || c == ':' || c == ';' || c == '=' || c == '@'
                        || (c >= '[' && c <= '^') || c == '|';
            default:
                return false;
        }
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** Appends a code point, UTF-8 percent-encoded if it is in the set (surrogates as U+FFFD). */
    private static void percentEncode(StringBuilder out, int c, int set) {
        if (!inSet(c, set)) {
            out.append((char) c);
            return;
        }
        if (c >= 0xD800 && c <= 0xDFFF) {
            c = 0xFFFD;
        }
        byte[] bytes = new String(Character.toChars(c)).getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            out.append('%').append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
        }
    }

    /** Percent-decodes the UTF-8 bytes of a string (invalid escapes are kept as they are). */
    private static byte[] percentDecode(String s) {
        byte[] in = Utf8.toScalarValues(s).getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
        for (int i = 0; i < in.length; i++) {
            if (in[i] == '%' && i + 2 < in.length && hexValue(in[i + 1]) >= 0 && hexValue(in[i + 2]) >= 0) {
                out.write(hexValue(in[i + 1]) * 16 + hexValue(in[i + 2]));
                i += 2;
            } else {
                out.write(in[i]);
            }
        }
        return out.toByteArray();
    }

    private static int hexValue(int c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static boolean isSingleDot(String s) {
        return s.equals(".") || s.equalsIgnoreCase("%2e");
    }

    private static boolean isDoubleDot(String s) {
        switch (s.length()) {
            case 2:
                return s.equals("..");
            case 4:
                return s.equalsIgnoreCase(".%2e") || s.equalsIgnoreCase("%2e.");
            case 6:
                return s.equalsIgnoreCase("%2e%2e");
            default:
                return false;
        }
    }

    private static boolean isAsciiAlpha(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isAsciiAlphanumeric(int c) {
        return isAsciiAlpha(c) || (c >= '0' && c <= '9');
    }

    private static boolean isForbiddenDomainCodePoint(char c) {
        if (c <= 0x20 || c == 0x7F) {
            return true; // C0 controls and space
        }
        switch (c) {
            case '#': case '/': case ':': case '<': case '>': case '?': case '@':
            case '[': case '\\': case ']': case '^': case '|': case '%':
                return true;
            default:
                return false;
        }
    }

    // ------------------------------------------------------------------------------------
    // IPv4 (URL Standard §3.5)

    private static boolean endsInANumber(String host) {
        List<String> parts = new ArrayList<>(List.of(host.split("\\.", -1)));
        if (parts.get(parts.size() - 1).isEmpty()) {
            if (parts.size() == 1) {
                return false;
            }
            parts.remove(parts.size() - 1);
        }
        String last = parts.get(parts.size() - 1);
        if (!last.isEmpty() && last.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return true;
        }
        return parseIpv4Number(last) >= 0;
    }

    /** Returns the address as an unsigned 32-bit value, or -1 on failure. */
    private static long parseIpv4(String host) {
        List<String> parts = new ArrayList<>(List.of(host.split("\\.", -1)));
        if (parts.get(parts.size() - 1).isEmpty() && parts.size() > 1) {
            parts.remove(parts.size() - 1);
        }
        if (parts.size() > 4) {
            return -1;
        }
        long[] numbers = new long[parts.size()];
        for (int i = 0; i < numbers.length; i++) {
            numbers[i] = parseIpv4Number(parts.get(i));
            if (numbers[i] < 0) {
                return -1;
            }
        }
        for (int i = 0; i < numbers.length - 1; i++) {
            if (numbers[i] > 255) {
                return -1;
            }
        }
        long last = numbers[numbers.length - 1];
        if (last >= 1L << (8 * (5 - numbers.length))) {
            return -1;
        }
        long ipv4 = last;
        for (int i = 0; i < numbers.length - 1; i++) {
            ipv4 += numbers[i] << (8 * (3 - i));
        }
        return ipv4;
    }

    /** Parses a decimal, 0x-hex or 0-octal number; -1 on failure; large values capped. */
    private static long parseIpv4Number(String s) {
        if (s.isEmpty()) {
            return -1;
        }
        int radix = 10;
        if (s.length() >= 2 && (s.startsWith("0x") || s.startsWith("0X"))) {
            s = s.substring(2);
            radix = 16;
        } else if (s.length() >= 2 && s.charAt(0) == '0') {
            s = s.substring(1);
            radix = 8;
        }
        long value = 0;
        for (int i = 0; i < s.length(); i++) {
            int d = Character.digit(s.charAt(i), radix);
            if (d < 0 || s.charAt(i) >= 0x80) {
                return -1;
            }
            value = Math.min(value * radix + d, 1L << 40);
        }
        return value;
    }

    // ------------------------------------------------------------------------------------
    // IPv6 (URL Standard §3.5)

    /** Returns the 8 pieces, or null on failure. */
    private static int[] parseIpv6(String input) {
        int[] address = new int[8];
        int pieceIndex = 0;
        int compress = -1;
        int p = 0;
        int n = input.length();
        if (p < n && input.charAt(p) == ':') {
            if (p + 1 >= n || input.charAt(p + 1) != ':') {
                return null;
            }
            p += 2;
            pieceIndex++;
            compress = pieceIndex;
        }
        while (p < n) {
            if (pieceIndex == 8) {
                return null;
            }
            if (input.charAt(p) == ':') {
                if (compress >= 0) {
                    return null;
                }
                p++;
                pieceIndex++;
                compress = pieceIndex;
                continue;
            }
            int value = 0;
            int length = 0;
            while (length < 4 && p < n && hexValue(input.charAt(p)) >= 0) {
                value = value * 0x10 + hexValue(input.charAt(p));
                p++;
                length++;
            }
            if (p < n && input.charAt(p) == '.') {
                if (length == 0) {
                    return null;
                }
                p -= length;
                if (pieceIndex > 6) {
                    return null;
                }
                int numbersSeen = 0;
                while (p < n) {
                    int ipv4Piece = -1;
                    if (numbersSeen > 0) {
                        if (input.charAt(p) == '.' && numbersSeen < 4) {
                            p++;
                        } else {
                            return null;
                        }
                    }
                    if (p >= n || input.charAt(p) < '0' || input.charAt(p) > '9') {
                        return null;
                    }
                    while (p < n && input.charAt(p) >= '0' && input.charAt(p) <= '9') {
                        int number = input.charAt(p) - '0';
                        if (ipv4Piece == -1) {
                            ipv4Piece = number;
                        } else if (ipv4Piece == 0) {
                            return null;
                        } else {
                            ipv4Piece = ipv4Piece * 10 + number;
                        }
                        if (ipv4Piece > 255) {
                            return null;
                        }
                        p++;
                    }
                    address[pieceIndex] = address[pieceIndex] * 0x100 + ipv4Piece;
                    numbersSeen++;
                    if (numbersSeen == 2 || numbersSeen == 4) {
                        pieceIndex++;
                    }
                }
                if (numbersSeen != 4) {
                    return null;
                }
                break;
            } else if (p < n && input.charAt(p) == ':') {
                p++;
                if (p >= n) {
                    return null;
                }
            } else if (p < n) {
                return null;
            }
            address[pieceIndex] = value;
            pieceIndex++;
        }
        if (compress >= 0) {
            int swaps = pieceIndex - compress;
            pieceIndex = 7;
            while (pieceIndex != 0 && swaps > 0) {
                int t = address[pieceIndex];
                address[pieceIndex] = address[compress + swaps - 1];
                address[compress + swaps - 1] = t;
                pieceIndex--;
                swaps--;
            }
        } else if (pieceIndex != 8) {
            return null;
        }
        return address;
    }

    private static String serializeIpv6(int[] address) {
        // the first longest run of two or more zero pieces is compressed
        int compress = -1;
        int best = 1;
        for (int i = 0; i < 8; ) {
            if (address[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && address[j] == 0) {
                j++;
            }
            if (j - i > best) {
                best = j - i;
                compress = i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        boolean ignore0 = false;
        for (int i = 0; i < 8; i++) {
            if (ignore0 && address[i] == 0) {
                continue;
            }
            ignore0 = false;
            if (compress == i) {
                sb.append(i == 0 ? "::" : ":");
                ignore0 = true;
                continue;
            }
            sb.append(Integer.toHexString(address[i]));
            if (i != 7) {
                sb.append(':');
            }
        }
        return sb.toString();
    }
}
