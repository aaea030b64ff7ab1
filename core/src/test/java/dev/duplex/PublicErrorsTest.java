package dev.duplex;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ErrorEvent#error()} hands out public types only: a program tells a 401 from a 403,
 * reads a refusal's headers and body, and tells protocol failures apart by a stable code,
 * without parsing messages or touching {@code dev.duplex.internal}.
 */
@Timeout(30)
class PublicErrorsTest {
    private final TestServers servers = new TestServers();

    @AfterEach
    void tearDown() {
        servers.close();
    }

    private ErrorEvent failureOf(FakeServer.Script script) throws Exception {
        FakeServer fake = servers.track(FakeServer.start(script));
        EventLog log = EventLog.attach(servers.client(fake.url()));
        return log.assertFailed();
    }

    @Test
    void aRefusalCarriesItsStatusHeadersAndBody() throws Exception {
        ErrorEvent error = failureOf(p -> {
            p.write("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm=\"chat\"\r\n"
                    + "Content-Length: 12\r\n\r\nlog in first");
            p.drain();
        });
        assertThat(error.error()).isInstanceOf(WebSocketHandshakeException.class);
        WebSocketHandshakeException h = (WebSocketHandshakeException) error.error();
        assertThat(h.status()).isEqualTo(401);
        assertThat(h.fromProxy()).isFalse();
        assertThat(h.headers().get("www-authenticate")).containsExactly("Bearer realm=\"chat\"");
        assertThat(h.body()).isEqualTo("log in first");
        assertThat(error.message()).contains("401");
    }

    @Test
    void aLongBodyIsCutToTheExcerpt() throws Exception {
        String body = "x".repeat(5000);
        ErrorEvent error = failureOf(p -> {
            p.write("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 7\r\nContent-Length: 5000\r\n\r\n" + body);
            p.drain();
        });
        WebSocketHandshakeException h = (WebSocketHandshakeException) error.error();
        assertThat(h.status()).isEqualTo(503);
        assertThat(h.headers().get("Retry-After")).containsExactly("7");
        assertThat(h.body().length()).isBetween(1, WebSocketHandshakeException.BODY_EXCERPT_BYTES);
    }

    @Test
    void aBrokenSwitchingAnswerIsAHandshakeFailureWithStatus101() throws Exception {
        ErrorEvent error = failureOf(p -> {
            p.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: bm90IHRoZSByaWdodCBrZXk=\r\n\r\n");
            p.drain();
        });
        WebSocketHandshakeException h = (WebSocketHandshakeException) error.error();
        assertThat(h.status()).isEqualTo(101);
        assertThat(h.getMessage()).contains("Sec-WebSocket-Accept");
    }

    @Test
    void aProxyRefusalSaysItCameFromTheProxy() throws Exception {
        ConnectProxy proxy = ConnectProxy.requiringBasic("alice", "s3cret");
        try (proxy) {
            TestServers.TestServer server = servers.echo();
            WebSocket ws = servers.client(server.url(), List.of(),
                    WebSocketOptions.builder().proxy(proxy.address()).build());
            ErrorEvent error = EventLog.attach(ws).assertFailed();
            WebSocketHandshakeException h = (WebSocketHandshakeException) error.error();
            assertThat(h.fromProxy()).isTrue();
            assertThat(h.status()).isEqualTo(407);
            assertThat(h.headers().get("Proxy-Authenticate")).containsExactly("Basic realm=\"test\"");
        }
    }

    @Test
    void invalidUtf8FromTheServerIsWsErrInvalidUtf8() throws Exception {
        ErrorEvent error = failureOf(p -> {
            p.completeHandshake("");
            p.writeFrame(true, 0x1, new byte[] {'o', 'k', (byte) 0xC3, 0x28});
            p.readUntilClose();
        });
        assertThat(error.error()).isInstanceOf(WebSocketProtocolException.class);
        WebSocketProtocolException e = (WebSocketProtocolException) error.error();
        assertThat(e.closeCode()).isEqualTo(1007);
        assertThat(e.code()).isEqualTo("WS_ERR_INVALID_UTF8");
    }

    @Test
    void aMaskedFrameFromTheServerIsWsErrUnexpectedMask() throws Exception {
        ErrorEvent error = failureOf(p -> {
            p.completeHandshake("");
            p.write(RawPeer.frame(0x1, "hi".getBytes(StandardCharsets.UTF_8), true));
            p.readUntilClose();
        });
        WebSocketProtocolException e = (WebSocketProtocolException) error.error();
        assertThat(e.closeCode()).isEqualTo(1002);
        assertThat(e.code()).isEqualTo("WS_ERR_UNEXPECTED_MASK");
    }

    @Test
    void aServerSocketSeesTheSamePublicTypes() throws Exception {
        TestServers.TestServer server = servers.quiet();
        try (RawPeer peer = RawPeer.connect(server.port())) {
            peer.handshake(server.port());
            peer.write(RawPeer.frame(0x1, "unmasked".getBytes(StandardCharsets.UTF_8), false));
            TestServers.Accepted a = server.nextConnection();
            ErrorEvent error = a.log().assertFailed();
            WebSocketProtocolException e = (WebSocketProtocolException) error.error();
            assertThat(e.closeCode()).isEqualTo(1002);
            assertThat(e.code()).isEqualTo("WS_ERR_EXPECTED_MASK");
        }
    }

    @Test
    void noErrorTypeComesFromAnInternalPackage() throws Exception {
        ErrorEvent error = failureOf(p -> {
            p.completeHandshake("");
            p.writeFrame(true, 0x3, new byte[0]);   // reserved opcode
            p.readUntilClose();
        });
        for (Throwable t = error.error(); t != null; t = t.getCause()) {
            assertThat(t.getClass().getName()).doesNotContain(".internal.");
        }
        assertThat(((WebSocketProtocolException) error.error()).code()).isEqualTo("WS_ERR_INVALID_OPCODE");
    }
}
