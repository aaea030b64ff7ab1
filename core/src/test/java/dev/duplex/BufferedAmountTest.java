package dev.duplex;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.TestServers.Accepted;
import dev.duplex.TestServers.TestServer;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** bufferedAmount rising with send() and falling as bytes reach the network; its limit. */
@Timeout(30)
class BufferedAmountTest {
    private static final int BIG = 24 << 20;

    private final TestServers servers = new TestServers();

    @AfterEach
    void tearDown() {
        servers.close();
    }

    /** A peer that completes the handshake, then reads nothing until {@code release} opens. */
    private FakeServer stalledPeer(CountDownLatch release) throws Exception {
        return servers.track(FakeServer.start(peer -> {
            peer.completeHandshake("");
            if (release.await(20, TimeUnit.SECONDS)) {
                peer.drain();
            }
        }));
    }

    /** Waits until bufferedAmount stops changing (the kernel buffers are full) and returns it. */
    private static long awaitStable(WebSocket ws) {
        long last = -1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            long now = ws.bufferedAmount();
            if (now == last) {
                return now;
            }
            last = now;
            EventLog.sleep(200);
        }
        throw new AssertionError("bufferedAmount did not settle: " + last);
    }

    @Test
    void risesBySizeOfEachMessageAndFallsToZeroOnceWritten() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        FakeServer peer = stalledPeer(release);
        WebSocket ws = servers.client(peer.url());
        EventLog log = EventLog.attach(ws);
        log.awaitOpen();
        assertThat(ws.bufferedAmount()).isZero();

        ws.send(new byte[BIG]);
        long afterSend = ws.bufferedAmount();
        assertThat(afterSend).as("right after sending %d bytes to a peer that does not read", BIG)
                .isPositive().isLessThanOrEqualTo(BIG);
        long stalled = awaitStable(ws);
        assertThat(stalled).as("the peer reads nothing: most of the message is still queued").isPositive();

        ws.send("abc");
        assertThat(ws.bufferedAmount()).isEqualTo(stalled + 3);
        ws.send("\u00e9\uD83D\uDE00");   // 2 + 4 bytes of UTF-8
        assertThat(ws.bufferedAmount()).isEqualTo(stalled + 9);
        ws.send(new byte[100]);
        assertThat(ws.bufferedAmount()).isEqualTo(stalled + 109);
        ws.send(Blob.of(new byte[11]));
        assertThat(ws.bufferedAmount()).isEqualTo(stalled + 120);
        assertThat(ws.readyState()).isEqualTo(WebSocket.OPEN);

        release.countDown();
        EventLog.waitUntil("bufferedAmount falls back to 0", () -> ws.bufferedAmount() == 0);
        log.assertWellFormed();
        assertThat(log.types()).containsExactly("open");
    }

    @Test
    void fallsToZeroAfterManyMessagesToARealServer() {
        TestServer server = servers.quiet();
        EventLog client = servers.openClient(server);
        Accepted a = server.nextConnection();
        WebSocket ws = client.socket();
        long total = 0;
        for (int i = 0; i < 200; i++) {
            ws.send(new byte[10_000]);
            total += 10_000;
            assertThat(ws.bufferedAmount()).isBetween(0L, total);
        }
        EventLog.waitUntil("bufferedAmount falls back to 0", () -> ws.bufferedAmount() == 0);
        a.log().awaitMessages(200);
    }

    @Test
    void passingTheLimitClosesTheSocketWithErrorAnd1006() {
        TestServer server = servers.quiet();
        WebSocket ws = servers.client(server.url(), List.of(),
                WebSocketOptions.builder().maxBufferedAmount(1000).build());
        EventLog client = EventLog.attach(ws);
        client.awaitOpen();
        Accepted a = server.nextConnection();

        ws.send(new byte[1000]);   // exactly at the limit: fine
        assertThat(a.log().awaitMessage()).isInstanceOf(Blob.class);
        EventLog.waitUntil("bufferedAmount falls back to 0", () -> ws.bufferedAmount() == 0);

        ws.send(new byte[1001]);   // would pass it: no exception, the socket is closed
        ErrorEvent error = client.assertFailed();
        assertThat(error.error().getMessage()).as("the error names the limit").contains("1000");
        assertThat(error.message()).containsIgnoringCase("limit");
        assertThat(client.types()).containsExactly("open", "error", "close");

        CloseEvent serverSide = a.log().awaitClose();
        assertThat(serverSide.wasClean()).isFalse();
        assertThat(serverSide.code()).isEqualTo(1006);
        assertThat(a.log().messages()).as("the message over the limit was not sent").hasSize(1);
        client.assertQuietFor(100);
    }

    @Test
    void theLimitCountsBytesStillQueued() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        FakeServer peer = stalledPeer(release);
        long limit = 32L << 20;
        WebSocket ws = servers.client(peer.url(), List.of(),
                WebSocketOptions.builder().maxBufferedAmount(limit).build());
        EventLog log = EventLog.attach(ws);
        log.awaitOpen();
        ws.send(new byte[BIG]);
        long stalled = awaitStable(ws);
        assertThat(stalled).isPositive();

        ws.send(new byte[(int) (limit - stalled)]);   // reaches the limit exactly
        assertThat(ws.bufferedAmount()).isEqualTo(limit);
        log.assertQuietFor(200);
        assertThat(log.types()).containsExactly("open");

        ws.send(new byte[1]);                         // one byte over it
        ErrorEvent error = log.assertFailed();
        assertThat(error.error().getMessage()).contains(Long.toString(limit));
        release.countDown();
    }

    @Test
    void serverSocketLimitClosesItToo() {
        TestServer server = servers.start(b -> b.maxBufferedAmount(100), a -> { });
        EventLog client = servers.openClient(server);
        Accepted a = server.nextConnection();
        a.socket().send(new byte[101]);
        a.log().assertFailed();
        CloseEvent clientClose = client.awaitClose();
        assertThat(clientClose.code()).isEqualTo(1006);
        assertThat(clientClose.wasClean()).isFalse();
        assertThat(client.messages()).isEmpty();
    }
}
