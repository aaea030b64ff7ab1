package dev.duplex;

import static org.assertj.core.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Starts real {@link WebSocketServer}s on 127.0.0.1 and clients against them, and closes all of
 * them at the end of a test ({@link #close()} from an {@code @AfterEach}).
 */
final class TestServers implements AutoCloseable {
    private final List<TestServer> servers = new CopyOnWriteArrayList<>();
    private final List<WebSocket> clients = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> others = new CopyOnWriteArrayList<>();

    /** A server-side socket as handed out by the connection event. */
    record Accepted(WebSocket socket, HandshakeRequest request, EventLog log, int readyStateAtConnection,
                    String urlAtConnection, String protocolAtConnection) {
    }

    /** A started server and the connections it accepted. */
    static final class TestServer {
        final WebSocketServer server;
        final LinkedBlockingQueue<Accepted> accepted = new LinkedBlockingQueue<>();
        final List<Accepted> all = new CopyOnWriteArrayList<>();

        TestServer(WebSocketServer server) {
            this.server = server;
        }

        int port() {
            return server.port();
        }

        String url() {
            return "ws://127.0.0.1:" + port() + "/";
        }

        String url(String pathAndQuery) {
            return "ws://127.0.0.1:" + port() + pathAndQuery;
        }

        /** Waits for the next accepted connection. */
        Accepted nextConnection() {
            try {
                Accepted a = accepted.poll(EventLog.WAIT_MILLIS, TimeUnit.MILLISECONDS);
                if (a == null) {
                    fail("no connection reached the server within " + EventLog.WAIT_MILLIS + " ms");
                }
                return a;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /**
     * Starts a server on 127.0.0.1, any port. {@code onConnection} runs inside the connection
     * event, after an {@link EventLog} was attached to the new socket.
     */
    TestServer start(UnaryOperator<ServerOptions.Builder> options, Consumer<Accepted> onConnection) {
        ServerOptions.Builder b = ServerOptions.builder().closeTimeout(Duration.ofSeconds(2));
        b = options.apply(b).host("127.0.0.1").port(0);
        WebSocketServer server = new WebSocketServer(b.build());
        TestServer ts = new TestServer(server);
        server.onconnection(event -> {
            ConnectionEvent ce = (ConnectionEvent) event;
            WebSocket ws = ce.socket();
            EventLog log = EventLog.attach(ws);
            Accepted a = new Accepted(ws, ce.request(), log, ws.readyState(), ws.url(), ws.protocol());
            if (onConnection != null) {
                onConnection.accept(a);
            }
            ts.all.add(a);
            ts.accepted.add(a);
        });
        server.start();
        servers.add(ts);
        return ts;
    }

    TestServer start(Consumer<Accepted> onConnection) {
        return start(UnaryOperator.identity(), onConnection);
    }

    /** A server that records its connections and does nothing else. */
    TestServer quiet() {
        return start(a -> { });
    }

    /** A server that echoes every message with the same type. */
    TestServer echo() {
        return start(UnaryOperator.identity(), TestServers::echoing);
    }

    /**
     * A server that runs {@code action} on a connection's socket when the client sends "go"
     * (for server-initiated messages that do not depend on sending inside the connection event).
     */
    TestServer onGo(Consumer<WebSocket> action) {
        return start(a -> a.socket().onmessage(e -> {
            if ("go".equals(((MessageEvent) e).data())) {
                action.accept(a.socket());
            }
        }));
    }

    /** A client that sends "go" as soon as it is open. */
    WebSocket goClient(TestServer server) {
        WebSocket ws = client(server.url());
        ws.onopen(e -> ws.send("go"));
        return ws;
    }

    /** An executor whose tasks wait while it is paused, so that a socket's events can be held back. */
    static final class HoldingExecutor implements java.util.concurrent.Executor, AutoCloseable {
        private final java.util.concurrent.ExecutorService worker = java.util.concurrent.Executors.newSingleThreadExecutor();
        private final List<Runnable> held = new ArrayList<>();
        private boolean paused;

        synchronized void pause() {
            paused = true;
        }

        synchronized void resume() {
            paused = false;
            held.forEach(worker::execute);
            held.clear();
        }

        synchronized int heldTasks() {
            return held.size();
        }

        @Override
        public synchronized void execute(Runnable task) {
            if (paused) {
                held.add(task);
            } else {
                worker.execute(task);
            }
        }

        @Override
        public void close() {
            resume();
            worker.shutdown();
        }
    }

    static void echoing(Accepted a) {
        WebSocket ws = a.socket();
        ws.onmessage(e -> echo(ws, ((MessageEvent) e).data()));
    }

    static void echo(WebSocket ws, Object data) {
        if (data instanceof String s) {
            ws.send(s);
        } else if (data instanceof Blob b) {
            ws.send(b);
        } else if (data instanceof ByteBuffer bb) {
            ws.send(bb);
        } else {
            throw new AssertionError("unexpected message data " + data);
        }
    }

    /** A client that is closed at the end of the test. */
    WebSocket client(String url, String... protocols) {
        WebSocket ws = new WebSocket(url, protocols);
        clients.add(ws);
        return ws;
    }

    WebSocket client(String url, List<String> protocols, WebSocketOptions options) {
        WebSocket ws = new WebSocket(url, protocols, options);
        clients.add(ws);
        return ws;
    }

    /** Registers a socket made elsewhere (for example in a handler) for closing at the end. */
    WebSocket track(WebSocket ws) {
        clients.add(ws);
        return ws;
    }

    <T extends AutoCloseable> T track(T resource) {
        others.add(resource);
        return resource;
    }

    /** Opens a client with an {@link EventLog} and waits for its open event. */
    EventLog openClient(TestServer server) {
        WebSocket ws = client(server.url());
        EventLog log = EventLog.attach(ws);
        log.awaitOpen();
        return log;
    }

    @Override
    public void close() {
        List<Throwable> problems = new ArrayList<>();
        for (WebSocket ws : clients) {
            try {
                ws.close();
            } catch (RuntimeException e) {
                problems.add(e);
            }
        }
        for (AutoCloseable c : others) {
            try {
                c.close();
            } catch (Exception e) {
                problems.add(e);
            }
        }
        for (TestServer ts : servers) {
            try {
                ts.server.close();
            } catch (RuntimeException e) {
                problems.add(e);
            }
        }
        clients.clear();
        others.clear();
        servers.clear();
        if (!problems.isEmpty()) {
            AssertionError e = new AssertionError("cleanup failed");
            problems.forEach(e::addSuppressed);
            throw e;
        }
    }
}
