package dev.duplex;

import dev.duplex.internal.protocol.Opcode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Broadcast encoded once, graceful shutdown with a deadline, and proxies from the JVM's ProxySelector. */
@Timeout(60)
class ServerOperationsTest {
    @RegisterExtension
    static final TestKit kit = new TestKit();

    @AfterEach
    void restoreProxySelector() {
        ProxySelector.setDefault(defaultSelector);
    }

    private static final ProxySelector defaultSelector = ProxySelector.getDefault();

    private WebSocketServer server(ServerOptions.Builder b, CountDownLatch connected) {
        return kit.server(b, e -> connected.countDown());
    }

    @Test
    void broadcastReachesEveryClientWithOrWithoutCompression() throws Exception {
        CountDownLatch connected = new CountDownLatch(3);
        WebSocketServer server = server(ServerOptions.builder(), connected);
        String url = "ws://127.0.0.1:" + server.port() + "/";
        List<TlsTest.Client> clients = List.of(
                new TlsTest.Client(url, WebSocketOptions.defaults()),
                new TlsTest.Client(url, WebSocketOptions.builder().perMessageDeflate(false).build()),
                new TlsTest.Client(url, WebSocketOptions.defaults()));
        for (TlsTest.Client c : clients) {
            assertThat(c.next().type()).isEqualTo("open");
        }
        assertThat(connected.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(clients.get(0).ws.extensions()).contains("permessage-deflate");
        assertThat(server.broadcast("to all \uD83D\uDE00")).isEqualTo(3);
        assertThat(server.broadcast(new byte[] {1, 2, 3})).isEqualTo(3);
        ByteBuffer big = ByteBuffer.allocate(100_000);
        big.position(10);
        assertThat(server.broadcast(big)).isEqualTo(3);
        assertThat(big.position()).isEqualTo(10);
        for (TlsTest.Client c : clients) {
            assertThat(((MessageEvent) c.next()).data()).isEqualTo("to all \uD83D\uDE00");
            ByteBuffer b = (ByteBuffer) ((MessageEvent) c.next()).data();
            assertThat(b.remaining()).isEqualTo(3);
            assertThat(b.get(2)).isEqualTo((byte) 3);
            assertThat(((ByteBuffer) ((MessageEvent) c.next()).data()).remaining()).isEqualTo(99_990);
        }
        assertThatThrownBy(() -> server.broadcast("\uD800")).isInstanceOf(DOMException.class)
                .hasFieldOrPropertyWithValue("name", "SyntaxError");
    }

    @Test
    void broadcastToSomeClientsReachesOnlyThoseAndSkipsSocketsThatAreNotItsOwn() throws Exception {
        List<WebSocket> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();
        CountDownLatch connected = new CountDownLatch(3);
        WebSocketServer server = new WebSocketServer(ServerOptions.builder().host("127.0.0.1").port(0).build());
        server.onconnection(e -> {
            accepted.add(e.socket());
            connected.countDown();
        });
        server.start();
        kit.track(server::close);
        String url = "ws://127.0.0.1:" + server.port() + "/";
        List<TlsTest.Client> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            // One at a time, so that accepted.get(i) is the server side of clients.get(i).
            clients.add(new TlsTest.Client(url, WebSocketOptions.defaults()));
            assertThat(clients.get(i).next().type()).isEqualTo("open");
            while (accepted.size() <= i) {
                Thread.sleep(1);
            }
        }
        assertThat(connected.await(5, TimeUnit.SECONDS)).isTrue();
        List<WebSocket> firstTwo = List.of(accepted.get(0), accepted.get(1));
        assertThat(server.broadcast("room \uD83D\uDE00", firstTwo)).isEqualTo(2);
        assertThat(server.broadcast(new byte[] {4, 5}, firstTwo)).isEqualTo(2);
        // A client-side socket (never gets a server's unmasked frame) is not counted.
        assertThat(server.broadcast("not for a client", List.of(clients.get(0).ws))).isZero();
        assertThat(server.broadcast("everyone")).isEqualTo(3);
        for (int i = 0; i < 2; i++) {
            assertThat(((MessageEvent) clients.get(i).next()).data()).isEqualTo("room \uD83D\uDE00");
            ByteBuffer b = (ByteBuffer) ((MessageEvent) clients.get(i).next()).data();
            assertThat(b.remaining()).isEqualTo(2);
            assertThat(b.get(1)).isEqualTo((byte) 5);
        }
        for (TlsTest.Client c : clients) {
            // The third saw nothing before this; nobody got the message meant for no server socket.
            assertThat(((MessageEvent) c.next()).data()).isEqualTo("everyone");
        }
        accepted.get(2).close();
        assertThat(clients.get(2).awaitClose().code()).isEqualTo(1000);
        while (server.clients().size() > 2) {
            Thread.sleep(1);
        }
        assertThat(server.broadcast("after close", List.of(accepted.get(2)))).isZero();
        assertThatThrownBy(() -> server.broadcast("\uD800", firstTwo)).isInstanceOf(DOMException.class)
                .hasFieldOrPropertyWithValue("name", "SyntaxError");
        for (TlsTest.Client c : clients) {
            c.ws.close();
        }
    }

    @Test
    void gracefulShutdownSends1001AndWaitsForTheHandshakes() throws Exception {
        CountDownLatch connected = new CountDownLatch(2);
        WebSocketServer server = server(ServerOptions.builder(), connected);
        String url = "ws://127.0.0.1:" + server.port() + "/";
        TlsTest.Client a = new TlsTest.Client(url, WebSocketOptions.defaults());
        TlsTest.Client b = new TlsTest.Client(url, WebSocketOptions.defaults());
        assertThat(a.next().type()).isEqualTo("open");
        assertThat(b.next().type()).isEqualTo("open");
        assertThat(connected.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(server.close(Duration.ofSeconds(5))).isTrue();
        for (TlsTest.Client c : List.of(a, b)) {
            CloseEvent close = c.awaitClose();
            assertThat(close.code()).isEqualTo(1001);
            assertThat(close.reason()).isEqualTo("Server shutting down");
            assertThat(close.wasClean()).isTrue();
        }
        assertThat(server.clients()).isEmpty();
    }

    @Test
    void shutdownCutsAPeerThatNeverAnswersAfterTheDeadline() throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        WebSocketServer server = server(ServerOptions.builder(), connected);
        try (RawPeer raw = RawPeer.connect(server.port())) {
            raw.handshake(server.port());
            assertThat(connected.await(5, TimeUnit.SECONDS)).isTrue();
            long start = System.nanoTime();
            assertThat(server.close(Duration.ofMillis(300))).isFalse();
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(ms).isBetween(250L, 5000L);
            RawPeer.Frame close = raw.readFrame(125);
            assertThat(close.opcode).isEqualTo(Opcode.CLOSE);
            assertThat(close.closeCode()).isEqualTo(1001);
            assertThat(server.clients()).isEmpty();
        }
    }

    @Test
    void systemProxyComesFromTheJvmProxySelectorWhenAskedFor() throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        WebSocketServer server = server(ServerOptions.builder(), connected);
        ConnectProxy proxy = ConnectProxy.open();
        kit.track(proxy);
        List<URI> asked = new ArrayList<>();
        ProxySelector.setDefault(new ProxySelector() {
            @Override
            public List<Proxy> select(URI uri) {
                asked.add(uri);
                return List.of(new Proxy(Proxy.Type.HTTP, proxy.address()));
            }

            @Override
            public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
                // Not used.
            }
        });
        String url = "ws://127.0.0.1:" + server.port() + "/";
        TlsTest.Client direct = new TlsTest.Client(url, WebSocketOptions.defaults());
        assertThat(direct.next().type()).isEqualTo("open");
        assertThat(proxy.tunnels.get()).as("without systemProxy(true) the selector is not used").isZero();

        TlsTest.Client viaProxy = new TlsTest.Client(url, WebSocketOptions.builder().systemProxy(true).build());
        assertThat(viaProxy.next().type()).isEqualTo("open");
        assertThat(proxy.tunnels.get()).isEqualTo(1);
        // (java.net.Socket in the test proxy asks too, for socket:// URIs.)
        assertThat(asked).filteredOn(u -> u.getScheme().startsWith("http"))
                .containsExactly(URI.create("http://127.0.0.1:" + server.port() + "/"));
    }
}
