package dev.duplex.internal.protocol;

/**
 * Small HTTP/1.1 grammar helpers (RFC 9110 §5.6) shared by the handshake code and by the API
 * layer's argument checks.
 */
public final class Http {
    private Http() {}

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
