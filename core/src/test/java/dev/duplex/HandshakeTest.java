package dev.duplex;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.RawClient.Response;
import dev.duplex.TestServers.Accepted;
import dev.duplex.TestServers.TestServer;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The server's opening handshake: the application's hook, and Duplex's own answers to bad requests. */
@Timeout(20)
class HandshakeTest {
    private final TestServers servers = new TestServers();
    private final List<HandshakeRequest> decided = new CopyOnWriteArrayList<>();
    private final List<Throwable> reported = new CopyOnWriteArrayList<>();
    private Thread.UncaughtExceptionHandler previousHandler;
    private TestServer server;

    @BeforeEach
    void setUp() {
        // Duplex reports a failing hook to the uncaught-exception handler: collect, don't print
        previousHandler = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> reported.add(e));
        // the hook of API.md
        server = servers.start(b -> b.handshake(request -> {
            decided.add(request);
            return request.protocols().contains("chat") ? HandshakeDecision.accept("chat")
                    : request.path().equals("/private") ? HandshakeDecision.reject(403, "forbidden")
                    : request.path().equals("/wrong") ? HandshakeDecision.accept("not-offered")
                    : request.path().equals("/boom") ? boom()
                    : HandshakeDecision.accept();
        }), TestServers::echoing);
    }

    private static HandshakeDecision boom() {
        throw new IllegalStateException("handshake hook failure (expected by the test)");
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
    void acceptChatWhenOffered() {
        WebSocket ws = servers.client(server.url("/room"), "superchat", "chat");
        EventLog log = EventLog.attach(ws);
        log.awaitOpen();
        assertThat(ws.protocol()).isEqualTo("chat");
        Accepted a = server.nextConnection();
        assertThat(a.socket().protocol()).isEqualTo("chat");
        assertThat(decided).hasSize(1);
        assertThat(decided.get(0).protocols()).containsExactly("superchat", "chat");
        assertThat(decided.get(0).path()).isEqualTo("/room");
        assertThat(a.request().protocols()).containsExactly("superchat", "chat");
        ws.send("echo me");
        assertThat(log.awaitMessage()).isEqualTo("echo me");
    }

    @Test
    void acceptWithoutProtocol() {
        EventLog log = EventLog.attach(servers.client(server.url("/public")));
        log.awaitOpen();
        assertThat(log.socket().protocol()).isEmpty();
    }

    @Test
    void rejectedUpgradeFailsTheClient() {
        EventLog log = EventLog.attach(servers.client(server.url("/private")));
        ErrorEvent error = log.assertFailed();
        assertThat(log.types()).containsExactly("error", "close");
        assertThat(error.message()).contains("403");
        log.assertQuietFor(100);
        assertThat(server.accepted).as("no connection event for a rejected upgrade").isEmpty();
    }

    @Test
    void rejectedUpgradeIsAnsweredWithTheStatusAndBody() throws Exception {
        Response r = RawClient.exchange(server.port(), RawClient.upgrade(server.port(), "/private", ""));
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.body()).isEqualTo("forbidden");
        assertThat(r.header("Sec-WebSocket-Accept")).isNull();
    }

    @Test
    void protocolNotOfferedByTheClientIsAServerError() throws Exception {
        Response r = RawClient.exchange(server.port(), RawClient.upgrade(server.port(), "/wrong", ""));
        assertThat(r.status()).isEqualTo(500);
        assertThat(reported).anySatisfy(e -> assertThat(e).hasMessageContaining("not-offered"));
        EventLog log = EventLog.attach(servers.client(server.url("/wrong")));
        log.assertFailed();
    }

    @Test
    void hookThatThrowsGives500() throws Exception {
        Response r = RawClient.exchange(server.port(), RawClient.upgrade(server.port(), "/boom", ""));
        assertThat(r.status()).isEqualTo(500);
        assertThat(reported).anySatisfy(e -> assertThat(e).hasMessageContaining("expected by the test"));
    }

    @Test
    void acceptedRawUpgradeGetsTheRfcAcceptKey() throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(RawClient.upgrade(server.port(), "/", "")
                    .getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                assertThat(b).as("end of stream in the response head: %s", head).isNotNegative();
                head.write(b);
            }
            Response r = new Response(head.toString(StandardCharsets.ISO_8859_1));
            assertThat(r.status()).isEqualTo(101);
            assertThat(r.header("Sec-WebSocket-Accept")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
            assertThat(r.header("Upgrade")).isEqualToIgnoringCase("websocket");
            assertThat(r.header("Connection")).containsIgnoringCase("upgrade");
            assertThat(r.header("Sec-WebSocket-Protocol")).isNull();
            assertThat(r.header("Sec-WebSocket-Extensions")).isNull();
        }
    }

    @Test
    void plainHttpGetIsAnswered426() throws Exception {
        Response r = RawClient.exchange(server.port(),
                "GET / HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\n\r\n");
        assertThat(r.status()).isEqualTo(426);
        assertThat(r.header("Sec-WebSocket-Version")).isEqualTo("13");
        assertThat(r.header("Upgrade")).isEqualToIgnoringCase("websocket");
        assertThat(decided).as("Duplex answers bad requests itself").isEmpty();
    }

    @ParameterizedTest(name = "Sec-WebSocket-Version: {0}")
    @ValueSource(strings = {"8", "12", "14", "13, 8"})
    void wrongVersionIsAnswered426WithVersion13(String version) throws Exception {
        String request = "GET / HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: " + version + "\r\n\r\n";
        Response r = RawClient.exchange(server.port(), request);
        assertThat(r.status()).isEqualTo(426);
        assertThat(r.header("Sec-WebSocket-Version")).isEqualTo("13");
        assertThat(decided).isEmpty();
    }

    @ParameterizedTest(name = "{index}: malformed request")
    @ValueSource(strings = {
        "GARBAGE\r\n\r\n",
        "GET / HTTP/1.0\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        "GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: abc\r\nSec-WebSocket-Version: 13\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: h2c\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: a b\r\n\r\n",
        "GET / HTTP/1.1\r\nHost h\r\n\r\n",
    })
    void malformedRequestIsAnswered400(String request) throws Exception {
        Response r = RawClient.exchange(server.port(), request);
        assertThat(r.status()).as("answer to %s: %s", request, r.raw()).isEqualTo(400);
        assertThat(r.body()).as("the 400 says why").isNotBlank();
        assertThat(decided).isEmpty();
    }

    @Test
    void postIsNotAllowed() throws Exception {
        Response r = RawClient.exchange(server.port(), RawClient.upgrade(server.port(), "/", "")
                .replaceFirst("GET", "POST"));
        assertThat(r.status()).isBetween(400, 499);
    }

    @Test
    void serverKeepsWorkingAfterBadRequests() throws Exception {
        for (int i = 0; i < 5; i++) {
            RawClient.exchange(server.port(), "GARBAGE " + i + "\r\n\r\n");
        }
        EventLog log = EventLog.attach(servers.client(server.url("/after")));
        log.awaitOpen();
        log.socket().send("ok");
        assertThat(log.awaitMessage()).isEqualTo("ok");
    }

    @Test
    void hookSeesOriginAndHeaders() {
        WebSocketOptions options = WebSocketOptions.builder().origin("https://example.com")
                .header("Cookie", "a=b").build();
        EventLog log = EventLog.attach(servers.client(server.url("/x?y=z"), List.of(), options));
        log.awaitOpen();
        assertThat(decided).hasSize(1);
        HandshakeRequest r = decided.get(0);
        assertThat(r.origin()).isEqualTo("https://example.com");
        assertThat(r.header("cookie")).isEqualTo("a=b");
        assertThat(r.query()).isEqualTo("y=z");
        assertThat(r.remoteAddress().getAddress().isLoopbackAddress()).isTrue();
    }
}
