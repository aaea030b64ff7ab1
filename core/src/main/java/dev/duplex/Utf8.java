package dev.duplex;

import java.nio.charset.StandardCharsets;

/** UTF-8 encoding that refuses unpaired surrogates instead of replacing them (USVString rules). */
final class Utf8 {
    private Utf8() {}

    /** The UTF-8 bytes of {@code s}, or null if it contains an unpaired surrogate. */
    static byte[] encodeStrict(String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return null;
                }
            }
        }
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
