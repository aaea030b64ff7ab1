package dev.duplex.cli;

import dev.duplex.Blob;
import dev.duplex.CloseEvent;
import dev.duplex.DOMException;
import dev.duplex.ErrorEvent;
import dev.duplex.MessageEvent;
import dev.duplex.ServerOptions;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketOptions;
import dev.duplex.WebSocketServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code duplex bench [URL]}: round-trip benchmark against an echo server (an embedded Duplex
 * one without URL). Every connection keeps {@code --window} messages in flight; each echo
 * received is timed against its send (echo servers answer in order), then the next is sent.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        sortOptions = false,
        description = {
                "Benchmark round trips against an echo server: URL, or without URL an embedded Duplex echo "
                        + "server in the same process.",
                "Each connection keeps --window messages in flight; each echo is timed against its send. The result: "
                        + "messages/s, MB/s (payload bytes echoed, 1 MB = 10^6 bytes) and latency percentiles "
                        + "(p50, p99, p99.9; within 0.8%%), on stdout; a progress line on stderr."})
final class BenchCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "URL",
            description = "An echo server's URL (default: an embedded echo server).")
    String url;

    @Option(names = {"-c", "--connections"}, paramLabel = "N", defaultValue = "4",
            description = "Connections (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = {"-s", "--size"}, paramLabel = "BYTES", defaultValue = "64", converter = Units.Size.class,
            description = "Message payload size; suffixes k, m, g (default: ${DEFAULT-VALUE}).")
    long size;

    @Option(names = {"-b", "--binary"}, description = "Binary messages (default: text).")
    boolean binary;

    @Option(names = {"-w", "--window"}, paramLabel = "N", defaultValue = "1",
            description = "Messages in flight per connection (default: ${DEFAULT-VALUE}).")
    int window;

    @Option(names = {"-d", "--duration"}, paramLabel = "SECONDS", converter = Units.Seconds.class,
            description = "How long to send (default: 5, unless --count is given).")
    Duration duration;

    @Option(names = {"-n", "--count"}, paramLabel = "N", description = "Stop after N round trips in all.")
    Long count;

    @Option(names = {"-r", "--rate"}, paramLabel = "MSGS_PER_SEC",
            description = "Send at most this many messages per second in all (default: as fast as possible).")
    Double rate;

    @Option(names = "--json", description = "Print the result as one JSON object.")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "No progress line.")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, description = "Stack traces of errors.")
    boolean verbose;

    @Mixin
    ClientOptions client = new ClientOptions();

    private final LatencyHistogram histogram = new LatencyHistogram();
    private final AtomicLong reserved = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong lastReceived = new AtomicLong();
    private final AtomicReference<Main.CliException> failure = new AtomicReference<>();
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean stopSending;
    private volatile boolean closing;
    private Object payload;
    private Pacer pacer;
    private ScheduledThreadPoolExecutor timer;

    /** One connection: its socket, and the send times of the messages in flight, oldest first. */
    private static final class Conn {
        WebSocket ws;
        final ArrayDeque<Long> sendTimes = new ArrayDeque<>();
        int inFlight;
    }

    @Override
    public Integer call() throws Exception {
        Main.verbose = verbose;
        PrintStream out = Main.out;
        PrintStream err = Main.err;
        if (connections < 1) {
            throw Main.usage("--connections must be at least 1");
        }
        if (window < 1) {
            throw Main.usage("--window must be at least 1");
        }
        if (size > Integer.MAX_VALUE - 16) {
            throw Main.usage("--size must be below 2g");
        }
        if (count != null && count < 1) {
            throw Main.usage("--count must be at least 1");
        }
        if (rate != null && !(rate > 0)) {
            throw Main.usage("--rate must be a positive number of messages per second");
        }
        if (duration == null && count == null) {
            duration = Duration.ofSeconds(5);
        }
        if (duration != null && duration.isZero()) {
            throw Main.usage("--duration must be more than 0");
        }

        WebSocketServer server = null;
        String target = url;
        if (target == null) {
            ServerOptions.Builder sb = ServerOptions.builder().host("127.0.0.1").port(0)
                    .perMessageDeflate(!client.noDeflate);
            if (size > ServerOptions.defaults().maxMessageSize()) {
                sb.maxMessageSize(size);
            }
            ServerOptions serverOptions = sb.build();
            Relay relay = new Relay(serverOptions.largeMessageThreshold());
            server = new WebSocketServer(serverOptions);
            // An echo: a binary message comes as a Blob, sent back as it is (no copy) and
            // released once written (Relay).
            server.onconnection(e -> {
                WebSocket ws = e.socket();
                ws.onmessage(m -> relay.relay(((MessageEvent) m).data(), ws));
            });
            server.start();
            target = "ws://127.0.0.1:" + server.port() + "/";
        }
        if (client.maxMessage == null && size > WebSocketOptions.DEFAULT_MAX_MESSAGE_SIZE) {
            client.maxMessage = size;
        }
        ClientOptions.Target prepared = client.prepare(target, Main.err);
        target = prepared.url;
        WebSocketOptions options = prepared.options;
        payload = makePayload();
        timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "duplex-bench-timer");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Conn> conns = open(target, options);
            long start = System.nanoTime();
            lastReceived.set(start);
            pacer = rate == null ? null : new Pacer(rate, start);
            if (!quiet) {
                startProgress(err, start);
            }
            if (duration != null) {
                timer.schedule(() -> {
                    stopSending = true;
                    checkDrained(conns);
                }, duration.toNanos(), TimeUnit.NANOSECONDS);
            }
            for (Conn c : conns) {
                fill(c, conns);
            }
            finished.await();
            long end = lastReceived.get();
            timer.shutdownNow();
            if (!quiet && !json) {
                err.print(Terminal.isInteractive() ? "\r\033[K" : "");
                err.flush();
            }
            Main.CliException f = failure.get();
            if (f != null) {
                throw f;
            }
            closing = true;
            for (Conn c : conns) {
                c.ws.close();
            }
            report(out, target, server != null, Math.max(1, end - start));
            return Main.OK;
        } finally {
            timer.shutdownNow();
            if (server != null) {
                server.close();
            }
        }
    }

    private Object makePayload() {
        int n = (int) size;
        if (binary) {
            byte[] b = new byte[n];
            new Random(42).nextBytes(b);
            return b;
        }
        char[] c = new char[n];
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        Random r = new Random(42);
        for (int i = 0; i < n; i++) {
            c[i] = alphabet.charAt(r.nextInt(alphabet.length()));
        }
        return new String(c);
    }

    private List<Conn> open(String target, WebSocketOptions options) throws InterruptedException {
        List<Conn> conns = new ArrayList<>();
        CountDownLatch opened = new CountDownLatch(connections);
        for (int i = 0; i < connections; i++) {
            Conn c = new Conn();
            boolean[] open = new boolean[1];
            Throwable[] error = new Throwable[1];
            try {
                // Listeners registered in the setup callback: none can miss an event.
                c.ws = WebSocket.connect(target, client.protocols, options, ws -> {
                    ws.onopen(e -> {
                        open[0] = true;
                        opened.countDown();
                    });
                    ws.onmessage(e -> {
                        Object data = ((MessageEvent) e).data();
                        if (data instanceof Blob) {
                            ((Blob) data).close();      // only its arrival counts
                        }
                        onEcho(c, conns);
                    });
                    ws.onerror(e -> {
                        ErrorEvent ev = (ErrorEvent) e;
                        error[0] = ev.error() != null ? ev.error() : new IOException(ev.message());
                    });
                    ws.onclose(e -> {
                        if (!open[0]) {
                            failure.compareAndSet(null, Outcome.notOpened(target, error[0]));
                            while (opened.getCount() > 0) {
                                opened.countDown();
                            }
                            finished.countDown();
                        } else if (!closing) {
                            CloseEvent ce = (CloseEvent) e;
                            Main.CliException f = Outcome.closed(ce, error[0]);
                            failure.compareAndSet(null, f != null ? f
                                    : new Main.CliException(Main.ABNORMAL_CLOSE, "the server closed a connection during the benchmark"));
                            finished.countDown();
                        }
                    });
                });
            } catch (DOMException | IllegalArgumentException e) {
                throw Main.usage(e.getMessage());
            }
            conns.add(c);
        }
        opened.await();
        Main.CliException f = failure.get();
        if (f != null) {
            closing = true;
            for (Conn c : conns) {
                c.ws.close();
            }
            throw f;
        }
        return conns;
    }

    // Sends until the connection has --window messages in flight (or sending has stopped).
    private void fill(Conn c, List<Conn> conns) {
        while (true) {
            synchronized (c) {
                if (stopSending || c.inFlight >= window) {
                    return;
                }
                if (count != null && reserved.incrementAndGet() > count) {
                    stopSending = true;
                    return;
                }
                c.inFlight++;
            }
            long delay = pacer == null ? 0 : pacer.acquire() - System.nanoTime();
            if (delay > 0) {
                timer.schedule(() -> send(c), delay, TimeUnit.NANOSECONDS);
            } else {
                send(c);
            }
        }
    }

    private void send(Conn c) {
        synchronized (c) {
            c.sendTimes.add(System.nanoTime());
            if (payload instanceof String) {
                c.ws.send((String) payload);
            } else {
                c.ws.send((byte[]) payload);
            }
        }
    }

    private void onEcho(Conn c, List<Conn> conns) {
        long now = System.nanoTime();
        Long sent;
        synchronized (c) {
            sent = c.sendTimes.poll();
            c.inFlight--;
        }
        if (sent != null) {
            histogram.record(now - sent);
        }
        lastReceived.set(now);
        long n = received.incrementAndGet();
        if (count != null && n >= count) {
            stopSending = true;
            finished.countDown();
            return;
        }
        if (stopSending) {
            checkDrained(conns);
        } else {
            fill(c, conns);
        }
    }

    private void checkDrained(List<Conn> conns) {
        for (Conn c : conns) {
            synchronized (c) {
                if (c.inFlight > 0) {
                    return;
                }
            }
        }
        finished.countDown();
    }

    private void startProgress(PrintStream err, long start) {
        boolean tty = Terminal.isInteractive();
        long[] last = {0, start};
        timer.scheduleAtFixedRate(() -> {
            long now = System.nanoTime();
            long n = received.get();
            double rateNow = (n - last[0]) * 1e9 / Math.max(1, now - last[1]);
            last[0] = n;
            last[1] = now;
            String line = String.format(Locale.ROOT, "%6.1f s  %,d round trips  %,.0f msgs/s  p50 %s  p99 %s",
                    (now - start) / 1e9, n, rateNow, ms(histogram.percentile(50)), ms(histogram.percentile(99)));
            if (tty) {
                err.print("\r\033[K" + line);
                err.flush();
            } else {
                err.println(line);
            }
        }, 1, 1, TimeUnit.SECONDS);
    }

    private void report(PrintStream out, String target, boolean embedded, long nanos) {
        long n = received.get();
        double seconds = nanos / 1e9;
        double msgsPerSec = n / seconds;
        double mbPerSec = n * (double) size / 1e6 / seconds;
        double p50 = histogram.percentile(50) / 1e6;
        double p99 = histogram.percentile(99) / 1e6;
        double p999 = histogram.percentile(99.9) / 1e6;
        if (json) {
            out.println("{\"url\":" + Json.quote(Redact.url(target)) + ",\"embedded\":" + embedded
                    + ",\"connections\":" + connections + ",\"size\":" + size + ",\"binary\":" + binary
                    + ",\"window\":" + window + (rate != null ? ",\"rate\":" + Json.number(rate) : "")
                    + ",\"messages\":" + n + ",\"seconds\":" + Json.number(seconds)
                    + ",\"msgs_per_sec\":" + Json.number(msgsPerSec) + ",\"mb_per_sec\":" + Json.number(mbPerSec)
                    + ",\"latency_ms\":{\"min\":" + Json.number(histogram.min() / 1e6)
                    + ",\"mean\":" + Json.number(histogram.mean() / 1e6)
                    + ",\"p50\":" + Json.number(p50) + ",\"p99\":" + Json.number(p99)
                    + ",\"p99_9\":" + Json.number(p999) + ",\"max\":" + Json.number(histogram.max() / 1e6) + "}}");
        } else {
            out.printf(Locale.ROOT, "duplex bench: %s%s, %d connection%s, %d-byte %s messages, window %d%s%n",
                    target, embedded ? " (embedded echo server)" : "", connections, connections == 1 ? "" : "s",
                    size, binary ? "binary" : "text", window,
                    rate != null ? String.format(Locale.ROOT, ", rate %.0f msgs/s", rate) : "");
            out.printf(Locale.ROOT, "  round trips: %,d in %.2f s%n", n, seconds);
            out.printf(Locale.ROOT, "  throughput:  %,.0f msgs/s, %.2f MB/s%n", msgsPerSec, mbPerSec);
            out.printf(Locale.ROOT, "  latency:     p50 %s, p99 %s, p99.9 %s, max %s%n",
                    ms(histogram.percentile(50)), ms(histogram.percentile(99)), ms(histogram.percentile(99.9)),
                    ms(histogram.max()));
        }
        out.flush();
    }

    private static String ms(long nanos) {
        double ms = nanos / 1e6;
        return String.format(Locale.ROOT, ms < 1 ? "%.3f ms" : ms < 100 ? "%.2f ms" : "%.0f ms", ms);
    }

    /** Hands out send times spaced 1/rate apart (a global rate limit). */
    static final class Pacer {
        private final double interval;
        private final long start;
        private final AtomicLong slot = new AtomicLong();

        Pacer(double perSecond, long start) {
            this.interval = 1e9 / perSecond;
            this.start = start;
        }

        /** The time (System.nanoTime) at which the caller may send. */
        long acquire() {
            long now = System.nanoTime();
            while (true) {
                long s = slot.get();
                long at = start + (long) (s * interval);
                if (at < now - 1_000_000_000L) {
                    // far behind (slow peer): don't burst to catch up on more than a second
                    long skip = (long) ((now - 1_000_000_000L - start) / interval);
                    if (slot.compareAndSet(s, skip)) {
                        continue;
                    }
                    continue;
                }
                if (slot.compareAndSet(s, s + 1)) {
                    return at;
                }
            }
        }
    }
}
