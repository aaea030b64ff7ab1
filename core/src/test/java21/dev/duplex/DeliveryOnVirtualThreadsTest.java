package dev.duplex;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The delivery model on virtual threads (JDK 21+; compiled and run only there, see core/pom.xml).
 * A virtual thread parks where a platform thread would block natively, which is what broke the
 * earlier rule: these are {@link DeliveryModelTest}'s programs on virtual threads.
 */
@Timeout(30)
class DeliveryOnVirtualThreadsTest {
    private final TestServers servers = new TestServers();
    private FakeServer greeter;

    @BeforeEach
    void setUp() throws Exception {
        greeter = servers.track(FakeServer.greeter());
    }

    @AfterEach
    void tearDown() {
        servers.close();
    }

    @Test
    void aBlockingSocketReadOnAVirtualThreadBeforeTheHandlersLosesNothing() throws Exception {
        assertThat(BlockingReadBeforeHandlers.run(greeter.url(), Thread.ofVirtual()::unstarted))
                .containsExactly("open", "message:welcome");
    }

    @Test
    void aVirtualThreadThatWaitsForItsOpenFlagSeesIt() throws Exception {
        AtomicBoolean opened = new AtomicBoolean();
        Thread t = Thread.ofVirtual().start(() -> {
            WebSocket ws = servers.client(greeter.url());
            CountDownLatch open = new CountDownLatch(1);
            ws.onopen(e -> open.countDown());
            try {
                opened.set(open.await(5, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        t.join(10_000);
        assertThat(opened).isTrue();
    }

    @Test
    void thousandsOfSocketsMadeOnVirtualThreadsEachSeeOpenAndTheirMessage() throws Exception {
        int n = 2_000;
        // A Duplex server greets in its connection event; at most 200 sockets at a time, so that
        // the listen backlog never drops a SYN (a retried SYN takes seconds, not a delivery bug).
        TestServers.TestServer server = servers.start(a -> a.socket().send("welcome"));
        java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(200);
        List<String> missed = new CopyOnWriteArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                int id = i;
                inFlight.acquire();
                threads.submit(() -> {
                    try {
                        WebSocket ws = new WebSocket(server.url());
                        Thread.sleep(5);     // parks: the earlier rule let the events out here
                        List<String> seen = new CopyOnWriteArrayList<>();
                        CountDownLatch message = new CountDownLatch(1);
                        ws.onopen(e -> seen.add("open"));
                        ws.onmessage(e -> {
                            seen.add("message");
                            message.countDown();
                        });
                        ws.onerror(e -> seen.add("error: " + ((ErrorEvent) e).message()));
                        if (!message.await(10, TimeUnit.SECONDS) || !seen.equals(List.of("open", "message"))) {
                            missed.add(id + ":" + seen);
                        }
                        ws.close();
                    } finally {
                        inFlight.release();
                    }
                    return null;
                });
            }
        }
        assertThat(missed).as("sockets (of %d) that missed an event", n).isEmpty();
    }
}
