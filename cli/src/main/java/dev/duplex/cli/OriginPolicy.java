package dev.duplex.cli;

import dev.duplex.HandshakeRequest;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.IntSupplier;

/**
 * Which browsers may drive {@code duplex serve}: the defence against cross-site WebSocket
 * hijacking and DNS rebinding.
 *
 * <p>Binding 127.0.0.1 keeps other hosts out, not the user's own browser: any page the user
 * opens can run {@code new WebSocket("ws://127.0.0.1:8080/")}, and with {@code --exec sh} that
 * is code execution. Browsers always send {@code Origin} on a WebSocket upgrade and a page
 * cannot forge it, so the server accepts, in this order:
 * <ol>
 *   <li>with {@code --any-origin}, everything (the caller prints the warning);</li>
 *   <li>a request without {@code Origin}: not a browser (wscat, curl, scripts), which could
 *       connect anyway;</li>
 *   <li>an {@code Origin} that is the server's own, {@code http(s)://NAME:PORT} for each
 *       {@link #serverNames name} it listens on ({@code https} with TLS), so a page served by
 *       {@code --static} on the same port works;</li>
 *   <li>an {@code Origin} given with {@code --origin}, compared as browsers serialize origins
 *       (scheme and host in lower case, the default port left out).</li>
 * </ol>
 * Anything else gets 403 with a body that names the option that would allow it.
 *
 * <p>DNS rebinding defeats the Origin check for plain HTTP ({@code --static} pages are fetched
 * without {@code Origin}) and for origins the user allowed: a page on {@code evil.example}
 * whose name later resolves to 127.0.0.1 is same-origin with itself. Its requests still carry
 * {@code Host: evil.example}, so when the server is bound to loopback, {@link #checkHost} refuses
 * a {@code Host} that is not one of the loopback names with 421 Misdirected Request, for the
 * upgrade and for {@code --static}.
 */
final class OriginPolicy {
    private final boolean tls;
    private final IntSupplier port;
    private final boolean anyOrigin;
    private final Set<String> allowed;
    private final Set<String> names;
    private final boolean loopback;

    /**
     * @param host the address the server binds ({@code --host})
     * @param tls whether it serves wss:// (its origins are https)
     * @param port the port it listens on, read when a request arrives (0 is only known then)
     * @param extraOrigins the {@code --origin} values, already {@link #normalize normalized}
     * @param anyOrigin {@code --any-origin}
     */
    OriginPolicy(String host, boolean tls, IntSupplier port, List<String> extraOrigins, boolean anyOrigin) {
        this.tls = tls;
        this.port = port;
        this.anyOrigin = anyOrigin;
        this.allowed = Set.copyOf(extraOrigins);
        this.loopback = isLoopback(host);
        this.names = serverNames(host);
    }

    /**
     * The {@code Origin} as a browser would send it for this text, or an error for the user.
     *
     * @throws IllegalArgumentException if it is not {@code scheme://host[:port]}
     */
    static String normalize(String origin) {
        URI u;
        try {
            u = new URI(origin.trim());
        } catch (URISyntaxException e) {
            u = null;
        }
        if (u == null || u.getScheme() == null || u.getHost() == null || u.getRawUserInfo() != null
                || !(u.getRawPath() == null || u.getRawPath().isEmpty() || u.getRawPath().equals("/"))
                || u.getRawQuery() != null || u.getRawFragment() != null) {
            throw new IllegalArgumentException("--origin needs an origin, scheme://host[:port] "
                    + "(e.g. https://app.example or http://localhost:3000), not '" + origin + "'");
        }
        String scheme = u.getScheme().toLowerCase(Locale.ROOT);
        String host = u.getHost().toLowerCase(Locale.ROOT);
        int p = u.getPort();
        boolean defaultPort = p == -1 || (scheme.equals("http") && p == 80) || (scheme.equals("https") && p == 443);
        return scheme + "://" + host + (defaultPort ? "" : ":" + p);
    }

    /** The origins this server calls its own right now (for messages and tests). */
    List<String> ownOrigins() {
        String scheme = tls ? "https" : "http";
        int p = port.getAsInt();
        boolean defaultPort = (tls && p == 443) || (!tls && p == 80);
        List<String> out = new ArrayList<>();
        for (String n : names) {
            out.add(scheme + "://" + n + (defaultPort ? "" : ":" + p));
        }
        return out;
    }

    /** Null if the request's {@code Origin} may upgrade, else the body of the 403. */
    String checkOrigin(HandshakeRequest request) {
        if (anyOrigin) {
            return null;
        }
        String origin = request.header("Origin");
        if (origin == null) {
            return null;
        }
        String normalized;
        try {
            normalized = normalize(origin);
        } catch (IllegalArgumentException e) {
            normalized = origin;     // "null" (sandboxed frames, file:// pages): never its own
        }
        if (allowed.contains(normalized) || ownOrigins().contains(normalized)) {
            return null;
        }
        String own = ownOrigins().get(0);
        return "Origin " + Terminal.printable(origin) + " is not allowed: duplex serve accepts only pages of its own "
                + "origin (" + own + ") and clients that send no Origin (cross-site WebSocket hijacking "
                + "protection). Allow it with --origin " + Terminal.printable(normalized)
                + ", or every origin with --any-origin.\n";
    }

    /**
     * Null if the request's {@code Host} names this server (or the server is not bound to
     * loopback), else the body of the 421.
     */
    String checkHost(HandshakeRequest request) {
        if (!loopback) {
            return null;
        }
        String host = request.header("Host");
        if (host != null && names.contains(hostName(host))) {
            return null;
        }
        return "Host " + (host == null ? "(none)" : Terminal.printable(host)) + " does not name this server: "
                + "bound to loopback, duplex serve answers only requests for " + String.join(", ", names)
                + " (DNS rebinding protection). To serve other names, listen on them with --host.\n";
    }

    /** The host part of a Host header ({@code name}, {@code name:port}, {@code [v6]:port}), lower case. */
    static String hostName(String hostHeader) {
        String h = hostHeader.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? h : h.substring(0, end + 1);
        }
        int colon = h.lastIndexOf(':');
        return colon < 0 ? h : h.substring(0, colon);
    }

    /**
     * The names a browser may use for a server bound to {@code host}: for loopback, localhost,
     * 127.0.0.1 and [::1]; for the wildcard (0.0.0.0 or ::), those, this machine's host name and
     * every address of its interfaces; otherwise the name or address given, and the local host
     * name when that is what it resolves to.
     */
    static Set<String> serverNames(String host) {
        Set<String> names = new LinkedHashSet<>();
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        InetAddress address = literalOrNull(h);
        boolean wildcard = address != null && address.isAnyLocalAddress();
        if (wildcard || isLoopback(host)) {
            names.add("localhost");
            names.add("127.0.0.1");
            names.add("[::1]");
        }
        if (!wildcard) {
            names.add(address instanceof Inet6Address ? "[" + h + "]" : h);
        }
        if (wildcard) {
            try {
                InetAddress local = InetAddress.getLocalHost();
                names.add(local.getHostName().toLowerCase(Locale.ROOT));
                names.add(local.getCanonicalHostName().toLowerCase(Locale.ROOT));
            } catch (UnknownHostException e) {
                // no local host name: the addresses below still count
            }
            try {
                for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                    for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                        String s = a.getHostAddress();
                        int zone = s.indexOf('%');
                        if (zone >= 0) {
                            s = s.substring(0, zone);
                        }
                        names.add(a instanceof Inet6Address ? "[" + s + "]" : s);
                    }
                }
            } catch (SocketException e) {
                // interfaces unreadable: the names above still count
            }
        }
        return names;
    }

    /** Whether {@code host} (as given to --host) is a loopback name or address. */
    static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.equals("localhost")) {
            return true;
        }
        InetAddress a = literalOrNull(h);
        return a != null && a.isLoopbackAddress();
    }

    // Parses an IP literal without a DNS lookup; null for a name.
    private static InetAddress literalOrNull(String h) {
        boolean literal = h.contains(":") || h.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
        if (!literal || h.isEmpty()) {
            return null;
        }
        try {
            return InetAddress.getByName(h);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
