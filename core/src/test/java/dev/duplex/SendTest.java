package dev.duplex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duplex.TestServers.Accepted;
import dev.duplex.TestServers.TestServer;

import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** send() in every readyState, over real sockets. */
@Timeout(20)
class SendTest {
    private final TestServers servers = new TestServers();

    @AfterEach
    void tearDown() {
        servers.close();
    }

    static void assertDomException(ThrowingCallable call, String name, int code) {
        assertThatThrownBy(call).isInstanceOf(DOMException.class)
                .satisfies(e -> {
                    assertThat(((DOMException) e).name()).isEqualTo(name);
                    assertThat(((DOMException) e).code()).isEqualTo(code);
                });
    }

    @Test
    void sendWhileTheOpenEventWaitsBehindTheGateGoesOut() {
        // The handshake is done, the open event waits (no listener yet): the connection is open on
        // the wire, so send() sends instead of throwing InvalidStateError, although readyState was
        // CONNECTING when send() looked; send() also lets the open event out.
        TestServers.TestServer server = servers.echo();
        WebSocket ws = servers.client(server.url(), java.util.List.of(),
                WebSocketOptions.builder().executor(Runnable::run).build());
        TestServers.Accepted accepted = server.nextConnection();
        EventLog.spin(200);     // the client reads the 101 meanwhile
        ws.send("early");
        assertThat(accepted.log().awaitMessage()).isEqualTo("early");
        EventLog.waitUntil("the socket is OPEN", () -> ws.readyState() == WebSocket.OPEN);
    }

    @Test
    void sendWhileConnectingThrowsInvalidStateError() throws Exception {
        try (FakeServer silent = FakeServer.start(FakeServer.Peer::drain)) {
            WebSocket ws = servers.client(silent.url());
            EventLog log = EventLog.attach(ws);
            assertThat(ws.readyState()).isEqualTo(WebSocket.CONNECTING);
            assertDomException(() -> ws.send("text"), "InvalidStateError", 11);
            assertDomException(() -> ws.send(new byte[] {1, 2}), "InvalidStateError", DOMException.INVALID_STATE_ERR);
            assertDomException(() -> ws.send(ByteBuffer.wrap(new byte[3])), "InvalidStateError", 11);
            assertDomException(() -> ws.send(Blob.of("blob")), "InvalidStateError", 11);
            assertThat(ws.bufferedAmount()).as("nothing is counted for a send that threw").isZero();
            assertThat(ws.readyState()).isEqualTo(WebSocket.CONNECTING);
            assertThat(log.types()).isEmpty();
        }
    }

    @Test
    void sendWhileOpenDeliversEveryKindOfData() {
        TestServer server = servers.quiet();
        EventLog client = servers.openClient(server);
        Accepted a = server.nextConnection();
        WebSocket ws = client.socket();

        ws.send("hello");
        ws.send(new byte[] {1, 2, 3});
        ByteBuffer buffer = ByteBuffer.wrap(new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
        buffer.position(2).limit(8);
        ws.send(buffer);
        assertThat(buffer.position()).as("send(ByteBuffer) must not move the position").isEqualTo(2);
        assertThat(buffer.limit()).isEqualTo(8);
        ws.send(Blob.of("blob"));
        ws.send(ByteBuffer.allocateDirect(4).put(new byte[] {9, 8, 7, 6}).flip());

        List<Object> got = a.log().awaitMessages(5);
        assertThat(got.get(0)).isEqualTo("hello");
        assertThat(((Blob) got.get(1)).bytes()).containsExactly(1, 2, 3);
        assertThat(((Blob) got.get(2)).bytes()).containsExactly(2, 3, 4, 5, 6, 7);
        assertThat(((Blob) got.get(3)).bytes()).containsExactly("blob".getBytes(StandardCharsets.UTF_8));
        assertThat(((Blob) got.get(4)).bytes()).containsExactly(9, 8, 7, 6);
    }

    @Test
    void sentBytesAreCopiedAtCallTime() {
        TestServer server = servers.quiet();
        EventLog client = servers.openClient(server);
        Accepted a = server.nextConnection();
        byte[] array = {1, 2, 3};
        client.socket().send(array);
        array[0] = 99;
        ByteBuffer buffer = ByteBuffer.wrap(new byte[] {4, 5, 6});
        client.socket().send(buffer);
        buffer.put(0, (byte) 99);
        List<Object> got = a.log().awaitMessages(2);
        assertThat(((Blob) got.get(0)).bytes()).containsExactly(1, 2, 3);
        assertThat(((Blob) got.get(1)).bytes()).containsExactly(4, 5, 6);
    }

    // A server sends an in-memory blob's own bytes (no copy): the same received Blob relayed to
    // two clients, twice each, and a slice of it, must all arrive intact, and a client sending
    // the Blob it received (masked: into a copy) must not change it.
    @Test
    void aReceivedBlobRelayedByTheServerArrivesIntactEverywhere() throws Exception {
        TestServer server = servers.quiet();
        EventLog first = servers.openClient(server);
        WebSocket toFirst = server.nextConnection().socket();
        EventLog second = servers.openClient(server);
        Accepted fromSecond = server.nextConnection();
        byte[] sent = new byte[1 << 20];
        new Random(7).nextBytes(sent);
        second.socket().send(sent);
        Blob received = (Blob) fromSecond.log().awaitMessages(1).get(0);
        toFirst.send(received);
        toFirst.send(received);
        toFirst.send(received.slice(5, 105));
        fromSecond.socket().send(received);
        List<Object> atFirst = first.awaitMessages(3);
        assertThat(((Blob) atFirst.get(0)).bytes()).isEqualTo(sent);
        assertThat(((Blob) atFirst.get(1)).bytes()).isEqualTo(sent);
        assertThat(((Blob) atFirst.get(2)).bytes()).isEqualTo(Arrays.copyOfRange(sent, 5, 105));
        Blob back = (Blob) second.awaitMessages(1).get(0);
        assertThat(back.bytes()).isEqualTo(sent);
        second.socket().send(back);
        assertThat(((Blob) fromSecond.log().awaitMessages(2).get(1)).bytes()).isEqualTo(sent);
        assertThat(back.bytes()).as("the client's Blob after it was masked and sent").isEqualTo(sent);
        assertThat(received.bytes()).isEqualTo(sent);
    }

    @Test
    void serverSocketSendsToo() {
        TestServer server = servers.quiet();
        EventLog client = servers.openClient(server);
        WebSocket s = server.nextConnection().socket();
        s.send("from server");
        s.send(new byte[] {42});
        List<Object> got = client.awaitMessages(2);
        assertThat(got.get(0)).isEqualTo("from server");
        assertThat(((Blob) got.get(1)).bytes()).containsExactly(42);
    }

    @Test
    void sendWhileClosingSendsNothingButBufferedAmountKeepsRising() throws Exception {
        // the peer records every frame and answers the close only when told to, so the
        // socket stays CLOSING for as long as the test needs
        List<FakeServer.Frame> frames = new CopyOnWriteArrayList<>();
        AtomicLong bytesAfterClose = new AtomicLong(-1);
        CountDownLatch answer = new CountDownLatch(1);
        FakeServer peer = servers.track(FakeServer.start(p -> {
            p.completeHandshake("");
            FakeServer.Frame f;
            do {
                f = p.readFrame();
                frames.add(f);
            } while (f.opcode() != 8);
            if (answer.await(5, TimeUnit.SECONDS)) {
                p.writeFrame(true, 8, f.payload());
                p.socket.shutdownOutput();
                bytesAfterClose.set(p.drain());
            }
        }));
        WebSocket ws = servers.client(peer.url());
        EventLog client = EventLog.attach(ws);
        client.awaitOpen();
        ws.send("before");
        EventLog.waitUntil("bufferedAmount is 0", () -> ws.bufferedAmount() == 0);

        ws.close(4000, "closing");
        assertThat(ws.readyState()).isEqualTo(WebSocket.CLOSING);
        assertThat(ws.bufferedAmount()).isZero();
        ws.send("abc");
        assertThat(ws.bufferedAmount()).isEqualTo(3);
        ws.send(new byte[10]);
        assertThat(ws.bufferedAmount()).isEqualTo(13);
        ws.send(ByteBuffer.allocate(7));
        assertThat(ws.bufferedAmount()).isEqualTo(20);
        ws.send(Blob.of("xy"));
        assertThat(ws.bufferedAmount()).isEqualTo(22);
        ws.send("\u00e9");   // 2 bytes of UTF-8
        assertThat(ws.bufferedAmount()).isEqualTo(24);
        assertThat(ws.readyState()).isEqualTo(WebSocket.CLOSING);
        EventLog.sleep(100);
        answer.countDown();

        CloseEvent close = client.awaitClose();
        assertThat(close.wasClean()).isTrue();
        EventLog.waitUntil("the peer saw the end of the stream", () -> bytesAfterClose.get() >= 0);
        assertThat(frames).extracting(FakeServer.Frame::opcode).containsExactly(1, 8);
        assertThat(frames.get(0).text()).isEqualTo("before");
        assertThat(frames.get(1).closeCode()).isEqualTo(4000);
        assertThat(bytesAfterClose.get()).as("bytes the client wrote after its close frame").isZero();
        assertThat(ws.bufferedAmount()).as("bytes sent while closing never drain").isEqualTo(24);
    }

    @Test
    void sendInsideAHandlerAfterCloseCountsButSendsNothing() {
        TestServer server = servers.quiet();
        WebSocket ws = servers.client(server.url());
        List<Long> amounts = new CopyOnWriteArrayList<>();
        EventLog client = EventLog.attach(ws);
        ws.onopen(e -> {
            ws.close();
            amounts.add(ws.bufferedAmount());
            ws.send("abc");
            amounts.add(ws.bufferedAmount());
            ws.send(new byte[5]);
            amounts.add(ws.bufferedAmount());
        });
        client.awaitClose();
        client.assertWellFormed();
        Accepted a = server.nextConnection();
        a.log().awaitClose();
        assertThat(amounts).containsExactly(0L, 3L, 8L);
        assertThat(a.log().messages()).isEmpty();
    }

    @Test
    void sendWhileClosedSendsNothingButBufferedAmountKeepsRising() {
        TestServer server = servers.quiet();
        EventLog client = servers.openClient(server);
        Accepted a = server.nextConnection();
        WebSocket ws = client.socket();
        ws.close();
        client.awaitClose();
        a.log().awaitClose();
        assertThat(ws.readyState()).isEqualTo(WebSocket.CLOSED);
        long b0 = ws.bufferedAmount();
        for (int i = 1; i <= 5; i++) {
            ws.send("four");
            assertThat(ws.bufferedAmount()).isEqualTo(b0 + 4L * i);
        }
        ws.send(new byte[100]);
        assertThat(ws.bufferedAmount()).isEqualTo(b0 + 120);
        assertThat(ws.readyState()).isEqualTo(WebSocket.CLOSED);
        assertThat(a.log().messages()).isEmpty();
        client.assertQuietFor(100);
        client.assertWellFormed();
    }

    @Test
    void sendAfterAFailedConnectionCountsToo() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        WebSocket ws = servers.client("ws://127.0.0.1:" + port + "/");
        EventLog log = EventLog.attach(ws);
        log.assertFailed();
        ws.send("abc");
        ws.send("def");
        assertThat(ws.bufferedAmount()).isEqualTo(6);
    }

    @Test
    void serverSocketSendWhileClosingCountsToo() {
        TestServer server = servers.quiet();
        EventLog client = servers.openClient(server);
        WebSocket s = server.nextConnection().socket();
        s.close(1001);
        long b0 = s.bufferedAmount();
        s.send("12345");
        assertThat(s.bufferedAmount()).isEqualTo(b0 + 5);
        client.awaitClose();
        assertThat(client.messages()).isEmpty();
    }

    @Test
    void unpairedSurrogateThrowsSyntaxErrorAndSendsNothing() {
        TestServer server = servers.quiet();
        EventLog client = servers.openClient(server);
        Accepted a = server.nextConnection();
        WebSocket ws = client.socket();
        for (String bad : List.of("\uD800", "a\uDC00b", "\uDE00\uD83D", "x\uD83D", "\uDBFF\uDBFF")) {
            assertDomException(() -> ws.send(bad), "SyntaxError", DOMException.SYNTAX_ERR);
        }
        assertThat(ws.bufferedAmount()).isZero();
        assertThat(ws.readyState()).isEqualTo(WebSocket.OPEN);
        ws.send("\uD83D\uDE00 ok");
        assertThat(a.log().awaitMessage()).isEqualTo("\uD83D\uDE00 ok");
        a.log().assertQuietFor(100);
        assertThat(a.log().messages()).hasSize(1);
    }
}
