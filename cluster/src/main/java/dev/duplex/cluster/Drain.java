package dev.duplex.cluster;

import dev.duplex.ConnectionListener;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketServer;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Empties a node for a rolling deploy. Each open socket is closed at its own random moment
 * within the spread: closing all at once would send every client to the remaining nodes in the
 * same instant, a thundering herd of handshakes (and of presence writes) that the spread turns
 * into an even trickle. Sockets that connect during the drain (the load balancer has not
 * noticed yet) are closed at once with the same code, which tells the client to try again,
 * elsewhere. Everything runs on the cluster's thread.
 */
final class Drain {
    static final String REASON = "Server draining; reconnect to another server";

    private final WebSocketServer server;
    private final int code;
    private final ScheduledExecutorService thread;
    private volatile boolean started;
    private final ConnectionListener gate;

    Drain(WebSocketServer server, int code, ScheduledExecutorService thread) {
        this.server = server;
        this.code = code;
        this.thread = thread;
        this.gate = event -> {
            if (started) {
                event.socket().close(code, REASON);
            }
        };
    }

    /** The server's {@code connection} listener that turns away new sockets once the drain has started. */
    ConnectionListener gate() {
        return gate;
    }

    boolean started() {
        return started;
    }

    CompletionStage<Void> start(Duration spread) {
        started = true;
        long spreadMillis = Math.max(0, spread.toMillis());
        for (WebSocket ws : server.clients()) {
            long at = spreadMillis == 0 ? 0 : ThreadLocalRandom.current().nextLong(spreadMillis);
            thread.schedule(() -> ws.close(code, REASON), at, TimeUnit.MILLISECONDS);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(spreadMillis)
                + server.options().closeTimeout().plusSeconds(1).toNanos();
        CompletableFuture<Void> done = new CompletableFuture<>();
        ScheduledFuture<?> watch = thread.scheduleWithFixedDelay(() -> {
            if (server.clients().isEmpty() || System.nanoTime() > deadline) {
                done.complete(null);
            }
        }, 20, 20, TimeUnit.MILLISECONDS);
        done.whenComplete((ok, e) -> watch.cancel(false));
        return done;
    }
}
