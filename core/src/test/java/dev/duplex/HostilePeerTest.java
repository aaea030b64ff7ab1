package dev.duplex;

import static dev.duplex.ConcurrencyTest.duplexThreads;
import static dev.duplex.ConcurrencyTest.ms;
import static dev.duplex.ConcurrencyTest.openFileDescriptors;
import static dev.duplex.ConcurrencyTest.waitUntil;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 2, "Bad input": hostile peers, raw TCP on the other end of a Duplex server or client.
 * Each attack has its connection failed with the right HTTP status or close code, memory stays
 * bounded, a well-behaved Duplex client connected to the same server before the attack (the
 * bystander) still gets its echoes afterwards, and no thread or file descriptor is left behind.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class HostilePeerTest {
    static final long MAX_MESSAGE = 1 << 20;
    static final Duration HANDSHAKE_TIMEOUT = Duration.ofMillis(500);
    /** How long the server or client may take to close TCP after failing a connection. */
    static final Duration CLOSE_BOUND = Duration.ofSeconds(3);

    private static int fdsBefore;

    private WebSocketServer server;
    private int port;
    /** Events of the server-side sockets, by the remote (client) port of their connection. */
    private final Map<Integer, Queue<String>> serverEvents = new ConcurrentHashMap<>();
    private WebSocket bystander;
    private final BlockingQueue<String> bystanderInbox = new LinkedBlockingQueue<>();
    private final Queue<String> bystanderTrouble = new ConcurrentLinkedQueue<>();
    private final List<AutoCloseable> cleanup = new ArrayList<>();
    private int roundTrips;

    @BeforeAll
    static void recordDescriptors() {
        fdsBefore = openFileDescriptors();
    }

    @BeforeEach
    void startServerAndBystander() throws Exception {
        server = startEchoServer(ServerOptions.builder().host("127.0.0.1").port(0)
                .handshakeTimeout(HANDSHAKE_TIMEOUT)
                .maxMessageSize(MAX_MESSAGE)
                .closeTimeout(Duration.ofSeconds(1))
                .build());
        port = server.port();

        CountDownLatch open = new CountDownLatch(1);
        bystander = new WebSocket("ws://127.0.0.1:" + port + "/bystander");
        bystander.onopen(e -> open.countDown());
        bystander.onmessage(e -> bystanderInbox.add(String.valueOf(((MessageEvent) e).data())));
        bystander.onerror(e -> bystanderTrouble.add("error: " + ((ErrorEvent) e).message()));
        bystander.onclose(e -> bystanderTrouble.add("close: " + ((CloseEvent) e).code()));
        assertThat(open.await(5, TimeUnit.SECONDS)).as("the bystander opens").isTrue();
        assertBystanderStillWorks();
    }

    @AfterEach
    void closeEverything() {
        for (AutoCloseable c : cleanup) {
            try {
                c.close();
            } catch (Exception ignored) {
                // Best effort.
            }
        }
        if (bystander != null) {
            bystander.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private WebSocketServer startEchoServer(ServerOptions options) {
        WebSocketServer s = new WebSocketServer(options);
        s.onconnection(event -> {
            ConnectionEvent ce = (ConnectionEvent) event;
            WebSocket ws = ce.socket();
            Queue<String> log = serverEvents.computeIfAbsent(ce.request().remoteAddress().getPort(),
                    k -> new ConcurrentLinkedQueue<>());
            log.add("connection");
            ws.onmessage(e -> {
                Object data = ((MessageEvent) e).data();
                if (data instanceof String) {
                    ws.send((String) data);
                } else {
                    ws.send((Blob) data);
                }
            });
            ws.onerror(e -> log.add("error"));
            ws.onclose(e -> {
                CloseEvent c = (CloseEvent) e;
                log.add("close " + c.code() + " " + c.wasClean());
            });
        });
        s.start();
        cleanup.add(s::close);
        return s;
    }

    /** An echo round trip on the bystander, connected before the attack. */
    private void assertBystanderStillWorks() throws InterruptedException {
        String m = "still here " + (++roundTrips);
        bystander.send(m);
        assertThat(bystanderInbox.poll(5, TimeUnit.SECONDS)).as("the bystander's echo").isEqualTo(m);
        assertThat(bystanderTrouble).as("the bystander's errors and closes").isEmpty();
        assertThat(bystander.readyState()).isEqualTo(WebSocket.OPEN);
    }

    private RawPeer connect() throws IOException {
        return connect(port);
    }

    private RawPeer connect(int serverPort) throws IOException {
        RawPeer p = RawPeer.connect(serverPort);
        cleanup.add(p);
        return p;
    }

    /** Waits until the server-side socket of the raw connection from {@code clientPort} closed. */
    private List<String> serverSideEvents(int clientPort) throws InterruptedException {
        waitUntil(() -> {
            Queue<String> log = serverEvents.get(clientPort);
            return log != null && log.stream().anyMatch(s -> s.startsWith("close"));
        }, Duration.ofSeconds(5));
        Queue<String> log = serverEvents.get(clientPort);
        return log == null ? List.of() : List.copyOf(log);
    }

    // =================================================================== HTTP: before the upgrade

    static Stream<Arguments> garbageRequests() {
        byte[] random = new byte[4096];
        new Random(42).nextBytes(random);
        byte[] tlsHello = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03};
        return Stream.of(
                Arguments.of("random bytes", random),
                Arguments.of("a TLS ClientHello on the plain port", tlsHello),
                Arguments.of("text that is no request line", "hello there, server\r\n\r\n".getBytes(StandardCharsets.US_ASCII)),
                Arguments.of("a header line without a colon",
                        "GET / HTTP/1.1\r\nHost localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII)),
                Arguments.of("NUL bytes", new byte[64]));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("garbageRequests")
    @Order(1)
    void garbageInsteadOfAnUpgradeRequestGets400AndTheConnectionClosed(String what, byte[] garbage) throws Exception {
        RawPeer raw = connect();
        raw.write(garbage);
        String head = raw.readHttpHead();
        assertThat(RawPeer.status(head)).as("status for %s: %s", what, head).isEqualTo(400);
        assertThat(raw.awaitEnd(CLOSE_BOUND)).as("the server closes the connection").isNotEqualTo(RawPeer.End.STILL_OPEN);
        assertThat(serverEvents).as("connection events: the bystander's only").hasSize(1);
        assertThat(server.clients()).hasSize(1);
        assertBystanderStillWorks();
    }

    @Test
    @Order(2)
    void oversizedRequestLineGets414() throws Exception {
        RawPeer raw = connect();
        String target = "/" + "a".repeat(ServerOptions.DEFAULT_MAX_REQUEST_LINE_LENGTH + 100);
        raw.write("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        String head = raw.readHttpHead();
        assertThat(RawPeer.status(head)).as(head).isEqualTo(414);
        assertThat(raw.awaitEnd(CLOSE_BOUND)).isNotEqualTo(RawPeer.End.STILL_OPEN);
        assertBystanderStillWorks();
    }

    @Test
    @Order(3)
    void tooManyHeaderFieldsGet431() throws Exception {
        RawPeer raw = connect();
        StringBuilder request = new StringBuilder(RawPeer.upgradeRequest(port, RawPeer.newKey()));
        request.setLength(request.length() - 2);      // reopen the head, add fields, close it again
        for (int i = 0; i < ServerOptions.DEFAULT_MAX_HEADER_COUNT + 50; i++) {
            request.append("X-Field-").append(i).append(": v\r\n");
        }
        request.append("\r\n");
        assertThat(request.length()).as("under the byte limit: only the count is too large")
                .isLessThan(ServerOptions.DEFAULT_MAX_HEADER_BYTES);
        raw.write(request.toString());
        String head = raw.readHttpHead();
        assertThat(RawPeer.status(head)).as(head).isEqualTo(431);
        assertThat(raw.awaitEnd(CLOSE_BOUND)).isNotEqualTo(RawPeer.End.STILL_OPEN);
        assertBystanderStillWorks();
    }

    /**
     * 10 MB of header lines: the server answers 431 once past maxHeaderBytes and closes, so the
     * sender is stopped long before it gets rid of its 10 MB (the server buffers nothing more).
     */
    @Test
    @Order(4)
    void endlessHeadersGet431AndTheServerClosesEarly() throws Exception {
        RawPeer raw = connect();
        long total = 10L << 20;
        AtomicLong written = new AtomicLong();
        AtomicReference<Throwable> writerStopped = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            byte[] line = ("X-Filler: " + "f".repeat(1000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            byte[] chunk = new byte[line.length * 8];
            for (int i = 0; i < 8; i++) {
                System.arraycopy(line, 0, chunk, i * line.length, line.length);
            }
            try {
                raw.out.write("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
                while (written.get() < total) {
                    raw.out.write(chunk);
                    written.addAndGet(chunk.length);
                }
                raw.out.flush();
            } catch (Throwable e) {
                writerStopped.set(e);
            }
        }, "endless-headers");
        writer.setDaemon(true);
        writer.start();

        String head = raw.readHttpHead();
        assertThat(RawPeer.status(head)).as(head).isEqualTo(431);
        assertThat(raw.awaitEnd(CLOSE_BOUND)).isNotEqualTo(RawPeer.End.STILL_OPEN);
        writer.join(10_000);
        assertThat(writer.isAlive()).as("the writer is stopped by the closed connection").isFalse();
        assertThat(writerStopped.get()).as("the writer's 10 MB were refused").isInstanceOf(IOException.class);
        assertThat(written.get()).as("bytes the server let in before closing").isLessThan(total);
        System.out.printf("[HostilePeerTest] endless headers: the server closed after %,d of %,d bytes%n",
                written.get(), total);
        assertBystanderStillWorks();
    }

    /** handshakeTimeout is 500 ms: a client that never finishes its request is dropped soon after. */
    @Test
    @Order(5)
    void handshakeThatNeverCompletesIsDroppedAfterTheHandshakeTimeout() throws Exception {
        RawPeer partial = connect();
        RawPeer silent = connect();
        RawPeer slow = connect();
        long t0 = System.nanoTime();
        partial.write("GET / HTTP/1.1\r\n");
        // A slow loris: a valid header byte every 50 ms never ends the head, so it must not
        // extend the deadline either.
        Thread loris = new Thread(() -> {
            try {
                slow.write("GET / HTTP/1.1\r\n");
                for (int i = 0; i < 200; i++) {
                    slow.write(i % 2 == 0 ? "X" : "\r\n");
                    Thread.sleep(50);
                }
            } catch (IOException | InterruptedException ignored) {
                // Dropped by the server: what the test wants.
            }
        }, "slow-loris");
        loris.setDaemon(true);
        loris.start();

        RawPeer.End partialEnd = partial.awaitEnd(Duration.ofSeconds(5));
        long partialMs = ms(System.nanoTime() - t0);
        RawPeer.End silentEnd = silent.awaitEnd(Duration.ofSeconds(5));
        long silentMs = ms(System.nanoTime() - t0);
        RawPeer.End slowEnd = slow.awaitEnd(Duration.ofSeconds(5));
        long slowMs = ms(System.nanoTime() - t0);
        loris.join(5_000);
        System.out.printf("[HostilePeerTest] unfinished handshakes dropped after %d ms (partial), %d ms (silent),"
                + " %d ms (slow loris)%n", partialMs, silentMs, slowMs);

        assertThat(partialEnd).as("a request line and then nothing").isNotEqualTo(RawPeer.End.STILL_OPEN);
        assertThat(silentEnd).as("no bytes at all").isNotEqualTo(RawPeer.End.STILL_OPEN);
        assertThat(slowEnd).as("a byte every 50 ms").isNotEqualTo(RawPeer.End.STILL_OPEN);
        assertThat(partialMs).isBetween(HANDSHAKE_TIMEOUT.toMillis() - 100, 3_000L);
        assertThat(silentMs).isLessThan(3_000L);
        assertThat(slowMs).isLessThan(3_000L);
        assertThat(serverEvents).hasSize(1);           // only the bystander ever connected
        assertThat(server.clients()).hasSize(1);
        assertBystanderStillWorks();
    }

    /** 300 unfinished handshakes at once: all dropped after the timeout, the bystander served meanwhile. */
    @Test
    @Order(6)
    void manyUnfinishedHandshakesAtOnceAreAllDropped() throws Exception {
        int n = 300;
        List<RawPeer> peers = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            RawPeer p = connect();
            p.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            peers.add(p);
        }
        assertBystanderStillWorks();
        int stillOpen = 0;
        for (RawPeer p : peers) {
            if (p.awaitEnd(Duration.ofSeconds(5)) == RawPeer.End.STILL_OPEN) {
                stillOpen++;
            }
        }
        long elapsed = ms(System.nanoTime() - t0);
        System.out.printf("[HostilePeerTest] %d unfinished handshakes all dropped within %d ms%n", n, elapsed);
        assertThat(stillOpen).as("connections not dropped").isZero();
        assertThat(elapsed).isLessThan(5_000L);
        assertThat(server.clients()).hasSize(1);
        assertBystanderStillWorks();
    }

    // =================================================================== frames at the server

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] all = new byte[n];
        int off = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, off, p.length);
            off += p.length;
        }
        return all;
    }

    /** A frame header with a raw 64-bit length field, masked, with a zero mask key. */
    static byte[] header64(int b0, long rawLength) {
        byte[] h = new byte[14];
        h[0] = (byte) b0;
        h[1] = (byte) (0x80 | 127);
        for (int i = 0; i < 8; i++) {
            h[2 + i] = (byte) (rawLength >>> (56 - 8 * i));
        }
        return h;     // mask key 0,0,0,0
    }

    static Stream<Arguments> badClientFrames() {
        byte[] badUtf8 = {'o', 'k', (byte) 0xC3, 0x28, 'x'};
        // A text frame announcing 1,000 bytes, masked with the key 0,0,0,0 so that the bytes sent
        // are the payload itself; only 10 of the 1,000 bytes are sent, the 6th is invalid.
        byte[] failFastHeader = {(byte) 0x81, (byte) (0x80 | 126), 0x03, (byte) 0xE8, 0, 0, 0, 0};
        byte[] failFastBytes = {'a', 'b', 'c', 'd', 'e', (byte) 0xFF, 'g', 'h', 'i', 'j'};
        return Stream.of(
                Arguments.of("a frame announcing 2^63-1 bytes", 1009,
                        concat(header64(0x82, Long.MAX_VALUE), new byte[16])),
                Arguments.of("a 64-bit length with its most significant bit set", 1002,
                        concat(header64(0x82, -1L), new byte[16])),
                Arguments.of("an unmasked frame", 1002, RawPeer.frame(0x1, "hello".getBytes(StandardCharsets.UTF_8), false)),
                Arguments.of("invalid UTF-8 in a text message", 1007, RawPeer.frame(0x1, badUtf8, true)),
                Arguments.of("invalid UTF-8, detected before the frame is complete", 1007,
                        concat(failFastHeader, failFastBytes)),
                Arguments.of("a frame above maxMessageSize (header and a few bytes)", 1009,
                        concat(Arrays.copyOf(RawPeer.frame(true, 0x2, new byte[0], true, MAX_MESSAGE + 1), 14),
                                new byte[100])),
                Arguments.of("reserved bits without an extension", 1002,
                        RawPeer.frame(true, 0x1 | 0x70, "x".getBytes(StandardCharsets.UTF_8), true, -1)),
                Arguments.of("an unknown opcode", 1002, RawPeer.frame(0x3, new byte[3], true)),
                Arguments.of("a ping of 126 bytes", 1002, RawPeer.frame(0x9, new byte[126], true)),
                Arguments.of("a continuation with nothing to continue", 1002, RawPeer.frame(0x0, new byte[3], true)),
                Arguments.of("a close frame with a 1-byte payload", 1002, RawPeer.frame(0x8, new byte[] {3}, true)),
                Arguments.of("a close frame with code 999", 1002, RawPeer.frame(0x8, new byte[] {3, (byte) 0xE7}, true)));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("badClientFrames")
    @Order(10)
    void badFrameFromAClientFailsTheConnectionWithItsCloseCode(String what, int code, byte[] attack) throws Exception {
        RawPeer raw = connect();
        raw.handshake(port);
        assertThat(waitUntil(() -> serverEvents.containsKey(raw.localPort()), Duration.ofSeconds(5))).isTrue();
        raw.write(attack);
        RawPeer.Frame close = raw.readCloseFrame();
        assertThat(close.closeCode()).as("close code for %s (%s)", what, close).isEqualTo(code);
        assertThat(close.masked).as("a server never masks").isFalse();
        assertThat(raw.awaitEnd(CLOSE_BOUND)).as("the server closes TCP after its close frame")
                .isNotEqualTo(RawPeer.End.STILL_OPEN);
        assertThat(serverSideEvents(raw.localPort())).as("events of the server-side socket")
                .containsExactly("connection", "error", "close 1006 false");
        assertBystanderStillWorks();
    }

    /** Fragments each under the limit, together above it: 1009 at the fragment that crosses it. */
    @Test
    @Order(11)
    void fragmentedMessageAboveMaxMessageSizeGets1009() throws Exception {
        RawPeer raw = connect();
        raw.handshake(port);
        int fragment = (int) (MAX_MESSAGE * 2 / 5);
        raw.write(RawPeer.frame(false, 0x2, new byte[fragment], true, -1));
        raw.write(RawPeer.frame(false, 0x0, new byte[fragment], true, -1));
        byte[] third = RawPeer.frame(true, 0x0, new byte[fragment], true, -1);
        raw.write(Arrays.copyOf(third, 14 + 64));  // the header that crosses the limit, and a little payload
        RawPeer.Frame close = raw.readCloseFrame();
        assertThat(close.closeCode()).as(close.toString()).isEqualTo(1009);
        assertThat(raw.awaitEnd(CLOSE_BOUND)).isNotEqualTo(RawPeer.End.STILL_OPEN);
        assertThat(serverSideEvents(raw.localPort())).containsExactly("connection", "error", "close 1006 false");
        assertBystanderStillWorks();
    }

    // =================================================================== a fake server for a Duplex client

    /** Events of one Duplex client, in order, and a latch for its close event. */
    static final class ClientLog {
        final Queue<String> events = new ConcurrentLinkedQueue<>();
        final CountDownLatch opened = new CountDownLatch(1);
        final CountDownLatch closed = new CountDownLatch(1);
        final AtomicReference<ErrorEvent> error = new AtomicReference<>();

        WebSocket attach(WebSocket ws) {
            ws.onopen(e -> {
                events.add("open");
                opened.countDown();
            });
            ws.onmessage(e -> events.add("message"));
            ws.onerror(e -> {
                events.add("error");
                error.compareAndSet(null, (ErrorEvent) e);
            });
            ws.onclose(e -> {
                CloseEvent c = (CloseEvent) e;
                events.add("close " + c.code() + " " + c.wasClean());
                closed.countDown();
            });
            return ws;
        }
    }

    static Stream<Arguments> badServerFrames() {
        return Stream.of(
                Arguments.of("a masked frame from the server", 1002, 0L,
                        RawPeer.frame(0x1, "Hello".getBytes(StandardCharsets.UTF_8), true)),
                Arguments.of("a frame announcing 2^63-1 bytes", 1009, 0L,
                        concat(new byte[] {(byte) 0x82, 127, 0x7F, -1, -1, -1, -1, -1, -1, -1}, new byte[16])),
                Arguments.of("a 64-bit length with its most significant bit set", 1002, 0L,
                        concat(new byte[] {(byte) 0x82, 127, -1, -1, -1, -1, -1, -1, -1, -1}, new byte[16])),
                Arguments.of("a message above the client's maxMessageSize", 1009, 64L << 10,
                        RawPeer.frame(0x2, new byte[100 << 10], false)),
                Arguments.of("garbage bytes", 1002, 0L, "garbage, not frames".getBytes(StandardCharsets.US_ASCII)),
                Arguments.of("invalid UTF-8", 1007, 0L, RawPeer.frame(0x1, new byte[] {(byte) 0xF8, (byte) 0x88}, false)));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("badServerFrames")
    @Order(20)
    void badFrameFromAServerFailsTheClientWithErrorThenClose1006(String what, int code, long maxMessageSize,
                                                                 byte[] attack) throws Exception {
        RawPeer.Listener fake = new RawPeer.Listener();
        cleanup.add(fake);
        WebSocketOptions.Builder options = WebSocketOptions.builder().closeTimeout(Duration.ofSeconds(1));
        if (maxMessageSize > 0) {
            options.maxMessageSize(maxMessageSize);
        }
        ClientLog log = new ClientLog();
        WebSocket client = log.attach(new WebSocket(fake.url(), List.of(), options.build()));
        cleanup.add(client::close);
        RawPeer peer = fake.acceptWebSocket();
        cleanup.add(peer);
        assertThat(log.opened.await(5, TimeUnit.SECONDS)).as("the client opens").isTrue();

        peer.write(attack);
        RawPeer.Frame close = peer.readCloseFrame();
        assertThat(close.closeCode()).as("close code for %s (%s)", what, close).isEqualTo(code);
        assertThat(close.masked).as("a client always masks").isTrue();
        assertThat(log.closed.await(5, TimeUnit.SECONDS)).as("the close event").isTrue();
        assertThat(log.events).containsExactly("open", "error", "close 1006 false");
        assertThat(log.error.get().error()).as("the error event says why").isNotNull();
        assertThat(peer.awaitEnd(CLOSE_BOUND)).as("the client closes TCP").isNotEqualTo(RawPeer.End.STILL_OPEN);
        assertThat(client.readyState()).isEqualTo(WebSocket.CLOSED);
        assertBystanderStillWorks();
    }

    /** A server answering with 10 MB of header lines: the client gives up early, error then close 1006. */
    @Test
    @Order(21)
    void serverWithEndlessHeadersFailsTheClientEarly() throws Exception {
        RawPeer.Listener fake = new RawPeer.Listener();
        cleanup.add(fake);
        ClientLog log = new ClientLog();
        WebSocket client = log.attach(new WebSocket(fake.url()));
        cleanup.add(client::close);
        RawPeer peer = fake.accept();
        cleanup.add(peer);
        peer.readHttpHead();

        long total = 10L << 20;
        AtomicLong written = new AtomicLong();
        AtomicReference<Throwable> stopped = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            byte[] line = ("X-Filler: " + "f".repeat(1000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            try {
                peer.out.write("HTTP/1.1 101 Switching Protocols\r\n".getBytes(StandardCharsets.US_ASCII));
                while (written.get() < total) {
                    peer.out.write(line);
                    written.addAndGet(line.length);
                }
                peer.out.flush();
            } catch (Throwable e) {
                stopped.set(e);
            }
        }, "endless-response-headers");
        writer.setDaemon(true);
        writer.start();

        assertThat(log.closed.await(10, TimeUnit.SECONDS)).as("the close event").isTrue();
        assertThat(log.events).containsExactly("error", "close 1006 false");
        writer.join(10_000);
        assertThat(writer.isAlive()).isFalse();
        assertThat(stopped.get()).as("the writer's 10 MB were refused").isInstanceOf(IOException.class);
        assertThat(written.get()).isLessThan(total);
        System.out.printf("[HostilePeerTest] endless response headers: the client closed after %,d of %,d bytes (%s)%n",
                written.get(), total, log.error.get().message());
        assertBystanderStillWorks();
    }

    static Stream<Arguments> badServerResponses() {
        byte[] random = new byte[4096];
        new Random(7).nextBytes(random);
        return Stream.of(
                Arguments.of("random bytes", random),
                Arguments.of("a 101 without Sec-WebSocket-Accept",
                        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
                                .getBytes(StandardCharsets.US_ASCII)),
                Arguments.of("an endless status line", ("HTTP/1.1 101 " + "x".repeat(100_000))
                        .getBytes(StandardCharsets.US_ASCII)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badServerResponses")
    @Order(22)
    void garbageHandshakeResponseFailsTheClient(String what, byte[] response) throws Exception {
        RawPeer.Listener fake = new RawPeer.Listener();
        cleanup.add(fake);
        ClientLog log = new ClientLog();
        WebSocket client = log.attach(new WebSocket(fake.url()));
        cleanup.add(client::close);
        RawPeer peer = fake.accept();
        cleanup.add(peer);
        peer.readHttpHead();
        try {
            peer.write(response);
        } catch (IOException closedEarly) {
            // The client may give up before it has taken everything: fine.
        }
        assertThat(log.closed.await(5, TimeUnit.SECONDS)).as("the close event for %s", what).isTrue();
        assertThat(log.events).containsExactly("error", "close 1006 false");
        assertThat(peer.awaitEnd(CLOSE_BOUND)).isNotEqualTo(RawPeer.End.STILL_OPEN);
        assertBystanderStillWorks();
    }

    @Test
    @Order(23)
    void serverThatNeverAnswersTheHandshakeTimesOut() throws Exception {
        RawPeer.Listener fake = new RawPeer.Listener();
        cleanup.add(fake);
        ClientLog log = new ClientLog();
        long t0 = System.nanoTime();
        WebSocket client = log.attach(new WebSocket(fake.url(), List.of(),
                WebSocketOptions.builder().connectTimeout(Duration.ofMillis(500)).build()));
        cleanup.add(client::close);
        RawPeer peer = fake.accept();
        cleanup.add(peer);
        peer.readHttpHead();
        assertThat(log.closed.await(5, TimeUnit.SECONDS)).isTrue();
        long elapsed = ms(System.nanoTime() - t0);
        assertThat(log.events).containsExactly("error", "close 1006 false");
        assertThat(elapsed).isBetween(400L, 3_000L);
        assertThat(peer.awaitEnd(CLOSE_BOUND)).isNotEqualTo(RawPeer.End.STILL_OPEN);
        assertBystanderStillWorks();
    }

    // =================================================================== memory

    /**
     * 200 connections each announce a 32 MiB frame (under the 64 MiB limit) and send 16 bytes of
     * it. A server that reserved what headers announce would need 6.4 GB; the heap (-Xmx1g) must
     * grow by far less.
     */
    @Test
    @Order(30)
    @Timeout(value = 40, unit = TimeUnit.SECONDS)
    void announcedButUnsentFramesDoNotMakeTheServerAllocate() throws Exception {
        WebSocketServer big = startEchoServer(ServerOptions.builder().host("127.0.0.1").port(0)
                .closeTimeout(Duration.ofSeconds(1)).build());
        int connections = 200;
        long announced = 32L << 20;
        List<RawPeer> peers = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            RawPeer p = connect(big.port());
            p.handshake(big.port());
            peers.add(p);
        }
        assertThat(waitUntil(() -> big.clients().size() == connections, Duration.ofSeconds(10))).isTrue();
        long before = usedHeapAfterGc();
        for (RawPeer p : peers) {
            p.write(Arrays.copyOf(RawPeer.frame(true, 0x2, new byte[0], true, announced), 14 + 16));
        }
        // Give the loops time to decode the partial frames (a few hundred kilobytes in all).
        Thread.sleep(500);
        assertBystanderStillWorks();
        long after = usedHeapAfterGc();
        long grown = after - before;
        System.out.printf("[HostilePeerTest] %d connections announcing %d MiB each: heap %d MiB -> %d MiB%n",
                connections, announced >> 20, before >> 20, after >> 20);
        assertThat(grown).as("heap growth, in bytes").isLessThan(64L << 20);
        assertThat(big.clients()).hasSize(connections);
        for (RawPeer p : peers) {
            p.close();
        }
        assertThat(waitUntil(() -> big.clients().isEmpty(), Duration.ofSeconds(10))).isTrue();
        assertBystanderStillWorks();
    }

    /**
     * A peer that sends pings as fast as it can and never reads: every ping calls for a pong, which
     * cannot be written. The server must not queue pongs without limit: it may stop reading from
     * that peer (TCP back-pressure) or fail the connection, but its heap must not grow with the
     * flood. 80 MB of pings are offered; growth must stay under 64 MiB.
     */
    @Test
    @Order(31)
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void pingFloodFromAPeerThatNeverReadsKeepsMemoryBounded() throws Exception {
        RawPeer raw = connect();
        raw.handshake(port);
        byte[] ping = RawPeer.frame(0x9, new byte[125], true);
        byte[] batch = new byte[ping.length * 1000];
        for (int i = 0; i < 1000; i++) {
            System.arraycopy(ping, 0, batch, i * ping.length, ping.length);
        }
        long total = 80L << 20;
        long before = usedHeapAfterGc();
        AtomicLong written = new AtomicLong();
        AtomicReference<Throwable> stopped = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                while (written.get() < total) {
                    raw.out.write(batch);
                    written.addAndGet(batch.length);
                }
            } catch (Throwable e) {
                stopped.set(e);
            }
        }, "ping-flood");
        writer.setDaemon(true);
        writer.start();
        // Until the writer is done, fails, or makes no progress for a second (back-pressure).
        long last = -1;
        long stalledSince = System.nanoTime();
        while (writer.isAlive() && ms(System.nanoTime() - stalledSince) < 1_000) {
            Thread.sleep(100);
            long now = written.get();
            if (now != last) {
                last = now;
                stalledSince = System.nanoTime();
            }
        }
        Thread.sleep(500);       // let the server digest what it has received
        long after = usedHeapAfterGc();
        boolean blocked = writer.isAlive();
        raw.close();             // unblocks the writer if the server stopped reading
        writer.join(5_000);
        System.out.printf("[HostilePeerTest] ping flood: %,d bytes of pings taken (%s); heap %d MiB -> %d MiB%n",
                written.get(), blocked ? "then the server stopped reading"
                        : stopped.get() != null ? "then " + stopped.get() : "all of them",
                before >> 20, after >> 20);
        assertThat(after - before).as("heap growth, in bytes, after %,d bytes of pings that were never read"
                + " (the pongs are queued without limit?)", written.get()).isLessThan(64L << 20);
        assertBystanderStillWorks();
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
            Runtime rt = Runtime.getRuntime();
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }

    // =================================================================== nothing left behind

    /**
     * Runs last: after every attack above and the close of every server, the I/O threads end and
     * the file descriptors come back to about where they were.
     */
    @Test
    @Order(100)
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void noThreadOrDescriptorLeftBehind() throws Exception {
        // One more round of attacks in this test, so that it means something when run alone.
        try (RawPeer garbage = connect(); RawPeer partial = connect(); RawPeer.Listener fake = new RawPeer.Listener()) {
            garbage.write(new byte[] {0x16, 0x03, 0x01, 0x00});
            partial.write("GET / HTTP/1.1\r\n");
            ClientLog log = new ClientLog();
            log.attach(new WebSocket(fake.url()));
            try (RawPeer peer = fake.acceptWebSocket()) {
                assertThat(log.opened.await(5, TimeUnit.SECONDS)).isTrue();
                peer.write(RawPeer.frame(0x1, "masked".getBytes(StandardCharsets.UTF_8), true));
                assertThat(log.closed.await(5, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(garbage.awaitEnd(CLOSE_BOUND)).isNotEqualTo(RawPeer.End.STILL_OPEN);
            assertThat(partial.awaitEnd(CLOSE_BOUND)).isNotEqualTo(RawPeer.End.STILL_OPEN);
        }
        assertBystanderStillWorks();
        closeEverything();
        server = null;
        bystander = null;
        cleanup.clear();

        long t0 = System.nanoTime();
        boolean ioGone = waitUntil(() -> duplexThreads("duplex-io-").isEmpty(), Duration.ofSeconds(6));
        long ioMs = ms(System.nanoTime() - t0);
        boolean fdsBack = waitUntil(() -> openFileDescriptors() <= fdsBefore + 20, Duration.ofSeconds(5));
        System.out.printf("[HostilePeerTest] duplex-io threads gone after %d ms; file descriptors %d before, %d after; "
                        + "other duplex threads: %s%n", ioMs, fdsBefore, openFileDescriptors(),
                duplexThreads("duplex-").stream().filter(n -> !n.startsWith("duplex-io-")).collect(Collectors.toList()));
        assertThat(ioGone).as("duplex-io threads still alive: %s", duplexThreads("duplex-io-")).isTrue();
        assertThat(fdsBack).as("file descriptors: %d before, %d now", fdsBefore, openFileDescriptors()).isTrue();
    }
}
