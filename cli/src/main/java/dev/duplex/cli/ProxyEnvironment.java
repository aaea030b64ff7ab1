package dev.duplex.cli;

import java.util.Locale;
import java.util.Map;

/**
 * The proxy a connection takes from the environment, read the way curl reads it:
 * {@code http_proxy} for ws:// (lower case only: a CGI program gets the client's {@code Proxy}
 * header as {@code HTTP_PROXY}, so curl ignores that name), {@code https_proxy} or
 * {@code HTTPS_PROXY} for wss://, then {@code all_proxy} or {@code ALL_PROXY} for both; none for
 * a host that {@code no_proxy} (or {@code NO_PROXY}) lists. {@code --proxy} overrides all of
 * them and {@code --no-proxy} ignores them.
 *
 * <p>{@code no_proxy} is a comma-separated list: {@code *} matches every host; a name matches
 * itself and its subdomains ({@code example.com} and {@code .example.com} both match
 * {@code api.example.com}); an IP address matches itself; an optional {@code :port} is ignored,
 * as curl does. Names are compared without case.
 */
final class ProxyEnvironment {
    private ProxyEnvironment() {}

    /**
     * The proxy for a connection to {@code host}, as {@code [user:pass@]host:port}, or null.
     *
     * @param env the environment to read
     * @param secure wss:// (https_proxy) rather than ws:// (http_proxy)
     * @param host the server's host name or address (IPv6 without brackets)
     * @return the proxy, or null for a direct connection
     */
    static String proxyFor(Map<String, String> env, boolean secure, String host) {
        String proxy = secure ? first(env, "https_proxy", "HTTPS_PROXY") : first(env, "http_proxy");
        if (proxy == null) {
            proxy = first(env, "all_proxy", "ALL_PROXY");
        }
        if (proxy == null || bypassed(first(env, "no_proxy", "NO_PROXY"), host)) {
            return null;
        }
        return proxy;
    }

    /** The variable that {@link #proxyFor} took the proxy from, for messages. */
    static String sourceOf(Map<String, String> env, boolean secure) {
        String[] names = secure ? new String[] {"https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"}
                : new String[] {"http_proxy", "all_proxy", "ALL_PROXY"};
        for (String n : names) {
            if (nonEmpty(env.get(n))) {
                return n;
            }
        }
        return null;
    }

    /** Whether {@code noProxy} lists {@code host}. */
    static boolean bypassed(String noProxy, String host) {
        if (noProxy == null) {
            return false;
        }
        String h = strip(host.toLowerCase(Locale.ROOT));
        for (String raw : noProxy.split(",")) {
            String entry = raw.trim().toLowerCase(Locale.ROOT);
            if (entry.isEmpty()) {
                continue;
            }
            if (entry.equals("*")) {
                return true;
            }
            entry = strip(entry);
            if (entry.startsWith(".")) {
                entry = entry.substring(1);
            }
            if (h.equals(entry) || h.endsWith("." + entry)) {
                return true;
            }
        }
        return false;
    }

    // "[::1]:8080" -> "::1", "host:8080" -> "host", "::1" stays.
    private static String strip(String s) {
        if (s.startsWith("[")) {
            int end = s.indexOf(']');
            return end < 0 ? s : s.substring(1, end);
        }
        int colon = s.indexOf(':');
        if (colon >= 0 && s.indexOf(':', colon + 1) < 0) {
            return s.substring(0, colon);
        }
        return s;
    }

    private static String first(Map<String, String> env, String... names) {
        for (String n : names) {
            String v = env.get(n);
            if (nonEmpty(v)) {
                return v.trim();
            }
        }
        return null;
    }

    private static boolean nonEmpty(String v) {
        return v != null && !v.isBlank();
    }
}
