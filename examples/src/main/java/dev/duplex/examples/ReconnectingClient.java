package dev.duplex.examples;

import dev.duplex.Blob;
import dev.duplex.CloseEvent;
import dev.duplex.MessageEvent;
import dev.duplex.ReconnectEvent;
import dev.duplex.ReconnectPolicy;
import dev.duplex.ReconnectingWebSocket;
import dev.duplex.WebSocketOptions;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A client that survives server restarts: stop the {@link EchoServer} it talks to and start it
 * again, and this client reconnects with back-off, subscribes again, and sends the lines typed
 * meanwhile, in order.
 *
 * <pre>
 * java -cp core/target/classes:examples/target/classes dev.duplex.examples.ReconnectingClient ws://127.0.0.1:8080/
 * </pre>
 *
 * The {@code open} handler runs on every (re)open: it is where subscriptions are sent again,
 * and what it sends goes out before the lines queued while disconnected. The policy waits
 * 0.5 s before the first attempt, doubles the wait up to 10 s (minus up to half at random), and
 * queues at most 100 lines while disconnected ({@code send()} then throws). It gives up only on
 * a clean close by the server or a 4xx answer (401, 403...), which a retry would not change.
 */
public final class ReconnectingClient {
    private ReconnectingClient() {}

    /**
     * Connects and relays standard input across reconnections.
     *
     * @param args the URL, e.g. {@code ws://127.0.0.1:8080/}
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: ReconnectingClient ws://HOST:PORT/PATH");
            System.exit(2);
        }
        ReconnectPolicy policy = ReconnectPolicy.builder()
                .initialDelay(Duration.ofMillis(500)).maxDelay(Duration.ofSeconds(10))
                .queueWhileDisconnected(100, 1 << 20)
                .build();
        CountDownLatch closed = new CountDownLatch(1);
        ReconnectingWebSocket ws = ReconnectingWebSocket.connect(args[0], List.of(), WebSocketOptions.defaults(), policy,
                socket -> {
                    socket.onopen(e -> socket.send("subscribe news"));
                    socket.onmessage(e -> {
                        Object data = ((MessageEvent) e).data();
                        if (data instanceof Blob blob) {
                            System.out.println("(binary, " + blob.size() + " bytes)");
                            blob.close();
                        } else {
                            System.out.println(data);
                        }
                    });
                    socket.onreconnecting(e -> {
                        ReconnectEvent r = (ReconnectEvent) e;
                        System.err.println("lost the connection (code " + r.code() + "); attempt " + r.attempt()
                                + " in " + r.delay().toMillis() + " ms");
                    });
                    socket.onreconnected(e -> System.err.println("reconnected after "
                            + ((ReconnectEvent) e).attempt() + " attempt(s)"));
                    socket.onclose(e -> {
                        System.err.println("closed for good: code " + ((CloseEvent) e).code());
                        closed.countDown();
                    });
                });
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null && closed.getCount() > 0) {
            ws.send(line);      // sent now, or queued until the next open
        }
        // Replies that arrive after close() are not delivered (as in browsers): give them a moment.
        while (ws.bufferedAmount() > 0 && closed.getCount() > 0) {
            Thread.sleep(10);
        }
        closed.await(500, java.util.concurrent.TimeUnit.MILLISECONDS);
        ws.close();
        closed.await();
    }
}
