package dev.duplex.bench.peers.client;

import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.eclipse.jetty.websocket.client.WebSocketClient;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Jetty 12.1's client ({@link WebSocketClient}, jetty-websocket-jetty-client), default thread
 * pool, message size limits raised to 64 MiB (the default is 64 KiB).
 *
 * Flow control, the Jetty way: {@code sendText}/{@code sendBinary} take a {@link Callback} that
 * completes once the frame is written; the sender keeps at most the window's worth of bytes in
 * sends not yet completed, and continues from the callbacks.
 */
public final class JettyClient implements ClientBench.Driver {
    public static void main(String[] args) throws Exception {
        ClientBench.main("jetty", new JettyClient(), args);
    }

    private final WebSocketClient client = new WebSocketClient();

    public JettyClient() throws Exception {
        client.setMaxTextMessageSize(64L << 20);
        client.setMaxBinaryMessageSize(64L << 20);
        client.start();
    }

    /** Counts echoes; the one class for both workloads (public: Jetty calls it by reflection). */
    public static class Endpoint implements Session.Listener.AutoDemanding {
        final CompletableFuture<Session> opened = new CompletableFuture<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        final ClientBench.Tally tally;

        Endpoint(ClientBench.Tally tally) {
            this.tally = tally;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            opened.complete(session);
        }

        @Override
        public void onWebSocketText(String message) {
            tally.received(message);
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
            tally.received(payload);
            callback.succeed();
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            opened.completeExceptionally(cause);
            closed.completeExceptionally(cause);
            if (tally != null) {
                tally.fail(cause);
            }
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason) {
            if (tally != null) {
                tally.closed("close " + statusCode);
            }
            closed.complete(statusCode);
        }
    }

    @Override
    public ClientBench.Stream open(URI uri, ClientBench.Payload payload, ClientBench.Tally tally) throws Exception {
        Endpoint endpoint = new Endpoint(tally);
        Session session = client.connect(endpoint, uri).get(30, TimeUnit.SECONDS);
        AtomicLong unwritten = new AtomicLong();   // bytes in sends whose callback has not run yet
        SendPump[] holder = new SendPump[1];
        Callback written = Callback.from(() -> {
            unwritten.addAndGet(-payload.size);
            holder[0].pump();
        }, tally::fail);
        holder[0] = new SendPump(payload.count) {
            @Override
            boolean trySend(int index) {
                if (unwritten.get() >= payload.window) {
                    return false;
                }
                unwritten.addAndGet(payload.size);
                if (payload.binary) {
                    session.sendBinary(ByteBuffer.wrap(payload.bytes), written);
                } else {
                    session.sendText(payload.text, written);
                }
                return true;
            }
        };
        return new ClientBench.Stream() {
            @Override
            public void start() {
                holder[0].pump();
            }

            @Override
            public void close() throws Exception {
                session.close(StatusCode.NORMAL, "", Callback.NOOP);
                endpoint.closed.get(30, TimeUnit.SECONDS);
            }
        };
    }

    @Override
    public void connectAndClose(URI uri) throws Exception {
        Endpoint endpoint = new Endpoint(null);
        Session session = client.connect(endpoint, uri).get(30, TimeUnit.SECONDS);
        session.close(StatusCode.NORMAL, "", Callback.NOOP);
        int code = endpoint.closed.get(30, TimeUnit.SECONDS);
        if (code != StatusCode.NORMAL) {
            throw new IllegalStateException("closed with " + code);
        }
    }

    @Override
    public void shutdown() throws Exception {
        client.stop();
    }
}
