package dev.duplex.micrometer;

import dev.duplex.Blob;
import dev.duplex.CloseEvent;
import dev.duplex.Event;
import dev.duplex.HandshakeDecision;
import dev.duplex.MessageEvent;
import dev.duplex.ServerMetrics;
import dev.duplex.ServerOptions;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketOptions;
import dev.duplex.WebSocketServer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link DuplexServerMetrics} over a real server and real clients: every meter reads what
 * {@link WebSocketServer#metrics()} says, live, and the exchange's counts exactly (MetricsTest's
 * approach: no compression, no keep-alive, so every byte on the wire is known).
 */
@Timeout(60)
class DuplexServerMetricsTest {
    private final LinkedBlockingQueue<CloseEvent> serverCloses = new LinkedBlockingQueue<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private WebSocketServer server;

    @BeforeEach
    void startEchoServer() {
        server = new WebSocketServer(ServerOptions.builder().host("127.0.0.1").port(0)
                .perMessageDeflate(false).pingInterval(Duration.ZERO)
                .handshake(r -> r.path().equals("/forbidden") ? HandshakeDecision.reject(403, "no")
                        : r.path().equals("/teapot") ? HandshakeDecision.reject(418, "short and stout")
                        : HandshakeDecision.accept())
                .build());
        server.onconnection(event -> {
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
        server.start();
        new DuplexServerMetrics(server, Tags.of("server", "test")).bindTo(registry);
    }

    @AfterEach
    void tearDown() {
        server.close(Duration.ofSeconds(2));
        registry.close();
    }

    @Test
    void everyMeterExistsAtZeroOnceBoundWithTheExtraTags() {
        // 1 gauge, connections, messages and bytes each way, abnormal closes, 16 codes + other, 12 statuses + other.
        assertThat(registry.getMeters()).hasSize(1 + 1 + 2 + 2 + 1 + 17 + 13);
        assertThat(registry.getMeters()).allSatisfy(m -> {
            assertThat(m.getId().getTag("server")).isEqualTo("test");
            assertThat(m.measure()).allSatisfy(x -> assertThat(x.getValue()).isZero());
        });
        assertThat(registry.get("duplex.connections.open").gauge().getId().getType()).isEqualTo(Meter.Type.GAUGE);
        assertThat(registry.get("duplex.closes").functionCounters()).extracting(c -> c.getId().getTag("code"))
                .containsExactlyInAnyOrder("1000", "1001", "1002", "1003", "1004", "1005", "1006", "1007", "1008",
                        "1009", "1010", "1011", "1012", "1013", "1014", "1015", "other");
        assertThat(registry.get("duplex.handshake.failures").functionCounters())
                .extracting(c -> c.getId().getTag("status"))
                .containsExactlyInAnyOrder("400", "401", "403", "404", "409", "413", "421", "426", "429", "431",
                        "500", "503", "other");
        assertThat(registry.get("duplex.bytes").functionCounters())
                .allSatisfy(c -> assertThat(c.getId().getBaseUnit()).isEqualTo("bytes"));
    }

    @Test
    void theMetersReadTheServerLiveAndMatchAKnownExchangeExactly() throws Exception {
        String url = "ws://127.0.0.1:" + server.port();
        LinkedBlockingQueue<Event> aEvents = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<Event> bEvents = new LinkedBlockingQueue<>();
        WebSocket a = connect(url + "/", aEvents);
        WebSocket b = connect(url + "/", bEvents);
        next(aEvents, "open");
        next(bEvents, "open");
        await(() -> server.metrics().connectionsOpen() == 2, "both clients counted as open");
        assertThat(registry.get("duplex.connections.open").gauge().value()).isEqualTo(2.0);

        a.send("hello");
        a.send(new byte[200]);
        b.send("ab");
        next(aEvents, "message");
        next(aEvents, "message");
        next(bEvents, "message");
        a.close();
        b.close(4001, "bye");
        assertThat(((CloseEvent) next(aEvents, "close")).wasClean()).isTrue();
        assertThat(((CloseEvent) next(bEvents, "close")).wasClean()).isTrue();
        assertThat(serverCloses.poll(20, TimeUnit.SECONDS)).isNotNull();
        assertThat(serverCloses.poll(20, TimeUnit.SECONDS)).isNotNull();

        LinkedBlockingQueue<Event> refused = new LinkedBlockingQueue<>();
        connect(url + "/forbidden", refused);
        next(refused, "close");
        connect(url + "/teapot", refused);
        next(refused, "close");
        await(() -> server.metrics().handshakeFailuresByStatus().size() == 2, "both refused handshakes counted");

        ServerMetrics m = server.metrics();
        assertThat(gauge("duplex.connections.open")).isEqualTo(m.connectionsOpen()).isZero();
        assertThat(counter("duplex.connections")).isEqualTo(m.connectionsTotal()).isEqualTo(2);
        assertThat(counter("duplex.messages", "direction", "received")).isEqualTo(m.messagesReceived()).isEqualTo(3);
        assertThat(counter("duplex.messages", "direction", "sent")).isEqualTo(m.messagesSent()).isEqualTo(3);
        // Client frames are masked (4 bytes); 200 bytes need a 2-byte extended length; a close frame
        // carries its 2-byte code and its reason, and the server's echo repeats both.
        long in = (2 + 4 + 5) + (2 + 2 + 4 + 200) + (2 + 4 + 2) + (2 + 4 + 2) + (2 + 4 + 2 + 3);
        long out = (2 + 5) + (2 + 2 + 200) + (2 + 2) + (2 + 2) + (2 + 2 + 3);
        assertThat(counter("duplex.bytes", "direction", "received")).isEqualTo(m.bytesReceived()).isEqualTo(in);
        assertThat(counter("duplex.bytes", "direction", "sent")).isEqualTo(m.bytesSent()).isEqualTo(out);

        assertThat(m.closesByCode()).containsOnlyKeys(1000, 4001);
        assertThat(counter("duplex.closes", "code", "1000")).isEqualTo(m.closesByCode().get(1000)).isEqualTo(1);
        assertThat(counter("duplex.closes", "code", "other")).isEqualTo(m.closesByCode().get(4001)).isEqualTo(1);
        assertThat(registry.get("duplex.closes").functionCounters())
                .filteredOn(c -> !List.of("1000", "other").contains(c.getId().getTag("code")))
                .hasSize(15).allSatisfy(c -> assertThat(c.count()).isZero());
        assertThat(counter("duplex.closes.abnormal")).isEqualTo(m.abnormalCloses()).isZero();

        assertThat(m.handshakeFailuresByStatus()).containsOnlyKeys(403, 418);
        assertThat(counter("duplex.handshake.failures", "status", "403"))
                .isEqualTo(m.handshakeFailuresByStatus().get(403)).isEqualTo(1);
        assertThat(counter("duplex.handshake.failures", "status", "other"))
                .isEqualTo(m.handshakeFailuresByStatus().get(418)).isEqualTo(1);
        assertThat(registry.get("duplex.handshake.failures").functionCounters())
                .filteredOn(c -> !List.of("403", "other").contains(c.getId().getTag("status")))
                .hasSize(11).allSatisfy(c -> assertThat(c.count()).isZero());
    }

    private long gauge(String name) {
        return (long) registry.get(name).tag("server", "test").gauge().value();
    }

    private long counter(String name, String... tags) {
        FunctionCounter c = registry.get(name).tag("server", "test").tags(tags).functionCounter();
        return (long) c.count();
    }

    private static WebSocketOptions plain() {
        return WebSocketOptions.builder().perMessageDeflate(false).build();
    }

    /**
     * A client whose events, in order, go to {@code q}; the listeners are added in the set-up, so
     * none is missed (a refused handshake's error and close can come right after it returns).
     */
    private static WebSocket connect(String url, LinkedBlockingQueue<Event> q) {
        return WebSocket.connect(url, List.of(), plain(), ws -> record(ws, q));
    }

    private static void record(WebSocket ws, LinkedBlockingQueue<Event> q) {
        for (String type : List.of("open", "message", "error", "close")) {
            ws.addEventListener(type, e -> {
                if (e instanceof MessageEvent m && m.data() instanceof Blob blob) {
                    blob.close();
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
}
