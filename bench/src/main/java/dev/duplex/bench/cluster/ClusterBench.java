package dev.duplex.bench.cluster;

import dev.duplex.MessageEvent;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketOptions;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fan-out through the cluster, one node against three: a redis-server of its own, N node JVMs
 * ({@link ClusterBenchNode}), and in this JVM the clients, spread evenly over the nodes, all on
 * the cluster-wide broadcast. One publisher (a client of the first node) sends:
 * <ol>
 *   <li><b>throughput</b>: as fast as the slowest client keeps up (at most a window of messages
 *       ahead of it), COUNT messages; reported as messages in and deliveries out per second;</li>
 *   <li><b>latency</b>: RATE messages a second for SECONDS, each carrying its send time; the
 *       time to each client, split into clients on the publisher's node (no Redis on the way) and
 *       on the other nodes (through Redis): the difference is what Redis adds.</li>
 * </ol>
 * The CPU use of the whole machine and of this run's processes is sampled from /proc, so the
 * report says how much other work the machine was doing.
 *
 * <p>Arguments: [--clients N] [--count N] [--window N] [--rate R] [--seconds S] [--nodes 1,3] [--size BYTES]
 */
public final class ClusterBench {
    private int clients = 300;
    private int count = 20_000;
    private int window = 100;
    private int rate = 1000;
    private int seconds = 10;
    private int size = 64;
    private int[] nodeCounts = {1, 3};

    public static void main(String[] args) throws Exception {
        ClusterBench b = new ClusterBench();
        for (int i = 0; i < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--clients" -> b.clients = Integer.parseInt(v);
                case "--count" -> b.count = Integer.parseInt(v);
                case "--window" -> b.window = Integer.parseInt(v);
                case "--rate" -> b.rate = Integer.parseInt(v);
                case "--seconds" -> b.seconds = Integer.parseInt(v);
                case "--size" -> b.size = Integer.parseInt(v);
                case "--nodes" -> b.nodeCounts = Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray();
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        b.run();
    }

    /** One receiving client: counts throughput messages, records latencies of timed ones. */
    private static final class Receiver {
        final WebSocket ws;
        final int node;
        final CompletableFuture<Void> open = new CompletableFuture<>();
        final AtomicLong count = new AtomicLong();
        long[] latencies = new long[0];
        int latencyCount;

        Receiver(String url, int node) {
            this.node = node;
            ws = new WebSocket(url, List.of(), WebSocketOptions.builder().executor(WebSocketOptions.IO_THREAD)
                    .perMessageDeflate(false).build());
            ws.onopen(e -> open.complete(null));
            ws.onmessage(e -> take((String) ((MessageEvent) e).data()));
        }

        private void take(String m) {
            if (m.charAt(0) == 't') {
                long sent = Long.parseLong(m, 1, m.indexOf(' '), 10);
                if (latencyCount < latencies.length) {
                    latencies[latencyCount++] = System.nanoTime() - sent;
                }
            }
            count.incrementAndGet();
        }
    }

    private void run() throws Exception {
        System.out.printf("# cluster fan-out: %d clients, %d-byte messages; throughput %d messages (window %d); "
                + "latency %d msgs/s for %d s%n%n", clients, size, count, window, rate, seconds);
        System.out.println("| nodes | msgs/s in | deliveries/s | latency p50 / p99, same node (ms) | latency p50 / p99, other nodes (ms) | machine busy | of which this run |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|");
        for (int n : nodeCounts) {
            runWith(n);
        }
    }

    private void runWith(int nodes) throws Exception {
        Path dir = Files.createTempDirectory("duplex-cluster-bench-");
        int redisPort = freePort();
        Process redis = new ProcessBuilder("/usr/bin/redis-server", "--port", Integer.toString(redisPort), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        List<Process> nodeProcesses = new ArrayList<>();
        List<Receiver> receivers = new ArrayList<>();
        try {
            awaitRedis(redisPort);
            List<Integer> ports = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xms256m", "-Xmx256m", "-XX:+UseParallelGC", "-cp", System.getProperty("java.class.path"),
                        ClusterBenchNode.class.getName(), "redis://127.0.0.1:" + redisPort, "bench" + i)
                        .redirectError(dir.resolve("node" + i + ".log").toFile()).start();
                nodeProcesses.add(p);
                String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
                if (line == null || !line.startsWith("PORT ")) {
                    throw new IllegalStateException("node " + i + " did not start: " + Files.readString(dir.resolve("node" + i + ".log")));
                }
                ports.add(Integer.parseInt(line.substring(5)));
            }
            for (int c = 0; c < clients; c++) {
                int node = c % nodes;
                receivers.add(new Receiver("ws://127.0.0.1:" + ports.get(node) + "/", node));
                if (c % 100 == 99 || c == clients - 1) {
                    for (Receiver r : receivers) {
                        r.open.get(30, TimeUnit.SECONDS);
                    }
                }
            }
            Receiver publisher = receivers.get(0);
            Receiver slowest = receivers.get(receivers.size() - 1);
            String pad = "x".repeat(Math.max(0, size - 24));
            List<Long> pids = new ArrayList<>(List.of(ProcessHandle.current().pid(), redis.pid()));
            nodeProcesses.forEach(p -> pids.add(p.pid()));

            // Warm-up, so that neither run measures the JIT: the throughput run, shortened.
            throughput(publisher, slowest, receivers, Math.min(count, 5000), pad);

            CpuSample before = CpuSample.take(pids);
            double[] tp = throughput(publisher, slowest, receivers, count, pad);
            for (Receiver r : receivers) {
                r.latencies = new long[rate * seconds + 16];
                r.latencyCount = 0;
            }
            long base = receivers.stream().mapToLong(r -> r.count.get()).min().orElse(0);
            long interval = TimeUnit.SECONDS.toNanos(1) / rate;
            long start = System.nanoTime();
            int total = rate * seconds;
            for (int k = 0; k < total; k++) {
                long due = start + k * interval;
                long wait = due - System.nanoTime();
                if (wait > 100_000) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                publisher.ws.send("t" + System.nanoTime() + " " + pad);
            }
            awaitAll(receivers, base + total);
            double[] cpu = CpuSample.take(pids).since(before);
            long[] same = latencies(receivers, publisher.node, true);
            long[] other = latencies(receivers, publisher.node, false);
            System.out.printf("| %d | %,.0f | %,.0f | %s / %s | %s / %s | %.0f%% | %.0f%% |%n", nodes, tp[0], tp[1],
                    ms(same, 0.50), ms(same, 0.99), ms(other, 0.50), ms(other, 0.99), cpu[0] * 100, cpu[1] * 100);
        } finally {
            for (Receiver r : receivers) {
                r.ws.close();
            }
            for (Process p : nodeProcesses) {
                p.getOutputStream().close();
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
            redis.destroyForcibly();
            redis.waitFor(10, TimeUnit.SECONDS);
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** [messages/s in, deliveries/s out] for {@code n} messages sent at most {@link #window} ahead of {@code slowest}. */
    private double[] throughput(Receiver publisher, Receiver slowest, List<Receiver> all, int n, String pad) throws Exception {
        long base = all.stream().mapToLong(r -> r.count.get()).min().orElse(0);
        long slowBase = slowest.count.get();
        long start = System.nanoTime();
        for (int k = 0; k < n; k++) {
            while (k - (slowest.count.get() - slowBase) > window) {
                Thread.onSpinWait();
            }
            publisher.ws.send("x" + k + " " + pad);
        }
        awaitAll(all, base + n);
        double s = (System.nanoTime() - start) / 1e9;
        return new double[] {n / s, (double) n * all.size() / s};
    }

    private static void awaitAll(List<Receiver> receivers, long target) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (receivers.stream().anyMatch(r -> r.count.get() < target)) {
            if (System.nanoTime() > deadline) {
                long min = receivers.stream().mapToLong(r -> r.count.get()).min().orElse(0);
                throw new IllegalStateException("messages lost or stuck: the slowest client has " + min + " of " + target);
            }
            Thread.sleep(5);
        }
    }

    private static long[] latencies(List<Receiver> receivers, int publisherNode, boolean sameNode) {
        int n = 0;
        for (Receiver r : receivers) {
            if ((r.node == publisherNode) == sameNode) {
                n += r.latencyCount;
            }
        }
        long[] all = new long[n];
        int i = 0;
        for (Receiver r : receivers) {
            if ((r.node == publisherNode) == sameNode) {
                System.arraycopy(r.latencies, 0, all, i, r.latencyCount);
                i += r.latencyCount;
            }
        }
        Arrays.sort(all);
        return all;
    }

    private static String ms(long[] sorted, double q) {
        if (sorted.length == 0) {
            return "–";
        }
        return String.format("%.2f", sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))] / 1e6);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void awaitRedis(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                if (s.getInputStream().read() == '+') {
                    return;
                }
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
                Thread.sleep(20);
            }
        }
    }
}
