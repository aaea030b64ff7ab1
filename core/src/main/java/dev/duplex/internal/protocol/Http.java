package dev.duplex.internal.protocol;

import java.util.Locale;
import java.util.Set;

/**
 * Small HTTP/1.1 grammar helpers (RFC 9110 §5.6) shared by the handshake code and by the API
 * layer's argument checks.
 */
public final class Http {
    private Http() {}

    // The one list of the header fields the handshakes write themselves (lower case). A request
    // or answer carrying a second Content-Length or Transfer-Encoding would be a smuggling risk.
    private static final Set<String> SET_BY_CLIENT_HANDSHAKE = Set.of("host", "upgrade",
            "connection", "sec-websocket-key", "sec-websocket-version", "sec-websocket-accept",
            "sec-websocket-protocol", "sec-websocket-extensions", "content-length", "transfer-encoding");
    private static final Set<String> SET_BY_SERVER_HANDSHAKE = Set.of("upgrade", "connection",
            "sec-websocket-accept", "sec-websocket-protocol", "sec-websocket-extensions",
            "content-length", "transfer-encoding");

    /** True if the client's upgrade request writes the header {@code name} itself: no extra header may repeat it. */
    public static boolean isSetByClientHandshake(String name) {
        return SET_BY_CLIENT_HANDSHAKE.contains(name.toLowerCase(Locale.ROOT));
    }

    /** True if the server's 101 answer writes the header {@code name} itself: no extra header may repeat it. */
    public static boolean isSetByServerHandshake(String name) {
        return SET_BY_SERVER_HANDSHAKE.contains(name.toLowerCase(Locale.ROOT));
    }

    /** True for the header fields computed from a plain HTTP response's body. */
    public static boolean isComputedFromBody(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.equals("content-length") || lower.equals("transfer-encoding");
    }

    /** True if {@code c} is a {@code tchar}: any VCHAR except delimiters. */
    public static boolean isTokenChar(char c) {
        if (c <= 0x20 || c >= 0x7f) {
            return false;
        }
        return "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
    }

    /** True if {@code s} is a non-empty HTTP {@code token}. */
    public static boolean isToken(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!isTokenChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * True if {@code s} may be sent as a header field value: visible ASCII or Latin-1 octets,
     * spaces and tabs, and no CR, LF or NUL (which would let a value inject headers).
     */
    public static boolean isValidHeaderValue(String s) {
        if (s == null) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!isValueChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** True if {@code c} may appear in a header field value: see {@link #isValidHeaderValue}. */
    static boolean isValueChar(int c) {
        return c == '\t' || c >= 0x20 && c != 0x7f && c <= 0xff;
    }
}
