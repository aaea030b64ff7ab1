package dev.duplex;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 2, "Concurrency": 1,000 sockets to one Duplex echo server, several threads sending on all
 * of them at once. No message is lost, duplicated or reordered (per socket and sending thread), no
 * socket ever runs two of its handlers at the same time, every socket closes cleanly, and nothing
 * (I/O threads, file descriptors) is left behind afterwards.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConcurrencyTest {
    static final int SOCKETS = 1_000;
    static final int SENDERS = 8;
    /** Messages each sending thread sends on each socket. */
    static final int PER_SENDER = 20;
    static final int PER_SOCKET = SENDERS * PER_SENDER;

    private static int fdsBefore;
    private static boolean loadTestRan;

    private WebSocketServer server;
    private final List<WebSocket> clients = new ArrayList<>();

    @BeforeAll
    static void recordDescriptors() {
        fdsBefore = openFileDescriptors();
    }

    @AfterEach
    void closeEverything() {
        for (WebSocket ws : clients) {
            try {
                ws.close();
            } catch (RuntimeException ignored) {
                // Best effort: the test already failed if this matters.
            }
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    @Order(1)
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void thousandSocketsManySendersNothingLostDuplicatedReorderedOrOverlapping() throws Exception {
        loadTestRan = true;
        long t0 = System.nanoTime();

        // ------------------------------------------------------------ the echo server
        Queue<String> problems = new ConcurrentLinkedQueue<>();
        Map<WebSocket, AtomicInteger> serverInHandler = new ConcurrentHashMap<>();
        AtomicInteger serverMessages = new AtomicInteger();
        AtomicInteger serverCleanCloses = new AtomicInteger();
        CountDownLatch serverClosed = new CountDownLatch(SOCKETS);
        server = new WebSocketServer(ServerOptions.builder().host("127.0.0.1").port(0)
                .closeTimeout(Duration.ofSeconds(5)).build());
        server.onconnection(event -> {
            WebSocket ws = ((ConnectionEvent) event).socket();
            AtomicInteger inHandler = serverInHandler.computeIfAbsent(ws, k -> new AtomicInteger());
            // The connection event runs on the socket's own queue: it counts as one of its handlers.
            enter(inHandler, problems, "server connection");
            try {
                ws.onmessage(e -> {
                    enter(inHandler, problems, "server message");
                    try {
                        serverMessages.incrementAndGet();
                        ws.send((String) ((MessageEvent) e).data());
                    } finally {
                        inHandler.decrementAndGet();
                    }
                });
                ws.onerror(e -> problems.add("server error: " + ((ErrorEvent) e).message()));
                ws.onclose(e -> {
                    enter(inHandler, problems, "server close");
                    try {
                        CloseEvent c = (CloseEvent) e;
                        if (c.code() == 1000 && c.wasClean()) {
                            serverCleanCloses.incrementAndGet();
                        } else {
                            problems.add("server close " + c.code() + " wasClean=" + c.wasClean());
                        }
                    } finally {
                        inHandler.decrementAndGet();
                        serverClosed.countDown();
                    }
                });
            } finally {
                inHandler.decrementAndGet();
            }
        });
        server.start();
        String url = "ws://127.0.0.1:" + server.port() + "/echo";

        // ------------------------------------------------------------ 1,000 clients, opened at once
        AtomicInteger[] inHandler = new AtomicInteger[SOCKETS];
        // next expected sequence number per (socket, sender): index socket * SENDERS + sender
        AtomicIntegerArray nextSeq = new AtomicIntegerArray(SOCKETS * SENDERS);
        AtomicIntegerArray received = new AtomicIntegerArray(SOCKETS);
        AtomicInteger maxConcurrency = new AtomicInteger();
        AtomicInteger clientErrors = new AtomicInteger();
        AtomicInteger cleanCloses = new AtomicInteger();
        AtomicIntegerArray closeEvents = new AtomicIntegerArray(SOCKETS);
        CountDownLatch opened = new CountDownLatch(SOCKETS);
        CountDownLatch allEchoed = new CountDownLatch(SOCKETS * PER_SOCKET);
        CountDownLatch closed = new CountDownLatch(SOCKETS);
        WebSocket[] sockets = new WebSocket[SOCKETS];

        // Several threads construct sockets at the same time; each registers its handlers right
        // after the constructor, which the API guarantees to miss no event.
        int openers = 4;
        Thread[] openerThreads = new Thread[openers];
        AtomicReference<Throwable> openerFailure = new AtomicReference<>();
        for (int o = 0; o < openers; o++) {
            int first = o;
            openerThreads[o] = new Thread(() -> {
                try {
                    for (int i = first; i < SOCKETS; i += openers) {
                        int id = i;
                        AtomicInteger in = new AtomicInteger();
                        inHandler[id] = in;
                        WebSocket ws = new WebSocket(url);
                        ws.onopen(e -> {
                            enter(in, problems, "client open", maxConcurrency);
                            try {
                                opened.countDown();
                            } finally {
                                in.decrementAndGet();
                            }
                        });
                        ws.onmessage(e -> {
                            enter(in, problems, "client message", maxConcurrency);
                            try {
                                String m = (String) ((MessageEvent) e).data();
                                checkEcho(id, m, nextSeq, problems);
                                received.incrementAndGet(id);
                                if ((m.hashCode() & 15) == 0) {
                                    Thread.yield();   // widen the window in which an overlap would show
                                }
                            } finally {
                                in.decrementAndGet();
                                allEchoed.countDown();
                            }
                        });
                        ws.onerror(e -> {
                            clientErrors.incrementAndGet();
                            problems.add("client " + id + " error: " + ((ErrorEvent) e).message());
                        });
                        ws.onclose(e -> {
                            enter(in, problems, "client close", maxConcurrency);
                            try {
                                CloseEvent c = (CloseEvent) e;
                                closeEvents.incrementAndGet(id);
                                if (c.code() == 1000 && c.wasClean()) {
                                    cleanCloses.incrementAndGet();
                                } else {
                                    problems.add("client " + id + " close " + c.code() + " wasClean="
                                            + c.wasClean() + " reason=" + c.reason());
                                }
                            } finally {
                                in.decrementAndGet();
                                closed.countDown();
                            }
                        });
                        sockets[id] = ws;
                    }
                } catch (Throwable t) {
                    openerFailure.compareAndSet(null, t);
                }
            }, "opener-" + o);
            openerThreads[o].start();
        }
        for (Thread t : openerThreads) {
            t.join(30_000);
            assertThat(t.isAlive()).as("opener thread %s still running", t.getName()).isFalse();
        }
        assertThat(openerFailure.get()).as("constructing the sockets").isNull();
        for (WebSocket ws : sockets) {
            clients.add(ws);
        }
        assertThat(opened.await(30, TimeUnit.SECONDS))
                .as("all %d sockets open (still waiting for %d; problems: %s)", SOCKETS, opened.getCount(),
                        first(problems))
                .isTrue();
        long tOpen = System.nanoTime();
        waitUntil(() -> server.clients().size() == SOCKETS, Duration.ofSeconds(10));
        assertThat(server.clients()).hasSize(SOCKETS);

        // ------------------------------------------------------------ 8 threads send on every socket
        CyclicBarrier start = new CyclicBarrier(SENDERS);
        Thread[] senders = new Thread[SENDERS];
        AtomicReference<Throwable> senderFailure = new AtomicReference<>();
        for (int t = 0; t < SENDERS; t++) {
            int sender = t;
            senders[t] = new Thread(() -> {
                try {
                    start.await(10, TimeUnit.SECONDS);
                    // Each thread walks the sockets from a different starting point, so that at
                    // any moment several threads send on the same socket.
                    for (int seq = 0; seq < PER_SENDER; seq++) {
                        for (int k = 0; k < SOCKETS; k++) {
                            int id = (k + sender * (SOCKETS / SENDERS)) % SOCKETS;
                            sockets[id].send(id + ":" + sender + ":" + seq);
                        }
                    }
                } catch (Throwable e) {
                    senderFailure.compareAndSet(null, e);
                }
            }, "sender-" + t);
            senders[t].start();
        }
        for (Thread t : senders) {
            t.join(30_000);
            assertThat(t.isAlive()).as("sender thread %s still running", t.getName()).isFalse();
        }
        assertThat(senderFailure.get()).as("sending").isNull();

        boolean allArrived = allEchoed.await(45, TimeUnit.SECONDS);
        long tEchoed = System.nanoTime();
        assertThat(problems).as("problems while exchanging messages").isEmpty();
        assertThat(allArrived).as("all %d echoes arrived (missing: %d)", SOCKETS * PER_SOCKET,
                allEchoed.getCount()).isTrue();
        // Nothing extra trickles in afterwards (a duplicate would show here or as a sequence error).
        Thread.sleep(200);
        for (int id = 0; id < SOCKETS; id++) {
            assertThat(received.get(id)).as("messages received by socket %d", id).isEqualTo(PER_SOCKET);
            for (int s = 0; s < SENDERS; s++) {
                assertThat(nextSeq.get(id * SENDERS + s)).as("socket %d, sender %d", id, s).isEqualTo(PER_SENDER);
            }
        }
        assertThat(serverMessages.get()).isEqualTo(SOCKETS * PER_SOCKET);
        assertThat(maxConcurrency.get()).as("most handlers of one socket running at once").isEqualTo(1);
        for (WebSocket ws : sockets) {
            assertThat(ws.bufferedAmount()).isZero();
        }

        // ------------------------------------------------------------ every socket closes cleanly
        for (WebSocket ws : sockets) {
            ws.close();
        }
        assertThat(closed.await(30, TimeUnit.SECONDS))
                .as("close events (still waiting for %d; problems: %s)", closed.getCount(), first(problems))
                .isTrue();
        assertThat(serverClosed.await(15, TimeUnit.SECONDS)).as("server-side close events").isTrue();
        waitUntil(() -> server.clients().isEmpty(), Duration.ofSeconds(10));
        long tClosed = System.nanoTime();

        assertThat(problems).as("problems").isEmpty();
        assertThat(clientErrors.get()).isZero();
        assertThat(cleanCloses.get()).isEqualTo(SOCKETS);
        assertThat(serverCleanCloses.get()).isEqualTo(SOCKETS);
        for (int id = 0; id < SOCKETS; id++) {
            assertThat(closeEvents.get(id)).as("close events of socket %d", id).isEqualTo(1);
            assertThat(sockets[id].readyState()).isEqualTo(WebSocket.CLOSED);
        }
        assertThat(server.clients()).isEmpty();
        for (AtomicInteger in : serverInHandler.values()) {
            assertThat(in.get()).isZero();
        }
        System.out.printf("[ConcurrencyTest] %d sockets open in %d ms; %d messages echoed in %d ms; "
                        + "closed in %d ms%n", SOCKETS, ms(tOpen - t0), SOCKETS * PER_SOCKET, ms(tEchoed - tOpen),
                ms(tClosed - tEchoed));
    }

    /**
     * Runs after the load test: once the server is closed, the I/O threads end by themselves and
     * the process is back to about the file descriptors it had before.
     */
    @Test
    @Order(2)
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void ioThreadsEndAndDescriptorsAreReleasedAfterwards() throws Exception {
        if (server != null) {
            server.close();
        }
        long t0 = System.nanoTime();
        // EventLoop.IDLE_EXIT_MILLIS is 2 s; a loop notices it at its next wakeup, at most 2 s later.
        boolean ioThreadsGone = waitUntil(() -> duplexThreads("duplex-io-").isEmpty(), Duration.ofSeconds(6));
        long tIo = System.nanoTime();
        assertThat(ioThreadsGone)
                .as("duplex-io threads still alive 6 s after the last connection closed: %s (load test ran: %s)",
                        duplexThreads("duplex-io-"), loadTestRan)
                .isTrue();
        int fdsAfter = openFileDescriptors();
        boolean fdsBack = waitUntil(() -> openFileDescriptors() <= fdsBefore + 20, Duration.ofSeconds(5));
        System.out.printf("[ConcurrencyTest] duplex-io threads gone after %d ms; file descriptors: %d before, "
                        + "%d after; other duplex threads: %s%n", ms(tIo - t0), fdsBefore, openFileDescriptors(),
                duplexThreads("duplex-").stream().filter(n -> !n.startsWith("duplex-io-")).collect(Collectors.toList()));
        assertThat(fdsBack)
                .as("open file descriptors: %d before the test, %d now (first look: %d)", fdsBefore,
                        openFileDescriptors(), fdsAfter)
                .isTrue();
    }

    // ---------------------------------------------------------------- helpers

    /** Checks one echo: for the right socket, and the next in order for its sender. */
    private static void checkEcho(int id, String m, AtomicIntegerArray nextSeq, Queue<String> problems) {
        String[] parts = m.split(":");
        if (parts.length != 3) {
            problems.add("socket " + id + " got a malformed echo: " + m);
            return;
        }
        int socket = Integer.parseInt(parts[0]);
        int sender = Integer.parseInt(parts[1]);
        int seq = Integer.parseInt(parts[2]);
        if (socket != id) {
            problems.add("socket " + id + " got the echo of a message sent on socket " + socket + ": " + m);
            return;
        }
        int expected = nextSeq.get(id * SENDERS + sender);
        if (seq != expected) {
            problems.add("socket " + id + ", sender " + sender + ": expected sequence " + expected + " but got "
                    + seq + (seq < expected ? " (duplicate or reordered)" : " (lost or reordered)"));
        }
        nextSeq.set(id * SENDERS + sender, Math.max(expected, seq + 1));
    }

    private static void enter(AtomicInteger inHandler, Queue<String> problems, String what) {
        enter(inHandler, problems, what, null);
    }

    private static void enter(AtomicInteger inHandler, Queue<String> problems, String what, AtomicInteger max) {
        int now = inHandler.incrementAndGet();
        if (max != null) {
            max.accumulateAndGet(now, Math::max);
        }
        if (now != 1) {
            problems.add(what + " handler entered while " + (now - 1) + " other handler(s) of the same socket ran ("
                    + Thread.currentThread().getName() + ")");
        }
    }

    private static String first(Queue<String> problems) {
        return problems.stream().limit(5).collect(Collectors.joining("; "));
    }

    static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    /** Polls {@code condition} every 20 ms until it holds or {@code within} has passed. */
    static boolean waitUntil(java.util.function.BooleanSupplier condition, Duration within)
            throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** Names of live threads whose name starts with {@code prefix}. */
    static List<String> duplexThreads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.startsWith(prefix))
                .sorted()
                .collect(Collectors.toList());
    }

    /** The number of open file descriptors of this process (Linux: entries of /proc/self/fd). */
    static int openFileDescriptors() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot list /proc/self/fd (not Linux?)", e);
        }
    }
}
