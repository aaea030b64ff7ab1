package dev.duplex.bench.soak;

import dev.duplex.BinaryType;
import dev.duplex.CloseEvent;
import dev.duplex.ErrorEvent;
import dev.duplex.MessageEvent;
import dev.duplex.ServerOptions;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketServer;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The soak's server: a Duplex echo server that checks every message it receives (sequence
 * header and CRC-32) before sending it back, and prints a {@code SAMPLE} line every sampling
 * interval with its connection and message counters and its threads, descriptors, heap after GC
 * and RSS. It runs until the stop file appears (bench/soak creates it once the client is done),
 * then waits for its connections and Duplex's idle threads to go, prints a last sample
 * ({@code phase=drain}) to compare with the one taken before any connection
 * ({@code phase=baseline}), and exits.
 *
 * <pre>
 * java -cp ... dev.duplex.bench.soak.SoakServer --port 19300 --stop-file /tmp/stop
 *     [--host 127.0.0.1] [--sample-seconds 60] [--deflate true]
 * </pre>
 */
public final class SoakServer {
    private final long started = System.nanoTime();
    private final AtomicInteger open = new AtomicInteger();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder echoed = new LongAdder();
    private final LongAdder corrupt = new LongAdder();
    /** Connections that did not end with a clean close 1000 (error events are tallied by kind). */
    private final LongAdder errors = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> errorKinds = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LongAdder> closeCodes = new ConcurrentHashMap<>();
    private WebSocketServer server;

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv, Set.of("host", "port", "sample-seconds", "stop-file", "deflate"));
        new SoakServer().run(args);
    }

    private void run(Args args) throws Exception {
        String host = args.string("host", "127.0.0.1");
        int port = args.integer("port", 19300);
        int sampleSeconds = args.integer("sample-seconds", 60);
        Path stopFile = Path.of(args.string("stop-file", "soak-server.stop"));
        boolean deflate = args.flag("deflate", true);
        Files.deleteIfExists(stopFile);

        server = new WebSocketServer(ServerOptions.builder()
                .host(host).port(port).perMessageDeflate(deflate).build());
        server.onconnection(event -> accept(event.socket(), !event.request().path().equals(WarmUp.PATH)));
        server.start();
        new SampleLine("CONFIG").add("role", "server").add("host", host).add("port", server.port())
                .add("deflate", deflate).add("sample_seconds", sampleSeconds)
                .add("java", System.getProperty("java.version"))
                .add("cpus", Runtime.getRuntime().availableProcessors())
                .add("max_heap", Runtime.getRuntime().maxMemory()).print();
        // Load Duplex's classes (client ones too: the warm-up connects to itself), then let the
        // idle threads go: only the accepting loop stays.
        WarmUp.roundTrip(host.equals("0.0.0.0") ? "127.0.0.1" : host, server.port(), deflate);
        Probe.awaitDuplexThreads(1, 20);
        sample("baseline");
        Map<String, Integer> baselineFds = Probe.fileDescriptorKinds();
        new SampleLine("READY").add("port", server.port()).print();

        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "soak-sampler");
            t.setDaemon(true);
            return t;
        });
        sampler.scheduleAtFixedRate(() -> sample("load"), sampleSeconds, sampleSeconds, TimeUnit.SECONDS);

        while (!Files.exists(stopFile)) {
            Thread.sleep(200);
        }
        sampler.shutdown();
        sampler.awaitTermination(1, TimeUnit.MINUTES);
        sample("end");                  // the counters as the load ended

        // The client has closed everything; give the last closing handshakes and then Duplex's
        // event and I/O threads (which end after a few idle seconds) time to go.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline && (open.get() > 0 || !server.clients().isEmpty())) {
            Thread.sleep(100);
        }
        Probe.awaitDuplexThreads(1, 20);
        sample("drain");
        new SampleLine("FDS").add("role", "server")
                .add("new_since_baseline", WarmUp.newDescriptors(baselineFds, Probe.fileDescriptorKinds())).print();
        SampleLine.printKinds("ERRORS", "server", errorKinds);
        SampleLine.printKinds("CLOSES", "server", closeCodes);
        server.close();
    }

    private void accept(WebSocket ws, boolean counted) {
        ws.binaryType(BinaryType.ARRAYBUFFER);
        if (!counted) {             // the warm-up connection: echo only
            ws.onmessage(e -> {
                Object data = ((MessageEvent) e).data();
                if (data instanceof String s) {
                    ws.send(s);
                } else {
                    ws.send((ByteBuffer) data);
                }
            });
            return;
        }
        accepted.increment();
        open.incrementAndGet();
        ws.onmessage(e -> {
            Object data = ((MessageEvent) e).data();
            SoakMessage.Parsed p = data instanceof String s ? SoakMessage.check(s) : SoakMessage.check((ByteBuffer) data);
            if (!p.valid()) {
                // Arrived corrupt: the client-to-server direction lost it. It is still echoed, so
                // the client sees the damage too and counts the message as corrupt.
                corrupt.increment();
            }
            if (data instanceof String s) {
                ws.send(s);
            } else {
                ws.send((ByteBuffer) data);
            }
            echoed.increment();
        });
        ws.onerror(e -> {
            ErrorEvent error = (ErrorEvent) e;
            SampleLine.count(errorKinds, SampleLine.kindOf(error.error(), error.message()));
        });
        ws.onclose(e -> {
            CloseEvent c = (CloseEvent) e;
            open.decrementAndGet();
            SampleLine.count(closeCodes, c.code() + (c.wasClean() ? "" : "_unclean"));
            if (c.code() != 1000 || !c.wasClean()) {
                errors.increment();
            }
        });
    }

    private void sample(String phase) {
        long heap = Probe.heapAfterGc();
        new SampleLine("SAMPLE").add("role", "server").add("phase", phase)
                .add("t", System.currentTimeMillis())
                .add("elapsed", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started))
                .add("open", open.get())
                .add("registered", server.clients().size())
                .add("accepted", accepted.sum())
                .add("echoed", echoed.sum())
                .add("corrupt", corrupt.sum())
                .add("errors", errors.sum())
                .add("threads", Probe.threads())
                .add("fds", Probe.fileDescriptors())
                .add("heap", heap)
                .add("rss", Probe.rss())
                .add("zlib", Probe.zlibStreams())
                .add("cpu_ms", Probe.cpuMillis())
                .print();
        System.err.printf("[soak server] %-8s open %6d  accepted %9d  echoed %10d  errors %d  threads %d  fds %d  heap %d MiB  rss %d MiB%n",
                phase, open.get(), accepted.sum(), echoed.sum(), errors.sum(), Probe.threads(), Probe.fileDescriptors(),
                heap >> 20, Probe.rss() >> 20);
    }
}
