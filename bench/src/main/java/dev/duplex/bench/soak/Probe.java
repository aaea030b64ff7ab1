package dev.duplex.bench.soak;

import java.io.File;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What the soak measures about its own process: live threads, open file descriptors, heap in
 * use after a full collection, resident memory, and the loopback TCP sockets in TIME_WAIT.
 * Linux only (it reads {@code /proc}); a value it cannot read is -1.
 */
final class Probe {
    private static final int TCP_TIME_WAIT = 0x06;

    private Probe() {}

    /** Live Java threads (daemon or not), from the JVM's thread bean. */
    static int threads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    /** Entries of /proc/self/fd: sockets, selectors' epoll and pipe descriptors, jars, logs. */
    static int fileDescriptors() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }

    /**
     * Heap in use right after a full collection: the live set, so a growing value means
     * something is kept that should not be. Two full collections, because objects with a
     * Cleaner (zlib streams, temp-file blobs) need one to be found and another to be freed.
     *
     * <p>{@code System.gc()} alone is not enough under load: G1 skips the full collection when a
     * thread is inside a JNI critical region at that moment, and zlib holds one while it works on
     * a Java array, so with thousands of compressing connections a {@code System.gc()} often
     * does nothing (one trial read 434 MiB for an 88 MiB live set). So the full-collection count
     * is checked and {@code System.gc()} repeated until two really ran; the smallest reading
     * after one of them is returned.
     */
    static long heapAfterGc() {
        long least = Long.MAX_VALUE;
        int done = 0;
        for (int attempt = 0; attempt < 100 && done < 2; attempt++) {
            long before = fullCollections();
            System.gc();
            if (fullCollections() > before) {
                done++;
                least = Math.min(least, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
            } else {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        return least != Long.MAX_VALUE ? least : ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /**
     * Full collections so far: G1's "G1 Old Generation" collector counts only those (young and
     * mixed collections are "G1 Young Generation"); with another collector, every collection.
     */
    private static long fullCollections() {
        long all = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc.getName().equals("G1 Old Generation")) {
                return gc.getCollectionCount();
            }
            all += Math.max(0, gc.getCollectionCount());
        }
        return all;
    }

    /** Resident set size (VmRSS of /proc/self/status), in bytes. */
    static long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    String kb = line.substring(6).trim().split("\\s+")[0];
                    return Long.parseLong(kb) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc not mounted
        }
        return -1;
    }

    /**
     * Sockets in TIME_WAIT whose local port is {@code serverPort} (the server closed first, which
     * is what RFC 6455 asks) and whose remote port is {@code serverPort} (the client closed
     * first: those hold an ephemeral port for 60 s, and enough of them would stop the client
     * from connecting). Counted in the network namespace's /proc/net/tcp and tcp6 (Java's
     * sockets are IPv6 sockets with IPv4-mapped addresses unless preferIPv4Stack is set).
     *
     * @return {server side, client side}, or {-1, -1} if the tables cannot be read
     */
    static long[] timeWait(int serverPort) {
        long[] counts = new long[2];
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try (Stream<String> lines = Files.lines(Path.of(table))) {
                lines.skip(1).forEach(line -> {
                    // "  sl  local_address rem_address   st ..." with addresses as HEXIP:HEXPORT
                    String[] f = line.trim().split("\\s+", 5);
                    if (f.length < 4 || Integer.parseInt(f[3], 16) != TCP_TIME_WAIT) {
                        return;
                    }
                    if (port(f[1]) == serverPort) {
                        counts[0]++;
                    } else if (port(f[2]) == serverPort) {
                        counts[1]++;
                    }
                });
            } catch (IOException | RuntimeException e) {
                return new long[] {-1, -1};
            }
        }
        return counts;
    }

    private static int port(String hexAddress) {
        return Integer.parseInt(hexAddress.substring(hexAddress.indexOf(':') + 1), 16);
    }

    /**
     * What the open descriptors are, counted by kind: "socket", "pipe", "anon_inode:[eventpoll]",
     * or a file's path. Compared before and after a run, it names what a leak leaks.
     */
    static Map<String, Integer> fileDescriptorKinds() {
        Map<String, Integer> kinds = new TreeMap<>();
        String[] fds = new File("/proc/self/fd").list();
        if (fds == null) {
            return kinds;
        }
        for (String fd : fds) {
            String target;
            try {
                target = Files.readSymbolicLink(Path.of("/proc/self/fd", fd)).toString();
            } catch (IOException | RuntimeException e) {
                continue;       // closed meanwhile (the listing itself was one)
            }
            kinds.merge(target.replaceAll("^(socket|pipe):\\[[0-9]+]$", "$1"), 1, Integer::sum);
        }
        return kinds;
    }

    /**
     * Duplex's live zlib streams ({@code Deflater} and {@code Inflater} objects not yet ended),
     * from the library's own counter: native memory that RSS shows only blurred by the
     * allocator, counted exactly. An internal class, reachable because the soak runs on the
     * class path.
     */
    static int zlibStreams() {
        return dev.duplex.internal.transport.EventLoopGroup.shared().zlib().liveObjects();
    }

    /** Process CPU time (user + system) in milliseconds, or -1. */
    static long cpuMillis() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime() / 1_000_000;
        }
        return -1;
    }

    /** Waits up to {@code seconds} for at most {@code max} Duplex threads to be left. */
    static void awaitDuplexThreads(int max, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (duplexThreads() > max && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    /** Duplex's own threads (selector loops, event pool, resolver), to wait for them to end. */
    static long duplexThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("duplex-"))
                .count();
    }
}
