package dev.duplex;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.TestServers.TestServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Close and failure semantics to the byte: a close frame without a status, data after the
 * peer's close frame, TLS refused by a silent server, and replies to a valid message that must
 * reach the wire before the close frame that a violation right behind it causes (the Autobahn
 * test suite's cases 3.2, 4.1.3, 4.1.4, 4.2.3, 4.2.4 and 5.15, which it grades "OK" only then and
 * "NON-STRICT" when the echo is missing), on the server's side and on the client's.
 */
@Timeout(30)
class CloseSemanticsTest {
    private static final byte[] HELLO = "Hello, world!".getBytes(StandardCharsets.UTF_8);

    private final TestServers servers = new TestServers();

    @AfterEach
    void tearDown() {
        servers.close();
    }

    @Test
    void aClientCloseFrameWithoutAStatusGivesTheServer1005() throws Exception {
        TestServer server = servers.quiet();
        try (RawPeer peer = RawPeer.connect(server.port())) {
            peer.handshake(server.port());
            TestServers.Accepted accepted = server.nextConnection();
            peer.write(RawPeer.frame(0x8, new byte[0], true));
            RawPeer.Frame echo = peer.readFrame(125);
            assertThat(echo.isClose()).isTrue();
            assertThat(echo.payload).as("an empty close is answered empty").isEmpty();
            CloseEvent close = accepted.log().awaitClose();
            assertThat(close.code()).isEqualTo(1005);
            assertThat(close.wasClean()).isTrue();
        }
    }

    @Test
    void aServerCloseFrameWithoutAStatusGivesTheClient1005() throws Exception {
        try (RawPeer.Listener fake = new RawPeer.Listener()) {
            WebSocket ws = servers.client(fake.url());
            EventLog log = EventLog.attach(ws);
            try (RawPeer peer = fake.acceptWebSocket()) {
                log.awaitOpen();
                peer.write(RawPeer.frame(0x8, new byte[0], false));
                assertThat(peer.readFrame(125).payload).isEmpty();
                peer.socket.close();
                CloseEvent close = log.awaitClose();
                assertThat(close.code()).isEqualTo(1005);
                assertThat(close.wasClean()).isTrue();
            }
        }
    }

    @Test
    void aServerEchoesTheMessagesBeforeTheClientsCloseAndThenAnswersTheClose() throws Exception {
        // The message and the close frame arrive in one read: the close is answered only after
        // the echo handler has run, so the echo precedes the answering close frame, every time.
        TestServer server = servers.echo();
        for (int i = 0; i < 20; i++) {
            try (RawPeer peer = RawPeer.connect(server.port())) {
                peer.handshake(server.port());
                peer.write(FakeServer.concat(RawPeer.clientText("hi " + i),
                        RawPeer.frame(0x8, new byte[] {0x03, (byte) 0xE8, 'o', 'k'}, true)));
                RawPeer.Frame first = peer.readFrame(1024);
                assertThat(first.opcode).as("run %d: the echo first, got %s", i, first).isEqualTo(0x1);
                assertThat(first.text()).isEqualTo("hi " + i);
                RawPeer.Frame close = peer.readFrame(125);
                assertThat(close.isClose()).as("run %d: %s", i, close).isTrue();
                assertThat(close.closeCode()).isEqualTo(1000);
                assertThat(close.closeReason()).isEqualTo("ok");
            }
        }
    }

    @Test
    void aDataFrameAfterTheClientsCloseFrameFailsTheServerSide() throws Exception {
        TestServer server = servers.quiet();
        try (RawPeer peer = RawPeer.connect(server.port())) {
            peer.handshake(server.port());
            TestServers.Accepted accepted = server.nextConnection();
            peer.write(FakeServer.concat(RawPeer.frame(0x8, new byte[] {0x03, (byte) 0xE8}, true),
                    RawPeer.clientText("too late")));
            ErrorEvent error = accepted.log().assertFailed();
            assertThat(error.message()).contains("after the peer's close frame");
            assertThat(accepted.log().types()).containsExactly("error", "close");
        }
    }

    @Test
    void aDataFrameAfterTheServersCloseFrameFailsTheClient() throws Exception {
        try (RawPeer.Listener fake = new RawPeer.Listener()) {
            WebSocket ws = servers.client(fake.url());
            EventLog log = EventLog.attach(ws);
            try (RawPeer peer = fake.acceptWebSocket()) {
                log.awaitOpen();
                peer.write(FakeServer.concat(RawPeer.frame(0x8, new byte[] {0x03, (byte) 0xE8}, false),
                        RawPeer.frame(0x2, new byte[] {1, 2, 3}, false)));
                ErrorEvent error = log.assertFailed();
                assertThat(error.message()).contains("BINARY frame after the peer's close frame");
                assertThat(log.types()).containsExactly("open", "error", "close");
            }
        }
    }

    @Test
    void wssToAServerThatClosesWithoutATlsAnswerFailsAtOnce() throws Exception {
        try (ServerSocket plain = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread closer = new Thread(() -> {
                try (Socket s = plain.accept()) {
                    s.getInputStream().read();     // the ClientHello's first byte; then no answer at all
                } catch (IOException ignored) {
                    // the test checks the client's side
                }
            });
            closer.start();
            long start = System.nanoTime();
            WebSocket ws = servers.client("wss://127.0.0.1:" + plain.getLocalPort() + "/", List.of(),
                    WebSocketOptions.builder().connectTimeout(Duration.ofSeconds(30)).build());
            EventLog log = EventLog.attach(ws);
            log.assertFailed();
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(tookMillis).as("ms until the failure (the connect timeout is 30 s)").isLessThan(5_000);
            assertThat(log.types()).containsExactly("error", "close");
            closer.join(5000);
        }
    }

    /** The Autobahn cases: a valid text message, then the violation, then (in most) a ping; one write. */
    enum StrictCase {
        RSV_2_AFTER_A_MESSAGE("3.2", 1002, frame(true, 0x20 | 0x1, HELLO), frame(true, 0x9, new byte[0])),
        RESERVED_OPCODE_5("4.1.3", 1002, frame(true, 0x5, new byte[0]), frame(true, 0x9, new byte[0])),
        RESERVED_OPCODE_6_WITH_PAYLOAD("4.1.4", 1002, frame(true, 0x6, HELLO), frame(true, 0x9, new byte[0])),
        RESERVED_CONTROL_OPCODE_13("4.2.3", 1002, frame(true, 0xD, new byte[0]), frame(true, 0x9, new byte[0])),
        RESERVED_CONTROL_OPCODE_14_WITH_PAYLOAD("4.2.4", 1002, frame(true, 0xE, HELLO), frame(true, 0x9, new byte[0])),
        CONTINUATION_WITH_NOTHING_TO_CONTINUE("5.15", 1002, frame(false, 0x0, "fragment3".getBytes(StandardCharsets.UTF_8)),
                frame(true, 0x1, "fragment4".getBytes(StandardCharsets.UTF_8)));

        final String autobahn;
        final int closeCode;
        final byte[][] after;

        StrictCase(String autobahn, int closeCode, byte[]... after) {
            this.autobahn = autobahn;
            this.closeCode = closeCode;
            this.after = after;
        }

        /** The valid message: one frame, or two fragments for 5.15. */
        List<byte[]> valid() {
            if (this == CONTINUATION_WITH_NOTHING_TO_CONTINUE) {
                return List.of(frame(false, 0x1, "fragment1".getBytes(StandardCharsets.UTF_8)),
                        frame(true, 0x0, "fragment2".getBytes(StandardCharsets.UTF_8)));
            }
            return List.of(frame(true, 0x1, HELLO));
        }

        String validText() {
            return this == CONTINUATION_WITH_NOTHING_TO_CONTINUE ? "fragment1fragment2" : "Hello, world!";
        }

        // A frame whose mask bit is decided when it is sent (placeholder: 0 = unmasked).
        private static byte[] frame(boolean fin, int firstByteLowBits, byte[] payload) {
            byte[] f = new byte[2 + payload.length];
            f[0] = (byte) ((fin ? 0x80 : 0) | firstByteLowBits);
            f[1] = (byte) payload.length;
            System.arraycopy(payload, 0, f, 2, payload.length);
            return f;
        }

        /** All of the case's frames in one buffer, masked if {@code mask}. */
        byte[] bytes(boolean mask) {
            List<byte[]> frames = new ArrayList<>(valid());
            frames.addAll(List.of(after));
            List<byte[]> encoded = new ArrayList<>();
            for (byte[] f : frames) {
                byte[] payload = java.util.Arrays.copyOfRange(f, 2, f.length);
                boolean fin = (f[0] & 0x80) != 0;
                encoded.add(RawPeer.frame(fin, f[0] & 0x7F, payload, mask, -1));
            }
            return FakeServer.concat(encoded.toArray(new byte[0][]));
        }
    }

    @ParameterizedTest(name = "Autobahn {0}")
    @EnumSource(StrictCase.class)
    void aServerEchoesTheValidMessageBeforeItsCloseFrame(StrictCase c) throws Exception {
        TestServer server = servers.echo();
        try (RawPeer peer = RawPeer.connect(server.port())) {
            peer.handshake(server.port());
            peer.write(c.bytes(true));
            RawPeer.Frame first = peer.readFrame(1024);
            assertThat(first.opcode).as("case %s: the echo comes first, then the close frame; got %s", c.autobahn, first)
                    .isEqualTo(0x1);
            assertThat(first.text()).isEqualTo(c.validText());
            RawPeer.Frame close = peer.readFrame(125);
            assertThat(close.isClose()).as("case %s: %s", c.autobahn, close).isTrue();
            assertThat(close.closeCode()).isEqualTo(c.closeCode);
        }
    }

    @ParameterizedTest(name = "Autobahn {0}")
    @EnumSource(StrictCase.class)
    void aClientEchoesTheValidMessageBeforeItsCloseFrame(StrictCase c) throws Exception {
        try (RawPeer.Listener fake = new RawPeer.Listener()) {
            WebSocket ws = servers.client(fake.url());
            ws.onmessage(e -> ws.send((String) ((MessageEvent) e).data()));
            EventLog log = EventLog.attach(ws);
            try (RawPeer peer = fake.acceptWebSocket()) {
                log.awaitOpen();
                peer.write(c.bytes(false));
                RawPeer.Frame first = peer.readFrame(1024);
                assertThat(first.opcode).as("case %s: the echo comes first, then the close frame; got %s", c.autobahn, first)
                        .isEqualTo(0x1);
                assertThat(first.text()).isEqualTo(c.validText());
                RawPeer.Frame close = peer.readFrame(125);
                assertThat(close.isClose()).as("case %s: %s", c.autobahn, close).isTrue();
                assertThat(close.closeCode()).isEqualTo(c.closeCode);
                log.assertFailed();
                assertThat(log.types()).containsExactly("open", "message", "error", "close");
            }
        }
    }
}
