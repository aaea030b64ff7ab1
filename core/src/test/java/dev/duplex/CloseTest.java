package dev.duplex;

import static dev.duplex.SendTest.assertDomException;
import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.TestServers.Accepted;
import dev.duplex.TestServers.TestServer;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** close(): codes, reasons, validation, states, and the close events on both ends. */
@Timeout(20)
class CloseTest {
    private final TestServers servers = new TestServers();

    @AfterEach
    void tearDown() {
        servers.close();
    }

    @Test
    void clientCloseWithCodeAndReasonReachesTheServer() {
        TestServer server = servers.quiet();
        EventLog client = servers.openClient(server);
        Accepted a = server.nextConnection();
        client.socket().close(4000, "bye");

        CloseEvent atServer = a.log().awaitClose();
        assertThat(atServer.code()).isEqualTo(4000);
        assertThat(atServer.reason()).isEqualTo("bye");
        assertThat(atServer.wasClean()).isTrue();
        assertThat(atServer.type()).isEqualTo("close");

        CloseEvent atClient = client.awaitClose();
        assertThat(atClient.code()).as("the server echoes the code").isEqualTo(4000);
        assertThat(atClient.wasClean()).isTrue();
        client.assertWellFormed();
        a.log().assertWellFormed();
        assertThat(client.types()).containsExactly("open", "close");
        assertThat(a.log().types()).containsExactly("close");
    }

    @ParameterizedTest(name = "server closes with {0}")
    @ValueSource(ints = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4999})
    void serverSocketMayUseTheCodesRfc6455LetsEndpointsSend(int code) {
        TestServer server = servers.quiet();
        EventLog client = servers.openClient(server);
        Accepted a = server.nextConnection();
        a.socket().close(code, "why " + code);

        CloseEvent atClient = client.awaitClose();
        assertThat(atClient.code()).isEqualTo(code);
        assertThat(atClient.reason()).isEqualTo("why " + code);
        assertThat(atClient.wasClean()).isTrue();
        CloseEvent atServer = a.log().awaitClose();
        assertThat(atServer.code()).isEqualTo(code);
        assertThat(atServer.wasClean()).isTrue();
        client.assertWellFormed();
        a.log().assertWellFormed();
    }

    @Test
    void closeWithoutArgumentsSends1000BothWays() {
        TestServer server = servers.quiet();
        EventLog c1 = servers.openClient(server);
        Accepted a1 = server.nextConnection();
        c1.socket().close();
        CloseEvent atServer = a1.log().awaitClose();
        assertThat(atServer.code()).as("server sees the client's close()").isEqualTo(1000);
        assertThat(atServer.reason()).isEmpty();
        assertThat(atServer.wasClean()).isTrue();
        assertThat(c1.awaitClose().code()).isEqualTo(1000);

        EventLog c2 = servers.openClient(server);
        Accepted a2 = server.nextConnection();
        a2.socket().close();
        CloseEvent atClient = c2.awaitClose();
        assertThat(atClient.code()).as("client sees the server's close()").isEqualTo(1000);
        assertThat(atClient.wasClean()).isTrue();
    }

    @Test
    void closeWithOnlyACode() {
        TestServer server = servers.quiet();
        EventLog client = servers.openClient(server);
        Accepted a = server.nextConnection();
        client.socket().close(3001);
        CloseEvent atServer = a.log().awaitClose();
        assertThat(atServer.code()).isEqualTo(3001);
        assertThat(atServer.reason()).isEmpty();
    }

    @Test
    void unicodeReasonOf123BytesArrives() {
        TestServer server = servers.quiet();
        EventLog client = servers.openClient(server);
        Accepted a = server.nextConnection();
        String reason = "\uD83D\uDE00".repeat(30) + "\u00e9" + "x";   // 120 + 2 + 1 = 123 bytes
        client.socket().close(4001, reason);
        CloseEvent atServer = a.log().awaitClose();
        assertThat(atServer.reason()).isEqualTo(reason);
    }

    @ParameterizedTest(name = "client close({0}) throws InvalidAccessError")
    @ValueSource(ints = {0, -1, 999, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1011, 1015, 1016, 2000, 2999, 5000, 65536})
    void clientRejectsCodesOtherThan1000And3000To4999(int code) {
        TestServer server = servers.quiet();
        EventLog client = servers.openClient(server);
        Accepted a = server.nextConnection();
        WebSocket ws = client.socket();
        assertDomException(() -> ws.close(code), "InvalidAccessError", 15);
        assertDomException(() -> ws.close(code, "reason"), "InvalidAccessError", DOMException.INVALID_ACCESS_ERR);
        assertThat(ws.readyState()).isEqualTo(WebSocket.OPEN);
        // still usable, and nothing was sent
        ws.send("still open");
        assertThat(a.log().awaitMessage()).isEqualTo("still open");
        assertThat(a.log().types()).containsExactly("message");
    }

    @ParameterizedTest(name = "server close({0}) throws InvalidAccessError")
    @ValueSource(ints = {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000})
    void serverSocketRejectsCodesNoEndpointMaySend(int code) {
        TestServer server = servers.quiet();
        EventLog client = servers.openClient(server);
        WebSocket s = server.nextConnection().socket();
        assertDomException(() -> s.close(code, "x"), "InvalidAccessError", 15);
        assertThat(s.readyState()).isEqualTo(WebSocket.OPEN);
        s.send("still open");
        assertThat(client.awaitMessage()).isEqualTo("still open");
    }

    @Test
    void badReasonsThrowSyntaxError() {
        TestServer server = servers.quiet();
        EventLog client = servers.openClient(server);
        Accepted a = server.nextConnection();
        WebSocket ws = client.socket();
        assertDomException(() -> ws.close(1000, "x".repeat(124)), "SyntaxError", 12);
        assertDomException(() -> ws.close(4000, "\u00e9".repeat(62)), "SyntaxError", DOMException.SYNTAX_ERR);
        assertDomException(() -> ws.close(4000, "\uD83D\uDE00".repeat(31)), "SyntaxError", 12);
        assertDomException(() -> ws.close(4000, "\uD800"), "SyntaxError", 12);
        assertDomException(() -> ws.close(4000, "ok\uDC00"), "SyntaxError", 12);
        assertThat(ws.readyState()).isEqualTo(WebSocket.OPEN);
        ws.close(4000, "x".repeat(123));
        CloseEvent atServer = a.log().awaitClose();
        assertThat(atServer.code()).isEqualTo(4000);
        assertThat(atServer.reason()).isEqualTo("x".repeat(123));
    }

    @Test
    void invalidCodeIsCheckedBeforeTheReason() {
        TestServer server = servers.quiet();
        EventLog client = servers.openClient(server);
        assertDomException(() -> client.socket().close(999, "x".repeat(200)), "InvalidAccessError", 15);
    }

    @Test
    void closeWhenClosingOrClosedDoesNothing() {
        TestServer server = servers.quiet();
        WebSocket ws = servers.client(server.url());
        java.util.concurrent.atomic.AtomicInteger state = new java.util.concurrent.atomic.AtomicInteger(-1);
        EventLog client = EventLog.attach(ws);   // first, so it sees readyState before the handler closes
        ws.onopen(e -> {
            ws.close(4000, "first");
            ws.close(4001, "second");
            ws.close();
            state.set(ws.readyState());
        });
        client.awaitClose();
        Accepted a = server.nextConnection();
        CloseEvent atServer = a.log().awaitClose();
        assertThat(state.get()).isEqualTo(WebSocket.CLOSING);
        assertThat(atServer.code()).isEqualTo(4000);
        assertThat(atServer.reason()).isEqualTo("first");
        ws.close();
        ws.close(4002, "third");
        assertThat(ws.readyState()).isEqualTo(WebSocket.CLOSED);
        client.assertQuietFor(200);
        assertThat(client.count("close")).isEqualTo(1);
        assertThat(a.log().count("close")).isEqualTo(1);
        client.assertWellFormed();
    }

    @Test
    void closeWhileConnectingFailsTheConnection() throws Exception {
        try (FakeServer silent = FakeServer.start(FakeServer.Peer::drain)) {
            WebSocket ws = servers.client(silent.url());
            EventLog log = EventLog.attach(ws);
            ws.close(4000, "never mind");
            ErrorEvent error = log.assertFailed();
            assertThat(error.error()).isNotNull();
            assertThat(log.types()).containsExactly("error", "close");
            log.assertQuietFor(200);
        }
    }

    @Test
    void closeRightAfterTheConstructorAgainstARealServerNeverOpens() throws Exception {
        // The server answers only once close() was called, so the handshake is surely unfinished
        // (had it finished, open would be due and close() would run the closing handshake).
        CountDownLatch closed = new CountDownLatch(1);
        TestServer server = servers.start(b -> b.handshake(request -> {
            try {
                closed.await(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return HandshakeDecision.accept();
        }), a -> { });
        WebSocket ws = servers.client(server.url());
        EventLog log = EventLog.attach(ws);
        ws.close();
        closed.countDown();
        log.assertFailed();
        assertThat(log.types()).containsExactly("error", "close");
    }

    @Test
    void closeWhileTheOpenEventWaitsBehindTheGateClosesCleanlyAndNeverOpens() throws Exception {
        // The handshake is done but the open event waits (no listener yet), so the connection is
        // open on the wire: close() runs the closing handshake instead of failing the connection,
        // and, as after any close(), the open event is not delivered. close() is called from
        // another thread, so that the gate stays shut until the log is attached.
        TestServer server = servers.quiet();
        WebSocket ws = servers.client(server.url(), List.of(), WebSocketOptions.builder().executor(Runnable::run).build());
        TestServers.Accepted accepted = server.nextConnection();
        EventLog.spin(200);     // the client reads the 101 meanwhile
        Thread closer = new Thread(() -> ws.close(4001, "bye"));
        closer.start();
        closer.join(5000);
        EventLog log = EventLog.attach(ws);
        CloseEvent close = log.awaitClose();
        assertThat(log.types()).containsExactly("close");
        assertThat(close.wasClean()).isTrue();
        assertThat(close.code()).isEqualTo(4001);
        assertThat(accepted.log().awaitClose().code()).isEqualTo(4001);
    }

    @Test
    void closeWhileTheHandshakeIsInProgressStillFailsTheConnection() throws Exception {
        try (FakeServer silent = FakeServer.start(FakeServer.Peer::drain)) {
            WebSocket ws = servers.client(silent.url());
            EventLog log = EventLog.attach(ws);
            ws.close();
            log.assertFailed();
            assertThat(log.types()).containsExactly("error", "close");
        }
    }

    @Test
    void messagesArrivingAfterCloseAreNotDelivered() {
        TestServer server = servers.start(a -> a.socket().onmessage(e -> {
            for (int i = 0; i < 100; i++) {
                a.socket().send("burst " + i);
            }
        }));
        WebSocket ws = servers.client(server.url());
        EventLog log = EventLog.attach(ws);
        CountDownLatch closed = new CountDownLatch(1);
        ws.onopen(e -> ws.send("go"));
        ws.onmessage(e -> {
            EventLog.sleep(200);   // the rest of the burst arrives and waits in the queue
            ws.close();
            closed.countDown();
        });
        CloseEvent close = log.awaitClose();
        assertThat(close.wasClean()).isTrue();
        assertThat(log.messages()).as("only the message being handled when close() was called")
                .containsExactly("burst 0");
        log.assertWellFormed();
    }

    @Test
    void withMessagesWhileClosingTheMessagesSentBeforeThePeersCloseAreDeliveredAfterClose() {
        TestServer server = servers.start(a -> a.socket().onmessage(e -> {
            for (int i = 0; i < 100; i++) {
                a.socket().send("burst " + i);
            }
        }));
        WebSocket ws = servers.client(server.url(), List.of(), WebSocketOptions.builder().messagesWhileClosing(true).build());
        EventLog log = EventLog.attach(ws);
        java.util.List<Integer> states = new java.util.concurrent.CopyOnWriteArrayList<>();
        ws.onopen(e -> ws.send("go"));
        ws.onmessage(e -> {
            states.add(ws.readyState());
            ws.close();         // at the first: the rest of the burst is on its way or queued
        });
        CloseEvent close = log.awaitClose();
        assertThat(close.wasClean()).isTrue();
        assertThat(log.messages()).as("every message the server sent before its close frame").hasSize(100)
                .startsWith("burst 0").endsWith("burst 99");
        assertThat(states.get(0)).isEqualTo(WebSocket.OPEN);
        assertThat(states.subList(1, states.size())).containsOnly(WebSocket.CLOSING);
        assertThat(log.types()).endsWith("close").doesNotContain("error");     // (assertWellFormed wants OPEN)
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aMessageOnTheWireAfterOurCloseFrameIsDeliveredOnlyWithMessagesWhileClosing(boolean deliver) throws Exception {
        try (RawPeer.Listener fake = new RawPeer.Listener()) {
            TlsTest.Client c = new TlsTest.Client(fake.url(), WebSocketOptions.builder()
                    .perMessageDeflate(false).messagesWhileClosing(deliver).build());
            java.util.List<Object> messages = new java.util.concurrent.CopyOnWriteArrayList<>();
            c.ws.addEventListener("message", e -> messages.add(((MessageEvent) e).data()));
            try (RawPeer peer = fake.acceptWebSocket()) {
                assertThat(c.next().type()).isEqualTo("open");
                c.ws.close(4001, "done");
                RawPeer.Frame close = peer.readFrame(125);
                assertThat(close.closeCode()).isEqualTo(4001);
                // The peer had sent this before it read our close frame.
                peer.write(RawPeer.frame(0x1, "late reply".getBytes(java.nio.charset.StandardCharsets.UTF_8), false));
                peer.write(RawPeer.frame(0x8, close.payload, false));
                CloseEvent closed = c.awaitClose();
                assertThat(closed.wasClean()).isTrue();
                assertThat(closed.code()).isEqualTo(4001);
            }
            if (deliver) {
                assertThat(messages).containsExactly("late reply");
            } else {
                assertThat(messages).isEmpty();
            }
        }
    }

    @Test
    void messagesStillQueuedWhenCloseIsCalledFromAnotherThreadAreDropped() throws Exception {
        TestServer server = servers.onGo(s -> {
            for (int i = 0; i < 50; i++) {
                s.send("m" + i);
            }
        });
        WebSocket ws = servers.goClient(server);
        EventLog log = EventLog.attach(ws);
        CountDownLatch inFirst = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ws.onmessage(e -> {
            if ("m0".equals(((MessageEvent) e).data())) {
                inFirst.countDown();
                try {
                    release.await(5, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        assertThat(inFirst.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        EventLog.sleep(200);
        ws.close();
        release.countDown();
        log.awaitClose();
        assertThat(log.messages()).containsExactly("m0");
    }

    @Test
    void simultaneousCloseGivesOneCloseEventPerSocket() {
        TestServer server = servers.quiet();
        for (int round = 0; round < 10; round++) {
            EventLog client = servers.openClient(server);
            Accepted a = server.nextConnection();
            a.socket().close(4001, "server");
            client.socket().close(4000, "client");
            CloseEvent c = client.awaitClose();
            CloseEvent s = a.log().awaitClose();
            assertThat(List.of(4000, 4001)).contains(c.code(), s.code());
            client.assertQuietFor(50);
            assertThat(client.count("close")).isEqualTo(1);
            assertThat(a.log().count("close")).isEqualTo(1);
            client.assertWellFormed();
            a.log().assertWellFormed();
        }
    }

    @Test
    void wasCleanIsFalseWithoutAClosingHandshake() throws Exception {
        try (FakeServer peer = FakeServer.start(p -> {
            p.completeHandshake("");
            p.readUntilClose();   // the client's close frame, never answered
            p.drain();
        })) {
            WebSocket ws = servers.client(peer.url(), List.of(),
                    WebSocketOptions.builder().closeTimeout(java.time.Duration.ofMillis(300)).build());
            EventLog log = EventLog.attach(ws);
            log.awaitOpen();
            ws.close(4000);
            CloseEvent close = log.awaitClose();
            assertThat(close.wasClean()).isFalse();
            assertThat(close.code()).isEqualTo(1006);
            log.assertWellFormed();
        }
    }

    @Test
    void clientWaitsForTheServerToCloseTcpAfterTheCloseFrames() throws Exception {
        // the fake server answers the close frame but keeps TCP open: the client gives up
        // after its close timeout, and the closing handshake had completed: wasClean true
        try (FakeServer peer = FakeServer.start(p -> {
            p.completeHandshake("");
            FakeServer.Frame close = p.readUntilClose();
            p.writeFrame(true, 8, close.payload());
            p.drain();
        })) {
            WebSocket ws = servers.client(peer.url(), List.of(),
                    WebSocketOptions.builder().closeTimeout(java.time.Duration.ofMillis(300)).build());
            EventLog log = EventLog.attach(ws);
            log.awaitOpen();
            ws.close(4000, "done");
            CloseEvent close = log.awaitClose();
            assertThat(close.code()).isEqualTo(4000);
            assertThat(close.reason()).isEqualTo("done");
            assertThat(close.wasClean()).isTrue();
        }
    }
}
