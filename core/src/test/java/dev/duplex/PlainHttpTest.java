package dev.duplex;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.RawClient.Response;
import dev.duplex.TestServers.TestServer;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link ServerOptions.Builder#httpHandler}: plain HTTP requests answered beside WebSockets. */
@Timeout(20)
class PlainHttpTest {
    private final TestServers servers = new TestServers();
    private final List<HandshakeRequest> seen = new CopyOnWriteArrayList<>();
    private final List<Throwable> reported = new CopyOnWriteArrayList<>();
    private Thread.UncaughtExceptionHandler previousHandler;
    private TestServer server;

    @BeforeEach
    void setUp() {
        previousHandler = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> reported.add(e));
        server = servers.start(b -> b.httpHandler(request -> {
            seen.add(request);
            return switch (request.path()) {
                case "/" -> HttpResponse.of(200, "text/html; charset=utf-8",
                        "<p>h\u00e9llo</p>".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                        .withHeader("Cache-Control", "no-store")
                        .withHeader("Bad Name", "dropped")
                        .withHeader("X-Bad-Value", "a\r\nInjected: yes");
                case "/boom" -> throw new IllegalStateException("handler failure (expected by the test)");
                default -> null;
            };
        }), TestServers::echoing);
    }

    @AfterEach
    void tearDown() {
        try {
            servers.close();
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(previousHandler);
        }
    }

    @Test
    void getIsAnsweredByTheHandlerAndTheConnectionCloses() throws Exception {
        Response r = RawClient.exchange(server.port(),
                "GET /?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/html\r\n\r\n");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).isEqualTo("text/html; charset=utf-8");
        assertThat(r.header("Content-Length")).isEqualTo("13");
        assertThat(r.header("Connection")).isEqualTo("close");
        assertThat(r.header("Cache-Control")).isEqualTo("no-store");
        assertThat(r.header("Injected")).as("a header value with CR LF is not sent").isNull();
        assertThat(r.header("X-Bad-Value")).isNull();
        assertThat(r.head()).doesNotContain("Bad Name");
        assertThat(r.body()).isEqualTo("<p>h\u00c3\u00a9llo</p>");     // UTF-8 bytes read as Latin-1
        assertThat(seen).hasSize(1);
        HandshakeRequest request = seen.get(0);
        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.path()).isEqualTo("/");
        assertThat(request.query()).isEqualTo("x=1");
        assertThat(request.header("Accept")).isEqualTo("text/html");
        assertThat(request.remoteAddress().getAddress().isLoopbackAddress()).isTrue();
    }

    @Test
    void headGetsTheHeadersWithoutTheBody() throws Exception {
        Response r = RawClient.exchange(server.port(), "HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Length")).isEqualTo("13");
        assertThat(r.body()).isEmpty();
    }

    @Test
    void nullFromTheHandlerIs404() throws Exception {
        Response r = RawClient.exchange(server.port(), "GET /missing HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.body()).isEqualTo("Not Found\n");
    }

    @Test
    void aThrowingHandlerIs500AndReportedOnce() throws Exception {
        Response r = RawClient.exchange(server.port(), "GET /boom HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assertThat(r.status()).isEqualTo(500);
        assertThat(reported).hasSize(1);
        assertThat(reported.get(0)).hasMessageContaining("expected by the test");
    }

    @Test
    void aBadTargetIs400WithoutCallingTheHandler() throws Exception {
        Response r = RawClient.exchange(server.port(), "GET nonsense HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assertThat(r.status()).isEqualTo(400);
        assertThat(seen).isEmpty();
    }

    @Test
    void webSocketsStillWorkBesideIt() {
        WebSocket ws = servers.client(server.url("/"));
        EventLog log = EventLog.attach(ws);
        log.awaitOpen();
        ws.send("ping");
        assertThat(log.awaitMessage()).isEqualTo("ping");
        assertThat(seen).as("an upgrade never reaches the HTTP handler").isEmpty();
    }

    @Test
    void withoutAHandlerPlainHttpIs426() throws Exception {
        TestServer plain = servers.start(TestServers::echoing);
        Response r = RawClient.exchange(plain.port(), "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assertThat(r.status()).isEqualTo(426);
    }
}
