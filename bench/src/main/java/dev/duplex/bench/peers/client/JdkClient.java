package dev.duplex.bench.peers.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The JDK's client ({@link java.net.http.WebSocket} from {@link HttpClient}), default settings.
 *
 * Flow control, the JDK way: the API allows one outstanding send (a second one throws
 * {@code IllegalStateException}), so each send starts when the previous one's
 * {@code CompletableFuture} completes. Receiving asks for unlimited messages once
 * ({@code request(Long.MAX_VALUE)}); the listener gets parts of messages and counts a message at
 * its last part.
 */
public final class JdkClient implements ClientBench.Driver {
    public static void main(String[] args) {
        ClientBench.main("jdk", new JdkClient(), args);
    }

    private final HttpClient client = HttpClient.newHttpClient();

    private static class Listener implements WebSocket.Listener {
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        final ClientBench.Tally tally;
        private StringBuilder text = new StringBuilder();
        private ByteBuffer binary;

        Listener(ClientBench.Tally tally) {
            this.tally = tally;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(Long.MAX_VALUE);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            if (last && text.length() == 0) {
                tally.received(data);      // the common case: the whole message in one part
            } else {
                text.append(data);
                if (last) {
                    tally.received(text);
                    text = new StringBuilder();
                }
            }
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            // the parts are only valid until this method returns: gather them into one message
            if (binary == null) {
                binary = ByteBuffer.allocate(Math.max(data.remaining(), 1 << 20));
            }
            if (binary.remaining() < data.remaining()) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(binary.capacity() * 2, binary.position() + data.remaining()));
                binary.flip();
                bigger.put(binary);
                binary = bigger;
            }
            binary.put(data);
            if (last) {
                binary.flip();
                tally.received(binary);
                binary.clear();
            }
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            if (tally != null) {
                tally.closed("close " + statusCode);
            }
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.completeExceptionally(error);
            if (tally != null) {
                tally.fail(error);
            }
        }
    }

    @Override
    public ClientBench.Stream open(URI uri, ClientBench.Payload payload, ClientBench.Tally tally) throws Exception {
        Listener listener = new Listener(tally);
        WebSocket ws = client.newWebSocketBuilder().buildAsync(uri, listener).get(30, TimeUnit.SECONDS);
        AtomicBoolean sending = new AtomicBoolean();
        SendPump[] holder = new SendPump[1];
        holder[0] = new SendPump(payload.count) {
            @Override
            boolean trySend(int index) {
                if (!sending.compareAndSet(false, true)) {
                    return false;
                }
                CompletableFuture<WebSocket> sent = payload.binary
                        ? ws.sendBinary(ByteBuffer.wrap(payload.bytes), true)
                        : ws.sendText(payload.text, true);
                sent.whenComplete((w, error) -> {
                    if (error != null) {
                        tally.fail(error);
                        return;
                    }
                    sending.set(false);
                    holder[0].pump();
                });
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
                ws.sendClose(1000, "").get(30, TimeUnit.SECONDS);
                listener.closed.get(30, TimeUnit.SECONDS);
            }
        };
    }

    @Override
    public void connectAndClose(URI uri) throws Exception {
        Listener listener = new Listener(null);
        WebSocket ws = client.newWebSocketBuilder().buildAsync(uri, listener).get(30, TimeUnit.SECONDS);
        ws.sendClose(1000, "").get(30, TimeUnit.SECONDS);
        int code = listener.closed.get(30, TimeUnit.SECONDS);
        if (code != 1000) {
            throw new IllegalStateException("closed with " + code);
        }
    }
}
