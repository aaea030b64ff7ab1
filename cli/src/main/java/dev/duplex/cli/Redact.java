package dev.duplex.cli;

import java.util.regex.Pattern;

/**
 * Keeps secrets out of what the CLI prints: the password of a URL's user info
 * ({@code ws://user:***@host/}), and the values of {@code Authorization},
 * {@code Proxy-Authorization}, {@code Cookie} and {@code Set-Cookie} in {@code --verbose}
 * handshake traces and in error messages. Terminals get scrolled back, logs get shared.
 */
final class Redact {
    private static final Pattern SECRET_HEADER = Pattern.compile(
            "(?i)\\b((?:proxy-)?authorization|cookie|set-cookie)(\\s*:\\s*)(\\S+)?.*");

    private Redact() {}

    /** {@code url} with the password of its user info replaced by {@code ***}. */
    static String url(String url) {
        String[] parts = splitUserInfo(url);
        if (parts[1] == null) {
            return url;
        }
        String user = parts[1];
        int colon = user.indexOf(':');
        String shown = colon < 0 ? user : user.substring(0, colon) + ":***";
        int schemeEnd = url.indexOf("://");
        int start = schemeEnd < 0 ? 0 : schemeEnd + 3;
        return url.substring(0, start) + shown + "@" + parts[0].substring(start);
    }

    /**
     * Splits {@code scheme://user:pass@host/...} into the URL without {@code user:pass@} and
     * the raw user info (null if none). A text without an authority comes back unchanged.
     */
    static String[] splitUserInfo(String url) {
        int schemeEnd = url.indexOf("://");
        int start = schemeEnd < 0 ? 0 : schemeEnd + 3;
        int end = url.length();
        for (int i = start; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                end = i;
                break;
            }
        }
        int at = url.lastIndexOf('@', end - 1);
        if (at < start) {
            return new String[] {url, null};
        }
        return new String[] {url.substring(0, start) + url.substring(at + 1), url.substring(start, at)};
    }

    /**
     * A header line ({@code Name: value}, possibly after a trace prefix) with the value of a
     * secret header replaced: {@code Authorization: Basic [redacted]} keeps the scheme, which
     * helps debugging and gives nothing away.
     */
    static String headerLine(String line) {
        var m = SECRET_HEADER.matcher(line);
        if (!m.find()) {
            return line;
        }
        String name = m.group(1);
        String scheme = m.group(3);
        boolean keepScheme = name.toLowerCase(java.util.Locale.ROOT).endsWith("authorization") && scheme != null
                && line.substring(m.end(3)).trim().length() > 0;
        return line.substring(0, m.start()) + name + m.group(2) + (keepScheme ? scheme + " " : "") + "[redacted]";
    }
}
