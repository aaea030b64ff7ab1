package dev.duplex;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A JVM that has used Duplex and closed its connections exits without waiting for its idle I/O
 * threads: at exit they end at once instead of after EventLoop.IDLE_EXIT_MILLIS, since a thread
 * left in epoll_wait makes the JVM's exit about 0.35 s slower.
 */
@Timeout(60)
class ExitTest {
    @Test
    void idleIoThreadsEndWhenTheJvmExits() throws Exception {
        Process p = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), UseThenExit.class.getName())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(output).contains("echoed").contains("duplex-io threads alive at exit: 0");
    }

    /** Echoes one message through a server and a client in this JVM, closes both, and exits. */
    static final class UseThenExit {
        public static void main(String[] args) throws Exception {
            WebSocketServer server = new WebSocketServer(ServerOptions.builder().host("127.0.0.1").port(0).build());
            server.onconnection(e -> e.socket().onmessage(m -> e.socket().send((String) ((MessageEvent) m).data())));
            server.start();
            CountDownLatch closed = new CountDownLatch(1);
            WebSocket ws = new WebSocket("ws://127.0.0.1:" + server.port() + "/");
            ws.onopen(e -> ws.send("hi"));
            ws.onmessage(e -> {
                System.out.println("echoed");
                ws.close();
            });
            ws.onclose(e -> closed.countDown());
            closed.await(20, TimeUnit.SECONDS);
            server.close();
            // Another shutdown hook, as an application's: by the time it looks, the idle loops are gone.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                long alive;
                do {
                    alive = Thread.getAllStackTraces().keySet().stream()
                            .filter(t -> t.getName().startsWith("duplex-io") && t.isAlive()).count();
                    if (alive > 0) {
                        try {
                            Thread.sleep(10);
                        } catch (InterruptedException ignored) {
                            return;
                        }
                    }
                } while (alive > 0 && System.nanoTime() < deadline);
                System.out.println("duplex-io threads alive at exit: " + alive);
            }));
            System.exit(0);
        }
    }
}
