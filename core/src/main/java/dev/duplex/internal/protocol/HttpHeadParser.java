package dev.duplex.internal.protocol;


import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Incremental parser of one HTTP/1.1 message head (RFC 9112 §2-§5), request or response,
 * with limits. It is fed bytes as they arrive and consumes them only up to and including the
 * empty line that ends the head, so whatever follows (for instance WebSocket frames the peer
 * sent right after its handshake) stays in the buffer for the next layer.
 *
 * <p>The result does not depend on how the input is chopped: feeding byte by byte gives the
 * same head, or the same error, as feeding everything at once. Lines end with CRLF; a bare LF
 * is tolerated (RFC 9112 §2.2), a CR not followed by LF is not. Empty lines before the start
 * line are skipped (RFC 9112 §2.2). Bytes are decoded as ISO-8859-1.
 *
 * <p>Errors are {@link HandshakeException}s whose {@link HandshakeException#httpStatus()} is,
 * for a request parser, the status to answer with:
 * <ul>
 *   <li>414 when the request line is longer than {@code maxStartLine} bytes;</li>
 *   <li>431 when the head is longer than {@code maxHeadBytes} bytes (counting every byte
 *       including line endings and the final empty line) or has more than
 *       {@code maxHeaderCount} header lines;</li>
 *   <li>400 for a malformed start line or header line: no colon, whitespace before the colon,
 *       a name that is not a token, an obsolete folded continuation line, control characters
 *       (NUL, CR, LF...) in a value, a version other than {@code HTTP/1.x}.</li>
 * </ul>
 * A response parser (client side) reports the same failures with status 0, since there is
 * nobody to answer. Once failed, a parser keeps failing; once complete, it returns the same
 * head and consumes nothing more.
 *
 * <p>Not thread-safe: one parser per connection, fed by one thread at a time.
 */
public final class HttpHeadParser {
    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private final boolean requests;
    private final int maxStartLine;
    private final int maxHeadBytes;
    private final int maxHeaderCount;

    private byte[] line = new byte[256];
    private int lineLength;
    private boolean afterCr;
    private long headBytes;
    private String startLine;
    // The header lines so far: names[i] and values[i], handed to the head without a copy.
    private String[] names = new String[16];
    private String[] values = new String[16];
    private int fieldCount;

    private String method;
    private String target;
    private String version;
    private int status;
    private String reasonPhrase;

    private HttpHead result;
    private HandshakeException failure;

    private HttpHeadParser(boolean requests, int maxStartLine, int maxHeadBytes,
            int maxHeaderCount) {
        if (maxStartLine <= 0 || maxHeadBytes <= 0 || maxHeaderCount < 0) {
            throw new IllegalArgumentException("maxStartLine and maxHeadBytes must be positive "
                    + "and maxHeaderCount not negative: maxStartLine="
                    + maxStartLine + ", maxHeadBytes=" + maxHeadBytes
                    + ", maxHeaderCount=" + maxHeaderCount);
        }
        this.requests = requests;
        this.maxStartLine = maxStartLine;
        this.maxHeadBytes = maxHeadBytes;
        this.maxHeaderCount = maxHeaderCount;
    }

    /**
     * A parser for a request head (server side).
     *
     * @param maxStartLine   longest request line accepted, in bytes without the line ending
     *                       (longer: 414)
     * @param maxHeadBytes   longest head accepted, in bytes, all line endings included (longer: 431)
     * @param maxHeaderCount most header lines accepted (more: 431)
     */
    public static HttpHeadParser forRequests(int maxStartLine, int maxHeadBytes,
            int maxHeaderCount) {
        return new HttpHeadParser(true, maxStartLine, maxHeadBytes, maxHeaderCount);
    }

    /**
     * A parser for a response head (client side); the limits are as in
     * {@link #forRequests(int, int, int)}, but errors carry status 0.
     */
    public static HttpHeadParser forResponses(int maxStartLine, int maxHeadBytes,
            int maxHeaderCount) {
        return new HttpHeadParser(false, maxStartLine, maxHeadBytes, maxHeaderCount);
    }

    /** True once the whole head has been parsed. */
    public boolean isComplete() {
        return result != null;
    }

    /** How many bytes this parser has consumed so far. */
    public long bytesConsumed() {
        return headBytes;
    }

    /**
     * Consumes bytes from {@code in}, from its position, up to and including the end of the
     * head at most, advancing its position accordingly.
     *
     * @return the head once complete (then, and on every later call), or null if more bytes are
     *         needed
     * @throws HandshakeException if the head is malformed or exceeds a limit; {@code in}'s
     *         position is then unspecified, and every later call throws the same failure
     */
    public HttpHead feed(ByteBuffer in) throws HandshakeException {
        if (failure != null) {
            throw new HandshakeException(failure.getMessage(), failure.httpStatus());
        }
        if (result != null) {
            return result;
        }
        try {
            while (in.hasRemaining()) {
                byte b = in.get();
                if (++headBytes > maxHeadBytes) {
                    throw tooLarge(requests
                            ? "Request Header Fields Too Large: the request head exceeds "
                                    + maxHeadBytes + " bytes"
                            : "The response head exceeds " + maxHeadBytes + " bytes");
                }
                if (accept(b)) {
                    return result;
                }
            }
            return null;
        } catch (HandshakeException e) {
            failure = e;
            throw e;
        }
    }

    /** Processes one byte; true when the head is complete. */
    private boolean accept(byte b) throws HandshakeException {
        if (afterCr) {
            afterCr = false;
            if (b != LF) {
                throw malformed("CR not followed by LF in the " + (startLine == null
                        ? (requests ? "request line" : "status line") : "header section"));
            }
            return endOfLine();
        }
        if (b == CR) {
            afterCr = true;
            return false;
        }
        if (b == LF) {
            return endOfLine();
        }
        if (startLine == null) {
            // Fail fast on bytes that cannot be part of a start line, e.g. a TLS ClientHello
            // sent to a plain-text port, instead of buffering up to the limit.
            int c = b & 0xff;
            if (c < 0x20 && !(c == '\t' && !requests) || c == 0x7f) {
                throw malformed("Malformed " + (requests ? "request line" : "status line")
                        + ": control character 0x" + hex(c));
            }
            if (lineLength >= maxStartLine) {
                throw requests
                        ? new HandshakeException("Request-URI Too Long: the request line exceeds "
                                + maxStartLine + " bytes", 414)
                        : new HandshakeException("The status line exceeds "
                                + maxStartLine + " bytes", 0);
            }
        }
        if (lineLength == line.length) {
            line = Arrays.copyOf(line, line.length * 2);
        }
        line[lineLength++] = b;
        return false;
    }

    private boolean endOfLine() throws HandshakeException {
        if (startLine == null) {
            if (lineLength > 0) { // RFC 9112 §2.2: empty lines before the start line are ignored
                String text = lineText();
                parseStartLine(text);
                startLine = text;
            }
            lineLength = 0;
            return false;
        }
        if (lineLength == 0) {
            result = requests
                    ? HttpHead.request(startLine, method, target, version, names, values,
                            fieldCount)
                    : HttpHead.response(startLine, version, status, reasonPhrase, names, values,
                            fieldCount);
            line = null;
            names = null;
            values = null;
            return true;
        }
        if (fieldCount >= maxHeaderCount) {
            throw tooLarge((requests ? "Request Header Fields Too Large: more than "
                    : "The response has more than ") + maxHeaderCount + " header fields");
        }
        parseField();
        lineLength = 0;
        return false;
    }

    /** The current line as text: the start line, or a header line for an error message. */
    private String lineText() {
        return new String(line, 0, lineLength, StandardCharsets.ISO_8859_1);
    }

    private void parseStartLine(String text) throws HandshakeException {
        if (requests) {
            // request-line = method SP request-target SP HTTP-version (RFC 9112 §3)
            int sp1 = text.indexOf(' ');
            int sp2 = sp1 < 0 ? -1 : text.indexOf(' ', sp1 + 1);
            if (sp1 < 0 || sp2 < 0 || text.indexOf(' ', sp2 + 1) >= 0) {
                throw malformed("Malformed request line " + quote(text)
                        + " (expected: METHOD SP TARGET SP HTTP-VERSION)");
            }
            // The usual method and version are shared constants, not new strings.
            String m = sp1 == 3 && text.startsWith("GET") ? "GET" : text.substring(0, sp1);
            String t = text.substring(sp1 + 1, sp2);
            String v = text.length() - sp2 - 1 == 8 && text.endsWith("HTTP/1.1")
                    ? "HTTP/1.1" : text.substring(sp2 + 1);
            if (!Http.isToken(m)) {
                throw malformed("Malformed request line " + quote(text) + ": invalid method");
            }
            if (t.isEmpty()) {
                throw malformed("Malformed request line " + quote(text) + ": empty target");
            }
            for (int i = 0; i < t.length(); i++) {
                char c = t.charAt(i);
                if (c <= 0x20 || c >= 0x7f) {
                    throw malformed("Malformed request line " + quote(text)
                            + ": invalid character in the target");
                }
            }
            checkVersion(v, text);
            method = m;
            target = t;
            version = v;
        } else {
            // status-line = HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 §4);
            // a missing SP after the status code is tolerated.
            int sp1 = text.indexOf(' ');
            if (sp1 < 0) {
                throw malformed("Malformed status line " + quote(text)
                        + " (expected: HTTP-VERSION SP STATUS SP REASON)");
            }
            String v = text.substring(0, sp1);
            checkVersion(v, text);
            String rest = text.substring(sp1 + 1);
            if (rest.length() < 3 || rest.length() > 3 && rest.charAt(3) != ' '
                    || !isDigit(rest.charAt(0)) || !isDigit(rest.charAt(1))
                    || !isDigit(rest.charAt(2))) {
                throw malformed("Malformed status line " + quote(text)
                        + ": the status code must be three digits");
            }
            String reason = rest.length() > 4 ? rest.substring(4) : "";
            if (!Http.isValidHeaderValue(reason)) {
                throw malformed("Malformed status line " + quote(text)
                        + ": invalid character in the reason phrase");
            }
            version = v;
            status = Integer.parseInt(rest.substring(0, 3));
            reasonPhrase = reason;
        }
    }

    private void checkVersion(String v, String text) throws HandshakeException {
        // HTTP-version = "HTTP" "/" DIGIT "." DIGIT, case-sensitive (RFC 9112 §2.3)
        if (v.length() != 8 || !v.startsWith("HTTP/1.") || !isDigit(v.charAt(7))) {
            throw malformed("Unsupported HTTP version in " + quote(text)
                    + " (expected HTTP/1.1)");
        }
    }

    // field-line = field-name ":" OWS field-value OWS (RFC 9112 §5), checked on the bytes so
    // that a well-formed line costs its two strings and nothing else.
    private void parseField() throws HandshakeException {
        if (isOws(line[0])) {
            throw malformed("Obsolete line folding (a header line starting with whitespace) "
                    + "is not accepted: " + quote(lineText()));
        }
        int colon = 0;
        while (colon < lineLength && line[colon] != ':') {
            colon++;
        }
        if (colon == lineLength) {
            throw malformed("Malformed header line (no colon): " + quote(lineText()));
        }
        if (colon == 0) {
            throw malformed("Malformed header line (empty name): " + quote(lineText()));
        }
        if (isOws(line[colon - 1])) {
            throw malformed("Malformed header line (whitespace before the colon): "
                    + quote(lineText()));
        }
        for (int i = 0; i < colon; i++) {
            if (!Http.isTokenChar((char) (line[i] & 0xff))) {
                throw malformed("Malformed header line (the name is not a token): "
                        + quote(lineText()));
            }
        }
        int from = colon + 1;
        int to = lineLength;
        while (from < to && isOws(line[from])) {
            from++;
        }
        while (to > from && isOws(line[to - 1])) {
            to--;
        }
        for (int i = from; i < to; i++) {
            if (!Http.isValueChar(line[i] & 0xff)) {
                throw malformed("Invalid character in the value of header "
                        + new String(line, 0, colon, StandardCharsets.ISO_8859_1) + ": "
                        + quote(lineText()));
            }
        }
        if (fieldCount == names.length) {
            names = Arrays.copyOf(names, fieldCount * 2);
            values = Arrays.copyOf(values, fieldCount * 2);
        }
        names[fieldCount] = KnownNames.name(line, colon);
        values[fieldCount] = new String(line, from, to - from, StandardCharsets.ISO_8859_1);
        fieldCount++;
    }

    private static boolean isOws(byte b) {
        return HttpHead.isOws((char) b);
    }

    private HandshakeException malformed(String message) {
        return new HandshakeException(message, requests ? 400 : 0);
    }

    private HandshakeException tooLarge(String message) {
        return new HandshakeException(message, requests ? 431 : 0);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static String hex(int c) {
        return String.format("%02X", c);
    }

    /**
     * Quotes peer-supplied text for an error message: at most 100 characters, with control and
     * non-ASCII characters escaped, so that messages stay readable and safe to log.
     */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), 100) + 8).append('"');
        for (int i = 0; i < s.length(); i++) {
            if (i == 100) {
                sb.append("...");
                break;
            }
            char c = s.charAt(i);
            if (c < 0x20 || c >= 0x7f) {
                sb.append("\\x").append(hex(c));
            } else if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    /**
     * The names of the header lines a WebSocket handshake usually has, so that the head can share
     * one string per name instead of making a new one per line. A name is matched byte for byte,
     * so that a head keeps every name spelled as received.
     */
    private static final class KnownNames {
        private static final String[] NAMES = {
            "Host", "Upgrade", "Connection", "Origin", "Pragma", "Cookie", "User-Agent",
            "Cache-Control", "Authorization", "Accept-Encoding", "Accept-Language",
            "Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Extensions",
            "Sec-WebSocket-Protocol", "Sec-WebSocket-Accept", "Content-Length", "Content-Type",
            "Server", "Date",
        };
        private static final byte[][] BYTES = new byte[NAMES.length][];

        static {
            for (int i = 0; i < NAMES.length; i++) {
                BYTES[i] = NAMES[i].getBytes(StandardCharsets.ISO_8859_1);
            }
        }

        private KnownNames() {}

        /** The name in {@code line[0, length)}: a shared string when it is a known one. */
        static String name(byte[] line, int length) {
            for (int i = 0; i < BYTES.length; i++) {
                byte[] known = BYTES[i];
                if (known.length == length && Arrays.equals(line, 0, length, known, 0, length)) {
                    return NAMES[i];
                }
            }
            return new String(line, 0, length, StandardCharsets.ISO_8859_1);
        }
    }
}
