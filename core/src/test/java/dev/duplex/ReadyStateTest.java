package dev.duplex;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.TestServers.Accepted;
import dev.duplex.TestServers.TestServer;

import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** readyState through the life of client and server sockets, over real sockets. */
@Timeout(20)
class ReadyStateTest {
    private final TestServers servers = new TestServers();

    @AfterEach
    void tearDown() {
        servers.close();
    }

    @Test
    void clientGoesConnectingOpenClosingClosed() throws Exception {
        // the peer answers the close frame only when told to, so CLOSING can be observed
        // from the test thread without racing the closing handshake
        CountDownLatch answer = new CountDownLatch(1);
        try (FakeServer peer = FakeServer.start(p -> {
            p.completeHandshake("");
            FakeServer.Frame close = p.readUntilClose();
            if (answer.await(5, TimeUnit.SECONDS)) {
                p.writeFrame(true, 8, close.payload());
                p.socket.close();
            }
        })) {
            WebSocket ws = servers.client(peer.url());
            AtomicInteger inOpenHandler = new AtomicInteger(-1);
            AtomicInteger inCloseHandler = new AtomicInteger(-1);
            ws.onopen(e -> inOpenHandler.set(ws.readyState()));
            ws.onclose(e -> inCloseHandler.set(ws.readyState()));
            EventLog log = EventLog.attach(ws);

            assertThat(ws.readyState()).as("right after the constructor").isEqualTo(WebSocket.CONNECTING);
            log.awaitOpen();
            assertThat(inOpenHandler.get()).as("readyState inside onopen").isEqualTo(WebSocket.OPEN);
            assertThat(ws.readyState()).isEqualTo(WebSocket.OPEN);

            ws.close();
            assertThat(ws.readyState()).as("synchronously after close()").isEqualTo(WebSocket.CLOSING);
            EventLog.sleep(100);
            assertThat(ws.readyState()).as("until the peer answers").isEqualTo(WebSocket.CLOSING);
            answer.countDown();

            CloseEvent close = log.awaitClose();
            assertThat(inCloseHandler.get()).as("readyState inside onclose").isEqualTo(WebSocket.CLOSED);
            assertThat(ws.readyState()).isEqualTo(WebSocket.CLOSED);
            assertThat(close.code()).isEqualTo(1000);
            assertThat(close.wasClean()).isTrue();
            log.assertWellFormed();
            assertThat(log.types()).containsExactly("open", "close");
        }
    }

    @Test
    void closeInsideAHandlerIsClosingUntilTheCloseEvent() {
        TestServer server = servers.quiet();
        WebSocket ws = servers.client(server.url());
        AtomicInteger afterClose = new AtomicInteger(-1);
        AtomicInteger laterInHandler = new AtomicInteger(-1);
        EventLog log = EventLog.attach(ws);   // first, so it sees readyState before the handler closes
        ws.onopen(e -> {
            ws.close();
            afterClose.set(ws.readyState());
            EventLog.sleep(100);   // the closing handshake completes meanwhile; no event can run yet
            laterInHandler.set(ws.readyState());
        });
        CloseEvent close = log.awaitClose();
        assertThat(afterClose.get()).isEqualTo(WebSocket.CLOSING);
        assertThat(laterInHandler.get()).as("readyState changes to CLOSED only with the close event")
                .isEqualTo(WebSocket.CLOSING);
        assertThat(close.code()).isEqualTo(1000);
        assertThat(close.wasClean()).isTrue();
        log.assertWellFormed();
    }

    @Test
    void constantsHaveTheirStandardValues() {
        assertThat(new int[] {WebSocket.CONNECTING, WebSocket.OPEN, WebSocket.CLOSING, WebSocket.CLOSED})
                .containsExactly(0, 1, 2, 3);
    }

    @Test
    void serverSocketIsOpenInConnectionEventAndClosesLikeAClient() {
        TestServer server = servers.quiet();
        EventLog client = servers.openClient(server);
        Accepted a = server.nextConnection();
        assertThat(a.readyStateAtConnection()).as("server socket readyState in onconnection").isEqualTo(WebSocket.OPEN);
        assertThat(a.socket().isServerSide()).isTrue();
        assertThat(client.socket().isServerSide()).isFalse();

        AtomicInteger afterClose = new AtomicInteger(-1);
        a.socket().onmessage(e -> {
            a.socket().close(1000, "done");
            afterClose.set(a.socket().readyState());
        });
        client.socket().send("close please");
        CloseEvent serverClose = a.log().awaitClose();
        assertThat(serverClose.wasClean()).isTrue();
        assertThat(a.socket().readyState()).isEqualTo(WebSocket.CLOSED);
        assertThat(afterClose.get()).as("server socket right after close()").isEqualTo(WebSocket.CLOSING);
        a.log().assertWellFormed();
        assertThat(a.log().types()).containsExactly("message", "close");

        CloseEvent clientClose = client.awaitClose();
        assertThat(clientClose.code()).isEqualTo(1000);
        assertThat(clientClose.reason()).isEqualTo("done");
        assertThat(clientClose.wasClean()).isTrue();
        client.assertWellFormed();
    }

    @Test
    void peerInitiatedCloseEndsClosedWithoutOpenAgain() {
        TestServer server = servers.quiet();
        EventLog client = servers.openClient(server);
        server.nextConnection().socket().close(4321, "server says bye");
        CloseEvent close = client.awaitClose();
        assertThat(close.code()).isEqualTo(4321);
        assertThat(close.reason()).isEqualTo("server says bye");
        assertThat(client.socket().readyState()).isEqualTo(WebSocket.CLOSED);
        client.assertWellFormed();
    }

    @Test
    void failedConnectionGoesFromConnectingStraightToClosed() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        WebSocket ws = servers.client("ws://127.0.0.1:" + port + "/");
        EventLog log = EventLog.attach(ws);
        log.assertFailed();
        assertThat(log.types()).containsExactly("error", "close");
        assertThat(log.entries()).allSatisfy(e -> assertThat(e.readyState()).isEqualTo(WebSocket.CLOSED));
        assertThat(ws.readyState()).isEqualTo(WebSocket.CLOSED);
    }

    @Test
    void firstReadyStateOnTheConstructingThreadIsConnectingWhateverHappenedMeanwhile() throws Exception {
        // The connections are refused within microseconds, but the constructing thread keeps
        // running (no event can be dispatched yet), so, as in JavaScript, the first readyState it
        // reads is CONNECTING: the close event, which moves readyState to CLOSED, cannot have run.
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        int n = 100;
        List<WebSocket> sockets = new ArrayList<>();
        List<Integer> first = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            List<WebSocket> batch = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                batch.add(servers.client("ws://127.0.0.1:" + port + "/"));
            }
            EventLog.spin(300);   // every connection has been refused by now; this thread stays RUNNABLE
            for (WebSocket ws : batch) {
                first.add(ws.readyState());
            }
            sockets.addAll(batch);
        }
        long notConnecting = first.stream().filter(s -> s != WebSocket.CONNECTING).count();
        assertThat(notConnecting).as("sockets (of %d) whose first readyState() was not CONNECTING: %s",
                first.size(), first).isZero();
        EventLog.waitUntil("all closed", () -> sockets.stream().allMatch(ws -> ws.readyState() == WebSocket.CLOSED));
    }

    @Test
    void closeWhileConnectingIsClosingAtOnceThenClosed() throws Exception {
        // the socket's events are held back, so nothing can move readyState on behind our back
        TestServers.HoldingExecutor events = servers.track(new TestServers.HoldingExecutor());
        events.pause();
        try (FakeServer silent = FakeServer.start(FakeServer.Peer::drain)) {
            WebSocket ws = servers.client(silent.url(), List.of(),
                    WebSocketOptions.builder().executor(events).build());
            EventLog log = EventLog.attach(ws);
            assertThat(ws.readyState()).isEqualTo(WebSocket.CONNECTING);
            ws.close();
            assertThat(ws.readyState()).isEqualTo(WebSocket.CLOSING);
            EventLog.sleep(100);
            assertThat(ws.readyState()).as("CLOSED only when the close event is dispatched")
                    .isEqualTo(WebSocket.CLOSING);
            events.resume();
            log.assertFailed();
            assertThat(log.types()).containsExactly("error", "close");
            assertThat(ws.readyState()).isEqualTo(WebSocket.CLOSED);
        }
    }
}
