package dev.duplex.cli;

import dev.duplex.Duplex;
import dev.duplex.HandshakeRequest;

import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The environment of an {@code --exec} child: the CGI variables that websocketd scripts read
 * (RFC 3875 section 4.1, as websocketd sets them), Duplex's own {@code DUPLEX_*} ones, and of
 * the server's own environment only {@link #ALWAYS_PASSED} and the names given with
 * {@code --passenv}: a server started from a shell holding tokens and keys does not hand them
 * to every script a client can reach.
 *
 * <p>Every request header becomes {@code HTTP_NAME} (upper case, {@code -} as {@code _}, values
 * of a repeated header joined with {@code ", "}), except {@code Proxy}: as {@code HTTP_PROXY}
 * it would set the proxy of every HTTP library in the script ("httpoxy", CVE-2016-5385), and
 * names with characters other than letters, digits and {@code -}, which could pass for another
 * header ({@code X_Forwarded_For} as {@code X-Forwarded-For}).
 */
final class CgiEnvironment {
    /** Variables of the server's environment that every child gets, when set. */
    static final List<String> ALWAYS_PASSED = List.of("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ");

    private CgiEnvironment() {}

    /**
     * @param request the upgrade request
     * @param protocol the subprotocol chosen ("" for none)
     * @param serverPort the port the server listens on
     * @param tls whether the connection is wss://
     * @param scriptName the URL path of the script ({@code --dir}), "" otherwise
     * @param pathInfo the decoded rest of the path after the script name
     * @param passenv names given with {@code --passenv}
     * @param serverEnvironment the server's own environment
     */
    static Map<String, String> of(HandshakeRequest request, String protocol, int serverPort, boolean tls,
                                  String scriptName, String pathInfo, List<String> passenv,
                                  Map<String, String> serverEnvironment) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String name : ALWAYS_PASSED) {
            copy(serverEnvironment, name, env);
        }
        for (String name : passenv) {
            copy(serverEnvironment, name, env);
        }
        InetSocketAddress remote = request.remoteAddress();
        String remoteAddr = remote.getAddress() != null ? remote.getAddress().getHostAddress() : remote.getHostString();
        int zone = remoteAddr.indexOf('%');
        if (zone >= 0) {
            remoteAddr = remoteAddr.substring(0, zone);
        }
        String host = request.header("Host");
        String serverName = host == null ? "" : OriginPolicy.hostName(host);
        if (serverName.startsWith("[") && serverName.endsWith("]")) {
            serverName = serverName.substring(1, serverName.length() - 1);
        }
        String query = request.query();
        env.put("GATEWAY_INTERFACE", "CGI/1.1");
        env.put("SERVER_SOFTWARE", "duplex/" + Duplex.version());
        env.put("SERVER_PROTOCOL", "HTTP/1.1");
        env.put("SERVER_NAME", serverName);
        env.put("SERVER_PORT", String.valueOf(serverPort));
        env.put("REQUEST_METHOD", request.method());
        env.put("REQUEST_URI", request.path() + (query.isEmpty() ? "" : "?" + query));
        env.put("SCRIPT_NAME", scriptName);
        env.put("PATH_INFO", pathInfo);
        env.put("QUERY_STRING", query);
        env.put("REMOTE_ADDR", remoteAddr);
        env.put("REMOTE_HOST", remoteAddr);         // no reverse lookup, as websocketd by default
        env.put("REMOTE_PORT", String.valueOf(remote.getPort()));
        if (tls) {
            env.put("HTTPS", "on");
        }
        for (Map.Entry<String, List<String>> h : request.headers().entrySet()) {
            String name = headerVariable(h.getKey());
            if (name != null) {
                env.put(name, String.join(", ", h.getValue()));
            }
        }
        env.put("DUPLEX_REMOTE_ADDR", (remoteAddr.contains(":") ? "[" + remoteAddr + "]" : remoteAddr)
                + ":" + remote.getPort());
        env.put("DUPLEX_PATH", request.path());
        env.put("DUPLEX_QUERY", query);
        env.put("DUPLEX_PROTOCOL", protocol);
        return env;
    }

    /** {@code HTTP_NAME} for a header, or null for one that is not passed (see the class comment). */
    static String headerVariable(String header) {
        if (header.isEmpty() || header.equalsIgnoreCase("Proxy")) {
            return null;
        }
        StringBuilder b = new StringBuilder("HTTP_");
        for (int i = 0; i < header.length(); i++) {
            char c = header.charAt(i);
            if (c == '-') {
                b.append('_');
            } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
                b.append(Character.toUpperCase(c));
            } else {
                return null;
            }
        }
        return b.toString().toUpperCase(Locale.ROOT);
    }

    private static void copy(Map<String, String> from, String name, Map<String, String> to) {
        String v = from.get(name);
        if (v != null) {
            to.put(name, v);
        }
    }
}
