package dev.duplex;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.TestServers.TestServer;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Handlers registered after the constructor returns miss no event: the registration gate of
 * {@link WebSocket} (the programs of the delivery-model issue are in {@link DeliveryModelTest}). The server greets every client at once (its first message comes with the
 * handshake response), so the open event and the first message are both ready long before the
 * handlers are registered. A real {@link WebSocketServer} greeting in {@code onconnection} is
 * covered by {@code ClientServerTest.messageSentInsideOnconnectionIsNeverLost}.
 */
@Timeout(20)
class HandlerGateTest {
    private final TestServers servers = new TestServers();
    private FakeServer greeter;

    @BeforeEach
    void setUp() throws Exception {
        // the 101 and the first message arrive together: both events are ready at once
        greeter = servers.track(FakeServer.greeter());
    }

    @AfterEach
    void tearDown() {
        servers.close();
    }

    /** What handlers saw, recorded without touching the socket. */
    static final class Seen {
        final List<String> events = new CopyOnWriteArrayList<>();
        final CountDownLatch message = new CountDownLatch(1);
        final CountDownLatch closed = new CountDownLatch(1);

        void onto(WebSocket ws) {
            ws.onerror(e -> events.add("error"));
            ws.onopen(e -> events.add("open"));
            ws.onmessage(e -> {
                events.add("message:" + ((MessageEvent) e).data());
                message.countDown();
            });
            ws.onclose(e -> {
                events.add("close");
                closed.countDown();
            });
        }

        void awaitMessage() throws InterruptedException {
            assertThat(message.await(5, TimeUnit.SECONDS)).as("message seen; events: %s", events).isTrue();
        }
    }

    @RepeatedTest(3)
    void handlersSetAfterBusyWorkOnTheConstructingThreadMissNothing() throws Exception {
        WebSocket ws = servers.client(greeter.url());
        EventLog.spin(150);   // the handshake and greeting are long done
        Seen seen = new Seen();
        seen.onto(ws);
        seen.awaitMessage();
        assertThat(seen.events).containsExactly("open", "message:welcome");
        ws.close();
        assertThat(seen.closed.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(seen.events).containsExactly("open", "message:welcome", "close");
    }

    @Test
    void handlersSetAfterCreatingSeveralSocketsMissNothing() throws Exception {
        // const a = new WebSocket(u), b = new WebSocket(u), ...; a.onopen = ...; b.onopen = ...
        // Making the later sockets is not "done registering" for the earlier ones.
        int n = 30;
        List<WebSocket> sockets = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            sockets.add(servers.client(greeter.url()));
        }
        EventLog.spin(100);
        List<Seen> seen = new java.util.ArrayList<>();
        for (WebSocket ws : sockets) {
            Seen s = new Seen();
            s.onto(ws);
            seen.add(s);
        }
        List<Integer> missed = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (!seen.get(i).message.await(2, TimeUnit.SECONDS)
                    || !seen.get(i).events.equals(List.of("open", "message:welcome"))) {
                missed.add(i);
            }
        }
        assertThat(missed).as("sockets (of %d) that missed open or the first message", n).isEmpty();
    }

    @Test
    void listenersAddedAfterBusyWorkMissNothing() throws Exception {
        WebSocket ws = servers.client(greeter.url());
        EventLog.spin(100);
        EventLog log = EventLog.attach(ws);
        assertThat(log.awaitMessage()).isEqualTo("welcome");
        assertThat(log.types()).containsExactly("open", "message");
    }

    @Test
    void aThreadPollingReadyStateWithoutBlockingStillSeesTheSocketOpen() {
        WebSocket ws = servers.client(greeter.url());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (ws.readyState() == WebSocket.CONNECTING && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(ws.readyState()).isEqualTo(WebSocket.OPEN);
    }

    @Test
    void socketMadeByAThreadThatEndsGetsItsEvents() throws Exception {
        Seen seen = new Seen();
        AtomicReference<WebSocket> made = new AtomicReference<>();
        Thread t = new Thread(() -> {
            WebSocket ws = new WebSocket(greeter.url());
            made.set(ws);
            EventLog.spin(30);
            seen.onto(ws);
        });
        t.start();
        t.join(5000);
        servers.track(made.get());
        seen.awaitMessage();
        assertThat(seen.events).containsExactly("open", "message:welcome");
    }

    /** Creates a socket inside another socket's open handler and registers its handlers after {@code delay}. */
    private void socketMadeInsideAHandler(Runnable delay) throws Exception {
        TestServer outerServer = servers.quiet();
        WebSocket outer = servers.client(outerServer.url());
        Seen seen = new Seen();
        AtomicReference<WebSocket> inner = new AtomicReference<>();
        CountDownLatch handlerDone = new CountDownLatch(1);
        outer.onopen(e -> {
            WebSocket ws = new WebSocket(greeter.url());
            inner.set(ws);
            servers.track(ws);
            delay.run();
            seen.onto(ws);
            handlerDone.countDown();
        });
        assertThat(handlerDone.await(5, TimeUnit.SECONDS)).isTrue();
        seen.awaitMessage();
        assertThat(seen.events).containsExactly("open", "message:welcome");
        inner.get().close();
        assertThat(seen.closed.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(seen.events).containsExactly("open", "message:welcome", "close");
    }

    @Test
    void socketMadeInsideAHandlerWithBusyWorkBeforeRegistration() throws Exception {
        socketMadeInsideAHandler(() -> EventLog.spin(200));
    }

    @Test
    void socketMadeInsideAHandlerThatSleepsBeforeRegistration() throws Exception {
        // JavaScript's run-to-completion: nothing is dispatched to the new socket before the
        // handler that made it returns, however the handler spends its time
        socketMadeInsideAHandler(() -> EventLog.sleep(200));
    }

    @Test
    void serverSideHandlersSetLateInsideOnconnectionMissNothing() throws Exception {
        List<Object> got = new CopyOnWriteArrayList<>();
        CountDownLatch received = new CountDownLatch(1);
        TestServer server = servers.start(a -> {
            EventLog.sleep(200);   // the client's first message has arrived meanwhile
            EventLog.spin(50);
            a.socket().onmessage(e -> {
                got.add(((MessageEvent) e).data());
                received.countDown();
            });
        });
        WebSocket ws = servers.client(server.url());
        ws.onopen(e -> ws.send("first"));
        assertThat(received.await(5, TimeUnit.SECONDS)).as("server handler got the message").isTrue();
        assertThat(got).containsExactly("first");
    }

    @Test
    void handlerReplacedBeforeTheGateOpensIsTheOneCalled() throws Exception {
        WebSocket ws = servers.client(greeter.url());
        List<String> calls = new CopyOnWriteArrayList<>();
        CountDownLatch got = new CountDownLatch(1);
        EventLog.spin(100);
        ws.onmessage(e -> calls.add("first handler"));
        ws.onmessage(e -> {
            calls.add("second handler");
            got.countDown();
        });
        assertThat(got.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(calls).containsExactly("second handler");
    }
}
