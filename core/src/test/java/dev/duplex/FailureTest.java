package dev.duplex;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.TestServers.Accepted;
import dev.duplex.TestServers.TestServer;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Connections that fail: error, then close 1006 with wasClean false; the close code sent. */
@Timeout(20)
class FailureTest {
    private static final String GOOD_101_PREFIX =
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n";

    private final TestServers servers = new TestServers();

    @AfterEach
    void tearDown() {
        servers.close();
    }

    private EventLog clientOf(FakeServer fake, String... protocols) {
        WebSocket ws = servers.client(fake.url(), protocols);
        return EventLog.attach(ws);
    }

    private FakeServer fake(FakeServer.Script script) throws Exception {
        return servers.track(FakeServer.start(script));
    }

    @Test
    void refusedPort() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        EventLog log = EventLog.attach(servers.client("ws://127.0.0.1:" + port + "/"));
        ErrorEvent error = log.assertFailed();
        assertThat(log.types()).containsExactly("error", "close");
        assertThat(error.type()).isEqualTo("error");
        assertThat(error.target()).isSameAs(log.socket());
    }

    @Test
    void http404() throws Exception {
        FakeServer fake = fake(p -> {
            p.write("HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found");
            p.drain();   // keep the connection open: the status alone must fail it
        });
        EventLog log = clientOf(fake);
        ErrorEvent error = log.assertFailed();
        assertThat(log.types()).containsExactly("error", "close");
        assertThat(error.message()).contains("404");
    }

    @Test
    void wrongAcceptKey() throws Exception {
        FakeServer fake = fake(p -> {
            p.write(GOOD_101_PREFIX + "Sec-WebSocket-Accept: " + dev.duplex.internal.protocol.ClientHandshake.acceptFor(
                    p.header("Sec-WebSocket-Key") + "x") + "\r\n\r\n");
            p.drain();
        });
        EventLog log = clientOf(fake);
        log.assertFailed();
        assertThat(log.types()).containsExactly("error", "close");
    }

    @Test
    void acceptKeyOfAnotherRequest() throws Exception {
        FakeServer fake = fake(p -> {
            p.write(GOOD_101_PREFIX + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n");
            p.drain();
        });
        EventLog log = clientOf(fake);
        log.assertFailed();
        assertThat(log.count("open")).isZero();
    }

    @Test
    void missingUpgradeHeader() throws Exception {
        FakeServer fake = fake(p -> {
            p.write("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "
                    + p.acceptKey() + "\r\n\r\n");
            p.drain();
        });
        clientOf(fake).assertFailed();
    }

    @Test
    void unofferedSubprotocol() throws Exception {
        FakeServer fake = fake(p -> {
            p.completeHandshake("Sec-WebSocket-Protocol: b\r\n");
            p.drain();
        });
        EventLog log = clientOf(fake, "a");
        log.assertFailed();
        assertThat(log.types()).containsExactly("error", "close");
        assertThat(log.socket().protocol()).isEmpty();
    }

    @Test
    void subprotocolSelectedWhenNoneWasOffered() throws Exception {
        FakeServer fake = fake(p -> {
            p.completeHandshake("Sec-WebSocket-Protocol: chat\r\n");
            p.drain();
        });
        clientOf(fake).assertFailed();
    }

    @Test
    void protocolsRequestedButNoneSelected() throws Exception {
        FakeServer fake = fake(p -> {
            p.completeHandshake("");
            p.drain();
        });
        EventLog log = clientOf(fake, "chat", "superchat");
        ErrorEvent error = log.assertFailed();
        assertThat(log.types()).containsExactly("error", "close");
        assertThat(error.message()).isNotBlank();
    }

    @Test
    void protocolsRequestedButRealServerSelectsNone() {
        TestServer server = servers.quiet();   // accepts without a subprotocol
        EventLog log = EventLog.attach(servers.client(server.url(), "chat"));
        log.assertFailed();
        assertThat(log.count("open")).isZero();
    }

    @Test
    void unofferedExtension() throws Exception {
        FakeServer fake = fake(p -> {
            p.completeHandshake("Sec-WebSocket-Extensions: x-made-up\r\n");
            p.drain();
        });
        clientOf(fake).assertFailed();
    }

    @Test
    void serverClosesDuringHandshake() throws Exception {
        FakeServer fake = fake(p -> p.socket.close());
        clientOf(fake).assertFailed();
    }

    @Test
    void abruptTcpCloseAfterOpen() throws Exception {
        FakeServer fake = fake(p -> {
            p.completeHandshake("");
            p.writeText("hi");
            Thread.sleep(100);
            p.socket.close();      // FIN without a close frame
        });
        EventLog log = clientOf(fake);
        // As in browsers: a peer that goes away is a close 1006 without an error event.
        CloseEvent close = log.awaitClose();
        assertThat(close.code()).isEqualTo(1006);
        assertThat(close.wasClean()).isFalse();
        assertThat(log.types()).containsExactly("open", "message", "close");
        assertThat(log.messages()).containsExactly("hi");
    }

    @Test
    void connectionResetAfterOpen() throws Exception {
        FakeServer fake = fake(p -> {
            p.completeHandshake("");
            Thread.sleep(100);
            p.abort();             // RST
        });
        EventLog log = clientOf(fake);
        CloseEvent close = log.awaitClose();
        assertThat(close.code()).isEqualTo(1006);
        assertThat(close.wasClean()).isFalse();
        assertThat(log.types()).containsExactly("open", "close");
    }

    @Test
    void handshakeNeverAnsweredTimesOut() throws Exception {
        FakeServer fake = fake(FakeServer.Peer::drain);
        long start = System.nanoTime();
        WebSocket ws = servers.client(fake.url(), List.of(),
                WebSocketOptions.builder().connectTimeout(Duration.ofMillis(300)).build());
        EventLog log = EventLog.attach(ws);
        ErrorEvent error = log.assertFailed();
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(millis).as("failed after the 300 ms connect timeout").isBetween(250L, 3000L);
        assertThat(error.message()).containsIgnoringCase("timed out");
        assertThat(log.types()).containsExactly("error", "close");
    }

    @Test
    void partialHandshakeResponseTimesOut() throws Exception {
        FakeServer fake = fake(p -> {
            p.write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n");
            p.drain();
        });
        WebSocket ws = servers.client(fake.url(), List.of(),
                WebSocketOptions.builder().connectTimeout(Duration.ofMillis(300)).build());
        EventLog.attach(ws).assertFailed();
    }

    /** Sends {@code frame} after a good handshake and returns the close frame the client answers with. */
    private FakeServer.Frame violation(byte[] frame, WebSocketOptions options, EventLog[] logOut) throws Exception {
        AtomicReference<FakeServer.Frame> closeFrame = new AtomicReference<>();
        FakeServer fake = fake(p -> {
            p.completeHandshake("");
            p.write(frame);
            closeFrame.set(p.readUntilClose());
            p.drain();
        });
        WebSocket ws = servers.client(fake.url(), List.of(), options);
        EventLog log = EventLog.attach(ws);
        logOut[0] = log;
        log.assertFailed();
        EventLog.waitUntil("the fake server read the close frame", () -> closeFrame.get() != null);
        assertThat(closeFrame.get().masked()).as("client frames are masked").isTrue();
        return closeFrame.get();
    }

    @Test
    void invalidUtf8FromServerIs1007() throws Exception {
        EventLog[] log = new EventLog[1];
        FakeServer.Frame close = violation(new byte[] {(byte) 0x81, 0x02, (byte) 0xC3, 0x28},
                WebSocketOptions.defaults(), log);
        assertThat(close.closeCode()).isEqualTo(1007);
        assertThat(log[0].messages()).isEmpty();
        assertThat(log[0].types()).containsExactly("open", "error", "close");
    }

    @Test
    void maskedFrameFromServerIs1002() throws Exception {
        EventLog[] log = new EventLog[1];
        FakeServer.Frame close = violation(new byte[] {(byte) 0x81, (byte) 0x82, 1, 2, 3, 4, 'h' ^ 1, 'i' ^ 2},
                WebSocketOptions.defaults(), log);
        assertThat(close.closeCode()).isEqualTo(1002);
    }

    @Test
    void unknownOpcodeIs1002() throws Exception {
        EventLog[] log = new EventLog[1];
        FakeServer.Frame close = violation(new byte[] {(byte) 0x83, 0x00}, WebSocketOptions.defaults(), log);
        assertThat(close.closeCode()).isEqualTo(1002);
    }

    @Test
    void reservedBitIs1002() throws Exception {
        EventLog[] log = new EventLog[1];
        FakeServer.Frame close = violation(new byte[] {(byte) 0xC1, 0x01, 'x'}, WebSocketOptions.defaults(), log);
        assertThat(close.closeCode()).isEqualTo(1002);
    }

    @Test
    void messageOverTheLimitIs1009() throws Exception {
        byte[] frame = new byte[4 + 2000];
        frame[0] = (byte) 0x82;
        frame[1] = 126;
        frame[2] = (byte) (2000 >> 8);
        frame[3] = (byte) 2000;
        EventLog[] log = new EventLog[1];
        FakeServer.Frame close = violation(frame, WebSocketOptions.builder().maxMessageSize(1000).build(), log);
        assertThat(close.closeCode()).isEqualTo(1009);
        assertThat(log[0].messages()).isEmpty();
    }

    @Test
    void messagesBeforeAViolationAreStillDelivered() throws Exception {
        byte[] good = {(byte) 0x81, 0x02, 'o', 'k'};
        byte[] bad = {(byte) 0x81, 0x02, (byte) 0xC3, 0x28};
        byte[] both = new byte[good.length + bad.length];
        System.arraycopy(good, 0, both, 0, good.length);
        System.arraycopy(bad, 0, both, good.length, bad.length);
        EventLog[] log = new EventLog[1];
        FakeServer.Frame close = violation(both, WebSocketOptions.defaults(), log);
        assertThat(close.closeCode()).isEqualTo(1007);
        assertThat(log[0].types()).containsExactly("open", "message", "error", "close");
        assertThat(log[0].messages()).containsExactly("ok");
    }

    @Test
    void serverSideSocketFailsOnInvalidUtf8FromClientWith1007() throws Exception {
        TestServer server = servers.quiet();
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(RawClient.upgrade(server.port(), "/", "").getBytes(StandardCharsets.ISO_8859_1));
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                assertThat(b).isNotNegative();
                head.write(b);
            }
            assertThat(head.toString(StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 101");
            Accepted a = server.nextConnection();
            // masked text frame, payload C3 28 (invalid UTF-8), mask key 0
            out.write(new byte[] {(byte) 0x81, (byte) 0x82, 0, 0, 0, 0, (byte) 0xC3, 0x28});
            out.flush();
            int b0 = in.read();
            int b1 = in.read();
            assertThat(b0).isEqualTo(0x88);
            assertThat(b1 & 0x80).as("server frames are not masked").isZero();
            int code = (in.read() << 8) | in.read();
            assertThat(code).isEqualTo(1007);
            a.log().assertFailed();
            assertThat(a.log().types()).containsExactly("error", "close");
        }
    }

    @Test
    void otherConnectionsKeepWorkingWhenOneFails() throws Exception {
        TestServer server = servers.echo();
        EventLog healthy = servers.openClient(server);
        FakeServer fake = fake(p -> {
            p.write("HTTP/1.1 500 Oops\r\n\r\n");
            p.drain();
        });
        clientOf(fake).assertFailed();
        healthy.socket().send("still here");
        assertThat(healthy.awaitMessage()).isEqualTo("still here");
    }
}
