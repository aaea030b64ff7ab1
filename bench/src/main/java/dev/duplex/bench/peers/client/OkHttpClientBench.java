package dev.duplex.bench.peers.client;

import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;

/**
 * OkHttp 5's client ({@code OkHttpClient.newWebSocket}), one {@link OkHttpClient} for the whole
 * process, default settings but for TCP_NODELAY (see {@link NoDelaySocketFactory}) and no read
 * timeout.
 *
 * Flow control, the OkHttp way: {@code send} queues the message and returns false (closing the
 * socket) if the queue would pass 16 MiB, so the sender keeps {@code queueSize()} below the
 * window (well under that limit) and looks again after each echo (OkHttp has no "drained"
 * callback either; the argument of {@link DuplexClient} applies).
 */
public final class OkHttpClientBench implements ClientBench.Driver {
    public static void main(String[] args) {
        ClientBench.main("okhttp", new OkHttpClientBench(), args);
    }

    private final OkHttpClient client = new OkHttpClient.Builder()
            .readTimeout(0, TimeUnit.MILLISECONDS)   // no read timeout on a socket that waits for echoes
            .socketFactory(new NoDelaySocketFactory())
            .build();

    /**
     * OkHttp leaves Nagle's algorithm on; with it, a message whose last segment waits for the
     * peer's delayed ACK costs up to 40 ms (the close handshake, the last part of a 1 MiB
     * message). Every other client here runs with TCP_NODELAY, so OkHttp gets it too.
     */
    private static final class NoDelaySocketFactory extends SocketFactory {
        private final SocketFactory system = SocketFactory.getDefault();

        private static Socket noDelay(Socket socket) throws IOException {
            socket.setTcpNoDelay(true);
            return socket;
        }

        @Override
        public Socket createSocket() throws IOException {
            return noDelay(system.createSocket());
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return noDelay(system.createSocket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return noDelay(system.createSocket(host, port, localHost, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return noDelay(system.createSocket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return noDelay(system.createSocket(address, port, localAddress, localPort));
        }
    }

    private static Request request(URI uri) {
        return new Request.Builder().url(uri.toString()).build();
    }

    private static class Listener extends WebSocketListener {
        final CompletableFuture<WebSocket> opened = new CompletableFuture<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        final ClientBench.Tally tally;
        SendPump pump;

        Listener(ClientBench.Tally tally) {
            this.tally = tally;
        }

        @Override
        public void onOpen(WebSocket webSocket, Response response) {
            opened.complete(webSocket);
        }

        @Override
        public void onMessage(WebSocket webSocket, String text) {
            tally.received(text);
            pump.pump();
        }

        @Override
        public void onMessage(WebSocket webSocket, ByteString bytes) {
            tally.received(bytes.asByteBuffer());
            pump.pump();
        }

        @Override
        public void onClosed(WebSocket webSocket, int code, String reason) {
            if (tally != null) {
                tally.closed("close " + code);
            }
            closed.complete(code);
        }

        @Override
        public void onFailure(WebSocket webSocket, Throwable t, Response response) {
            opened.completeExceptionally(t);
            closed.completeExceptionally(t);
            if (tally != null) {
                tally.fail(t);
            }
        }
    }

    @Override
    public ClientBench.Stream open(URI uri, ClientBench.Payload payload, ClientBench.Tally tally) throws Exception {
        Listener listener = new Listener(tally);
        // ByteString is immutable, so one instance serves every send
        ByteString binary = payload.binary ? ByteString.of(payload.bytes) : null;
        WebSocket[] socket = new WebSocket[1];
        listener.pump = new SendPump(payload.count) {
            @Override
            boolean trySend(int index) {
                WebSocket ws = socket[0];
                if (ws.queueSize() >= payload.window) {
                    return false;
                }
                boolean queued = payload.binary ? ws.send(binary) : ws.send(payload.text);
                if (!queued) {
                    tally.fail(new IllegalStateException("OkHttp refused a message (queue full or closed)"));
                    return false;
                }
                return true;
            }
        };
        socket[0] = client.newWebSocket(request(uri), listener);
        listener.opened.get(30, TimeUnit.SECONDS);
        return new ClientBench.Stream() {
            @Override
            public void start() {
                listener.pump.pump();
            }

            @Override
            public void close() throws Exception {
                socket[0].close(1000, null);
                listener.closed.get(30, TimeUnit.SECONDS);
            }
        };
    }

    @Override
    public void connectAndClose(URI uri) throws Exception {
        Listener listener = new Listener(null) {
            @Override
            public void onOpen(WebSocket webSocket, Response response) {
                webSocket.close(1000, null);
            }
        };
        client.newWebSocket(request(uri), listener);
        int code = listener.closed.get(30, TimeUnit.SECONDS);
        if (code != 1000) {
            throw new IllegalStateException("closed with " + code);
        }
    }

    @Override
    public void shutdown() {
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }
}
