package dev.duplex.examples;

import dev.duplex.MessageEvent;
import dev.duplex.ServerMetrics;
import dev.duplex.ServerOptions;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketServer;

import java.util.concurrent.CountDownLatch;

/**
 * A server's traffic totals from {@link WebSocketServer#metrics()}: an echo server that prints
 * its connections, messages, bytes and closes every second while a few clients of its own come
 * and go. Any metrics library can read the same numbers (for Micrometer, register gauges and
 * function counters over {@code server.metrics()}).
 *
 * <pre>
 * java -cp core/target/classes:examples/target/classes dev.duplex.examples.ServerMetricsPrintout [SECONDS]
 * </pre>
 *
 * Runs for 5 seconds unless told otherwise. The same connections also produce Flight Recorder
 * events ({@code dev.duplex.ConnectionOpened}, {@code ConnectionClosed}, ...): add
 * {@code -XX:StartFlightRecording=filename=duplex.jfr} to the command and open the file in JDK
 * Mission Control, or print it with {@code jfr print --categories Duplex duplex.jfr}.
 */
public final class ServerMetricsPrintout {
    private ServerMetricsPrintout() {}

    /**
     * Runs the server and its clients.
     *
     * @param args how many seconds to run, optional
     */
    public static void main(String[] args) throws InterruptedException {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        WebSocketServer server = new WebSocketServer(ServerOptions.builder().host("127.0.0.1").port(0).build());
        server.onconnection(event -> {
            WebSocket ws = event.socket();
            ws.onmessage(e -> ws.send(String.valueOf(((MessageEvent) e).data())));
        });
        server.start();
        String url = "ws://127.0.0.1:" + server.port() + "/";
        for (int second = 1; second <= seconds; second++) {
            CountDownLatch done = new CountDownLatch(1);
            int n = second;
            int[] echoes = new int[1];
            WebSocket.connect(url, ws -> {
                ws.onopen(e -> {
                    for (int i = 0; i < 10 * n; i++) {
                        ws.send("message " + i);
                    }
                });
                ws.onmessage(e -> {
                    if (++echoes[0] == 10 * n) {
                        ws.close();         // after the last echo: closing sooner drops those still to come
                    }
                });
                ws.onclose(e -> done.countDown());
            });
            done.await();
            ServerMetrics m = server.metrics();
            System.out.printf("%ds: %d open, %d total; messages in %d, out %d; bytes in %d, out %d; closes %s%n",
                    second, m.connectionsOpen(), m.connectionsTotal(), m.messagesReceived(), m.messagesSent(),
                    m.bytesReceived(), m.bytesSent(), m.closesByCode());
            Thread.sleep(1000);
        }
        server.close();
    }
}
