package dev.duplex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.duplex.TestServers.TestServer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The delivery model of {@link WebSocket} (its class comment, "When a new socket starts delivering
 * events"), tried with the ordinary Java programs that broke the earlier rule (which waited for
 * the creating thread to be seen waiting). Each test is one such program. The greeter server
 * sends its 101 and a first message in one write, so both events are ready before any handler
 * is registered.
 */
@Timeout(30)
class DeliveryModelTest {
    private final TestServers servers = new TestServers();
    private FakeServer greeter;

    @BeforeEach
    void setUp() throws Exception {
        greeter = servers.track(FakeServer.greeter());
    }

    @AfterEach
    void tearDown() {
        servers.close();
    }

    // 1. A chat client: handlers, then a loop reading lines (here from a real OS pipe, a native
    //    blocking read as on System.in). Events arrive while the thread is blocked, and the first
    //    send after the user "typed" works.
    @Test
    void chatClientBlockedInReadLineGetsItsEventsAndCanSend() throws Exception {
        TestServer echo = servers.echo();
        Pipe pipe = Pipe.open();
        List<String> seen = new CopyOnWriteArrayList<>();
        CountDownLatch opened = new CountDownLatch(1);
        CountDownLatch echoed = new CountDownLatch(1);
        AtomicReference<Throwable> sendFailure = new AtomicReference<>();
        Thread chat = new Thread(() -> {
            WebSocket ws = servers.client(echo.url());
            ws.onopen(e -> {
                seen.add("open");
                opened.countDown();
            });
            ws.onmessage(e -> {
                seen.add("message:" + ((MessageEvent) e).data());
                echoed.countDown();
            });
            try (BufferedReader in = new BufferedReader(new InputStreamReader(
                    Channels.newInputStream(pipe.source()), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    ws.send(line);
                }
            } catch (IOException | RuntimeException e) {
                sendFailure.set(e);
            }
        }, "chat-client");
        chat.start();
        assertThat(opened.await(5, TimeUnit.SECONDS)).as("open seen while the thread reads; seen %s", seen).isTrue();
        try (OutputStream typed = Channels.newOutputStream(pipe.sink())) {
            typed.write("hello\n".getBytes(StandardCharsets.UTF_8));
            typed.flush();
            assertThat(echoed.await(5, TimeUnit.SECONDS)).as("echo of the typed line; seen %s, failure %s",
                    seen, sendFailure.get()).isTrue();
        }
        chat.join(5000);
        assertThat(sendFailure.get()).isNull();
        assertThat(seen).containsExactly("open", "message:hello");
    }

    // 2. A thread that spins until onopen set a flag.
    @Test
    void busyWaitForAnOpenFlagSeesIt() {
        WebSocket ws = servers.client(greeter.url());
        AtomicBoolean open = new AtomicBoolean();
        ws.onopen(e -> open.set(true));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!open.get()) {
            assertThat(System.nanoTime()).as("onopen ran while this thread spins").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    // 3. A relay: an open handler opens a second socket and waits for its open (and, for a
    //    server that never answers, for its connect-timeout error) inside the handler.
    @Test
    void handlerThatOpensASecondSocketAndWaitsForItsOpenSeesIt() throws Exception {
        TestServer front = servers.quiet();
        WebSocket outer = servers.client(front.url());
        AtomicBoolean innerOpened = new AtomicBoolean();
        CountDownLatch handlerDone = new CountDownLatch(1);
        outer.onopen(e -> {
            WebSocket inner = servers.track(new WebSocket(greeter.url()));
            CountDownLatch open = new CountDownLatch(1);
            inner.onopen(ev -> open.countDown());
            try {
                innerOpened.set(open.await(3, TimeUnit.SECONDS));
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            handlerDone.countDown();
        });
        assertThat(handlerDone.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(innerOpened).as("the second socket's open reached a listener while the first handler waited").isTrue();
    }

    @Test
    void handlerThatWaitsForASecondSocketsConnectTimeoutSeesTheError() throws Exception {
        TestServer front = servers.quiet();
        FakeServer silent = servers.track(FakeServer.start(FakeServer.Peer::drain));
        WebSocket outer = servers.client(front.url());
        AtomicReference<String> innerEvents = new AtomicReference<>("");
        CountDownLatch handlerDone = new CountDownLatch(1);
        outer.onopen(e -> {
            WebSocket inner = servers.track(new WebSocket(silent.url(), List.of(),
                    WebSocketOptions.builder().connectTimeout(Duration.ofMillis(300)).build()));
            CountDownLatch closed = new CountDownLatch(1);
            inner.onerror(ev -> innerEvents.accumulateAndGet("error ", String::concat));
            inner.onclose(ev -> {
                innerEvents.accumulateAndGet("close:" + ((CloseEvent) ev).code(), String::concat);
                closed.countDown();
            });
            try {
                closed.await(3, TimeUnit.SECONDS);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            handlerDone.countDown();
        });
        assertThat(handlerDone.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(innerEvents.get()).isEqualTo("error close:1006");
    }

    // 4. Some work and a short park before the handlers: nothing is lost, in any run.
    @RepeatedTest(8)
    void aShortParkBeforeTheHandlersLosesNothing() throws Exception {
        WebSocket ws = servers.client(greeter.url());
        EventLog.spin(20);
        LockSupport.parkNanos(300_000);
        List<String> seen = new CopyOnWriteArrayList<>();
        CountDownLatch message = new CountDownLatch(1);
        ws.onopen(e -> seen.add("open"));
        ws.onmessage(e -> {
            seen.add("message:" + ((MessageEvent) e).data());
            message.countDown();
        });
        assertThat(message.await(5, TimeUnit.SECONDS)).as("seen %s", seen).isTrue();
        assertThat(seen).containsExactly("open", "message:welcome");
    }

    // 5 on a platform thread; DeliveryOnVirtualThreadsTest (JDK 21+) runs it on a virtual one.
    @Test
    void aBlockingSocketReadBeforeTheHandlersLosesNothing() throws Exception {
        assertThat(BlockingReadBeforeHandlers.run(greeter.url(), Thread::new)).containsExactly("open", "message:welcome");
    }

    // 6. IO_THREAD listeners run on the I/O thread, even when the creating thread lets them out.
    @Test
    void ioThreadListenersLetOutByTheCreatorsReadyStateRunOnTheIoThread() throws Exception {
        WebSocket ws = servers.client(greeter.url(), List.of(),
                WebSocketOptions.builder().executor(WebSocketOptions.IO_THREAD).build());
        List<String> threads = new CopyOnWriteArrayList<>();
        CountDownLatch message = new CountDownLatch(1);
        ws.onopen(e -> threads.add(Thread.currentThread().getName()));
        ws.onmessage(e -> {
            threads.add(Thread.currentThread().getName());
            message.countDown();
        });
        EventLog.waitUntil("the handshake is done", () -> greeter.connections.get() > 0);
        EventLog.spin(5);
        while (ws.readyState() == WebSocket.CONNECTING) {     // the creator uses the socket: the gate opens
            Thread.onSpinWait();
        }
        assertThat(message.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(threads).hasSize(2).allSatisfy(name -> assertThat(name).startsWith("duplex-io-"));
    }

    // 7. A socket made in a HandshakeHandler of an IO_THREAD server (on the I/O thread) delivers
    //    its events, and nothing keeps polling once it is closed: the I/O threads end.
    @Test
    void socketMadeInAHandshakeHandlerOnTheIoThreadDeliversItsEventsAndNothingPollsAfterwards() throws Exception {
        LeakCheck leaks = LeakCheck.start();
        AtomicReference<String> handlerThread = new AtomicReference<>();
        List<String> seen = new CopyOnWriteArrayList<>();
        CountDownLatch closed = new CountDownLatch(1);
        String greeterUrl = greeter.url();
        TestServer server = servers.start(b -> b.executor(ServerOptions.IO_THREAD).handshake(request -> {
            handlerThread.set(Thread.currentThread().getName());
            WebSocket side = new WebSocket(greeterUrl);
            side.onopen(e -> seen.add("open"));
            side.onmessage(e -> {
                seen.add("message:" + ((MessageEvent) e).data());
                side.close();
            });
            side.onclose(e -> {
                seen.add("close");
                closed.countDown();
            });
            return HandshakeDecision.accept();
        }), a -> { });
        WebSocket client = servers.client(server.url());
        EventLog log = EventLog.attach(client);
        log.awaitOpen();
        assertThat(closed.await(5, TimeUnit.SECONDS)).as("seen %s", seen).isTrue();
        assertThat(handlerThread.get()).startsWith("duplex-io-");
        assertThat(seen).containsExactly("open", "message:welcome", "close");
        servers.close();
        greeter.close();
        leaks.assertNothingLeft();
    }

    // The rules themselves.

    @Test
    void aSocketWithNoListenerHoldsItsEventsUntilItGetsOne() throws Exception {
        WebSocket ws = servers.client(greeter.url());
        EventLog.waitUntil("the greeting was sent", () -> greeter.connections.get() > 0);
        EventLog.sleep(200);     // waiting, parked, long after the open and the message arrived
        EventLog log = EventLog.attach(ws);
        assertThat(log.awaitMessage()).isEqualTo("welcome");
        assertThat(log.types()).containsExactly("open", "message");
    }

    @Test
    void listenersRegisteredWithinTheWindowOfTheFirstMissNothing() throws Exception {
        WebSocket ws = servers.client(greeter.url());
        List<String> seen = new CopyOnWriteArrayList<>();
        CountDownLatch message = new CountDownLatch(1);
        ws.onerror(e -> seen.add("error"));
        EventLog.spin(WebSocket.REGISTRATION_WINDOW_MILLIS / 4);
        ws.onopen(e -> seen.add("open"));
        ws.onmessage(e -> {
            seen.add("message:" + ((MessageEvent) e).data());
            message.countDown();
        });
        assertThat(message.await(5, TimeUnit.SECONDS)).as("seen %s", seen).isTrue();
        assertThat(seen).containsExactly("open", "message:welcome");
    }

    @Test
    void noEventWaitsLongerThanTheWindowOnceTheSocketHasAListener() throws Exception {
        WebSocket ws = servers.client(greeter.url());
        CountDownLatch open = new CountDownLatch(1);
        long[] openedAt = new long[1];
        EventLog.waitUntil("the greeting was sent", () -> greeter.connections.get() > 0);
        EventLog.sleep(100);
        long registered = System.nanoTime();
        ws.onopen(e -> {
            openedAt[0] = System.nanoTime();
            open.countDown();
        });
        EventLog.spin(2_000);     // the creating thread never lets go
        assertThat(open.await(1, TimeUnit.SECONDS)).isTrue();
        long waited = TimeUnit.NANOSECONDS.toMillis(openedAt[0] - registered);
        assertThat(waited).as("ms from the first listener to the open event")
                .isGreaterThanOrEqualTo(WebSocket.REGISTRATION_WINDOW_MILLIS - 1)
                .isLessThan(1_000);
    }

    @Test
    void sendAfterTheHandshakeFromAnotherThreadGoesOutThoughOpenIsNotDeliveredYet() throws Exception {
        TestServer echo = servers.echo();
        WebSocket ws = servers.client(echo.url());
        TestServers.Accepted accepted = echo.nextConnection();
        EventLog.sleep(100);      // the 101 has been read long ago; open waits: no listener yet
        AtomicReference<Integer> stateSeenByTheSender = new AtomicReference<>();
        Thread other = new Thread(() -> {
            ws.send("early");
            stateSeenByTheSender.set(ws.readyState());     // not the creator: the gate stays shut
        });
        other.start();
        other.join(5000);
        assertThat(accepted.log().awaitMessage()).isEqualTo("early");
        assertThat(stateSeenByTheSender.get()).as("readyState follows the events delivered").isEqualTo(WebSocket.CONNECTING);
        EventLog log = EventLog.attach(ws);
        assertThat(log.awaitMessage()).isEqualTo("early");
        assertThat(log.types()).containsExactly("open", "message");
    }

    @Test
    void deterministicConnectDeliversEverythingAfterSetupWhateverSetupDoes() throws Exception {
        EventLog[] log = new EventLog[1];
        WebSocket ws = servers.track(WebSocket.connect(greeter.url(), socket -> {
            EventLog.sleep(150);       // parked, long past the handshake and the greeting
            socket.onerror(e -> { });
            EventLog.spin(3 * WebSocket.REGISTRATION_WINDOW_MILLIS);     // longer than the window
            log[0] = EventLog.attach(socket);
        }));
        assertThat(log[0].awaitMessage()).isEqualTo("welcome");
        assertThat(log[0].types()).containsExactly("open", "message");
        assertThat(ws.readyState()).isEqualTo(WebSocket.OPEN);
    }

    @Test
    void deterministicConnectWhoseSetupThrowsAbandonsTheSocket() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        AtomicReference<WebSocket> made = new AtomicReference<>();
        assertThatCode(() -> WebSocket.connect(greeter.url(), socket -> {
            made.set(socket);
            socket.onopen(e -> seen.add("open"));
            socket.onclose(e -> seen.add("close"));
            throw new IllegalStateException("setup failed");
        })).isInstanceOf(IllegalStateException.class).hasMessage("setup failed");
        EventLog.sleep(300);
        assertThat(seen).as("an abandoned socket delivers nothing").isEmpty();
        assertThat(made.get().readyState()).isEqualTo(WebSocket.CONNECTING);
    }
}
