package dev.duplex;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link ReconnectingWebSocket} against real {@link WebSocketServer}s on 127.0.0.1, stopped and
 * started again on the same port. Delays are checked on what the events report, never on the
 * clock.
 */
@Timeout(60)
class ReconnectTest {
    private static final long WAIT = 20;
    private final List<WebSocketServer> servers = new CopyOnWriteArrayList<>();
    private final List<ReconnectingWebSocket> clients = new CopyOnWriteArrayList<>();

    @AfterEach
    void tearDown() {
        clients.forEach(ReconnectingWebSocket::close);
        servers.forEach(s -> s.close(Duration.ofSeconds(2)));
    }

    /** A server that records every text message it receives, on {@code port} (0: any). */
    private WebSocketServer server(int port, LinkedBlockingQueue<String> received, HandshakeHandler handshake) {
        ServerOptions.Builder b = ServerOptions.builder().host("127.0.0.1").port(port);
        if (handshake != null) {
            b.handshake(handshake);
        }
        WebSocketServer server = new WebSocketServer(b.build());
        server.onconnection(event -> {
            WebSocket ws = event.socket();
            ws.onmessage(e -> received.add(String.valueOf(((MessageEvent) e).data())));
        });
        server.start();
        servers.add(server);
        return server;
    }

    /** Everything a client dispatched, in order. */
    private static final class Recorder {
        final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
        final List<Event> all = new CopyOnWriteArrayList<>();

        void attach(ReconnectingWebSocket ws) {
            for (String type : List.of("open", "message", "error", "close", "reconnecting", "reconnected")) {
                ws.addEventListener(type, e -> {
                    all.add(e);
                    events.add(e);
                });
            }
        }

        /** Waits for the next event of {@code type}, skipping others. */
        Event next(String type) throws InterruptedException {
            for (;;) {
                Event e = events.poll(WAIT, TimeUnit.SECONDS);
                assertThat(e).as("a %s event within %d s; so far %s", type, WAIT, all).isNotNull();
                if (e.type().equals(type)) {
                    return e;
                }
            }
        }

        List<String> types() {
            List<String> t = new ArrayList<>();
            all.forEach(e -> t.add(e.type()));
            return t;
        }

        long count(String type) {
            return all.stream().filter(e -> e.type().equals(type)).count();
        }
    }

    private ReconnectingWebSocket client(String url, ReconnectPolicy policy, Recorder recorder,
                                         java.util.function.Consumer<ReconnectingWebSocket> more) {
        ReconnectingWebSocket ws = ReconnectingWebSocket.connect(url, List.of(), WebSocketOptions.defaults(), policy,
                socket -> {
                    more.accept(socket);
                    recorder.attach(socket);
                });
        clients.add(ws);
        return ws;
    }

    private static ReconnectPolicy.Builder fast() {
        return ReconnectPolicy.builder().initialDelay(Duration.ofMillis(10)).maxDelay(Duration.ofMillis(80)).jitter(0);
    }

    private static String take(LinkedBlockingQueue<String> q) throws InterruptedException {
        String s = q.poll(WAIT, TimeUnit.SECONDS);
        assertThat(s).as("a message at the server within %d s", WAIT).isNotNull();
        return s;
    }

    @Test
    void survivesAServerRestartOnTheSamePortAndSendsWhatWasQueuedInOrderAfterTheSubscriptions() throws Exception {
        LinkedBlockingQueue<String> first = new LinkedBlockingQueue<>();
        WebSocketServer server = server(0, first, null);
        int port = server.port();
        Recorder r = new Recorder();
        AtomicInteger opens = new AtomicInteger();
        ReconnectingWebSocket ws = client("ws://127.0.0.1:" + port + "/", fast().build(), r,
                socket -> socket.onopen(e -> socket.send("subscribe " + opens.incrementAndGet())));
        r.next("open");
        assertThat(take(first)).isEqualTo("subscribe 1");

        server.close();                                  // 1001 to the client, then nothing listens
        ReconnectEvent drop = (ReconnectEvent) r.next("reconnecting");
        assertThat(drop.attempt()).isEqualTo(1);
        assertThat(drop.code()).isEqualTo(1001);
        assertThat(ws.readyState()).isEqualTo(WebSocket.CONNECTING);
        for (int i = 1; i <= 5; i++) {
            ws.send("queued " + i);
        }
        assertThat(ws.queuedMessages()).isEqualTo(5);
        assertThat(ws.bufferedAmount()).isEqualTo(5 * "queued 1".length());

        List<Duration> delays = new ArrayList<>(List.of(drop.delay()));
        while (delays.size() < 6) {
            ReconnectEvent e = (ReconnectEvent) r.next("reconnecting");
            assertThat(e.attempt()).isEqualTo(delays.size() + 1);
            assertThat(e.code()).isEqualTo(1006);
            assertThat(e.error()).as("a refused connect says why").isNotNull();
            delays.add(e.delay());
        }
        assertThat(delays).containsExactly(Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(40),
                Duration.ofMillis(80), Duration.ofMillis(80), Duration.ofMillis(80));

        LinkedBlockingQueue<String> second = new LinkedBlockingQueue<>();
        server(port, second, null);
        r.next("open");
        ReconnectEvent back = (ReconnectEvent) r.next("reconnected");
        assertThat(back.attempt()).isGreaterThanOrEqualTo(6);
        assertThat(ws.readyState()).isEqualTo(WebSocket.OPEN);
        assertThat(List.of(take(second), take(second), take(second), take(second), take(second), take(second)))
                .containsExactly("subscribe 2", "queued 1", "queued 2", "queued 3", "queued 4", "queued 5");
        assertThat(ws.queuedMessages()).isZero();
        assertThat(r.count("close")).isZero();
        assertThat(r.count("error")).as("retried drops dispatch no error event").isZero();

        ws.close();
        CloseEvent end = (CloseEvent) r.next("close");
        assertThat(end.code()).isEqualTo(1000);
        assertThat(end.wasClean()).isTrue();
    }

    @Test
    void aCloseTheUserAskedForIsNotRetried() throws Exception {
        WebSocketServer server = server(0, new LinkedBlockingQueue<>(), null);
        Recorder r = new Recorder();
        ReconnectingWebSocket ws = client("ws://127.0.0.1:" + server.port() + "/", fast().build(), r, s -> { });
        r.next("open");
        ws.close(4000, "bye");
        CloseEvent c = (CloseEvent) r.next("close");
        assertThat(c.wasClean()).isTrue();
        assertThat(ws.readyState()).isEqualTo(WebSocket.CLOSED);
        assertThat(r.types()).containsExactly("open", "close");
    }

    @Test
    void aCleanCloseByTheServerIsNotRetried() throws Exception {
        WebSocketServer server = new WebSocketServer(ServerOptions.builder().host("127.0.0.1").port(0).build());
        server.onconnection(event -> event.socket().close(1000, "done"));
        server.start();
        servers.add(server);
        Recorder r = new Recorder();
        client("ws://127.0.0.1:" + server.port() + "/", fast().build(), r, s -> { });
        CloseEvent c = (CloseEvent) r.next("close");
        assertThat(c.code()).isEqualTo(1000);
        assertThat(c.reason()).isEqualTo("done");
        assertThat(r.count("reconnecting")).isZero();
    }

    @Test
    void a401Or403AnswerIsNotRetried() throws Exception {
        AtomicInteger handshakes = new AtomicInteger();
        WebSocketServer server = server(0, new LinkedBlockingQueue<>(), request -> {
            handshakes.incrementAndGet();
            return request.path().equals("/401") ? HandshakeDecision.reject(401, "who are you?")
                    : HandshakeDecision.reject(403, "forbidden");
        });
        for (int status : new int[] {401, 403}) {
            Recorder r = new Recorder();
            ReconnectingWebSocket ws = client("ws://127.0.0.1:" + server.port() + "/" + status, fast().build(), r, s -> { });
            ErrorEvent error = (ErrorEvent) r.next("error");
            assertThat(error.error()).isInstanceOf(WebSocketHandshakeException.class);
            assertThat(((WebSocketHandshakeException) error.error()).status()).isEqualTo(status);
            CloseEvent c = (CloseEvent) r.next("close");
            assertThat(c.code()).isEqualTo(1006);
            assertThat(r.types()).containsExactly("error", "close");
            assertThat(ws.readyState()).isEqualTo(WebSocket.CLOSED);
        }
        assertThat(handshakes.get()).as("one handshake each, no retry").isEqualTo(2);
    }

    @Test
    void aServiceRestartCodeIsRetriedAndReportedByReconnected() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        WebSocketServer server = new WebSocketServer(ServerOptions.builder().host("127.0.0.1").port(0).build());
        server.onconnection(event -> {
            if (connections.incrementAndGet() == 1) {
                event.socket().close(1012, "restarting");
            }
        });
        server.start();
        servers.add(server);
        Recorder r = new Recorder();
        ReconnectingWebSocket ws = client("ws://127.0.0.1:" + server.port() + "/", fast().build(), r, s -> { });
        ReconnectEvent drop = (ReconnectEvent) r.next("reconnecting");
        assertThat(drop.code()).isEqualTo(1012);
        assertThat(drop.reason()).isEqualTo("restarting");
        ReconnectEvent back = (ReconnectEvent) r.next("reconnected");
        assertThat(back.attempt()).isEqualTo(1);
        assertThat(back.code()).isEqualTo(1012);
        assertThat(r.types()).containsExactly("open", "reconnecting", "open", "reconnected");
        assertThat(ws.readyState()).isEqualTo(WebSocket.OPEN);
    }

    @Test
    void onTheIoThreadExecutorTheBinaryTypeCarriesOverToTheNextConnection() throws Exception {
        AtomicInteger connections = new AtomicInteger();
        WebSocketServer server = new WebSocketServer(ServerOptions.builder().host("127.0.0.1").port(0).build());
        server.onconnection(event -> {
            if (connections.incrementAndGet() == 1) {
                event.socket().close(1013, "busy");
            } else {
                event.socket().send(new byte[] {1, 2, 3});
            }
        });
        server.start();
        servers.add(server);
        Recorder r = new Recorder();
        WebSocketOptions onIo = WebSocketOptions.builder().executor(ConnectionOptions.IO_THREAD).build();
        ReconnectingWebSocket ws = ReconnectingWebSocket.connect("ws://127.0.0.1:" + server.port() + "/", List.of(),
                onIo, fast().build(), socket -> {
                    socket.binaryType(BinaryType.ARRAYBUFFER);
                    r.attach(socket);
                });
        clients.add(ws);
        assertThat(((ReconnectEvent) r.next("reconnecting")).code()).isEqualTo(1013);
        MessageEvent m = (MessageEvent) r.next("message");
        assertThat(m.data()).isEqualTo(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}));
        assertThat(r.types()).containsExactly("open", "reconnecting", "open", "reconnected", "message");
    }

    @Test
    void aServerThatDropsEachConnectionAtOnceIsBackedOffFromAsIfItRefusedThem() throws Exception {
        WebSocketServer server = new WebSocketServer(ServerOptions.builder().host("127.0.0.1").port(0).build());
        server.onconnection(event -> event.socket().close(1013, "overloaded"));
        server.start();
        servers.add(server);
        Recorder r = new Recorder();
        // maxDelay is far above how long each connection lives: none is stable, none resets the count.
        ReconnectingWebSocket ws = client("ws://127.0.0.1:" + server.port() + "/", fast().maxDelay(Duration.ofSeconds(10))
                .build(), r, s -> { });
        List<Duration> delays = new ArrayList<>();
        List<Integer> reconnectedAttempts = new ArrayList<>();
        while (delays.size() < 5) {
            ReconnectEvent e = (ReconnectEvent) r.next("reconnecting");
            assertThat(e.code()).isEqualTo(1013);
            assertThat(e.attempt()).isEqualTo(delays.size() + 1);
            delays.add(e.delay());
            if (delays.size() < 5) {
                reconnectedAttempts.add(((ReconnectEvent) r.next("reconnected")).attempt());
            }
        }
        ws.close();
        assertThat(delays).containsExactly(Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(40),
                Duration.ofMillis(80), Duration.ofMillis(160));
        assertThat(reconnectedAttempts).containsExactly(1, 2, 3, 4);
    }

    @Test
    void givesUpAfterMaxAttemptsWithAnErrorThatSaysSo() throws Exception {
        WebSocketServer gone = server(0, new LinkedBlockingQueue<>(), null);
        int port = gone.port();
        gone.close();
        Recorder r = new Recorder();
        client("ws://127.0.0.1:" + port + "/", fast().maxAttempts(3).build(), r, s -> { });
        CloseEvent c = (CloseEvent) r.next("close");
        assertThat(c.code()).isEqualTo(1006);
        assertThat(r.types()).containsExactly("reconnecting", "reconnecting", "reconnecting", "error", "close");
        ErrorEvent error = (ErrorEvent) r.all.get(3);
        assertThat(error.message()).contains("after 3 attempts").contains("ReconnectPolicy.maxAttempts");
    }

    @Test
    void closeWhileWaitingToReconnectEndsWithErrorThenClose1006() throws Exception {
        WebSocketServer gone = server(0, new LinkedBlockingQueue<>(), null);
        int port = gone.port();
        gone.close();
        Recorder r = new Recorder();
        client("ws://127.0.0.1:" + port + "/", fast().initialDelay(Duration.ofSeconds(30))
                .maxDelay(Duration.ofSeconds(30)).build(), r, socket -> socket.onreconnecting(e -> socket.close()));
        CloseEvent c = (CloseEvent) r.next("close");
        assertThat(c.code()).isEqualTo(1006);
        assertThat(c.wasClean()).isFalse();
        assertThat(r.types()).containsExactly("reconnecting", "error", "close");
    }

    @Test
    void failWhileDisconnectedThrowsInvalidStateError() {
        WebSocketServer gone = server(0, new LinkedBlockingQueue<>(), null);
        int port = gone.port();
        gone.close();
        ReconnectingWebSocket[] ws = new ReconnectingWebSocket[1];
        client("ws://127.0.0.1:" + port + "/", fast().failWhileDisconnected().build(), new Recorder(), s -> ws[0] = s);
        assertThatThrownBy(() -> ws[0].send("x")).isInstanceOfSatisfying(DOMException.class,
                e -> assertThat(e.name()).isEqualTo("InvalidStateError"))
                .hasMessageContaining("failWhileDisconnected");
    }

    @Test
    void aFullQueueRefusesTheMessageAndSaysWhichLimit() {
        WebSocketServer gone = server(0, new LinkedBlockingQueue<>(), null);
        int port = gone.port();
        gone.close();
        ReconnectingWebSocket[] ws = new ReconnectingWebSocket[1];
        client("ws://127.0.0.1:" + port + "/", fast().queueWhileDisconnected(2, 100).build(), new Recorder(),
                s -> ws[0] = s);
        ws[0].send("one");
        ws[0].send(new byte[] {1, 2});
        assertThatThrownBy(() -> ws[0].send("three")).isInstanceOfSatisfying(DOMException.class,
                e -> assertThat(e.name()).isEqualTo("InvalidStateError"))
                .hasMessageContaining("2 messages").hasMessageContaining("ReconnectPolicy.queueWhileDisconnected");
        assertThat(ws[0].queuedMessages()).isEqualTo(2);
        assertThatThrownBy(() -> ws[0].send(new byte[101])).hasMessageContaining("100 bytes");
    }

    @Test
    void theConstructorFormMissesNoEventRegisteredRightAfterIt() throws Exception {
        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        WebSocketServer server = server(0, received, null);
        server.onconnection(event -> {
            WebSocket s = event.socket();
            s.send("hello");
        });
        ReconnectingWebSocket ws = new ReconnectingWebSocket("ws://127.0.0.1:" + server.port() + "/");
        clients.add(ws);
        Recorder r = new Recorder();
        r.attach(ws);
        r.next("open");
        MessageEvent m = (MessageEvent) r.next("message");
        assertThat(m.data()).isEqualTo("hello");
        assertThat(m.target()).isSameAs(ws);
    }

    @Test
    void delaysGrowExponentiallyAreCappedAndJitterOnlyShortensThem() {
        ReconnectPolicy p = ReconnectPolicy.builder().initialDelay(Duration.ofMillis(100))
                .maxDelay(Duration.ofSeconds(1)).multiplier(3).jitter(0.25).build();
        assertThat(p.delay(1, 0)).isEqualTo(Duration.ofMillis(100));
        assertThat(p.delay(2, 0)).isEqualTo(Duration.ofMillis(300));
        assertThat(p.delay(3, 0)).isEqualTo(Duration.ofMillis(900));
        assertThat(p.delay(4, 0)).isEqualTo(Duration.ofSeconds(1));
        assertThat(p.delay(Integer.MAX_VALUE, 0)).isEqualTo(Duration.ofSeconds(1));
        assertThat(p.delay(2, 0.5)).isEqualTo(Duration.ofMillis(300).minusNanos(300_000_000L / 8));
        for (double random = 0; random < 1; random += 0.01) {
            assertThat(p.delay(5, random)).isBetween(Duration.ofMillis(750), Duration.ofSeconds(1));
        }
        assertThatThrownBy(() -> ReconnectPolicy.builder().initialDelay(Duration.ofSeconds(5))
                .maxDelay(Duration.ofSeconds(1)).build()).hasMessageContaining("maxDelay");
        assertThatThrownBy(() -> ReconnectPolicy.builder().jitter(1.5)).hasMessageContaining("jitter");
    }
}
