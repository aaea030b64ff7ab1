package dev.duplex.internal.session;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The server's origin check ({@link ServerOptions.Builder#allowedOrigins}): which web pages may
 * open a WebSocket to it. Browsers send the page's origin in {@code Origin} (RFC 6454: scheme,
 * host, and the port unless it is the scheme's default), and a server that does not look at it
 * can be driven by any page its users visit (cross-site WebSocket hijacking).
 */
public final class OriginPolicy {
    private OriginPolicy() {}

    /**
     * Checks an origin given in the options and returns it as browsers serialize it (lower-case
     * scheme and host, no default port), so that comparing is exact.
     */
    public static String checkOrigin(String origin) {
        Objects.requireNonNull(origin, "an allowed origin must not be null");
        String serialized = serialize(origin);
        if (serialized == null) {
            throw new IllegalArgumentException("'" + origin + "' is not an origin: write scheme://host or "
                    + "scheme://host:port, with nothing after it (no path, not even a trailing slash)");
        }
        return serialized;
    }

    /**
     * Whether a request whose {@code Origin} header is {@code header} (null: none) may upgrade.
     * Returns null if so, else the reason for the 403.
     */
    public static String refusal(String header, Set<String> allowed, boolean requireOrigin) {
        if (header == null) {
            return requireOrigin ? "This server accepts only requests with an Origin header (ServerOptions.requireOrigin)"
                    : null;
        }
        if (allowed.isEmpty()) {
            return null;
        }
        String serialized = serialize(header.trim());
        if (serialized != null && allowed.contains(serialized)) {
            return null;
        }
        return "Origin " + header + " is not allowed to connect (ServerOptions.allowedOrigins)";
    }

    // scheme://host[:port] as RFC 6454 section 6.2 serializes it, or null if it is not one.
    private static String serialize(String origin) {
        URI uri;
        try {
            uri = new URI(origin);
        } catch (URISyntaxException e) {
            return null;
        }
        String scheme = uri.getScheme();
        String host = uri.getHost();
        if (scheme == null || host == null || uri.getRawUserInfo() != null || !uri.getRawPath().isEmpty()
                || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            return null;
        }
        scheme = scheme.toLowerCase(Locale.ROOT);
        int port = uri.getPort();
        boolean defaultPort = port == -1
                || (port == 80 && (scheme.equals("http") || scheme.equals("ws")))
                || (port == 443 && (scheme.equals("https") || scheme.equals("wss")));
        return scheme + "://" + host.toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
    }
}
