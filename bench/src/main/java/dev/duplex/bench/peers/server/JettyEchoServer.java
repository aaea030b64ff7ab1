package dev.duplex.bench.peers.server;

import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Jetty 12.1 echo server on the core Jetty server (no servlets): a {@link WebSocketUpgradeHandler}
 * mapping "/*" to an auto-demanding listener. Jetty offers permessage-deflate by default, so
 * without {@code --deflate} the creator strips it from the negotiated extensions. One selector
 * (one I/O thread); the worker pool is Jetty's default QueuedThreadPool, since Jetty runs
 * application callbacks there.
 */
public final class JettyEchoServer {
    private JettyEchoServer() {
    }

    public static void main(String[] args) throws Exception {
        ServerArgs a = ServerArgs.parse("JettyEchoServer", args);
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server, 1, 1);
        connector.setHost("127.0.0.1");
        connector.setPort(a.port());
        connector.setAcceptQueueSize(1024);
        server.addConnector(connector);

        WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(server, container -> {
            container.setMaxBinaryMessageSize(64 << 20);
            container.setMaxTextMessageSize(64 << 20);
            container.setIdleTimeout(java.time.Duration.ofMinutes(10)); // idle-memory holds connections
            container.addMapping("/*", (request, response, callback) -> {
                if (!a.deflate()) {
                    response.setExtensions(List.of());
                }
                return new Echo();
            });
        });
        server.setHandler(ws);
        server.start();
        ServerArgs.ready(connector.getLocalPort());
        server.join();
    }

    /** Echoes each whole message; binary buffers are sent back as they are (no copy). */
    public static final class Echo implements Session.Listener.AutoDemanding {
        private Session session;

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
        }

        @Override
        public void onWebSocketText(String message) {
            session.sendText(message, Callback.NOOP);
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
            // The buffer belongs to Jetty until callback completes: complete it when the echo
            // has been written, so the same bytes go back without a copy.
            session.sendBinary(payload, callback);
        }
    }
}
