package dev.duplex;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The set-up that the API tests share, as one JUnit 5 extension: a {@link LeakCheck} baseline
 * taken before the class and checked after it (file descriptors back to the baseline, no
 * {@code duplex-io} thread left), everything {@linkplain #track tracked} closed after each test
 * in the order it was opened, and the servers most tests start.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final TestKit kit = new TestKit();
 *
 * WebSocketServer server = kit.echo(ServerOptions.builder().maxMessageSize(1024));
 * ConnectProxy proxy = kit.track(ConnectProxy.open());
 * }</pre>
 */
final class TestKit implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {
    private final List<AutoCloseable> open = new ArrayList<>();
    private final Runnable beforeBaseline;
    private LeakCheck leaks;

    TestKit() {
        this(() -> { });
    }

    /** {@code beforeBaseline} runs before the leak baseline is taken (e.g. to let I/O threads of earlier classes end). */
    TestKit(Runnable beforeBaseline) {
        this.beforeBaseline = beforeBaseline;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        beforeBaseline.run();
        leaks = LeakCheck.start();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        closeAll();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        closeAll();
        leaks.assertNothingLeft();
    }

    private void closeAll() throws Exception {
        Exception first = null;
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        open.clear();
        if (first != null) {
            throw first;
        }
    }

    /** Closes {@code resource} after the test. */
    <T extends AutoCloseable> T track(T resource) {
        open.add(resource);
        return resource;
    }

    /** A started server on 127.0.0.1 (any port) whose connection events go to {@code onConnection}; closed after the test. */
    WebSocketServer server(ServerOptions.Builder options, ConnectionListener onConnection) {
        WebSocketServer server = new WebSocketServer(options.host("127.0.0.1").port(0).build());
        server.onconnection(onConnection);
        server.start();
        track(server::close);
        return server;
    }

    /** A started server that answers every message {@code m} with the text {@code "echo:" + m}. */
    WebSocketServer echo(ServerOptions.Builder options) {
        return server(options, e -> {
            WebSocket ws = e.socket();
            ws.onmessage(m -> ws.send("echo:" + ((MessageEvent) m).data()));
        });
    }

    /** The ws:// URL of {@code server}'s root. */
    static String url(WebSocketServer server) {
        return "ws://127.0.0.1:" + server.port() + "/";
    }
}
