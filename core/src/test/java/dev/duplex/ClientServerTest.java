package dev.duplex;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.TestServers.Accepted;
import dev.duplex.TestServers.TestServer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The client and server talking over real sockets on 127.0.0.1: attributes, requests, servers. */
@Timeout(30)
class ClientServerTest {
    private final TestServers servers = new TestServers();
    private final List<ExecutorService> pools = new ArrayList<>();

    @AfterEach
    void tearDown() {
        try {
            servers.close();
        } finally {
            pools.forEach(ExecutorService::shutdownNow);
        }
    }

    @Test
    void urlIsSerialized() {
        TestServer server = servers.quiet();
        int p = server.port();
        Map<String, String> cases = new HashMap<>();
        cases.put("ws://127.0.0.1:" + p, "ws://127.0.0.1:" + p + "/");
        cases.put("WS://127.0.0.1:" + p + "/Chat", "ws://127.0.0.1:" + p + "/Chat");
        cases.put("ws://LOCALHOST:" + p + "/", "ws://localhost:" + p + "/");
        cases.put("ws://127.0.0.1:" + p + "/a b?q=1 2", "ws://127.0.0.1:" + p + "/a%20b?q=1%202");
        cases.put("ws://127.0.0.1:" + p + "/x/../y/./z", "ws://127.0.0.1:" + p + "/y/z");
        cases.put("ws://127.0.0.1:" + p + "/?", "ws://127.0.0.1:" + p + "/?");
        cases.put("http://127.0.0.1:" + p + "/h", "ws://127.0.0.1:" + p + "/h");
        cases.put("  ws://127.0.0.1:" + p + "/trim  ", "ws://127.0.0.1:" + p + "/trim");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            WebSocket ws = servers.client(c.getKey());
            assertThat(ws.url()).as("url() of %s", c.getKey()).isEqualTo(c.getValue());
        }
    }

    @Test
    void defaultPortIsDroppedFromUrl() throws Exception {
        // nothing should listen there; we only look at url()
        WebSocket ws = servers.client("ws://127.0.0.1:80/x");
        assertThat(ws.url()).isEqualTo("ws://127.0.0.1/x");
    }

    @Test
    void percentEncodedPathAndQueryReachTheServerAsSent() {
        TestServer server = servers.quiet();
        WebSocket ws = servers.client(server.url("/a b/%41?q=1 2&r=%42"));
        EventLog.attach(ws).awaitOpen();
        Accepted a = server.nextConnection();
        assertThat(a.request().path()).isEqualTo("/a%20b/%41");
        assertThat(a.request().query()).isEqualTo("q=1%202&r=%42");
    }

    @Test
    void protocolAndExtensionsAreSetWhenOpenFires() {
        TestServer server = servers.start(
                b -> b.handshake(r -> r.protocols().contains("chat") ? HandshakeDecision.accept("chat")
                        : HandshakeDecision.accept()),
                a -> { });
        WebSocket ws = servers.client(server.url(), "superchat", "chat");
        AtomicReference<String> protocolInOpen = new AtomicReference<>();
        AtomicReference<String> extensionsInOpen = new AtomicReference<>();
        assertThat(ws.protocol()).as("protocol() before open").isEmpty();
        assertThat(ws.extensions()).as("extensions() before open").isEmpty();
        ws.onopen(e -> {
            protocolInOpen.set(ws.protocol());
            extensionsInOpen.set(ws.extensions());
        });
        EventLog log = EventLog.attach(ws);
        log.awaitOpen();
        assertThat(protocolInOpen.get()).isEqualTo("chat");
        // permessage-deflate is on by default on both sides (RFC 7692; the client offers it as browsers do)
        assertThat(extensionsInOpen.get()).isEqualTo("permessage-deflate");
        assertThat(ws.protocol()).isEqualTo("chat");
        Accepted a = server.nextConnection();
        assertThat(a.protocolAtConnection()).isEqualTo("chat");
        assertThat(a.socket().protocol()).isEqualTo("chat");
        assertThat(a.socket().extensions()).isEqualTo("permessage-deflate");
    }

    @Test
    void noProtocolRequestedMeansEmptyProtocol() {
        TestServer server = servers.quiet();
        EventLog log = servers.openClient(server);
        assertThat(log.socket().protocol()).isEmpty();
        assertThat(log.socket().extensions()).isEqualTo("permessage-deflate");
        assertThat(server.nextConnection().socket().protocol()).isEmpty();
    }

    @Test
    void serverSeesTheRequest() {
        TestServer server = servers.start(b -> b.handshake(r -> HandshakeDecision.accept("chat")), a -> { });
        WebSocketOptions options = WebSocketOptions.builder()
                .header("X-Test", "yes").header("Authorization", "Bearer abc")
                .origin("https://example.com").build();
        WebSocket ws = servers.client(server.url("/room/1?user=ann&x=%41"), List.of("chat", "v2"), options);
        EventLog log = EventLog.attach(ws);
        log.awaitOpen();

        Accepted a = server.nextConnection();
        HandshakeRequest r = a.request();
        assertThat(a.readyStateAtConnection()).isEqualTo(WebSocket.OPEN);
        assertThat(r.method()).isEqualTo("GET");
        assertThat(r.path()).isEqualTo("/room/1");
        assertThat(r.query()).isEqualTo("user=ann&x=%41");
        assertThat(r.header("x-test")).isEqualTo("yes");
        assertThat(r.header("AUTHORIZATION")).isEqualTo("Bearer abc");
        assertThat(r.header("Sec-WebSocket-Version")).isEqualTo("13");
        assertThat(r.header("Host")).isEqualTo("127.0.0.1:" + server.port());
        assertThat(r.header("X-Missing")).isNull();
        assertThat(r.headers().get("host")).containsExactly("127.0.0.1:" + server.port());
        assertThat(r.origin()).isEqualTo("https://example.com");
        assertThat(r.protocols()).containsExactly("chat", "v2");
        assertThat(r.remoteAddress()).isNotNull();
        assertThat(r.remoteAddress().getAddress().isLoopbackAddress()).isTrue();
        assertThat(r.remoteAddress().getPort()).isPositive().isNotEqualTo(server.port());
        assertThat(a.urlAtConnection()).isEqualTo("ws://127.0.0.1:" + server.port() + "/room/1?user=ann&x=%41");
    }

    @Test
    void requestWithoutQueryHasEmptyQueryAndNoOrigin() {
        TestServer server = servers.quiet();
        servers.openClient(server);
        HandshakeRequest r = server.nextConnection().request();
        assertThat(r.path()).isEqualTo("/");
        assertThat(r.query()).isEmpty();
        assertThat(r.origin()).isNull();
        assertThat(r.protocols()).isEmpty();
    }

    @Test
    void messageEventOriginIsTheUrlsOrigin() {
        TestServer server = servers.onGo(s -> s.send("hi"));
        WebSocket ws = servers.client(server.url("/some/path?q=1"));
        ws.onopen(e -> ws.send("go"));
        EventLog log = EventLog.attach(ws);
        log.awaitMessage();
        MessageEvent m = log.await("message", 1).message();
        assertThat(m.origin()).isEqualTo("ws://127.0.0.1:" + server.port());
        assertThat(m.target()).isSameAs(ws);
        assertThat(m.type()).isEqualTo("message");
    }

    @Test
    void clientsReflectsOpenSockets() {
        TestServer server = servers.quiet();
        assertThat(server.server.clients()).isEmpty();
        EventLog c1 = servers.openClient(server);
        EventLog c2 = servers.openClient(server);
        EventLog c3 = servers.openClient(server);
        Accepted a1 = server.nextConnection();
        Accepted a2 = server.nextConnection();
        Accepted a3 = server.nextConnection();
        EventLog.waitUntil("3 clients", () -> server.server.clients().size() == 3);
        assertThat(server.server.clients()).containsExactlyInAnyOrder(a1.socket(), a2.socket(), a3.socket());

        c2.socket().close();
        c2.awaitClose();
        EventLog.waitUntil("2 clients", () -> server.server.clients().size() == 2);
        assertThat(server.server.clients()).doesNotContain(c2.socket());
        assertThat(server.server.clients()).allSatisfy(ws -> assertThat(ws.readyState()).isEqualTo(WebSocket.OPEN));

        // broadcast to the remaining ones
        server.server.clients().forEach(ws -> ws.send("broadcast"));
        assertThat(c1.awaitMessage()).isEqualTo("broadcast");
        assertThat(c3.awaitMessage()).isEqualTo("broadcast");
        assertThat(c2.messages()).isEmpty();
    }

    @Test
    void serverCloseClosesEveryClientWith1001AndStopsListening() throws Exception {
        TestServer server = servers.quiet();
        List<EventLog> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            clients.add(servers.openClient(server));
        }
        List<Accepted> accepted = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            accepted.add(server.nextConnection());
        }
        int port = server.port();
        server.server.close();
        for (EventLog c : clients) {
            CloseEvent close = c.awaitClose();
            assertThat(close.code()).as("client close code after server.close()").isEqualTo(1001);
            assertThat(close.wasClean()).isTrue();
            c.assertWellFormed();
        }
        for (Accepted a : accepted) {
            CloseEvent close = a.log().awaitClose();
            assertThat(close.code()).isEqualTo(1001);
            a.log().assertWellFormed();
        }
        assertThat(server.server.clients()).isEmpty();
        server.server.close(); // again: nothing

        // no longer listening
        WebSocket late = servers.client("ws://127.0.0.1:" + port + "/");
        EventLog.attach(late).assertFailed();
    }

    @Test
    void eventsOfOneSocketAreNeverConcurrentEvenOnAWidePool() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        pools.add(pool);
        int n = 2000;
        TestServer server = servers.start(b -> b.executor(pool), a -> a.socket().onmessage(e -> {
            for (int i = 0; i < n; i++) {
                a.socket().send("m" + i);
            }
        }));
        WebSocket ws = servers.client(server.url(), List.of(), WebSocketOptions.builder().executor(pool).build());
        ws.onopen(e -> ws.send("go"));
        EventLog log = EventLog.attach(ws);
        List<Object> got = log.awaitMessages(n);
        for (int i = 0; i < n; i++) {
            assertThat(got.get(i)).isEqualTo("m" + i);
        }
        log.assertWellFormed();
        long threads = log.entries().stream().map(EventLog.Entry::thread).distinct().count();
        assertThat(threads).as("events may move between pool threads").isPositive();
    }

    @Test
    void severalThreadsSendingOnOneSocketLoseAndReorderNothing() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        pools.add(pool);
        TestServer server = servers.start(b -> b.executor(pool), a -> { });
        EventLog client = servers.openClient(server);
        Accepted a = server.nextConnection();
        int threads = 4;
        int perThread = 500;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> senders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread s = new Thread(() -> {
                try {
                    if (!go.await(5, TimeUnit.SECONDS)) {
                        return;
                    }
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    if (i % 2 == 0) {
                        client.socket().send(id + ":" + i);
                    } else {
                        client.socket().send((id + ":" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    }
                }
            });
            s.start();
            senders.add(s);
        }
        go.countDown();
        for (Thread s : senders) {
            s.join(10_000);
        }
        List<Object> got = a.log().awaitMessages(threads * perThread);
        int[] next = new int[threads];
        for (Object o : got) {
            String s = o instanceof String str ? str : ((Blob) o).text();
            String[] parts = s.split(":");
            int id = Integer.parseInt(parts[0]);
            int i = Integer.parseInt(parts[1]);
            assertThat(i).as("message order of sender %d", id).isEqualTo(next[id]);
            assertThat(o).as("type of %s", s).isInstanceOf(i % 2 == 0 ? String.class : Blob.class);
            next[id]++;
        }
        assertThat(next).containsOnly(perThread);
        a.log().assertQuietFor(100);
        a.log().assertWellFormed();
    }

    @Test
    void echoServerAsInTheReadme() throws Exception {
        TestServer server = servers.echo();
        WebSocket socket = servers.client(server.url());
        CountDownLatch got = new CountDownLatch(1);
        AtomicReference<Object> data = new AtomicReference<>();
        socket.addEventListener("open", event -> socket.send("Hello Server!"));
        socket.addEventListener("message", event -> {
            data.set(((MessageEvent) event).data());
            got.countDown();
        });
        assertThat(got.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(data.get()).isEqualTo("Hello Server!");
    }

    @Test
    void messageSentInsideOnconnectionIsNeverLost() {
        // a server socket is OPEN in its connection event, so sending there must work
        TestServer server = servers.start(a -> a.socket().send("welcome"));
        int lost = 0;
        List<Long> stuck = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            WebSocket ws = servers.client(server.url());
            EventLog log = EventLog.attach(ws);
            log.awaitOpen();
            Accepted a = server.nextConnection();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
            while (log.count("message") == 0 && System.nanoTime() < deadline) {
                EventLog.sleep(2);
            }
            if (log.count("message") == 0) {
                lost++;
                stuck.add(a.socket().bufferedAmount());
            }
            ws.close();
        }
        assertThat(lost).as("connections (of 50) whose welcome message sent in onconnection never arrived"
                + " (server-side bufferedAmount left at %s)", stuck).isZero();
    }
}
