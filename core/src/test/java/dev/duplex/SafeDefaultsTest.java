package dev.duplex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duplex.TestServers.Accepted;
import dev.duplex.TestServers.TestServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's protections against peers that try to take what they should not: pages of other
 * origins, unfinished messages that pin memory, spilled messages that fill the disk, one host
 * taking every connection slot, compression contexts that eat native memory. Each test fails
 * without its protection (docs/HOSTILE-PEERS.md, "Limits").
 */
@Timeout(60)
class SafeDefaultsTest {
    private final TestServers servers = new TestServers();
    private final List<RawPeer> peers = new ArrayList<>();

    @TempDir
    Path temp;

    @AfterEach
    void tearDown() {
        for (RawPeer p : peers) {
            p.close();
        }
        servers.close();
    }

    private RawPeer open(TestServer server) throws IOException {
        RawPeer p = RawPeer.connect(server.port());
        peers.add(p);
        p.handshake(server.port());
        return p;
    }

    private static String originHeader(String origin) {
        return origin == null ? "" : "Origin: " + origin + "\r\n";
    }

    private static int upgradeStatus(TestServer server, String origin) throws IOException {
        String request = RawClient.upgrade(server.port(), "/", originHeader(origin));
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            byte[] head = new byte[12];
            int n = s.getInputStream().readNBytes(head, 0, 12);
            return Integer.parseInt(new String(head, 9, Math.min(3, n - 9), java.nio.charset.StandardCharsets.ISO_8859_1));
        }
    }

    // ------------------------------------------------------------------ origins

    @Test
    void allowedOriginsLetOnlyThoseOriginsAndProgramsWithoutOriginUpgrade() throws Exception {
        TestServer server = servers.start(b -> b.allowedOrigins("https://app.example", "http://localhost:8080"), a -> { });
        assertThat(upgradeStatus(server, "https://app.example")).isEqualTo(101);
        assertThat(upgradeStatus(server, "HTTPS://App.Example:443")).as("as browsers serialize it").isEqualTo(101);
        assertThat(upgradeStatus(server, "http://localhost:8080")).isEqualTo(101);
        assertThat(upgradeStatus(server, null)).as("a program sends no Origin").isEqualTo(101);
        assertThat(upgradeStatus(server, "https://evil.example")).isEqualTo(403);
        assertThat(upgradeStatus(server, "https://app.example.evil.example")).isEqualTo(403);
        assertThat(upgradeStatus(server, "http://app.example")).as("another scheme is another origin").isEqualTo(403);
        assertThat(upgradeStatus(server, "null")).as("an opaque origin (a sandboxed page, a file)").isEqualTo(403);
        RawClient.Response refused = RawClient.exchange(server.port(),
                RawClient.upgrade(server.port(), "/", originHeader("https://evil.example")));
        assertThat(refused.body()).contains("https://evil.example").contains("allowedOrigins");
    }

    @Test
    void requireOriginRefusesRequestsWithoutOne() throws Exception {
        TestServer server = servers.start(b -> b.allowedOrigins("https://app.example").requireOrigin(true), a -> { });
        assertThat(upgradeStatus(server, null)).isEqualTo(403);
        assertThat(upgradeStatus(server, "https://app.example")).isEqualTo(101);
    }

    @Test
    void allowedOriginsAreCheckedWhenSet() {
        ServerOptions.Builder b = ServerOptions.builder();
        assertThatThrownBy(() -> b.allowedOrigins("https://app.example/")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not an origin");
        assertThatThrownBy(() -> b.allowedOrigins("app.example")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.allowedOrigins("https://user@app.example")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.allowedOrigins((String) null)).isInstanceOf(NullPointerException.class);
        assertThat(b.allowedOrigins("HTTPS://APP.example:443", "http://a:8080").build().allowedOrigins())
                .containsExactlyInAnyOrder("https://app.example", "http://a:8080");
    }

    @Test
    void aCustomOriginPolicyInTheHandshakeHandlerAsItsJavadocShows() throws Exception {
        TestServer server = servers.start(b -> b.handshake(request -> {
            String origin = request.origin();
            boolean ours = origin == null || origin.equals("https://example.com")
                    || (origin.startsWith("https://") && origin.endsWith(".example.com"));
            return ours ? HandshakeDecision.accept() : HandshakeDecision.reject(403, "origin not allowed");
        }), a -> { });
        assertThat(upgradeStatus(server, "https://chat.example.com")).isEqualTo(101);
        assertThat(upgradeStatus(server, "https://example.com.evil.test")).isEqualTo(403);
        assertThat(upgradeStatus(server, null)).isEqualTo(101);
    }

    // ------------------------------------------------------------------ unfinished messages

    @Test
    void aMessageThatNeverFinishesFailsAfterTheAssemblyTimeoutThoughThePeerKeepsPinging() throws Exception {
        TestServer server = servers.start(b -> b.messageAssemblyTimeout(Duration.ofMillis(400)), a -> { });
        RawPeer peer = open(server);
        Accepted accepted = server.nextConnection();
        long start = System.nanoTime();
        peer.write(RawPeer.frame(false, 0x1, new byte[1000], true, -1));     // a first fragment, never continued
        RawPeer.Frame close = null;
        long deadline = start + TimeUnit.SECONDS.toNanos(4);
        while (close == null && System.nanoTime() < deadline) {
            peer.write(RawPeer.frame(0x9, new byte[0], true));             // the connection looks alive
            RawPeer.Frame f = peer.readFrame(200);                          // its pong, or the close
            if (f.isClose()) {
                close = f;
            } else {
                EventLog.sleep(50);
            }
        }
        assertThat(close).as("a close frame within 4 s").isNotNull();
        assertThat(close.closeCode()).isEqualTo(1008);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(350);
        assertThat(accepted.log().assertFailed().message()).contains("messageAssemblyTimeout");
    }

    @Test
    void messagesThatArriveInTimeAreNotAffectedByTheAssemblyTimeout() throws Exception {
        TestServer server = servers.start(b -> b.messageAssemblyTimeout(Duration.ofMillis(300)), a -> { });
        RawPeer peer = open(server);
        Accepted accepted = server.nextConnection();
        for (int i = 0; i < 5; i++) {
            peer.write(RawPeer.frame(false, 0x1, "a".getBytes(), true, -1));
            EventLog.sleep(100);
            peer.write(RawPeer.frame(true, 0x0, "b".getBytes(), true, -1));
            EventLog.sleep(100);
        }
        assertThat(accepted.log().awaitMessages(5)).containsOnly("ab");
        assertThat(accepted.log().types()).doesNotContain("error", "close");
    }

    @Test
    void unfinishedMessagesOfAllConnectionsShareOneMemoryBudget() throws Exception {
        TestServer server = servers.start(b -> b.maxUnfinishedMessageBytes(200_000), a -> { });
        RawPeer first = open(server);
        Accepted firstSide = server.nextConnection();
        first.write(RawPeer.frame(false, 0x2, new byte[120_000], true, -1));
        EventLog.waitUntil("the first peer's fragment is held",
                () -> server.server.limits().unfinishedMessages().used() >= 120_000);
        RawPeer second = open(server);
        Accepted secondSide = server.nextConnection();
        second.write(RawPeer.frame(false, 0x2, new byte[120_000], true, -1));
        RawPeer.Frame close = second.readCloseFrame();
        assertThat(close.closeCode()).as("try again later").isEqualTo(1013);
        assertThat(secondSide.log().assertFailed().message()).contains("maxUnfinishedMessageBytes");
        first.write(RawPeer.frame(true, 0x0, new byte[10], true, -1));
        assertThat(((Blob) firstSide.log().awaitMessage()).size()).isEqualTo(120_010);
        EventLog.waitUntil("the budget is empty again", () -> server.server.limits().unfinishedMessages().used() == 0);
    }

    // ------------------------------------------------------------------ spilled messages

    @Test
    void spilledMessagesShareOneDiskBudgetUntilTheirBlobsAreClosed() throws Exception {
        BlockingQueue<Blob> received = new LinkedBlockingQueue<>();
        TestServer server = servers.start(b -> b.largeMessageThreshold(1024).maxTemporaryFileBytes(150_000)
                .temporaryDirectory(temp), a -> a.socket().onmessage(e -> received.add((Blob) ((MessageEvent) e).data())));
        WebSocket client = servers.openClient(server).socket();
        client.send(new byte[100_000]);
        Blob first = received.poll(10, TimeUnit.SECONDS);
        assertThat(first).isInstanceOf(FileBlob.class);
        Path file = ((FileBlob) first).path();
        assertThat(file).exists();
        assertThat(server.server.limits().temporaryFiles().used()).isEqualTo(100_000);

        WebSocket second = servers.openClient(server).socket();
        EventLog secondLog = EventLog.attach(second);
        second.send(new byte[100_000]);
        CloseEvent refused = server.all.get(1).log().awaitClose();
        assertThat(server.all.get(1).log().types()).containsExactly("error", "close");
        assertThat(refused.code()).isEqualTo(1006);
        assertThat(server.all.get(1).log().entries().get(0).error().message()).contains("maxTemporaryFileBytes");

        first.close();
        assertThat(file).doesNotExist();
        assertThat(server.server.limits().temporaryFiles().used()).isZero();
        assertThatThrownBy(first::bytes).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        first.close();     // idempotent

        client.send(new byte[100_000]);
        Blob third = received.poll(10, TimeUnit.SECONDS);
        assertThat(third.size()).isEqualTo(100_000);
        third.close();
        assertThat(secondLog.awaitClose().code()).as("the client is told to try again later").isEqualTo(1013);
    }

    @Test
    void spilledMessagesWaitingForASlowHandlerStopTheReading() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        TestServer server = servers.start(b -> b.largeMessageThreshold(1024).temporaryDirectory(temp), a ->
                a.socket().onmessage(e -> {
                    try {
                        release.await(20, TimeUnit.SECONDS);
                    } catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                    ((Blob) ((MessageEvent) e).data()).close();
                }));
        WebSocket client = servers.client(server.url(), List.of(), WebSocketOptions.builder().perMessageDeflate(false).build());
        EventLog.attach(client).awaitOpen();     // uncompressed: the wire carries what is counted
        // Spilled messages count as what they are, 10 MiB each waiting for the handler: the
        // server stops reading past 16 MiB, and once the kernel's socket buffers are full (they
        // may hold up to tcp_rmem + tcp_wmem on loopback), the client keeps the rest.
        long kernel = LoopbackBuffers.loopbackBufferBytes();
        long taken = (16L << 20) + kernel + (22L << 20);     // the handler's message and one being read
        int messages = (int) ((taken + (40L << 20)) / (10 << 20)) + 1;
        for (int i = 0; i < messages; i++) {
            client.send(new byte[10 << 20]);
        }
        EventLog.sleep(2_000);
        assertThat(client.bufferedAmount()).as("bytes the server did not take, of %d MiB", messages * 10)
                .isGreaterThan(messages * (10L << 20) - taken);
        release.countDown();
        EventLog.waitUntil("everything is sent", () -> client.bufferedAmount() == 0);
    }

    // ------------------------------------------------------------------ per-address limits

    @Test
    void oneAddressCannotTakeEveryConnection() throws Exception {
        TestServer server = servers.start(b -> b.perAddressLimitsOnLoopback(true).maxConnectionsPerAddress(2), a -> { });
        open(server);
        RawPeer second = open(server);
        RawClient.Response third = RawClient.exchange(server.port(), RawClient.upgrade(server.port(), "/", ""));
        assertThat(third.status()).isEqualTo(503);
        assertThat(third.body()).contains("from your address");
        second.close();
        EventLog.waitUntil("a place is free", () -> server.server.clients().size() == 1);
        open(server);     // the freed place is usable
    }

    @Test
    void oneAddressCannotTakeEveryHandshakeSlot() throws Exception {
        TestServer server = servers.start(b -> b.perAddressLimitsOnLoopback(true).maxPendingHandshakesPerAddress(3), a -> { });
        List<Socket> silent = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                silent.add(new Socket(InetAddress.getLoopbackAddress(), server.port()));     // sends nothing
            }
            EventLog.sleep(200);
            RawClient.Response fourth = RawClient.exchange(server.port(), RawClient.upgrade(server.port(), "/", ""));
            assertThat(fourth.status()).isEqualTo(503);
            assertThat(fourth.body()).contains("pending handshakes from your address");
        } finally {
            for (Socket s : silent) {
                s.close();
            }
        }
        EventLog.sleep(200);
        assertThat(upgradeStatus(server, null)).isEqualTo(101);
    }

    @Test
    void loopbackIsExemptFromThePerAddressLimitsByDefault() throws Exception {
        TestServer server = servers.start(b -> b.maxConnectionsPerAddress(2), a -> { });
        for (int i = 0; i < 5; i++) {
            open(server);
        }
        EventLog.waitUntil("five connections", () -> server.server.clients().size() == 5);
    }

    // ------------------------------------------------------------------ compression contexts

    @Test
    void beyondMaxCompressionContextsConnectionsNegotiateNoContextTakeover() throws Exception {
        TestServer server = servers.start(b -> b.maxCompressionContexts(1), a -> { });
        EventLog first = servers.openClient(server);
        assertThat(first.socket().extensions()).isEqualTo("permessage-deflate");
        EventLog second = servers.openClient(server);
        assertThat(second.socket().extensions())
                .isEqualTo("permessage-deflate; server_no_context_takeover; client_no_context_takeover");
        first.socket().close();
        first.awaitClose();
        EventLog.waitUntil("the context is given back", () -> server.server.clients().size() == 1);
        assertThat(servers.openClient(server).socket().extensions()).isEqualTo("permessage-deflate");
    }

    // ------------------------------------------------------------------ peers that stop reading

    @Test
    void aPeerThatSendsItsCloseThenStopsReadingIsDroppedAfterTheCloseTimeout() throws Exception {
        long kernel = LoopbackBuffers.loopbackBufferBytes();
        int chunks = (int) ((kernel + (16L << 20)) / (1 << 20)) + 1;
        TestServer server = servers.start(b -> b.closeTimeout(Duration.ofMillis(500)).perMessageDeflate(false), a -> {
            for (int i = 0; i < chunks; i++) {
                a.socket().send(new byte[1 << 20]);      // more than the kernel holds: the rest waits
            }
        });
        RawPeer peer = open(server);
        Accepted accepted = server.nextConnection();
        EventLog.sleep(500);
        peer.write(RawPeer.frame(0x8, new byte[] {0x03, (byte) 0xE8}, true));     // then never reads again
        long start = System.nanoTime();
        CloseEvent close = accepted.log().awaitClose();
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(took).as("ms until the server dropped the connection (closeTimeout 500 ms), code %d", close.code())
                .isLessThan(5_000);
    }

    @Test
    void aPeerThatHalfClosesThenStopsReadingIsDroppedAfterTheCloseTimeout() throws Exception {
        long kernel = LoopbackBuffers.loopbackBufferBytes();
        int chunks = (int) ((kernel + (16L << 20)) / (1 << 20)) + 1;
        TestServer server = servers.start(b -> b.closeTimeout(Duration.ofMillis(500)).perMessageDeflate(false), a -> {
            for (int i = 0; i < chunks; i++) {
                a.socket().send(new byte[1 << 20]);
            }
        });
        RawPeer peer = open(server);
        Accepted accepted = server.nextConnection();
        EventLog.sleep(500);
        peer.socket.shutdownOutput();       // FIN, and no more reading
        CloseEvent close = accepted.log().awaitClose();
        assertThat(close.code()).isEqualTo(1006);
    }

    // ------------------------------------------------------------------ bugs on the I/O thread

    @Test
    void anExecutorThatThrowsOnTheIoThreadEndsTheConnectionInsteadOfSkippingBytes() throws Exception {
        TestServer server = servers.echo();
        java.util.concurrent.atomic.AtomicInteger tasks = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.Executor broken = task -> {
            if (tasks.incrementAndGet() > 1) {
                throw new IllegalStateException("broken executor");      // not a RejectedExecutionException
            }
            task.run();
        };
        Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
        List<Throwable> reported = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> reported.add(e));
        try {
            TestServers.Accepted[] side = new TestServers.Accepted[1];
            WebSocket ws = servers.client(server.url(), List.of(), WebSocketOptions.builder().executor(broken).build());
            ws.onopen(e -> { });
            EventLog.waitUntil("the socket opened", () -> tasks.get() >= 1 && server.all.size() == 1);
            side[0] = server.all.get(0);
            ws.send("hello");      // its echo makes the client queue a task: the executor throws
            CloseEvent close = side[0].log().awaitClose();
            assertThat(close.code()).as("the client dropped the connection").isEqualTo(1006);
            EventLog.waitUntil("the bug was reported", () -> !reported.isEmpty());
            assertThat(reported.get(0)).hasMessage("broken executor");
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(before);
        }
    }
}
