package dev.duplex.bench.peers.client;

import org.java_websocket.client.WebSocketClient;
import org.java_websocket.handshake.ServerHandshake;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Java-WebSocket 1.6.0's client ({@link WebSocketClient}: blocking socket, one reading and one
 * writing thread per connection), with TCP_NODELAY on (off by default in this library, and the
 * close handshake of the connects workload would otherwise wait for delayed ACKs).
 *
 * Flow control: {@code send} never blocks and its queue is unbounded, and the API tells only
 * whether anything is queued ({@code hasBufferedData()}), not how much. So the sender bounds the
 * bytes in flight (sent and not yet echoed) to four times the window (the other clients' window
 * counts only bytes queued in the client, which is less than what is in flight), at least two
 * messages, and continues when echoes arrive.
 */
public final class JavaWebSocketClient implements ClientBench.Driver {
    public static void main(String[] args) {
        ClientBench.main("java-websocket", new JavaWebSocketClient(), args);
    }

    private static class Client extends WebSocketClient {
        final CompletableFuture<Void> opened = new CompletableFuture<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        final ClientBench.Tally tally;
        SendPump pump;

        Client(URI uri, ClientBench.Tally tally) {
            super(uri);
            this.tally = tally;
            setTcpNoDelay(true);
        }

        @Override
        public void onOpen(ServerHandshake handshake) {
            opened.complete(null);
        }

        @Override
        public void onMessage(String message) {
            tally.received(message);
            pump.pump();
        }

        @Override
        public void onMessage(ByteBuffer bytes) {
            tally.received(bytes);
            pump.pump();
        }

        @Override
        public void onClose(int code, String reason, boolean remote) {
            if (tally != null) {
                tally.closed("close " + code);
            }
            opened.completeExceptionally(new IllegalStateException("closed " + code + " " + reason));
            closed.complete(code);
        }

        @Override
        public void onError(Exception ex) {
            opened.completeExceptionally(ex);
            if (tally != null) {
                tally.fail(ex);
            }
        }
    }

    @Override
    public ClientBench.Stream open(URI uri, ClientBench.Payload payload, ClientBench.Tally tally) throws Exception {
        Client client = new Client(uri, tally);
        long inFlightLimit = Math.max(2, 4 * payload.window / payload.size);
        client.pump = new SendPump(payload.count) {
            @Override
            boolean trySend(int index) {
                if (index - tally.received() >= inFlightLimit) {
                    return false;
                }
                if (payload.binary) {
                    client.send(payload.bytes);
                } else {
                    client.send(payload.text);
                }
                return true;
            }
        };
        client.connect();
        client.opened.get(30, TimeUnit.SECONDS);
        return new ClientBench.Stream() {
            @Override
            public void start() {
                client.pump.pump();
            }

            @Override
            public void close() throws Exception {
                client.close(1000);
                client.closed.get(30, TimeUnit.SECONDS);
            }
        };
    }

    @Override
    public void connectAndClose(URI uri) throws Exception {
        Client client = new Client(uri, null);
        if (!client.connectBlocking(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("not connected");
        }
        client.closeBlocking();
        int code = client.closed.get(30, TimeUnit.SECONDS);
        if (code != 1000) {
            throw new IllegalStateException("closed with " + code);
        }
    }
}
