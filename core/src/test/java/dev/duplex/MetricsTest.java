package dev.duplex;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * {@link WebSocketServer#metrics()} counted exactly over a known exchange, and the Flight Recorder
 * events of a real client/server exchange read back from a recording file.
 */
@Timeout(60)
class MetricsTest {
    private static final String[] EVENTS = {"dev.duplex.ConnectionOpened", "dev.duplex.ConnectionClosed",
            "dev.duplex.HandshakeFailed", "dev.duplex.MessageSent", "dev.duplex.MessageReceived",
            "dev.duplex.BackPressure"};
    private WebSocketServer server;

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.close(Duration.ofSeconds(2));
        }
    }

    /** An echo server without compression or keep-alive, so every byte on the wire is known. */
    private WebSocketServer echoServer(LinkedBlockingQueue<CloseEvent> serverCloses) {
        WebSocketServer s = new WebSocketServer(ServerOptions.builder().host("127.0.0.1").port(0)
                .perMessageDeflate(false).pingInterval(Duration.ZERO)
                .handshake(r -> r.path().equals("/forbidden") ? HandshakeDecision.reject(403, "no")
                        : HandshakeDecision.accept())
                .build());
        s.onconnection(event -> {
            WebSocket ws = event.socket();
            ws.onmessage(e -> {
                Object data = ((MessageEvent) e).data();
                if (data instanceof String text) {
                    ws.send(text);
                } else {
                    ws.send((Blob) data);
                }
            });
            ws.onclose(e -> serverCloses.add((CloseEvent) e));
        });
        s.start();
        return s;
    }

    private static WebSocketOptions plain() {
        return WebSocketOptions.builder().perMessageDeflate(false).build();
    }

    /** The client's events, in order. */
    /**
     * A client whose events, in order, go to the returned queue; the listeners are added in the
     * set-up, so none is missed (a refused handshake's error and close can come right after it).
     */
    private static LinkedBlockingQueue<Event> connect(String url) {
        LinkedBlockingQueue<Event> q = new LinkedBlockingQueue<>();
        WebSocket.connect(url, List.of(), plain(), ws -> record(ws, q));
        return q;
    }

    private static void record(WebSocket ws, LinkedBlockingQueue<Event> q) {
        for (String type : List.of("open", "message", "error", "close")) {
            ws.addEventListener(type, e -> {
                if (e instanceof MessageEvent m && m.data() instanceof Blob b) {
                    b.close();
                }
                q.add(e);
            });
        }
    }

    private static Event next(LinkedBlockingQueue<Event> q, String type) throws InterruptedException {
        for (;;) {
            Event e = q.poll(20, TimeUnit.SECONDS);
            assertThat(e).as("a %s event", type).isNotNull();
            if (e.type().equals(type)) {
                return e;
            }
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("%s within 20 s", what).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    @Test
    void serverCountersMatchAKnownExchangeExactly() throws Exception {
        LinkedBlockingQueue<CloseEvent> serverCloses = new LinkedBlockingQueue<>();
        server = echoServer(serverCloses);
        LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
        WebSocket ws = WebSocket.connect("ws://127.0.0.1:" + server.port() + "/", List.of(), plain(),
                s -> record(s, events));
        next(events, "open");
        ws.send("hello");
        ws.send("ab");
        ws.send(new byte[200]);
        for (int i = 0; i < 3; i++) {
            next(events, "message");
        }
        ws.close();
        assertThat(((CloseEvent) next(events, "close")).wasClean()).isTrue();
        assertThat(serverCloses.poll(20, TimeUnit.SECONDS)).isNotNull();

        next(connect("ws://127.0.0.1:" + server.port() + "/forbidden"), "close");
        await(() -> !server.metrics().handshakeFailuresByStatus().isEmpty(), "the refused handshake counted");

        ServerMetrics m = server.metrics();
        assertThat(m.connectionsTotal()).isEqualTo(1);
        assertThat(m.connectionsOpen()).isZero();
        assertThat(m.messagesReceived()).isEqualTo(3);
        assertThat(m.messagesSent()).isEqualTo(3);
        // Client frames are masked (4 bytes); 200 bytes need a 2-byte extended length; the close
        // frame carries the 2-byte code 1000.
        long in = (2 + 4 + 5) + (2 + 4 + 2) + (2 + 2 + 4 + 200) + (2 + 4 + 2);
        long out = (2 + 5) + (2 + 2) + (2 + 2 + 200) + (2 + 2);
        assertThat(m.bytesReceived()).isEqualTo(in);
        assertThat(m.bytesSent()).isEqualTo(out);
        assertThat(m.closesByCode()).isEqualTo(Map.of(1000, 1L));
        assertThat(m.abnormalCloses()).isZero();
        assertThat(m.handshakeFailuresByStatus()).isEqualTo(Map.of(403, 1L));
    }

    @Test
    void aDroppedClientCountsAsAnAbnormalClose() throws Exception {
        LinkedBlockingQueue<CloseEvent> serverCloses = new LinkedBlockingQueue<>();
        server = echoServer(serverCloses);
        try (java.net.Socket raw = new java.net.Socket("127.0.0.1", server.port())) {
            raw.getOutputStream().write(("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            await(() -> server.metrics().connectionsOpen() == 1, "the raw client counted as open");
        }
        assertThat(serverCloses.poll(20, TimeUnit.SECONDS).code()).isEqualTo(1006);
        ServerMetrics m = server.metrics();
        assertThat(m.connectionsOpen()).isZero();
        assertThat(m.closesByCode()).isEqualTo(Map.of(1006, 1L));
        assertThat(m.abnormalCloses()).isEqualTo(1);
    }

    @Test
    void aRecordingOfAnExchangeHoldsTheEventsWithTheirFields() throws Exception {
        Path file = Files.createTempFile("duplex", ".jfr");
        LinkedBlockingQueue<Boolean> pressure = new LinkedBlockingQueue<>();
        try (Recording recording = new Recording(); RecordingStream stream = new RecordingStream()) {
            for (String name : EVENTS) {
                recording.enable(name);
            }
            // The stream only tells the test when reading paused and resumed; the file is checked.
            stream.enable("dev.duplex.BackPressure");
            stream.onEvent("dev.duplex.BackPressure", e -> pressure.add(e.getBoolean("paused")));
            stream.startAsync();
            recording.start();

            LinkedBlockingQueue<CloseEvent> serverCloses = new LinkedBlockingQueue<>();
            server = echoServer(serverCloses);
            CountDownLatch slow = new CountDownLatch(1);
            LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
            WebSocket ws = WebSocket.connect("ws://127.0.0.1:" + server.port() + "/", List.of(), plain(),
                    s -> record(s, events));
            next(events, "open");
            ws.send("hi");                                   // below the 64 KiB threshold: no event
            ws.send(new byte[100_000]);
            ws.send("a".repeat(70_000));
            for (int i = 0; i < 3; i++) {
                next(events, "message");
            }

            // A listener that blocks while the server sends 20 MiB: reading pauses, then resumes.
            ws.addEventListener("message", e -> {
                try {
                    slow.await();
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
            });
            WebSocket serverSide = server.clients().iterator().next();
            for (int i = 0; i < 20; i++) {
                serverSide.send(new byte[1 << 20]);
            }
            assertThat(pressure.poll(20, TimeUnit.SECONDS)).as("reading paused").isTrue();
            slow.countDown();
            assertThat(pressure.poll(20, TimeUnit.SECONDS)).as("reading resumed").isFalse();
            for (int i = 0; i < 20; i++) {
                next(events, "message");
            }

            ws.close(1000, "done");
            next(events, "close");
            assertThat(serverCloses.poll(20, TimeUnit.SECONDS)).isNotNull();
            next(connect("ws://127.0.0.1:" + server.port() + "/forbidden"), "close");
            await(() -> !server.metrics().handshakeFailuresByStatus().isEmpty(), "the refused handshake counted");

            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> all = RecordingFile.readAllEvents(file);
        Files.delete(file);
        Map<String, List<RecordedEvent>> byName = all.stream()
                .collect(Collectors.groupingBy(e -> e.getEventType().getName()));

        assertThat(byName.get("dev.duplex.ConnectionOpened")).extracting(e -> e.getBoolean("serverSide"))
                .containsExactlyInAnyOrder(true, false);
        assertThat(byName.get("dev.duplex.ConnectionOpened")).allSatisfy(
                e -> assertThat(e.getString("peer")).startsWith("127.0.0.1:"));
        assertThat(byName.get("dev.duplex.ConnectionClosed"))
                .extracting(e -> e.getBoolean("serverSide"), e -> e.getInt("code"), e -> e.getString("reason"),
                        e -> e.getBoolean("wasClean"))
                .containsExactlyInAnyOrder(tuple(true, 1000, "done", true), tuple(false, 1000, "done", true));
        assertThat(byName.get("dev.duplex.HandshakeFailed"))
                .extracting(e -> e.getBoolean("serverSide"), e -> e.getInt("status"))
                .containsExactlyInAnyOrder(tuple(true, 403), tuple(false, 403));

        List<RecordedEvent> sent = byName.get("dev.duplex.MessageSent");
        assertThat(sent).extracting(e -> e.getBoolean("serverSide"), e -> e.getLong("size"), e -> e.getString("type"))
                .contains(tuple(false, 100_000L, "binary"), tuple(false, 70_000L, "text"),
                        tuple(true, 100_000L, "binary"), tuple(true, 70_000L, "text"),
                        tuple(true, (long) (1 << 20), "binary"));
        assertThat(sent).noneMatch(e -> e.getLong("size") < 64 * 1024);
        assertThat(sent.stream().filter(e -> e.getBoolean("serverSide") && e.getLong("size") == 1 << 20)).hasSize(20);
        List<RecordedEvent> received = byName.get("dev.duplex.MessageReceived");
        assertThat(received).extracting(e -> e.getBoolean("serverSide"), e -> e.getLong("size"), e -> e.getString("type"))
                .contains(tuple(true, 100_000L, "binary"), tuple(true, 70_000L, "text"),
                        tuple(false, 100_000L, "binary"), tuple(false, 70_000L, "text"));
        assertThat(received).noneMatch(e -> e.getLong("size") < 64 * 1024);

        assertThat(byName.get("dev.duplex.BackPressure")).extracting(e -> e.getBoolean("serverSide"),
                e -> e.getBoolean("paused")).containsExactly(tuple(false, true), tuple(false, false));
    }
}
