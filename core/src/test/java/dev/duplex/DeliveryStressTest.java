package dev.duplex;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.TestServers.TestServer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 10,000 sockets made and handled in MDN style (constructor, then handlers) by threads that do
 * different things between the two (nothing, spin, park, sleep): every socket sees open, the
 * server's three messages in order, and close, and nothing else.
 */
@Timeout(180)
class DeliveryStressTest {
    private static final int SOCKETS = 10_000;
    private static final int CREATORS = 4;
    private static final int IN_FLIGHT_PER_CREATOR = 200;

    private final TestServers servers = new TestServers();

    @AfterEach
    void tearDown() {
        servers.close();
    }

    @Test
    void tenThousandSocketsInMdnStyleLoseAndReorderNothing() throws Exception {
        TestServer server = servers.start(a -> {
            for (int i = 0; i < 3; i++) {
                a.socket().send("m" + i);     // sent in the connection event: before the 101 is even read
            }
        });
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        CountDownLatch done = new CountDownLatch(SOCKETS);
        List<Thread> creators = new ArrayList<>();
        for (int c = 0; c < CREATORS; c++) {
            int creator = c;
            Thread t = new Thread(() -> {
                Semaphore inFlight = new Semaphore(IN_FLIGHT_PER_CREATOR);
                for (int i = creator; i < SOCKETS; i += CREATORS) {
                    inFlight.acquireUninterruptibly();
                    WebSocket ws = new WebSocket(server.url());
                    pause(creator, i);
                    StringBuilder seen = new StringBuilder();
                    int id = i;
                    ws.onopen(e -> seen.append("open "));
                    ws.onmessage(e -> {
                        seen.append(((MessageEvent) e).data()).append(' ');
                        if ("m2".equals(((MessageEvent) e).data())) {
                            ws.close();
                        }
                    });
                    ws.onerror(e -> seen.append("error "));
                    ws.onclose(e -> {
                        seen.append("close");
                        if (!seen.toString().equals("open m0 m1 m2 close")) {
                            wrong.add(id + ": " + seen);
                        }
                        inFlight.release();
                        done.countDown();
                    });
                }
            }, "creator-" + c);
            creators.add(t);
            t.start();
        }
        assertThat(done.await(150, TimeUnit.SECONDS)).as("every socket closed; %d left, wrong so far: %s",
                done.getCount(), wrong).isTrue();
        for (Thread t : creators) {
            t.join(5000);
        }
        assertThat(wrong).as("sockets whose events were lost or out of order").isEmpty();
    }

    // What the creating thread does between the constructor and the handlers.
    private static void pause(int creator, int i) {
        switch (creator) {
            case 1 -> EventLog.spin(i % 50 == 1 ? 2 : 0);
            case 2 -> LockSupport.parkNanos(i % 10 == 2 ? 300_000 : 1_000);
            case 3 -> {
                if (i % 100 == 3) {
                    EventLog.sleep(5);
                }
            }
            default -> { }
        }
    }
}
