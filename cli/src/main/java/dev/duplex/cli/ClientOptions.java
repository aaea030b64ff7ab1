package dev.duplex.cli;

import dev.duplex.WebSocketOptions;
import picocli.CommandLine.Option;

import javax.net.ssl.SSLContext;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** The connection options shared by {@code connect} and {@code bench} (a picocli mixin). */
final class ClientOptions {
    @Option(names = {"-H", "--header"}, paramLabel = "'NAME: VALUE'",
            description = "Add a request header to the opening handshake (repeatable), e.g. -H 'Authorization: Bearer x'.")
    List<String> headers = new ArrayList<>();

    @Option(names = {"-p", "--protocol"}, paramLabel = "NAME", split = ",",
            description = "Offer a subprotocol (repeatable, or comma-separated); the connection fails if the server picks none.")
    List<String> protocols = new ArrayList<>();

    @Option(names = "--origin", paramLabel = "ORIGIN", description = "Send this Origin header, e.g. https://example.com.")
    String origin;

    @Option(names = "--no-deflate", description = "Do not offer permessage-deflate compression (offered by default).")
    boolean noDeflate;

    @Option(names = {"-k", "--insecure"},
            description = "wss: trust ANY server certificate and skip the host name check. This gives up all protection "
                    + "against a man in the middle; for testing against self-signed servers only.")
    boolean insecure;

    @Option(names = "--cacert", paramLabel = "FILE",
            description = "wss: trust the certificate(s) in this PEM file (a private CA or a self-signed server) instead of the system's.")
    Path cacert;

    @Option(names = "--proxy", paramLabel = "[USER:PASS@]HOST:PORT",
            description = "Tunnel through this HTTP proxy (CONNECT); USER:PASS is sent as Basic Proxy-Authorization.")
    String proxy;

    @Option(names = "--ping-interval", paramLabel = "SECONDS", converter = Units.Seconds.class,
            description = "Send a ping after this long without traffic (default: never).")
    Duration pingInterval;

    @Option(names = "--max-message", paramLabel = "BYTES", converter = Units.Size.class,
            description = "Largest message accepted from the server; suffixes k, m, g (default: 64m).")
    Long maxMessage;

    @Option(names = "--connect-timeout", paramLabel = "SECONDS", converter = Units.Seconds.class,
            description = "Give up if the connection is not open after this long (default: 30).")
    Duration connectTimeout;

    /** Builds the options; a bad value is a {@link Main.CliException} with the usage status. */
    WebSocketOptions build(boolean secure) {
        WebSocketOptions.Builder b = WebSocketOptions.builder();
        for (String h : headers) {
            int colon = h.indexOf(':');
            if (colon <= 0) {
                throw Main.usage("-H needs 'Name: value', not '" + h + "'");
            }
            try {
                b.header(h.substring(0, colon).trim(), h.substring(colon + 1).trim());
            } catch (IllegalArgumentException e) {
                throw Main.usage("-H '" + h + "': " + e.getMessage());
            }
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
        } catch (IllegalArgumentException e) {
            throw Main.usage(e.getMessage());
        }
        if (insecure && cacert != null) {
            throw Main.usage("--insecure and --cacert cannot be used together");
        }
        if (insecure) {
            b.sslContext(Tls.trustingEverything()).hostnameVerification(false);
        } else if (cacert != null) {
            if (!Files.isReadable(cacert)) {
                throw Main.usage("--cacert: cannot read " + cacert);
            }
            try {
                b.sslContext(Tls.trusting(cacert));
            } catch (Exception e) {
                throw Main.usage("--cacert " + cacert + ": " + e.getMessage());
            }
        }
        if (proxy != null) {
            setProxy(b, proxy);
        }
        return b.build();
    }

    static void setProxy(WebSocketOptions.Builder b, String spec) {
        String s = spec;
        if (s.startsWith("http://")) {
            s = s.substring("http://".length());
        }
        if (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        int at = s.lastIndexOf('@');
        String credentials = null;
        if (at >= 0) {
            credentials = s.substring(0, at);
            s = s.substring(at + 1);
            if (!credentials.contains(":")) {
                throw Main.usage("--proxy credentials must be USER:PASSWORD, in '" + spec + "'");
            }
        }
        int colon = s.lastIndexOf(':');
        String host = colon > 0 ? s.substring(0, colon) : "";
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = -1;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            // reported below
        }
        if (host.isEmpty() || port < 1 || port > 65535) {
            throw Main.usage("--proxy needs [USER:PASS@]HOST:PORT, not '" + spec + "'");
        }
        b.proxy(InetSocketAddress.createUnresolved(host, port));
        if (credentials != null) {
            b.proxyAuthorization("Basic " + Base64.getEncoder().encodeToString(
                    credentials.getBytes(StandardCharsets.UTF_8)));
        }
    }

    /** The SSLContext chosen by the options, or null (for tests and diagnostics). */
    static SSLContext contextOf(WebSocketOptions o) {
        return o.sslContext();
    }
}
