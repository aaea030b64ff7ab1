package dev.duplex.examples;

import dev.duplex.CloseEvent;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketOptions;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Round-trip times with {@link WebSocket#ping()}: ten pings a second apart, each printed with the
 * smoothed round-trip time (RFC 6298) that the socket keeps over every answered ping, keep-alive
 * pings included.
 *
 * <pre>
 * java -cp core/target/classes:examples/target/classes dev.duplex.examples.PingRoundTrip ws://127.0.0.1:8080/
 * </pre>
 *
 * Every server answers pings (RFC 6455 section 5.5.2 requires it), so any URL will do, the
 * {@link EchoServer} included. With {@code pingInterval} set, the keep-alive pings update
 * {@link WebSocket#roundTripTime()} too, without any call to {@code ping()}.
 */
public final class PingRoundTrip {
    private PingRoundTrip() {}

    /**
     * Connects, pings ten times, closes.
     *
     * @param args the URL, e.g. {@code ws://127.0.0.1:8080/}
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: PingRoundTrip ws://HOST:PORT/PATH");
            System.exit(2);
        }
        CountDownLatch open = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        WebSocketOptions options = WebSocketOptions.builder().pingInterval(Duration.ofSeconds(15)).build();
        WebSocket ws = WebSocket.connect(args[0], List.of(), options, socket -> {
            socket.onopen(e -> open.countDown());
            socket.onclose(e -> {
                System.err.println("closed: code " + ((CloseEvent) e).code());
                open.countDown();
                closed.countDown();
            });
        });
        open.await();
        for (int i = 1; i <= 10 && ws.readyState() == WebSocket.OPEN; i++) {
            Duration rtt = ws.ping().toCompletableFuture().get(10, TimeUnit.SECONDS);
            System.out.printf("ping %d: %.3f ms (smoothed %.3f ms)%n", i, rtt.toNanos() / 1e6,
                    ws.smoothedRoundTripTime().orElse(rtt).toNanos() / 1e6);
            Thread.sleep(1000);
        }
        ws.close();
        closed.await();
    }
}
