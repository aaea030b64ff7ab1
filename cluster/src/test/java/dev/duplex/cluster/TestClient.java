package dev.duplex.cluster;

import dev.duplex.BinaryType;
import dev.duplex.CloseEvent;
import dev.duplex.MessageEvent;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketOptions;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A Duplex client that records what it receives: text as is, binary as "bytes:N". */
final class TestClient implements AutoCloseable {
    final WebSocket ws;
    final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    final CompletableFuture<Void> opened = new CompletableFuture<>();
    final CompletableFuture<CloseEvent> closed = new CompletableFuture<>();

    TestClient(String url) {
        this(url, WebSocketOptions.defaults());
    }

    TestClient(String url, WebSocketOptions options) {
        ws = new WebSocket(url, List.of(), options);
        ws.binaryType(BinaryType.ARRAYBUFFER);
        ws.onopen(e -> opened.complete(null));
        ws.onmessage(e -> {
            Object data = ((MessageEvent) e).data();
            messages.add(data instanceof String ? (String) data : "bytes:" + ((ByteBuffer) data).remaining());
        });
        ws.onclose(e -> closed.complete((CloseEvent) e));
    }

    TestClient awaitOpen() throws Exception {
        opened.get(10, TimeUnit.SECONDS);
        return this;
    }

    String next() throws InterruptedException {
        String m = messages.poll(10, TimeUnit.SECONDS);
        assertThat(m).as("a message within 10 s").isNotNull();
        return m;
    }

    /** Nothing arrives within {@code millis}. */
    void assertQuiet(long millis) throws InterruptedException {
        assertThat(messages.poll(millis, TimeUnit.MILLISECONDS)).as("no message").isNull();
    }

    @Override
    public void close() {
        if (ws.readyState() == WebSocket.OPEN) {
            ws.close();
        }
    }
}
