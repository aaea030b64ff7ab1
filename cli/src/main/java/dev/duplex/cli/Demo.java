package dev.duplex.cli;

import dev.duplex.CloseEvent;
import dev.duplex.ErrorEvent;
import dev.duplex.MessageEvent;
import dev.duplex.ServerOptions;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketServer;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** MDN's WebSocket example, run against an echo server started for the occasion. */
final class Demo {
    private final PrintStream out;
    private final PrintStream err;

    Demo(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    int run() {
        WebSocketServer server = new WebSocketServer(ServerOptions.builder().host("127.0.0.1").port(0).build());
        server.onconnection(e -> {
            WebSocket peer = e.socket();
            peer.onmessage(m -> peer.send(((MessageEvent) m).data().toString()));
        });
        server.start();
        String url = "ws://localhost:" + server.port() + "/";
        out.println("Echo server listening on " + url);
        try {
            CountDownLatch done = new CountDownLatch(1);
            AtomicInteger status = new AtomicInteger(Main.CONNECTION_FAILED);

            // The MDN example, its listeners registered in WebSocket.connect's setup callback
            // (before any event can be delivered).
            WebSocket.connect(url, socket -> {
                socket.addEventListener("open", event -> {
                    out.println("Connection open; sending \"Hello Server!\"");
                    socket.send("Hello Server!");
                });
                socket.addEventListener("message", event -> {
                    out.println("Message from server: " + ((MessageEvent) event).data());
                    socket.close();
                });
                socket.addEventListener("error", event -> err.println("Error: " + ((ErrorEvent) event).message()));
                socket.addEventListener("close", event -> {
                    CloseEvent c = (CloseEvent) event;
                    out.println("Connection closed: code=" + c.code() + " wasClean=" + c.wasClean());
                    status.set(c.wasClean() ? Main.OK : Main.CONNECTION_FAILED);
                    done.countDown();
                });
            });

            if (!done.await(10, TimeUnit.SECONDS)) {
                err.println("duplex: the demo did not finish within 10 seconds");
                return Main.CONNECTION_FAILED;
            }
            return status.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Main.CONNECTION_FAILED;
        } finally {
            server.close();
        }
    }
}
