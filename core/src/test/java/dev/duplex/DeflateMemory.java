package dev.duplex;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Not a test: measures memory per connection with and without permessage-deflate (the README's
 * numbers). N client+server pairs in one JVM, each having exchanged one compressible message
 * of {@code repeats * 24} bytes (default 40: 960 bytes). Run after {@code mvn -pl core test-compile}:
 * <pre>
 * java -Xms1g -Xmx1g -XX:+AlwaysPreTouch -cp core/target/classes:core/target/test-classes \
 *      dev.duplex.DeflateMemory 1000 default|nocontext|off [repeats]
 * </pre>
 * The heap is pre-touched so that RSS growth is native memory (zlib) plus a little metadata.
 */
public final class DeflateMemory {
    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        String mode = args[1];          // off | default | nocontext
        boolean on = !mode.equals("off");
        DeflateOptions d = mode.equals("nocontext")
                ? DeflateOptions.builder().serverNoContextTakeover(true).clientNoContextTakeover(true).build()
                : DeflateOptions.defaults();
        WebSocketServer server = new WebSocketServer(ServerOptions.builder().host("127.0.0.1").port(0)
                .perMessageDeflate(on).deflateOptions(d).build());
        server.onconnection(e -> {
            WebSocket ws = e.socket();
            ws.onmessage(m -> ws.send((String) ((MessageEvent) m).data()));
        });
        server.start();
        WebSocketOptions options = WebSocketOptions.builder().perMessageDeflate(on).deflateOptions(d).build();
        String msg = "a compressible message, ".repeat(Integer.parseInt(args.length > 2 ? args[2] : "40"));
        // warm up: classes, threads, buffers
        run(server, options, msg, 50).forEach(WebSocket::close);
        Thread.sleep(500);
        System.gc();
        Thread.sleep(200);
        long rss0 = rss();
        long heap0 = heap();
        List<WebSocket> sockets = run(server, options, msg, n);
        System.gc();
        Thread.sleep(500);
        long rss1 = rss();
        long heap1 = heap();
        System.out.printf("mode=%s connections=%d extensions=\"%s\" live zlib objects=%d%n", mode, n,
                sockets.get(0).extensions(), dev.duplex.internal.transport.EventLoopGroup.shared().zlib().liveObjects());
        System.out.printf("RSS +%.1f KiB per connection (client+server ends), heap +%.1f KiB per connection%n",
                (rss1 - rss0) / 1024.0 / n, (heap1 - heap0) / 1024.0 / n);
        System.exit(0);
    }

    static List<WebSocket> run(WebSocketServer server, WebSocketOptions options, String msg, int n) throws Exception {
        CountDownLatch echoed = new CountDownLatch(n);
        List<WebSocket> sockets = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            WebSocket ws = new WebSocket("ws://127.0.0.1:" + server.port() + "/", List.of(), options);
            ws.onopen(e -> ws.send(msg));
            ws.onmessage(e -> echoed.countDown());
            sockets.add(ws);
        }
        if (!echoed.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("not all echoed");
        }
        return sockets;
    }

    static long rss() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        return -1;
    }

    static long heap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }
}
