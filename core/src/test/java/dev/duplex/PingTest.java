package dev.duplex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duplex.TestServers.TestServer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link WebSocket#ping(byte[])}, {@link WebSocket#pong(byte[])} and the round-trip times. */
@Timeout(30)
class PingTest {
    private final TestServers servers = new TestServers();

    @AfterEach
    void tearDown() {
        servers.close();
    }

    @Test
    void pingCompletesWithTheRoundTripTimeOfItsPong() throws Exception {
        TestServer server = servers.quiet();
        EventLog log = servers.openClient(server);
        WebSocket ws = log.socket();
        assertThat(ws.roundTripTime()).isEmpty();
        long before = System.nanoTime();
        Duration rtt = ws.ping("hi".getBytes(StandardCharsets.UTF_8)).toCompletableFuture().get(5, TimeUnit.SECONDS);
        long elapsed = System.nanoTime() - before;
        assertThat(rtt).isPositive();
        assertThat(rtt.toNanos()).isLessThanOrEqualTo(elapsed);
        assertThat(ws.roundTripTime()).contains(rtt);
        assertThat(ws.smoothedRoundTripTime()).contains(rtt);
    }

    @Test
    void aPongAnswersTheOldestMatchingPingAndEveryEarlierOne() throws Exception {
        try (RawPeer.Listener fake = new RawPeer.Listener()) {
            WebSocket ws = servers.client(fake.url());
            EventLog log = EventLog.attach(ws);
            try (RawPeer peer = fake.acceptWebSocket()) {
                log.awaitOpen();
                CompletableFuture<Duration> a = ws.ping(new byte[] {1}).toCompletableFuture();
                CompletableFuture<Duration> b = ws.ping(new byte[] {2}).toCompletableFuture();
                CompletableFuture<Duration> c = ws.ping(new byte[] {3}).toCompletableFuture();
                for (int i = 1; i <= 3; i++) {
                    RawPeer.Frame ping = peer.readFrame(125);
                    assertThat(ping.opcode).isEqualTo(0x9);
                    assertThat(ping.payload).containsExactly(i);
                }
                peer.write(RawPeer.frame(0xA, new byte[] {9}, false));      // unsolicited: answers nothing
                peer.write(RawPeer.frame(0xA, new byte[] {2}, false));      // answers only the latest two it saw
                assertThat(b.get(5, TimeUnit.SECONDS)).isPositive();
                assertThat(a).isDone();
                assertThat(c).isNotDone();
                ws.close();
                assertThat(peer.readFrame(125).isClose()).isTrue();
                peer.write(RawPeer.frame(0x8, new byte[] {0x03, (byte) 0xE8}, false));
                log.awaitClose();
                assertThatThrownBy(() -> c.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                        .hasMessageContaining("closed before the pong arrived");
            }
        }
    }

    @Test
    void keepAlivePingsMeasureTheRoundTripToo() throws Exception {
        TestServer server = servers.quiet();
        WebSocket ws = servers.client(server.url(), List.of(),
                WebSocketOptions.builder().pingInterval(Duration.ofMillis(50)).build());
        EventLog.attach(ws).awaitOpen();
        EventLog.waitUntil("a keep-alive ping was answered", () -> ws.roundTripTime().isPresent());
        assertThat(ws.smoothedRoundTripTime()).isPresent();
    }

    @Test
    void pongSendsAnUnsolicitedPongFrame() throws Exception {
        try (RawPeer.Listener fake = new RawPeer.Listener()) {
            WebSocket ws = servers.client(fake.url());
            EventLog log = EventLog.attach(ws);
            try (RawPeer peer = fake.acceptWebSocket()) {
                log.awaitOpen();
                ws.pong("beat".getBytes(StandardCharsets.UTF_8));
                RawPeer.Frame pong = peer.readFrame(125);
                assertThat(pong.opcode).isEqualTo(0xA);
                assertThat(pong.masked).isTrue();
                assertThat(pong.text()).isEqualTo("beat");
            }
        }
    }

    @Test
    void pingsAndPongsFollowTheSocketsState() throws Exception {
        try (FakeServer silent = FakeServer.start(FakeServer.Peer::drain)) {
            WebSocket connecting = servers.client(silent.url());
            assertThatThrownBy(connecting::ping).isInstanceOf(DOMException.class)
                    .satisfies(e -> assertThat(((DOMException) e).name()).isEqualTo("InvalidStateError"));
            assertThatThrownBy(() -> connecting.pong(new byte[0])).isInstanceOf(DOMException.class);
        }
        TestServer server = servers.quiet();
        WebSocket ws = servers.openClient(server).socket();
        assertThatThrownBy(() -> ws.ping(new byte[126])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most 125 bytes");
        ws.close();
        assertThatThrownBy(() -> ws.ping().toCompletableFuture().get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasMessageContaining("CLOSING");
        ws.pong(new byte[0]);     // does nothing once closing
    }
}
