package dev.duplex.bench.soak;

import dev.duplex.BinaryType;
import dev.duplex.CloseEvent;
import dev.duplex.ErrorEvent;
import dev.duplex.MessageEvent;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketOptions;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The soak's client: keeps {@code --connections} Duplex client connections to the soak server
 * for {@code --minutes}, with churn. Each connection opens, plays a few rounds (each round sends
 * a burst of 1 to {@code --burst} text and binary messages of varied sizes back to back, waits
 * for all their echoes, then pauses a random think time), closes with 1000 and is replaced by a
 * new one. Every echo is checked against what was sent (connection id, sequence number, type,
 * length, CRC-32): a missing echo is <em>lost</em>, a damaged one <em>corrupt</em>, one that
 * comes again <em>duplicated</em>, one that overtakes another <em>reordered</em>, one carrying
 * another connection's id <em>misrouted</em>. A connection that does not end with a clean 1000
 * close counts as a <em>failure</em>, its error events are tallied by kind.
 *
 * <p>At most {@code --max-pending} connections are in their opening handshake at once, so the
 * initial 10,000 ramp up without overflowing the server's accept backlog (1024), and a stall in
 * accepting shows as a slower churn rather than as connection errors.
 *
 * <p>Every {@code --sample-seconds} it prints a {@code SAMPLE} line: its counters, its own
 * threads, descriptors, heap after GC and RSS, and the loopback sockets in TIME_WAIT on each
 * side. At the end it lets its connections finish their round and close, waits for Duplex's
 * threads to end, and prints a last sample ({@code phase=drain}) to compare with the one taken
 * before the first connection ({@code phase=baseline}).
 */
public final class SoakClient {
    private final long started = System.nanoTime();
    private final String host;
    private final String url;
    private final int serverPort;
    private final int connections;
    private final long durationSeconds;
    private final int sampleSeconds;
    private final int minRounds;
    private final int maxRounds;
    private final int maxBurst;
    private final int thinkMillis;
    private final int echoTimeoutSeconds;
    private final WebSocketOptions options;
    private final Semaphore handshakes;

    private volatile boolean running = true;
    private final AtomicInteger active = new AtomicInteger();     // slots in use: connecting or open
    private final AtomicInteger openNow = new AtomicInteger();
    private final AtomicLong ids = new AtomicLong();
    private final LongAdder attempts = new LongAdder();
    private final LongAdder connects = new LongAdder();
    private final LongAdder sent = new LongAdder();
    private final LongAdder received = new LongAdder();
    private final LongAdder lost = new LongAdder();
    private final LongAdder corrupt = new LongAdder();
    private final LongAdder duplicated = new LongAdder();
    private final LongAdder reordered = new LongAdder();
    private final LongAdder misrouted = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder echoTimeouts = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> errorKinds = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> closeCodes = new ConcurrentHashMap<>();

    // Our own threads, started before the baseline sample so that it counts them.
    private final ThreadPoolExecutor launcher = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), r -> thread(r, "soak-launcher"));
    private final ScheduledThreadPoolExecutor timers = new ScheduledThreadPoolExecutor(1, r -> thread(r, "soak-timer"));
    private final ScheduledThreadPoolExecutor sampler = new ScheduledThreadPoolExecutor(1, r -> thread(r, "soak-sampler"));

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv, Set.of("host", "port", "connections", "minutes", "seconds", "sample-seconds",
                "min-rounds", "max-rounds", "burst", "think-ms", "echo-timeout-seconds", "max-pending", "deflate"));
        System.exit(new SoakClient(args).run());
    }

    private SoakClient(Args args) {
        host = args.string("host", "127.0.0.1");
        serverPort = args.integer("port", 19300);
        url = "ws://" + host + ":" + serverPort + "/soak";
        connections = args.integer("connections", 10_000);
        // --seconds exists for quick trials of the script itself; --minutes is the documented one.
        durationSeconds = args.number("seconds", args.number("minutes", 10) * 60);
        sampleSeconds = args.integer("sample-seconds", 60);
        minRounds = args.integer("min-rounds", 2);
        maxRounds = Math.max(minRounds, args.integer("max-rounds", 6));
        maxBurst = Math.max(1, args.integer("burst", 3));
        thinkMillis = Math.max(1, args.integer("think-ms", 8000));
        echoTimeoutSeconds = args.integer("echo-timeout-seconds", 30);
        handshakes = new Semaphore(args.integer("max-pending", 200));
        options = WebSocketOptions.builder().perMessageDeflate(args.flag("deflate", true)).build();
        timers.setRemoveOnCancelPolicy(true);
    }

    private int run() throws InterruptedException {
        launcher.prestartAllCoreThreads();
        timers.prestartAllCoreThreads();
        sampler.prestartAllCoreThreads();
        new SampleLine("CONFIG").add("role", "client").add("url", url).add("connections", connections)
                .add("seconds", durationSeconds).add("sample_seconds", sampleSeconds)
                .add("rounds", minRounds + "-" + maxRounds).add("burst", "1-" + maxBurst)
                .add("think_ms", "0-" + 2 * thinkMillis).add("echo_timeout_s", echoTimeoutSeconds)
                .add("max_pending", handshakes.availablePermits()).add("deflate", options.perMessageDeflate())
                .add("java", System.getProperty("java.version"))
                .add("cpus", Runtime.getRuntime().availableProcessors())
                .add("max_heap", Runtime.getRuntime().maxMemory()).print();
        // One round trip first, so that the baseline counts the classes, jars and threads that
        // any use of Duplex brings, then let Duplex's idle threads end.
        try {
            WarmUp.roundTrip(host, serverPort, options.perMessageDeflate());
        } catch (java.io.IOException e) {
            System.err.println("soak client: " + e.getMessage());
            return 1;
        }
        Probe.awaitDuplexThreads(0, 20);
        sample("baseline");
        Map<String, Integer> baselineFds = Probe.fileDescriptorKinds();
        sampler.scheduleAtFixedRate(() -> sample("load"), sampleSeconds, sampleSeconds, TimeUnit.SECONDS);

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(durationSeconds);
        for (int i = 0; i < connections; i++) {
            launch(0);
        }
        while (System.nanoTime() < deadline) {
            Thread.sleep(Math.min(1000, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))));
        }

        // Wind down: no new connections, no new rounds; each connection closes with 1000 once
        // the echoes of its current round are in (or its echo timeout fires).
        running = false;
        long windDown = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2L * thinkMillis)
                + TimeUnit.SECONDS.toNanos(echoTimeoutSeconds + options.closeTimeout().toSeconds() + 20);
        while (active.get() > 0 && System.nanoTime() < windDown) {
            Thread.sleep(100);
        }
        int stuck = active.get();
        sampler.shutdown();
        sampler.awaitTermination(1, TimeUnit.MINUTES);
        sample("end");                  // the counters as the load ended

        // Duplex's selector and event threads end a few seconds after their last connection.
        Probe.awaitDuplexThreads(0, 30);
        sample("drain");
        new SampleLine("FDS").add("role", "client")
                .add("new_since_baseline", WarmUp.newDescriptors(baselineFds, Probe.fileDescriptorKinds())).print();
        SampleLine.printKinds("ERRORS", "client", errorKinds);
        SampleLine.printKinds("CLOSES", "client", closeCodes);
        new SampleLine("END").add("role", "client").add("stuck", stuck)
                .add("duplex_threads_left", Probe.duplexThreads()).print();
        launcher.shutdownNow();
        timers.shutdownNow();
        return 0;
    }

    /** Takes a slot: a new connection once a handshake permit is free. */
    private void launch(long delayMillis) {
        active.incrementAndGet();
        Runnable open = () -> launcher.execute(this::openOne);
        if (delayMillis > 0) {
            timers.schedule(open, delayMillis, TimeUnit.MILLISECONDS);
        } else {
            open.run();
        }
    }

    private void openOne() {
        try {
            handshakes.acquire();
        } catch (InterruptedException e) {
            active.decrementAndGet();
            return;
        }
        if (!running) {
            handshakes.release();
            active.decrementAndGet();
            return;
        }
        attempts.increment();
        new Conn(ids.incrementAndGet()).start();
    }

    /** What an echo must look like. */
    private record Expected(int seq, boolean text, int length, int crc) {}

    /** One connection. Its handlers run on Duplex's event threads, its rounds on the timer. */
    private final class Conn {
        private final long id;
        private final SplittableRandom random;
        private final ArrayDeque<Expected> expected = new ArrayDeque<>();
        private WebSocket ws;
        private int nextSeq;
        private int roundsLeft;
        private boolean permitHeld = true;
        private boolean opened;
        private boolean closing;
        private boolean ended;
        private boolean timedOut;
        private ScheduledFuture<?> echoTimer;

        Conn(long id) {
            this.id = id;
            this.random = new SplittableRandom(id * 0x9E3779B97F4A7C15L);
        }

        void start() {
            try {
                WebSocket.connect(url, List.of(), options, socket -> {
                    ws = socket;     // before any event: the handlers use the field
                    socket.binaryType(BinaryType.ARRAYBUFFER);
                    socket.onopen(e -> opened());
                    socket.onmessage(e -> received(((MessageEvent) e).data()));
                    socket.onerror(e -> {
                        ErrorEvent error = (ErrorEvent) e;
                        SampleLine.count(errorKinds, SampleLine.kindOf(error.error(), error.message()));
                    });
                    socket.onclose(e -> closed((CloseEvent) e));
                });
            } catch (RuntimeException e) {
                SampleLine.count(errorKinds, "constructor:" + SampleLine.kindOf(e, null));
                failures.increment();
                handshakes.release();
                active.decrementAndGet();
                if (running) {
                    launch(100);
                }
                return;
            }
        }

        private synchronized void releasePermit() {
            if (permitHeld) {
                permitHeld = false;
                handshakes.release();
            }
        }

        private synchronized void opened() {
            opened = true;
            releasePermit();
            connects.increment();
            openNow.incrementAndGet();
            roundsLeft = minRounds + random.nextInt(maxRounds - minRounds + 1);
            nextRound();
        }

        private synchronized void nextRound() {
            timers.schedule(this::round, random.nextInt(2 * thinkMillis + 1), TimeUnit.MILLISECONDS);
        }

        private synchronized void round() {
            if (ended || closing) {
                return;
            }
            if (!running || roundsLeft == 0) {
                closing = true;
                ws.close(1000, "done");
                return;
            }
            roundsLeft--;
            int burst = 1 + random.nextInt(maxBurst);
            for (int i = 0; i < burst; i++) {
                int seq = nextSeq++;
                int size = SoakMessage.size(random);
                SoakMessage.Parsed p;
                if (random.nextBoolean()) {
                    String m = SoakMessage.text(id, seq, size, random);
                    p = SoakMessage.check(m);
                    expected.add(new Expected(seq, true, p.length(), p.crc()));
                    ws.send(m);
                } else {
                    byte[] m = SoakMessage.binary(id, seq, size, random);
                    p = SoakMessage.check(ByteBuffer.wrap(m));
                    expected.add(new Expected(seq, false, p.length(), p.crc()));
                    ws.send(m);
                }
                if (!p.valid()) {
                    throw new AssertionError("the soak made a message it cannot check: " + p);
                }
                sent.increment();
            }
            echoTimer = timers.schedule(this::echoTimedOut, echoTimeoutSeconds, TimeUnit.SECONDS);
        }

        private synchronized void received(Object data) {
            received.increment();
            SoakMessage.Parsed p = data instanceof String s ? SoakMessage.check(s) : SoakMessage.check((ByteBuffer) data);
            Expected head = expected.peek();
            if (!p.valid()) {
                corrupt.increment();
                expected.poll();        // presumably the one expected; not also counted as lost
            } else if (p.conn() != id) {
                misrouted.increment();
            } else if (head != null && p.seq() == head.seq()) {
                if (p.text() != head.text() || p.length() != head.length() || p.crc() != head.crc()) {
                    corrupt.increment();
                }
                expected.poll();
            } else if (removeLater(p.seq())) {
                reordered.increment();
            } else {
                duplicated.increment();
            }
            if (expected.isEmpty() && echoTimer != null) {
                echoTimer.cancel(false);
                echoTimer = null;
                nextRound();            // a think time, then the next round or the close
            }
        }

        private boolean removeLater(int seq) {
            for (Iterator<Expected> it = expected.iterator(); it.hasNext(); ) {
                if (it.next().seq() == seq) {
                    it.remove();
                    return true;
                }
            }
            return false;
        }

        private synchronized void echoTimedOut() {
            if (ended || expected.isEmpty()) {
                return;
            }
            timedOut = true;
            echoTimeouts.increment();
            SampleLine.count(errorKinds, "echo_timeout");
            closing = true;
            ws.close(4000, "echo timeout");
        }

        private synchronized void closed(CloseEvent c) {
            if (ended) {
                return;
            }
            ended = true;
            releasePermit();
            if (echoTimer != null) {
                echoTimer.cancel(false);
            }
            if (opened) {
                openNow.decrementAndGet();
            }
            lost.add(expected.size());
            expected.clear();
            SampleLine.count(closeCodes, c.code() + (c.wasClean() ? "" : "_unclean"));
            boolean ok = c.code() == 1000 && c.wasClean() && !timedOut;
            if (!ok) {
                failures.increment();
            }
            active.decrementAndGet();
            if (running) {
                launch(ok ? 0 : 100);   // a failing server must not be hammered in a tight loop
            }
        }
    }

    private void sample(String phase) {
        long heap = Probe.heapAfterGc();
        long[] tw = Probe.timeWait(serverPort);
        new SampleLine("SAMPLE").add("role", "client").add("phase", phase)
                .add("t", System.currentTimeMillis())
                .add("elapsed", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started))
                .add("target", connections)
                .add("active", active.get())
                .add("open", openNow.get())
                .add("attempts", attempts.sum())
                .add("connects", connects.sum())
                .add("sent", sent.sum())
                .add("received", received.sum())
                .add("lost", lost.sum())
                .add("corrupt", corrupt.sum())
                .add("duplicated", duplicated.sum())
                .add("reordered", reordered.sum())
                .add("misrouted", misrouted.sum())
                .add("failures", failures.sum())
                .add("echo_timeouts", echoTimeouts.sum())
                .add("threads", Probe.threads())
                .add("fds", Probe.fileDescriptors())
                .add("heap", heap)
                .add("rss", Probe.rss())
                .add("zlib", Probe.zlibStreams())
                .add("cpu_ms", Probe.cpuMillis())
                .add("tw_server_side", tw[0])
                .add("tw_client_side", tw[1])
                .print();
        System.err.printf("[soak client] %-8s open %6d  connects %9d  sent %10d  received %10d  lost %d  corrupt %d"
                        + "  failures %d  threads %d  fds %d  heap %d MiB  rss %d MiB  TIME_WAIT srv %d cli %d%n",
                phase, openNow.get(), connects.sum(), sent.sum(), received.sum(), lost.sum(), corrupt.sum(),
                failures.sum(), Probe.threads(), Probe.fileDescriptors(), heap >> 20, Probe.rss() >> 20, tw[0], tw[1]);
    }

    private static Thread thread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
