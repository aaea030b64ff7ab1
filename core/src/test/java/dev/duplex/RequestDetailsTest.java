package dev.duplex;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLServerSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.CookieHandler;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** What the client's upgrade request carries (User-Agent, cookies) and how it treats redirects. */
@Timeout(60)
class RequestDetailsTest {
    private static LeakCheck leaks;

    @org.junit.jupiter.api.BeforeAll
    static void baseline() {
        leaks = LeakCheck.start();
    }

    @org.junit.jupiter.api.AfterAll
    static void nothingLeftBehind() throws InterruptedException {
        leaks.assertNothingLeft();
    }

    @TempDir
    Path dir;
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final BlockingQueue<HandshakeRequest> requests = new LinkedBlockingQueue<>();

    @AfterEach
    void tearDown() throws Exception {
        CookieHandler.setDefault(null);
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private WebSocketServer server(ServerOptions.Builder b, HandshakeHandler hook) {
        WebSocketServer server = new WebSocketServer(b.host("127.0.0.1").port(0).handshake(r -> {
            requests.add(r);
            return hook.decide(r);
        }).build());
        server.onconnection(e -> e.socket().onmessage(m -> e.socket().send("echo:" + ((MessageEvent) m).data())));
        server.start();
        toClose.add(server::close);
        return server;
    }

    private HandshakeRequest nextRequest() throws InterruptedException {
        HandshakeRequest r = requests.poll(10, TimeUnit.SECONDS);
        assertThat(r).as("a handshake request").isNotNull();
        return r;
    }

    @Test
    void defaultUserAgentNamesDuplexAndItsVersion() throws Exception {
        WebSocketServer server = server(ServerOptions.builder(), r -> HandshakeDecision.accept());
        TlsTest.Client c = new TlsTest.Client("ws://127.0.0.1:" + server.port() + "/", WebSocketOptions.defaults());
        assertThat(c.next().type()).isEqualTo("open");
        assertThat(nextRequest().header("user-agent")).isEqualTo("Duplex/" + Duplex.version()).doesNotContain("unknown");

        TlsTest.Client custom = new TlsTest.Client("ws://127.0.0.1:" + server.port() + "/",
                WebSocketOptions.builder().header("User-Agent", "MyApp/2").header("Authorization", "Bearer t0k3n")
                        .origin("https://example.com").build());
        assertThat(custom.next().type()).isEqualTo("open");
        HandshakeRequest r = nextRequest();
        assertThat(r.headers().get("User-Agent")).containsExactly("MyApp/2");
        assertThat(r.header("Authorization")).isEqualTo("Bearer t0k3n");
        assertThat(r.origin()).isEqualTo("https://example.com");
    }

    @Test
    void cookiesComeFromAndGoToTheJvmCookieHandler() throws Exception {
        CookieManager jar = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
        CookieHandler.setDefault(jar);
        WebSocketServer server = server(ServerOptions.builder(),
                r -> HandshakeDecision.accept().withHeader("Set-Cookie", "session=abc123; Path=/"));
        String url = "ws://127.0.0.1:" + server.port() + "/app";
        TlsTest.Client first = new TlsTest.Client(url, WebSocketOptions.defaults());
        assertThat(first.next().type()).isEqualTo("open");
        assertThat(nextRequest().header("Cookie")).isNull();
        assertThat(jar.getCookieStore().getCookies()).extracting(java.net.HttpCookie::getName).contains("session");

        TlsTest.Client second = new TlsTest.Client(url, WebSocketOptions.defaults());
        assertThat(second.next().type()).isEqualTo("open");
        assertThat(nextRequest().header("Cookie")).contains("session=abc123");
    }

    /** A raw server that answers every request with a redirect. */
    private static Thread redirector(ServerSocket s, String status, String location) {
        Thread t = new Thread(() -> {
            while (!s.isClosed()) {
                try (Socket c = s.accept()) {
                    readHead(c.getInputStream());
                    c.getOutputStream().write((status + "\r\nLocation: " + location + "\r\nContent-Length: 0\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    c.getOutputStream().flush();
                    c.getInputStream().read();
                } catch (IOException e) {
                    // next
                }
            }
        }, "test-redirector");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            b.write(c);
            if (b.size() >= 4 && b.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                return;
            }
        }
    }

    @Test
    void redirectFailsByDefaultAndNamesTheLocation() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            redirector(s, "HTTP/1.1 302 Found", "ws://127.0.0.1:9/elsewhere");
            TlsTest.Client c = new TlsTest.Client("ws://127.0.0.1:" + s.getLocalPort() + "/", WebSocketOptions.defaults());
            assertThat(c.awaitFailure().message()).contains("302").contains("ws://127.0.0.1:9/elsewhere");
        }
    }

    @Test
    void redirectsAreFollowedWhenAllowedIncludingWsToWss() throws Exception {
        WebSocketServer target = server(ServerOptions.builder(), r -> HandshakeDecision.accept());
        TestCertificates certs = TestCertificates.create(dir);
        WebSocketServer secure = server(ServerOptions.builder()
                .sslContext(Tls.serverContext(certs.chain(certs.goodCert), certs.goodKey)), r -> HandshakeDecision.accept());
        try (ServerSocket hop = new ServerSocket(0); ServerSocket toSecure = new ServerSocket(0)) {
            redirector(hop, "HTTP/1.1 301 Moved Permanently", "ws://127.0.0.1:" + target.port() + "/moved?x=1");
            TlsTest.Client c = new TlsTest.Client("ws://127.0.0.1:" + hop.getLocalPort() + "/start",
                    WebSocketOptions.builder().maxRedirects(1).build());
            assertThat(c.next().type()).isEqualTo("open");
            assertThat(c.ws.url()).isEqualTo("ws://127.0.0.1:" + hop.getLocalPort() + "/start");
            HandshakeRequest r = nextRequest();
            assertThat(r.path()).isEqualTo("/moved");
            assertThat(r.query()).isEqualTo("x=1");
            c.ws.send("hi");
            assertThat(((MessageEvent) c.next()).data()).isEqualTo("echo:hi");

            redirector(toSecure, "HTTP/1.1 302 Found", "wss://localhost:" + secure.port() + "/tls");
            TlsTest.Client up = new TlsTest.Client("ws://127.0.0.1:" + toSecure.getLocalPort() + "/",
                    WebSocketOptions.builder().maxRedirects(2).sslContext(Tls.trusting(certs.caCert)).build());
            assertThat(up.next().type()).isEqualTo("open");
            assertThat(nextRequest().path()).isEqualTo("/tls");
        }
    }

    @Test
    void tooManyRedirectsFail() throws Exception {
        try (ServerSocket loop = new ServerSocket(0)) {
            redirector(loop, "HTTP/1.1 302 Found", "/again");
            TlsTest.Client c = new TlsTest.Client("ws://127.0.0.1:" + loop.getLocalPort() + "/",
                    WebSocketOptions.builder().maxRedirects(3).build());
            assertThat(c.awaitFailure().message()).contains("302").contains("/again");
        }
    }

    @Test
    void wssIsNeverRedirectedToWs() throws Exception {
        TestCertificates certs = TestCertificates.create(dir);
        WebSocketServer target = server(ServerOptions.builder(), r -> HandshakeDecision.accept());
        try (SSLServerSocket s = (SSLServerSocket) Tls.serverContext(certs.chain(certs.goodCert), certs.goodKey)
                .getServerSocketFactory().createServerSocket(0)) {
            redirector(s, "HTTP/1.1 302 Found", "ws://127.0.0.1:" + target.port() + "/");
            TlsTest.Client c = new TlsTest.Client("wss://localhost:" + s.getLocalPort() + "/",
                    WebSocketOptions.builder().maxRedirects(5).sslContext(Tls.trusting(certs.caCert)).build());
            assertThat(c.awaitFailure().message()).contains("Refusing to follow a redirect").contains("unencrypted");
            assertThat(requests).isEmpty();
        }
    }
}
