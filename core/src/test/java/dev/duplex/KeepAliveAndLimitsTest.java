package dev.duplex;

import dev.duplex.internal.protocol.Opcode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Keep-alive pings, pong and idle timeouts, and the server's connection limits, each with its documented outcome. */
@Timeout(60)
class KeepAliveAndLimitsTest {
    @RegisterExtension
    static final TestKit kit = new TestKit();


    private WebSocketServer server(ServerOptions.Builder b, BlockingQueue<CloseEvent> serverCloses) {
        return kit.server(b, e -> {
            WebSocket ws = e.socket();
            ws.onmessage(m -> ws.send("echo:" + ((MessageEvent) m).data()));
            ws.onclose(c -> serverCloses.add((CloseEvent) c));
        });
    }

    @Test
    void clientPingsASilentPeerAndFailsWhenNoPongComes() throws Exception {
        try (RawPeer.Listener fake = new RawPeer.Listener()) {
            long start = System.nanoTime();
            TlsTest.Client c = new TlsTest.Client(fake.url(), WebSocketOptions.builder()
                    .pingInterval(Duration.ofMillis(200)).pongTimeout(Duration.ofMillis(300)).build());
            try (RawPeer peer = fake.acceptWebSocket()) {
                assertThat(c.next().type()).isEqualTo("open");
                RawPeer.Frame ping = peer.readFrame(125);
                assertThat(ping.opcode).isEqualTo(Opcode.PING);
                assertThat(ping.masked).isTrue();
                ErrorEvent error = c.awaitFailure();
                assertThat(error.message()).contains("No pong").contains("300 ms");
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(450);
                RawPeer.Frame close = peer.readFrame(125);
                assertThat(close.isClose()).isTrue();
                assertThat(close.closeCode()).isEqualTo(1011);
            }
        }
    }

    @Test
    void aPingGoesOutEveryIntervalWhenThePongTimeoutIsLonger() throws Exception {
        // Once answered, the next ping is due an interval later, not when the (30 s) pong timeout would have run out.
        try (RawPeer.Listener fake = new RawPeer.Listener()) {
            TlsTest.Client c = new TlsTest.Client(fake.url(), WebSocketOptions.builder()
                    .pingInterval(Duration.ofMillis(100)).build());
            try (RawPeer peer = fake.acceptWebSocket()) {
                assertThat(c.next().type()).isEqualTo("open");
                long start = System.nanoTime();
                for (int i = 0; i < 4; i++) {
                    RawPeer.Frame ping = peer.readFrame(125);
                    assertThat(ping.opcode).isEqualTo(Opcode.PING);
                    peer.write(RawPeer.frame(Opcode.PONG, ping.payload, false));
                }
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5000);
                assertThat(c.ws.roundTripTime()).isPresent();
                c.ws.close();
            }
        }
    }

    @Test
    void pingsKeepAHealthyConnectionOpenInBothDirections() throws Exception {
        BlockingQueue<CloseEvent> serverCloses = new LinkedBlockingQueue<>();
        WebSocketServer server = server(ServerOptions.builder().pingInterval(Duration.ofMillis(50))
                .pongTimeout(Duration.ofMillis(200)), serverCloses);
        TlsTest.Client c = new TlsTest.Client("ws://127.0.0.1:" + server.port() + "/", WebSocketOptions.builder()
                .pingInterval(Duration.ofMillis(50)).pongTimeout(Duration.ofMillis(200)).build());
        assertThat(c.next().type()).isEqualTo("open");
        Thread.sleep(1000);     // twenty ping intervals of silence: pongs keep it alive
        assertThat(c.events).isEmpty();
        c.ws.send("still here");
        assertThat(((MessageEvent) c.next()).data()).isEqualTo("echo:still here");
        c.ws.close();
        assertThat(c.awaitClose().wasClean()).isTrue();
    }

    @Test
    void clientIdleTimeoutClosesWith1001() throws Exception {
        BlockingQueue<CloseEvent> serverCloses = new LinkedBlockingQueue<>();
        WebSocketServer server = server(ServerOptions.builder(), serverCloses);
        TlsTest.Client c = new TlsTest.Client("ws://127.0.0.1:" + server.port() + "/",
                WebSocketOptions.builder().idleTimeout(Duration.ofMillis(300)).build());
        assertThat(c.next().type()).isEqualTo("open");
        c.ws.send("activity");
        assertThat(((MessageEvent) c.next()).data()).isEqualTo("echo:activity");
        long start = System.nanoTime();
        CloseEvent close = c.awaitClose();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(200);
        assertThat(close.code()).isEqualTo(1001);
        assertThat(close.wasClean()).isTrue();
        CloseEvent atServer = serverCloses.poll(5, TimeUnit.SECONDS);
        assertThat(atServer).isNotNull();
        assertThat(atServer.code()).isEqualTo(1001);
        assertThat(atServer.reason()).isEqualTo("Idle timeout");
    }

    @Test
    void serverIdleTimeoutClosesWith1001() throws Exception {
        BlockingQueue<CloseEvent> serverCloses = new LinkedBlockingQueue<>();
        WebSocketServer server = server(ServerOptions.builder().idleTimeout(Duration.ofMillis(300)), serverCloses);
        TlsTest.Client c = new TlsTest.Client("ws://127.0.0.1:" + server.port() + "/", WebSocketOptions.defaults());
        assertThat(c.next().type()).isEqualTo("open");
        CloseEvent close = c.awaitClose();
        assertThat(close.code()).isEqualTo(1001);
        assertThat(close.reason()).isEqualTo("Idle timeout");
        assertThat(close.wasClean()).isTrue();
        // the server's own close event may come a moment after the client's
        EventLog.waitUntil("the server forgot the socket", () -> server.clients().isEmpty());
    }

    @Test
    void connectionsOverMaxConnectionsAreAnswered503() throws Exception {
        BlockingQueue<CloseEvent> serverCloses = new LinkedBlockingQueue<>();
        WebSocketServer server = server(ServerOptions.builder().maxConnections(2), serverCloses);
        String url = "ws://127.0.0.1:" + server.port() + "/";
        TlsTest.Client a = new TlsTest.Client(url, WebSocketOptions.defaults());
        TlsTest.Client b = new TlsTest.Client(url, WebSocketOptions.defaults());
        assertThat(a.next().type()).isEqualTo("open");
        assertThat(b.next().type()).isEqualTo("open");
        TlsTest.Client third = new TlsTest.Client(url, WebSocketOptions.defaults());
        assertThat(third.awaitFailure().message()).contains("503");
        try (RawPeer raw = RawPeer.connect(server.port())) {
            raw.write(RawPeer.upgradeRequest(server.port(), RawPeer.newKey()));
            String head = raw.readHttpHead();
            assertThat(RawPeer.status(head)).isEqualTo(503);
        }
        // A place frees up when a connection closes.
        a.ws.close();
        a.awaitClose();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.clients().size() > 1 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        TlsTest.Client fourth = new TlsTest.Client(url, WebSocketOptions.defaults());
        assertThat(fourth.next().type()).isEqualTo("open");
    }

    @Test
    void connectionsOverMaxPendingHandshakesAreAnswered503AtOnce() throws Exception {
        BlockingQueue<CloseEvent> serverCloses = new LinkedBlockingQueue<>();
        WebSocketServer server = server(ServerOptions.builder().maxPendingHandshakes(2)
                .handshakeTimeout(Duration.ofSeconds(20)), serverCloses);
        try (RawPeer silent1 = RawPeer.connect(server.port()); RawPeer silent2 = RawPeer.connect(server.port())) {
            Thread.sleep(200);     // let the server count both
            try (RawPeer third = RawPeer.connect(server.port())) {
                String head = third.readHttpHead();
                assertThat(RawPeer.status(head)).isEqualTo(503);
                assertThat(head).contains("Content-Length");
            }
        }
        // Once the silent ones are gone, handshakes are accepted again.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        TlsTest.Client c;
        do {
            Thread.sleep(50);
            c = new TlsTest.Client("ws://127.0.0.1:" + server.port() + "/", WebSocketOptions.defaults());
        } while (!c.next().type().equals("open") && System.nanoTime() < deadline);
        c.ws.send("ok");
        assertThat(((MessageEvent) c.next()).data()).isEqualTo("echo:ok");
    }

    @Test
    void aClientThatNeverReadsIsDroppedAtTheBufferedAmountLimitAndOthersKeepWorking() throws Exception {
        BlockingQueue<CloseEvent> serverCloses = new LinkedBlockingQueue<>();
        BlockingQueue<ErrorEvent> serverErrors = new LinkedBlockingQueue<>();
        BlockingQueue<WebSocket> sockets = new LinkedBlockingQueue<>();
        WebSocketServer server = new WebSocketServer(ServerOptions.builder().host("127.0.0.1").port(0)
                .maxBufferedAmount(8L << 20).build());
        server.onconnection(e -> {
            WebSocket ws = e.socket();
            ws.onmessage(m -> ws.send("echo:" + ((MessageEvent) m).data()));
            ws.onerror(err -> serverErrors.add((ErrorEvent) err));
            ws.onclose(c -> serverCloses.add((CloseEvent) c));
            sockets.add(ws);
        });
        server.start();
        kit.track(server::close);
        try (RawPeer sleeper = RawPeer.connect(server.port())) {
            sleeper.handshake(server.port());
            sleeper.socket.setReceiveBufferSize(4096);
            WebSocket stuck = sockets.poll(5, TimeUnit.SECONDS);
            assertThat(stuck).isNotNull();
            byte[] chunk = new byte[1 << 20];
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (stuck.readyState() == WebSocket.OPEN && System.nanoTime() < deadline) {
                stuck.send(chunk);          // the peer reads nothing: bufferedAmount only grows
                Thread.sleep(1);
            }
            CloseEvent close = serverCloses.poll(10, TimeUnit.SECONDS);
            assertThat(close).isNotNull();
            assertThat(close.code()).isEqualTo(1006);
            ErrorEvent error = serverErrors.poll(1, TimeUnit.SECONDS);
            assertThat(error).isNotNull();
            assertThat(error.message()).contains("maxBufferedAmount");

            TlsTest.Client fine = new TlsTest.Client("ws://127.0.0.1:" + server.port() + "/", WebSocketOptions.defaults());
            assertThat(fine.next().type()).isEqualTo("open");
            fine.ws.send("still serving");
            assertThat(((MessageEvent) fine.next()).data()).isEqualTo("echo:still serving");
        }
    }
}
