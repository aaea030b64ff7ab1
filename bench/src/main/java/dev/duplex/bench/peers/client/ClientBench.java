package dev.duplex.bench.peers.client;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The harness shared by the client mains of bench/bench-clients: parses the command line, runs a
 * warm-up pass and then the measured pass of one workload with a {@link Driver} (one per
 * library), checks that every echo came back intact, and prints one line:
 *
 * <pre>
 * RESULT client=duplex workload=pipelined msgs=1000000 bytes=32000000 seconds=2.310 rate=432900 unit=msgs/s cpu_seconds=2.29 server_cpu_seconds=0.41
 * </pre>
 *
 * Usage: {@code MAIN URL WORKLOAD [--msgs N] [--size BYTES] [--window BYTES] [--warmup N]
 * [--server-pid PID] [--timeout SECONDS]}, WORKLOAD one of {@code pipelined}, {@code large},
 * {@code connects}. {@code --msgs} is the number of messages (connections for connects),
 * {@code --warmup} the same quantity for the unmeasured first pass (0: none).
 *
 * Rates: pipelined = echoed messages per second; large = MB/s of echoed payload counted one way
 * (bytes received back, 1 MB = 10^6 bytes); connects = completed connect-open-close cycles per
 * second. {@code cpu_seconds} is this process's CPU time during the measured pass (all threads),
 * {@code server_cpu_seconds} the echo server's over the same interval (read from
 * /proc/PID/stat), to show whether the server came close to saturating its core.
 */
public final class ClientBench {
    private ClientBench() {
    }

    /** The workloads of issue 7 (client half). */
    enum Workload {
        PIPELINED("pipelined", 1_000_000, 32, 200_000, 1 << 20, "msgs/s"),
        // the window holds a few messages, so that sending never waits for a round trip
        LARGE("large", 256, 1 << 20, 32, 4 << 20, "MB/s"),
        CONNECTS("connects", 2_000, 0, 200, 0, "connects/s");

        final String label;
        final int defaultCount;
        final int defaultSize;
        final int defaultWarmup;
        final long defaultWindow;
        final String unit;

        Workload(String label, int count, int size, int warmup, long window, String unit) {
            this.label = label;
            this.defaultCount = count;
            this.defaultSize = size;
            this.defaultWarmup = warmup;
            this.defaultWindow = window;
            this.unit = unit;
        }

        static Workload parse(String s) {
            for (Workload w : values()) {
                if (w.label.equals(s)) {
                    return w;
                }
            }
            throw new IllegalArgumentException("unknown workload " + s + " (pipelined, large, connects)");
        }
    }

    /**
     * What one connection of the stream workloads sends: {@code count} copies of the same text
     * (pipelined) or binary (large) message, with at most about {@code window} bytes queued in
     * the library at a time (each driver states how it reads its library's queue).
     */
    static final class Payload {
        final boolean binary;
        final int count;
        final int size;
        final long window;
        final String text;
        final byte[] bytes;

        Payload(boolean binary, int count, int size, long window) {
            this.binary = binary;
            this.count = count;
            this.size = size;
            this.window = window;
            if (binary) {
                bytes = new byte[size];
                for (int i = 0; i < size; i++) {
                    bytes[i] = (byte) (i * 31 + 7);
                }
                text = null;
            } else {
                char[] chars = new char[size];
                for (int i = 0; i < size; i++) {
                    chars[i] = (char) ('a' + i % 26);
                }
                text = new String(chars);
                bytes = null;
            }
        }
    }

    /**
     * Counts the echoes of one stream connection and releases {@link #await} after the last one.
     * A driver calls one of the {@code received} methods per complete message, from its
     * library's receiving thread; a wrong message or a failure ends the run with an error rather
     * than a number.
     */
    static final class Tally {
        private final Payload payload;
        private final ByteBuffer expectedBinary;
        private final AtomicLong received = new AtomicLong();
        private final AtomicLong bytes = new AtomicLong();
        private final CountDownLatch done = new CountDownLatch(1);
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        Tally(Payload payload) {
            this.payload = payload;
            this.expectedBinary = payload.binary ? ByteBuffer.wrap(payload.bytes).asReadOnlyBuffer() : null;
        }

        /** Echoes received so far (for drivers whose flow control counts messages in flight). */
        long received() {
            return received.get();
        }

        void received(CharSequence text) {
            if (payload.binary || !payload.text.contentEquals(text)) {
                fail(new IllegalStateException("unexpected text echo of " + text.length() + " chars"));
                return;
            }
            count(text.length());
        }

        void received(ByteBuffer data) {
            if (!payload.binary || !expectedBinary.equals(data)) {
                fail(new IllegalStateException("unexpected binary echo of " + data.remaining() + " bytes"));
                return;
            }
            count(data.remaining());
        }

        void received(byte[] data) {
            received(ByteBuffer.wrap(data));
        }

        private void count(int size) {
            bytes.addAndGet(size);
            long n = received.incrementAndGet();
            if (n == payload.count) {
                done.countDown();
            } else if (n > payload.count) {
                fail(new IllegalStateException("more echoes than messages sent"));
            }
        }

        /** Ends the run with an error (first failure wins). */
        void fail(Throwable t) {
            failure.compareAndSet(null, t);
            done.countDown();
        }

        /** A connection that closes before every echo came back is a failure. */
        void closed(String how) {
            if (received.get() < payload.count) {
                fail(new IllegalStateException("connection closed after " + received.get() + " of "
                        + payload.count + " echoes: " + how));
            }
        }

        void await(long timeoutSeconds) throws Exception {
            if (!done.await(timeoutSeconds, TimeUnit.SECONDS)) {
                throw new IllegalStateException("timed out after " + timeoutSeconds + " s with "
                        + received.get() + " of " + payload.count + " echoes");
            }
            Throwable t = failure.get();
            if (t != null) {
                throw new IllegalStateException("run failed: " + t, t);
            }
        }

        long bytes() {
            return bytes.get();
        }
    }

    /** One library's client. */
    interface Driver {
        /**
         * Connects for a stream workload and returns once the connection is open (not measured).
         * Sending starts with {@link Stream#start()}.
         */
        Stream open(URI uri, Payload payload, Tally tally) throws Exception;

        /** One full cycle, returning when it is done: connect, opening handshake, closing handshake, closed. */
        void connectAndClose(URI uri) throws Exception;

        /** Releases the library's threads and pools. */
        default void shutdown() throws Exception {
        }
    }

    /** An open connection of a stream workload. */
    interface Stream {
        /** Starts sending (returns at once or after the first burst; never waits for the echoes). */
        void start();

        /** Closes the connection after the run (not measured). */
        void close() throws Exception;
    }

    /** Runs the workload given on the command line with {@code driver} and prints the RESULT line. */
    static void main(String client, Driver driver, String[] args) {
        int status = 0;
        try {
            run(client, driver, args);
        } catch (IllegalArgumentException e) {
            System.err.println(client + ": " + e.getMessage());
            status = 2;
        } catch (Throwable t) {
            System.out.println("RESULT client=" + client + " workload=" + (args.length > 1 ? args[1] : "?")
                    + " error=" + String.valueOf(t.getMessage()).replace(' ', '_'));
            t.printStackTrace();
            status = 1;
        }
        System.out.flush();
        // Some libraries keep non-daemon threads (pools, timers): the result is out, so leave now.
        // System.exit rather than halt, so that shutdown hooks run (a JFR recording is written by
        // one); a watchdog halts the JVM if a hook hangs.
        int exitStatus = status;
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException ignored) {
                // exiting anyway
            }
            Runtime.getRuntime().halt(exitStatus);
        }, "exit-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        System.exit(status);
    }

    private static void run(String client, Driver driver, String[] args) throws Exception {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: URL WORKLOAD [--msgs N] [--size BYTES] [--window BYTES]"
                    + " [--warmup N] [--server-pid PID] [--timeout SECONDS]");
        }
        URI uri = URI.create(args[0]);
        Workload workload = Workload.parse(args[1]);
        int count = workload.defaultCount;
        int size = workload.defaultSize;
        int warmup = workload.defaultWarmup;
        long window = workload.defaultWindow;
        long serverPid = -1;
        long timeout = 300;
        for (int i = 2; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            if (value == null) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            switch (args[i]) {
                case "--msgs" -> count = Integer.parseInt(value);
                case "--size" -> size = Integer.parseInt(value);
                case "--window" -> window = Long.parseLong(value);
                case "--warmup" -> warmup = Integer.parseInt(value);
                case "--server-pid" -> serverPid = Long.parseLong(value);
                case "--timeout" -> timeout = Long.parseLong(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
            i++;
        }

        if (warmup > 0) {
            pass(driver, uri, workload, warmup, size, window, timeout, -1);
        }
        Measured m = pass(driver, uri, workload, count, size, window, timeout, serverPid);
        driver.shutdown();
        long bytes = m.bytes;

        double seconds = m.nanos / 1e9;
        double rate = workload == Workload.LARGE ? bytes / 1e6 / seconds : count / seconds;
        StringBuilder line = new StringBuilder("RESULT");
        line.append(" client=").append(client)
                .append(" workload=").append(workload.label)
                .append(" msgs=").append(count)
                .append(" size=").append(size)
                .append(" bytes=").append(bytes)
                .append(" seconds=").append(String.format(Locale.ROOT, "%.3f", seconds))
                .append(" rate=").append(String.format(Locale.ROOT, workload == Workload.LARGE ? "%.1f" : "%.0f", rate))
                .append(" unit=").append(workload.unit)
                .append(" window=").append(window)
                .append(" warmup=").append(warmup);
        if (m.cpuNanos >= 0) {
            line.append(" cpu_seconds=").append(String.format(Locale.ROOT, "%.3f", m.cpuNanos / 1e9));
        }
        if (m.serverCpuSeconds >= 0) {
            line.append(" server_cpu_seconds=").append(String.format(Locale.ROOT, "%.3f", m.serverCpuSeconds));
        }
        System.out.println(line);
    }

    /** What one measured pass took: wall time, this process's CPU time, the server's CPU time. */
    private record Measured(long nanos, long bytes, long cpuNanos, double serverCpuSeconds) {
    }

    /**
     * One pass of the workload. The clock runs from the first send to the last echo for the
     * stream workloads (opening and closing their one connection is not timed), and over the
     * whole loop for connects. Returns the payload bytes echoed back (0 for connects).
     */
    private static Measured pass(Driver driver, URI uri, Workload workload, int count, int size, long window,
                                 long timeout, long serverPid) throws Exception {
        if (workload == Workload.CONNECTS) {
            Clock clock = new Clock(serverPid);
            for (int i = 0; i < count; i++) {
                driver.connectAndClose(uri);
            }
            return clock.stop(0);
        }
        Payload payload = new Payload(workload == Workload.LARGE, count, size, window);
        Tally tally = new Tally(payload);
        Stream stream = driver.open(uri, payload, tally);
        Clock clock = new Clock(serverPid);
        stream.start();
        tally.await(timeout);
        Measured measured = clock.stop(tally.bytes());
        stream.close();
        return measured;
    }

    /** Wall clock, process CPU and server CPU, started together. */
    private static final class Clock {
        private final long serverPid;
        private final double server0;
        private final long cpu0;
        private final long t0;

        Clock(long serverPid) {
            this.serverPid = serverPid;
            this.server0 = serverCpuSeconds(serverPid);
            this.cpu0 = processCpuNanos();
            this.t0 = System.nanoTime();
        }

        Measured stop(long bytes) {
            long t1 = System.nanoTime();
            long cpu1 = processCpuNanos();
            double server1 = serverCpuSeconds(serverPid);
            return new Measured(t1 - t0, bytes, cpu0 >= 0 && cpu1 >= 0 ? cpu1 - cpu0 : -1,
                    server0 >= 0 && server1 >= 0 ? server1 - server0 : -1);
        }
    }

    private static long processCpuNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        return -1;
    }

    /** utime + stime of another process, from /proc/PID/stat (USER_HZ = 100 on Linux). */
    static double serverCpuSeconds(long pid) {
        if (pid <= 0) {
            return -1;
        }
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.US_ASCII);
            // fields after the command name (which may contain spaces) start at "state" (field 3)
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);   // fields 14 and 15
            return ticks / 100.0;
        } catch (Exception e) {
            return -1;
        }
    }

}
