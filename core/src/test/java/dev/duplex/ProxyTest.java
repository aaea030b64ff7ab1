package dev.duplex;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/** ws:// and wss:// through an HTTP CONNECT tunnel, done inside the NIO transport. */
@Timeout(60)
class ProxyTest {
    @RegisterExtension
    static final TestKit kit = new TestKit();

    @TempDir
    Path dir;

    private static WebSocketServer echo(ServerOptions.Builder b) {
        return kit.echo(b);
    }

    private static ConnectProxy track(ConnectProxy p) {
        return kit.track(p);
    }

    private static void roundTrip(TlsTest.Client c) throws InterruptedException {
        assertThat(c.next().type()).isEqualTo("open");
        c.ws.send("through the tunnel");
        assertThat(((MessageEvent) c.next()).data()).isEqualTo("echo:through the tunnel");
        c.ws.close();
        CloseEvent close = c.awaitClose();
        assertThat(close.wasClean()).isTrue();
        assertThat(close.code()).isEqualTo(1000);
    }

    @Test
    void plainWebSocketThroughTheProxy() throws Exception {
        WebSocketServer server = echo(ServerOptions.builder());
        ConnectProxy proxy = track(ConnectProxy.open());
        TlsTest.Client c = new TlsTest.Client("ws://127.0.0.1:" + server.port() + "/chat",
                WebSocketOptions.builder().proxy(proxy.address()).build());
        roundTrip(c);
        assertThat(proxy.tunnels.get()).isEqualTo(1);
        assertThat(proxy.requests.get(0)).startsWith("CONNECT 127.0.0.1:" + server.port() + " HTTP/1.1\r\n")
                .contains("\r\nHost: 127.0.0.1:" + server.port() + "\r\n");
    }

    @Test
    void secureWebSocketThroughTheProxyWithBasicAuthentication() throws Exception {
        TestCertificates certs = TestCertificates.create(dir);
        WebSocketServer server = echo(ServerOptions.builder()
                .sslContext(Tls.serverContext(certs.chain(certs.goodCert), certs.goodKey)));
        ConnectProxy proxy = track(ConnectProxy.requiringBasic("alice", "s3cret"));
        String auth = "Basic " + Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8));
        TlsTest.Client c = new TlsTest.Client("wss://localhost:" + server.port() + "/",
                WebSocketOptions.builder().proxy(proxy.address()).proxyAuthorization(auth)
                        .sslContext(Tls.trusting(certs.caCert)).build());
        roundTrip(c);
        assertThat(proxy.requests.get(0)).startsWith("CONNECT localhost:" + server.port() + " HTTP/1.1\r\n");
    }

    @Test
    void missingCredentialsGiveAClearErrorWithTheProxyStatus() throws Exception {
        WebSocketServer server = echo(ServerOptions.builder());
        ConnectProxy proxy = track(ConnectProxy.requiringBasic("alice", "s3cret"));
        TlsTest.Client c = new TlsTest.Client("ws://127.0.0.1:" + server.port() + "/",
                WebSocketOptions.builder().proxy(proxy.address()).build());
        ErrorEvent error = c.awaitFailure();
        assertThat(error.message()).contains("The proxy refused CONNECT 127.0.0.1:" + server.port())
                .contains("407 Proxy Authentication Required");
        assertThat(error.error()).isInstanceOf(WebSocketHandshakeException.class);
        assertThat(((WebSocketHandshakeException) error.error()).status()).isEqualTo(407);
    }

    @Test
    void refusingProxyGivesItsStatusLine() throws Exception {
        ConnectProxy proxy = track(ConnectProxy.refusing("HTTP/1.1 403 Forbidden"));
        TlsTest.Client c = new TlsTest.Client("ws://example.invalid:9000/",
                WebSocketOptions.builder().proxy(proxy.address()).build());
        assertThat(c.awaitFailure().message()).contains("HTTP/1.1 403 Forbidden").contains("example.invalid:9000");
    }

    @Test
    void unreachableProxyFails() throws Exception {
        java.net.InetSocketAddress nowhere;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            nowhere = new java.net.InetSocketAddress("127.0.0.1", s.getLocalPort());
        }
        TlsTest.Client c = new TlsTest.Client("ws://127.0.0.1:1234/", WebSocketOptions.builder().proxy(nowhere).build());
        assertThat(c.awaitFailure().message()).contains("Connection refused");
    }

    @Test
    void proxyAnswerWithAnEndlessHeadIsCutAt16KiB() throws Exception {
        try (RawPeer.Listener proxy = new RawPeer.Listener()) {
            TlsTest.Client c = new TlsTest.Client("ws://example.invalid:9000/", WebSocketOptions.builder()
                    .proxy(new java.net.InetSocketAddress("127.0.0.1", proxy.port())).build());
            try (RawPeer peer = proxy.accept()) {
                assertThat(peer.readHttpHead()).startsWith("CONNECT example.invalid:9000 HTTP/1.1");
                peer.write("HTTP/1.1 200 Connection established\r\n");
                String junk = "X-Junk: " + "a".repeat(1000) + "\r\n";
                int sent = 0;
                try {
                    // Header lines, never an empty line, until the client hangs up. The cap is far
                    // beyond what loopback socket buffers absorb (a few MiB), so reaching it means
                    // the client kept reading; stopping earlier proves it cut the head off.
                    while (sent < 64 << 20) {
                        peer.write(junk);
                        sent += junk.length();
                    }
                } catch (java.io.IOException closedByTheClient) {
                    // expected once the client gives up
                }
                assertThat(sent).as("bytes of head sent before the client closed").isLessThan(64 << 20);
                ErrorEvent error = c.awaitFailure();
                assertThat(error.message()).contains("Invalid answer from the proxy to CONNECT example.invalid:9000");
            }
        }
    }
}
