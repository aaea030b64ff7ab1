package dev.duplex;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.internal.protocol.ZlibPool;
import dev.duplex.internal.transport.EventLoopGroup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, fault injection over real sockets: the peer vanishes mid-frame or mid-message, resets
 * the connection, half-closes it, keeps sending after its close frame, never answers the
 * handshake, cannot be reached or resolved, speaks garbage instead of TLS; and an event handler
 * throws. Each case asserts the exact events, the close code the peer sees where there is one,
 * and, for the whole class, that nothing leaks: file descriptors and duplex-io threads
 * ({@link LeakCheck}), native zlib objects ({@link ZlibPool#liveObjects()} of the shared event loop group) and
 * spilled-message temporary files.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FaultInjectionTest {
    /** How long Duplex may take to notice a fault and close TCP. */
    static final Duration BOUND = Duration.ofSeconds(5);

    @TempDir
    static Path spillDir;
    @TempDir
    static Path certDir;

    private static LeakCheck leaks;
    private static int nativeBefore;
    private static long tempFilesBefore;

    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private final Map<Integer, EventLog> serverSockets = new ConcurrentHashMap<>();

    @BeforeAll
    static void baseline() throws IOException {
        leaks = LeakCheck.start();
        nativeBefore = EventLoopGroup.shared().zlib().liveObjects();
        tempFilesBefore = spillFiles(Path.of(System.getProperty("java.io.tmpdir")));
    }

    @AfterAll
    static void nothingLeft() throws Exception {
        leaks.assertNothingLeft();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (EventLoopGroup.shared().zlib().liveObjects() != nativeBefore && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(EventLoopGroup.shared().zlib().liveObjects()).as("live Deflater/Inflater objects").isEqualTo(nativeBefore);
        System.gc();
        assertThat(spillFiles(spillDir)).as("duplex-message-* files in the spill directory").isZero();
        assertThat(spillFiles(Path.of(System.getProperty("java.io.tmpdir"))))
                .as("duplex-message-* files in java.io.tmpdir").isLessThanOrEqualTo(tempFilesBefore);
    }

    static long spillFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("duplex-message-")).count();
        }
    }

    @AfterEach
    void closeAll() {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            try {
                cleanup.get(i).close();
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        cleanup.add(c);
        return c;
    }

    // ------------------------------------------------------------------ helpers

    /** A Duplex client of a raw fake server, with every event recorded; the peer has answered 101. */
    private record ClientCase(RawPeer.Listener listener, RawPeer peer, WebSocket ws, EventLog log) {}

    private ClientCase openClient(WebSocketOptions options) throws IOException {
        RawPeer.Listener listener = closeLater(new RawPeer.Listener());
        WebSocket ws = new WebSocket(listener.url(), List.of(), options);
        EventLog log = EventLog.attach(ws);
        cleanup.add(ws::close);
        RawPeer peer = closeLater(listener.acceptWebSocket());
        log.awaitOpen();
        return new ClientCase(listener, peer, ws, log);
    }

    private ClientCase openClient() throws IOException {
        return openClient(WebSocketOptions.builder().perMessageDeflate(false).build());
    }

    /** A Duplex server whose sockets' events are recorded by the client's port. */
    private WebSocketServer server(ServerOptions.Builder options) {
        WebSocketServer server = new WebSocketServer(options.host("127.0.0.1").port(0)
                .closeTimeout(Duration.ofSeconds(1)).build());
        server.onconnection(e -> {
            ConnectionEvent ce = (ConnectionEvent) e;
            WebSocket ws = ce.socket();
            serverSockets.put(ce.request().remoteAddress().getPort(), EventLog.attach(ws));
            ws.onmessage(m -> {
                Object data = ((MessageEvent) m).data();
                if (data instanceof String s) {
                    ws.send(s);
                }
            });
        });
        server.start();
        cleanup.add(server::close);
        return server;
    }

    private WebSocketServer server() {
        return server(ServerOptions.builder().perMessageDeflate(true)
                .largeMessageThreshold(1024).temporaryDirectory(spillDir));
    }

    /** A raw client that has completed the opening handshake with {@code server}, and its socket's log. */
    private record ServerCase(RawPeer peer, EventLog log) {}

    private ServerCase openServerSide(WebSocketServer server) throws Exception {
        RawPeer peer = closeLater(RawPeer.connect(server.port()));
        peer.handshake(server.port());
        assertThat(ConcurrencyTest.waitUntil(() -> serverSockets.containsKey(peer.localPort()), BOUND))
                .as("the server socket exists").isTrue();
        return new ServerCase(peer, serverSockets.get(peer.localPort()));
    }

    /** Asserts the events are exactly {@code before...}, error, close 1006 (not clean); returns the error. */
    private static ErrorEvent assertFailed(EventLog log, String... before) {
        CloseEvent close = log.awaitClose();
        List<String> expected = new ArrayList<>(List.of(before));
        expected.add("error");
        expected.add("close");
        assertThat(log.types()).isEqualTo(expected);
        assertThat(close.code()).isEqualTo(1006);
        assertThat(close.wasClean()).isFalse();
        log.assertWellFormed();
        ErrorEvent error = log.await("error", 1).error();
        assertThat(error.error()).as("the ErrorEvent's cause").isNotNull();
        assertThat(error.message()).isNotBlank();
        return error;
    }

    /**
     * Asserts the events are exactly {@code before...}, then close 1006 (not clean) without an
     * error event: the documented outcome when an open connection's TCP ends without a closing
     * handshake (RFC 6455 §7.1.5 "closed", not "failed"; browsers do the same).
     */
    private static CloseEvent assertDropped(EventLog log, String... before) {
        CloseEvent close = log.awaitClose();
        List<String> expected = new ArrayList<>(List.of(before));
        expected.add("close");
        log.assertQuietFor(100);
        assertThat(log.types()).isEqualTo(expected);
        assertThat(close.code()).isEqualTo(1006);
        assertThat(close.wasClean()).isFalse();
        log.assertWellFormed();
        return close;
    }

    /** A masked frame header announcing {@code length} payload bytes, and only part of that payload. */
    private static byte[] truncatedFrame(boolean fin, int opcode, int length, int sent, boolean mask) {
        byte[] full = RawPeer.frame(fin, opcode, new byte[length], mask, -1);
        return java.util.Arrays.copyOf(full, full.length - (length - sent));
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static void assertPeerSeesEnd(RawPeer peer) throws IOException {
        assertThat(peer.awaitEnd(BOUND)).as("Duplex closes TCP").isNotEqualTo(RawPeer.End.STILL_OPEN);
    }

    // ------------------------------------------------------------------ the peer vanishes

    @Test
    void serverVanishesMidFrame() throws Exception {
        ClientCase c = openClient();
        c.peer.write(truncatedFrame(true, 0x1, 100, 10, false));
        c.peer.close();
        assertDropped(c.log, "open");
    }

    @Test
    void serverVanishesMidMessage() throws Exception {
        ClientCase c = openClient();
        c.peer.write(RawPeer.frame(false, 0x1, "first half".getBytes(StandardCharsets.UTF_8), false, -1));
        c.peer.close();
        assertDropped(c.log, "open");
        assertThat(c.log.count("message")).isZero();
    }

    @Test
    void serverVanishesMidSpilledMessage() throws Exception {
        ClientCase c = openClient(WebSocketOptions.builder().perMessageDeflate(false)
                .largeMessageThreshold(1024).temporaryDirectory(spillDir).build());
        c.peer.write(RawPeer.frame(false, 0x2, new byte[8192], false, -1));   // goes to a temporary file
        c.peer.write(truncatedFrame(false, 0x0, 8192, 100, false));
        c.peer.close();
        assertDropped(c.log, "open");
        assertThat(spillFiles(spillDir)).as("the partial message's file is deleted").isZero();
    }

    @Test
    void clientVanishesMidFrame() throws Exception {
        WebSocketServer server = server();
        ServerCase s = openServerSide(server);
        s.peer.write(truncatedFrame(true, 0x2, 1000, 17, true));
        s.peer.close();
        assertDropped(s.log);
    }

    @Test
    void clientVanishesMidMessage() throws Exception {
        WebSocketServer server = server();
        ServerCase s = openServerSide(server);
        s.peer.write(RawPeer.frame(false, 0x2, new byte[4096], true, -1));   // spilled (threshold 1 KiB)
        s.peer.write(RawPeer.frame(false, 0x0, new byte[10], true, -1));
        s.peer.close();
        assertDropped(s.log);
        assertThat(s.log.count("message")).isZero();
        assertThat(spillFiles(spillDir)).as("the partial message's file is deleted").isZero();
    }

    // ------------------------------------------------------------------ TCP reset

    @Test
    void serverResets() throws Exception {
        ClientCase c = openClient();
        c.peer.write(RawPeer.frame(0x1, "hello".getBytes(StandardCharsets.UTF_8), false));
        c.log.awaitMessage();
        c.peer.socket.setSoLinger(true, 0);
        c.peer.close();
        assertDropped(c.log, "open", "message");
    }

    @Test
    void clientResets() throws Exception {
        WebSocketServer server = server();
        ServerCase s = openServerSide(server);
        s.peer.write(RawPeer.clientText("hello"));
        assertThat(s.peer.readFrame(1000).text()).isEqualTo("hello");
        s.peer.socket.setSoLinger(true, 0);
        s.peer.close();
        assertDropped(s.log, "message");
    }

    // ------------------------------------------------------------------ half-close

    @Test
    void serverHalfClosesWithoutCloseFrame() throws Exception {
        ClientCase c = openClient();
        c.peer.socket.shutdownOutput();
        assertDropped(c.log, "open");
        assertPeerSeesEnd(c.peer);
    }

    @Test
    void clientHalfClosesWithoutCloseFrame() throws Exception {
        WebSocketServer server = server();
        ServerCase s = openServerSide(server);
        s.peer.socket.shutdownOutput();
        assertDropped(s.log);
        assertPeerSeesEnd(s.peer);
    }

    @Test
    void clientSendsCloseThenHalfCloses() throws Exception {
        WebSocketServer server = server();
        ServerCase s = openServerSide(server);
        s.peer.write(RawPeer.frame(0x8, new byte[] {0x03, (byte) 0xE8}, true));
        s.peer.socket.shutdownOutput();
        RawPeer.Frame echo = s.peer.readCloseFrame();
        assertThat(echo.closeCode()).as("the close code the peer sees").isEqualTo(1000);
        assertPeerSeesEnd(s.peer);
        CloseEvent close = s.log.awaitClose();
        assertThat(s.log.types()).containsExactly("close");
        assertThat(close.code()).isEqualTo(1000);
        assertThat(close.wasClean()).isTrue();
    }

    // ------------------------------------------------------------------ data after the close frame

    @Test
    void serverSendsAfterItsCloseFrame() throws Exception {
        ClientCase c = openClient();
        c.peer.write(concat(
                RawPeer.frame(0x8, new byte[] {0x0F, (byte) 0xA0}, false),         // 4000
                RawPeer.frame(0x1, "late".getBytes(StandardCharsets.UTF_8), false),
                RawPeer.frame(0x9, new byte[0], false)));
        RawPeer.Frame echo = c.peer.readCloseFrame();
        assertThat(echo.closeCode()).as("the close code the peer sees").isEqualTo(4000);
        // A data frame after the close frame breaks the protocol (RFC 6455 §5.5.1), as Chromium
        // reports it: the connection failed, though the closing handshake had been answered.
        ErrorEvent error = c.log.assertFailed();
        assertThat(error.message()).contains("TEXT frame after the peer's close frame");
        assertThat(c.log.types()).containsExactly("open", "error", "close");
    }

    @Test
    void clientSendsAfterItsCloseFrame() throws Exception {
        WebSocketServer server = server();
        ServerCase s = openServerSide(server);
        s.peer.write(concat(
                RawPeer.frame(0x8, new byte[] {0x03, (byte) 0xE9}, true),          // 1001
                RawPeer.clientText("late"),
                RawPeer.frame(0xA, new byte[0], true)));
        RawPeer.Frame echo = s.peer.readCloseFrame();
        assertThat(echo.closeCode()).as("the close code the peer sees").isEqualTo(1001);
        try {
            s.peer.write(RawPeer.clientText("later still"));
        } catch (IOException alreadyClosed) {
            // The server may have closed TCP already: fine.
        }
        assertPeerSeesEnd(s.peer);
        ErrorEvent error = s.log.assertFailed();
        assertThat(error.message()).contains("TEXT frame after the peer's close frame");
        assertThat(s.log.types()).containsExactly("error", "close");
    }

    // ------------------------------------------------------------------ cannot connect

    @Test
    void serverNeverAnswersTheHandshake() throws Exception {
        RawPeer.Listener listener = closeLater(new RawPeer.Listener());
        long start = System.nanoTime();
        WebSocket ws = new WebSocket(listener.url(), List.of(),
                WebSocketOptions.builder().connectTimeout(Duration.ofMillis(700)).build());
        EventLog log = EventLog.attach(ws);
        RawPeer peer = closeLater(listener.accept());
        String request = peer.readHttpHead();
        assertThat(request).startsWith("GET / HTTP/1.1");
        ErrorEvent error = assertFailed(log);
        long ms = ConcurrencyTest.ms(System.nanoTime() - start);
        assertThat(ms).as("failed after the connect timeout").isBetween(600L, 5000L);
        assertThat(error.message()).containsIgnoringCase("timed out");
        assertPeerSeesEnd(peer);
    }

    /**
     * Only loopback addresses may be used here, so a blackhole is emulated: a listening socket
     * with a backlog of 1 that never accepts. Once its queue is full, Linux drops further SYNs,
     * so a connection attempt hangs exactly as towards an unroutable address.
     */
    @Test
    void connectTimeoutOnABlackhole() throws Exception {
        ServerSocket full = closeLater(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
        boolean blackholed = false;
        for (int i = 0; i < 32 && !blackholed; i++) {
            Socket s = closeLater(new Socket());
            try {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), full.getLocalPort()), 300);
            } catch (SocketTimeoutException e) {
                blackholed = true;
            }
        }
        assertThat(blackholed).as("the kernel drops SYNs for a full backlog (Linux does)").isTrue();
        long start = System.nanoTime();
        WebSocket ws = new WebSocket("ws://127.0.0.1:" + full.getLocalPort() + "/", List.of(),
                WebSocketOptions.builder().connectTimeout(Duration.ofMillis(800)).build());
        EventLog log = EventLog.attach(ws);
        ErrorEvent error = assertFailed(log);
        long ms = ConcurrencyTest.ms(System.nanoTime() - start);
        assertThat(ms).as("failed after the connect timeout").isBetween(700L, 5000L);
        assertThat(error.message()).containsIgnoringCase("timed out");
    }

    @Test
    void unknownHost() {
        WebSocket ws = new WebSocket("ws://nonexistent.invalid/", List.of(),
                WebSocketOptions.builder().connectTimeout(Duration.ofSeconds(20)).build());
        EventLog log = EventLog.attach(ws);
        ErrorEvent error = assertFailed(log);
        assertThat(error.message()).contains("nonexistent.invalid");
    }

    // ------------------------------------------------------------------ TLS garbage

    @Test
    void tlsClientGetsGarbage() throws Exception {
        RawPeer.Listener listener = closeLater(new RawPeer.Listener());
        WebSocket ws = new WebSocket("wss://127.0.0.1:" + listener.port() + "/", List.of(),
                WebSocketOptions.builder().sslContext(Tls.insecureTrustingAllCertificates()).build());
        EventLog log = EventLog.attach(ws);
        RawPeer peer = closeLater(listener.accept());
        byte[] garbage = new byte[4096];
        new Random(8).nextBytes(garbage);
        peer.write(garbage);
        ErrorEvent error = assertFailed(log);
        assertThat(error.message()).isNotBlank();
        assertPeerSeesEnd(peer);
    }

    @Test
    void tlsServerGetsGarbage() throws Exception {
        TestCertificates certs = TestCertificates.create(certDir);
        WebSocketServer server = server(ServerOptions.builder()
                .sslContext(Tls.serverContext(certs.chain(certs.goodCert), certs.goodKey)));
        for (int attempt = 0; attempt < 3; attempt++) {
            RawPeer peer = closeLater(RawPeer.connect(server.port()));
            byte[] garbage = new byte[2048];
            new Random(attempt).nextBytes(garbage);
            if (attempt == 1) {
                garbage[0] = 0x16;   // looks like a TLS handshake record, then nonsense
                garbage[1] = 0x03;
                garbage[2] = 0x03;
            }
            try {
                peer.write(garbage);
            } catch (IOException alreadyDropped) {
                // fine
            }
            assertPeerSeesEnd(peer);
        }
        assertThat(serverSockets).as("no WebSocket came out of garbage").isEmpty();
        // The server still serves a real client.
        TlsTest.Client client = new TlsTest.Client("wss://localhost:" + server.port() + "/",
                WebSocketOptions.builder().sslContext(Tls.trusting(certs.caCert)).build());
        cleanup.add(client.ws::close);
        assertThat(client.next().type()).isEqualTo("open");
        client.ws.send("after garbage");
        Event echo = client.next();
        assertThat(((MessageEvent) echo).data()).isEqualTo("after garbage");
    }

    // ------------------------------------------------------------------ a throwing handler

    @Test
    void throwingHandlerIsReportedOnceAndNothingElseBreaks() throws Exception {
        List<Throwable> reported = new CopyOnWriteArrayList<>();
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fault-injection-handlers");
            t.setDaemon(true);
            t.setUncaughtExceptionHandler((thread, e) -> reported.add(e));
            return t;
        });
        cleanup.add(executor::shutdownNow);
        WebSocketServer server = server();
        WebSocketOptions options = WebSocketOptions.builder().executor(executor).build();

        WebSocket thrower = new WebSocket("ws://127.0.0.1:" + server.port() + "/", List.of(), options);
        RuntimeException boom = new RuntimeException("boom from onmessage");
        thrower.onmessage(e -> {
            if ("first".equals(((MessageEvent) e).data())) {
                throw boom;
            }
        });
        EventLog log = EventLog.attach(thrower);     // a later listener: still called for the same event
        cleanup.add(thrower::close);
        WebSocket other = new WebSocket("ws://127.0.0.1:" + server.port() + "/", List.of(), options);
        EventLog otherLog = EventLog.attach(other);
        cleanup.add(other::close);
        log.awaitOpen();
        otherLog.awaitOpen();

        thrower.send("first");
        thrower.send("second");
        assertThat(log.awaitMessages(2)).containsExactly("first", "second");
        other.send("other");
        assertThat(otherLog.awaitMessage()).isEqualTo("other");
        assertThat(reported).as("reported to the UncaughtExceptionHandler").containsExactly(boom);

        thrower.send("third");
        assertThat(log.awaitMessages(3)).containsExactly("first", "second", "third");
        thrower.close(1000, "done");
        CloseEvent close = log.awaitClose();
        assertThat(close.code()).isEqualTo(1000);
        assertThat(close.wasClean()).isTrue();
        assertThat(log.types()).containsExactly("open", "message", "message", "message", "close");
        assertThat(reported).as("still reported exactly once").containsExactly(boom);
        assertThat(other.readyState()).isEqualTo(WebSocket.OPEN);
    }
}
