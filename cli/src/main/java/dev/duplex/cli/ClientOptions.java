package dev.duplex.cli;

import dev.duplex.Tls;
import dev.duplex.WebSocketOptions;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The connection options shared by {@code connect} and {@code bench} (a picocli mixin). */
final class ClientOptions {
    /** Redirects followed with {@code -L}, as a bound against loops. */
    static final int MAX_REDIRECTS = 10;

    @Option(names = {"-H", "--header"}, paramLabel = "'NAME: VALUE'",
            description = "Add a request header to the opening handshake (repeatable), e.g. -H 'Authorization: Bearer x'.")
    List<String> headers = new ArrayList<>();

    @Option(names = {"-p", "--protocol"}, paramLabel = "NAME", split = ",",
            description = "Offer a subprotocol (repeatable, or comma-separated); the connection fails if the server picks none.")
    List<String> protocols = new ArrayList<>();

    @Option(names = "--origin", paramLabel = "ORIGIN", description = "Send this Origin header, e.g. https://example.com.")
    String origin;

    @Option(names = "--auth", paramLabel = "USER:PASSWORD",
            description = "Send Basic authentication (Authorization: Basic ...); a URL's user:password@ does the same.")
    String auth;

    @Option(names = {"-L", "--location"}, description = "Follow redirects (3xx with a Location), up to "
            + MAX_REDIRECTS + "; never from wss:// to ws://.")
    boolean followRedirects;

    @Option(names = "--no-deflate", description = "Do not offer permessage-deflate compression (offered by default).")
    boolean noDeflate;

    @Option(names = {"-k", "--insecure"},
            description = "wss: trust ANY server certificate and skip the host name check. This gives up all protection "
                    + "against a man in the middle; for testing against self-signed servers only (a warning is printed).")
    boolean insecure;

    @Option(names = "--cacert", paramLabel = "FILE",
            description = "wss: trust the certificate(s) in this PEM file (a private CA or a self-signed server) instead of the system's.")
    Path cacert;

    @Option(names = "--cert", paramLabel = "FILE",
            description = "wss: present this client certificate (PEM chain, the certificate first); needs --key.")
    Path cert;

    @Option(names = "--key", paramLabel = "FILE",
            description = "wss: the private key of --cert (PEM: PKCS#8, PKCS#1 or SEC 1; not encrypted).")
    Path key;

    @Option(names = "--proxy", paramLabel = "[http://][USER:PASS@]HOST[:PORT]",
            description = "Tunnel through this HTTP proxy (CONNECT; port 1080 if none, as curl); USER:PASS is sent as "
                    + "Basic Proxy-Authorization. Without it, http_proxy (ws://), https_proxy (wss://), all_proxy "
                    + "and no_proxy are read as curl reads them.")
    String proxy;

    @Option(names = "--no-proxy", description = "Connect directly: ignore http_proxy, https_proxy and all_proxy.")
    boolean noProxy;

    @Option(names = "--ping-interval", paramLabel = "SECONDS", converter = Units.Seconds.class,
            description = "Send a ping after this long without traffic (default: never).")
    Duration pingInterval;

    @Option(names = "--max-message", paramLabel = "BYTES", converter = Units.Size.class,
            description = "Largest message accepted from the server; suffixes k, m, g (default: 64m).")
    Long maxMessage;

    @Option(names = "--connect-timeout", paramLabel = "SECONDS", converter = Units.Seconds.class,
            description = "Give up if the connection is not open after this long (default: 30).")
    Duration connectTimeout;

    /** The environment proxies are read from (tests replace it). */
    Map<String, String> environment = System.getenv();

    /** What to connect to, and how. */
    static final class Target {
        /** The URL without its user:password@ (sent as Authorization instead). */
        final String url;
        final WebSocketOptions options;
        /** The proxy used, redacted, or null. */
        final String proxy;

        Target(String url, WebSocketOptions options, String proxy) {
            this.url = url;
            this.options = options;
            this.proxy = proxy;
        }
    }

    /** Builds the options for {@code url}; a bad value is a {@link Main.CliException} with the usage status. */
    Target prepare(String url, PrintStream warnings) {
        String[] split = Redact.splitUserInfo(url);
        String bareUrl = split[0];
        String userInfo = split[1];
        boolean secure = bareUrl.regionMatches(true, 0, "wss:", 0, 4) || bareUrl.regionMatches(true, 0, "https:", 0, 6);
        WebSocketOptions.Builder b = WebSocketOptions.builder();
        boolean hasAuthorization = false;
        for (String h : headers) {
            int colon = h.indexOf(':');
            if (colon <= 0) {
                // only the first word: the rest may be a secret typed without its colon
                throw Main.usage("-H needs 'Name: value'; the header starting '" + h.trim().split("\\s+", 2)[0]
                        + "' has no colon");
            }
            String name = h.substring(0, colon).trim();
            hasAuthorization |= name.equalsIgnoreCase("Authorization");
            try {
                b.header(name, h.substring(colon + 1).trim());
            } catch (IllegalArgumentException e) {
                throw Main.usage("-H '" + Redact.headerLine(h) + "': " + e.getMessage());
            }
        }
        String credentials = auth != null ? auth : userInfo != null ? decode(userInfo) : null;
        if (auth != null && !auth.contains(":")) {
            throw Main.usage("--auth needs USER:PASSWORD");
        }
        if (credentials != null && !hasAuthorization) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        try {
            if (origin != null) {
                b.origin(origin);
            }
            b.perMessageDeflate(!noDeflate);
            if (pingInterval != null) {
                b.pingInterval(pingInterval);
            }
            if (maxMessage != null) {
                b.maxMessageSize(maxMessage);
            }
            if (connectTimeout != null) {
                b.connectTimeout(connectTimeout);
            }
            if (followRedirects) {
                b.maxRedirects(MAX_REDIRECTS);
            }
        } catch (IllegalArgumentException e) {
            throw Main.usage(e.getMessage());
        }
        tls(b, warnings);
        if (proxy != null && noProxy) {
            throw Main.usage("--proxy and --no-proxy cannot be used together");
        }
        String chosen = proxy;
        if (chosen == null && !noProxy) {
            chosen = ProxyEnvironment.proxyFor(environment, secure, hostOf(bareUrl));
            if (chosen != null) {
                try {
                    setProxy(b, chosen, ProxyEnvironment.sourceOf(environment, secure));
                } catch (Main.CliException e) {
                    throw e;
                }
            }
        } else if (chosen != null) {
            setProxy(b, chosen, "--proxy");
        }
        return new Target(bareUrl, b.build(), chosen == null ? null : Redact.url(chosen));
    }

    private void tls(WebSocketOptions.Builder b, PrintStream warnings) {
        if (insecure && cacert != null) {
            throw Main.usage("--insecure and --cacert cannot be used together");
        }
        if ((cert == null) != (key == null)) {
            throw Main.usage("--cert and --key go together");
        }
        for (Path p : new Path[] {cacert, cert, key}) {
            if (p != null && !Files.isReadable(p)) {
                throw Main.usage("cannot read " + p);
            }
        }
        try {
            if (insecure) {
                warnings.println("duplex: WARNING: --insecure: the server's certificate and host name are not checked; "
                        + "anyone on the path can read and change this connection");
                // the library's own once-per-JVM warning says the same: one is enough
                java.util.logging.Logger.getLogger("dev.duplex.tls").setLevel(java.util.logging.Level.OFF);
                b.sslContext(cert != null ? Tls.insecureTrustingAllCertificates(cert, key)
                        : Tls.insecureTrustingAllCertificates()).hostnameVerification(false);
            } else if (cert != null) {
                b.sslContext(Tls.clientContext(cert, key, cacert));
            } else if (cacert != null) {
                b.sslContext(Tls.trusting(cacert));
            }
        } catch (Exception e) {
            String which = cert != null ? "--cert " + cert + " / --key " + key + (cacert != null ? " / --cacert " + cacert : "")
                    : "--cacert " + cacert;
            throw Main.usage(which + ": " + e.getMessage());
        }
    }

    /** Sets {@code [http://][user:pass@]host[:port][/]} as the proxy; {@code source} names where it came from. */
    static void setProxy(WebSocketOptions.Builder b, String spec, String source) {
        String s = spec.trim();
        int scheme = s.indexOf("://");
        if (scheme >= 0) {
            String name = s.substring(0, scheme).toLowerCase(Locale.ROOT);
            if (!name.equals("http")) {
                throw Main.usage(source + ": only HTTP proxies (CONNECT) are supported, not " + name + ":// in '"
                        + Redact.url(spec) + "'");
            }
            s = s.substring(scheme + 3);
        }
        if (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        int at = s.lastIndexOf('@');
        String credentials = null;
        if (at >= 0) {
            credentials = decode(s.substring(0, at));
            s = s.substring(at + 1);
            if (!credentials.contains(":")) {
                throw Main.usage(source + ": proxy credentials must be USER:PASSWORD, in '" + Redact.url(spec) + "'");
            }
        }
        String host;
        int port = 1080;
        boolean ok = true;
        if (s.startsWith("[")) {
            int end = s.indexOf(']');
            host = end < 0 ? "" : s.substring(1, end);
            String rest = end < 0 ? "" : s.substring(end + 1);
            if (rest.startsWith(":")) {
                port = parsePort(rest.substring(1));
            } else if (!rest.isEmpty()) {
                ok = false;
            }
        } else {
            int colon = s.lastIndexOf(':');
            host = colon >= 0 ? s.substring(0, colon) : s;
            if (colon >= 0) {
                port = parsePort(s.substring(colon + 1));
            }
        }
        if (!ok || host.isEmpty() || host.contains("/") || port < 1 || port > 65535) {
            throw Main.usage(source + " needs [http://][USER:PASS@]HOST[:PORT], not '" + Redact.url(spec) + "'");
        }
        b.proxy(InetSocketAddress.createUnresolved(host, port));
        if (credentials != null) {
            b.proxyAuthorization("Basic " + Base64.getEncoder().encodeToString(
                    credentials.getBytes(StandardCharsets.UTF_8)));
        }
    }

    private static int parsePort(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String decode(String percentEncoded) {
        try {
            return URLDecoder.decode(percentEncoded.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return percentEncoded;
        }
    }

    private static String hostOf(String url) {
        try {
            String h = new URI(url).getHost();
            if (h == null) {
                return "";
            }
            return h.startsWith("[") ? h.substring(1, h.length() - 1) : h;
        } catch (URISyntaxException e) {
            return "";      // the WebSocket constructor reports the bad URL
        }
    }
}
