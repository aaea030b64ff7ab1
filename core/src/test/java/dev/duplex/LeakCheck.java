package dev.duplex;

import java.io.File;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks that a test class left nothing behind: the process's file descriptors return to what
 * they were before it, and Duplex's I/O threads end (they stop 2 s after their last connection).
 */
final class LeakCheck {
    private final int descriptorsBefore;

    private LeakCheck() {
        openTheJdksLifelongDescriptors();
        this.descriptorsBefore = descriptors();
    }

    // The JDK opens a few descriptors on first use and keeps them for the life of the process: the
    // NIO file dispatcher's pre-close socket pair and NativePRNG's /dev/random and /dev/urandom.
    // Whether a class's tests are the first to use them depends on which tests ran before (jqwik,
    // for one, reads its database through NIO), so open them before the baseline is counted.
    private static void openTheJdksLifelongDescriptors() {
        try (java.nio.channels.FileChannel f = java.nio.channels.FileChannel.open(java.nio.file.Path.of("/proc/self/stat"))) {
            f.read(java.nio.ByteBuffer.allocate(1));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        new java.security.SecureRandom().nextBytes(new byte[1]);
    }

    /** Takes the baseline (call in {@code @BeforeAll}). */
    static LeakCheck start() {
        return new LeakCheck();
    }

    /** Waits up to 10 s for descriptors and threads to be released, then asserts it. */
    void assertNothingLeft() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && (descriptors() > descriptorsBefore + 2 || ioThreads() > 0)) {
            System.gc();    // unreachable file-backed blobs release their files through a Cleaner
            Thread.sleep(50);
        }
        assertThat(descriptors()).as("open file descriptors (%d before the class; now: %s)", descriptorsBefore, describeDescriptors())
                .isLessThanOrEqualTo(descriptorsBefore + 2);
        assertThat(ioThreads()).as("duplex-io threads still running").isZero();
    }

    static int descriptors() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? 0 : fds.length;
    }

    /** What each open descriptor points to (file, socket, anon_inode:[eventpoll], ...). */
    static String describeDescriptors() {
        File[] fds = new File("/proc/self/fd").listFiles();
        if (fds == null) {
            return "?";
        }
        StringBuilder sb = new StringBuilder();
        for (File f : fds) {
            try {
                String target = java.nio.file.Files.readSymbolicLink(f.toPath()).toString();
                sb.append(f.getName()).append("->").append(target).append(tcpDetails(target)).append(' ');
            } catch (java.io.IOException | UnsupportedOperationException e) {
                sb.append(f.getName()).append("->? ");
            }
        }
        return sb.toString().trim();
    }

    // For "socket:[inode]": the TCP endpoints and state from /proc/net/tcp{,6}, e.g. "(127.0.0.1:41234>127.0.0.1:8080 ESTABLISHED)".
    private static String tcpDetails(String target) {
        if (!target.startsWith("socket:[")) {
            return "";
        }
        String inode = target.substring(8, target.length() - 1);
        for (String table : new String[] {"/proc/self/net/tcp", "/proc/self/net/tcp6"}) {
            try {
                for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of(table))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 9 && f[9].equals(inode)) {
                        return "(" + endpoint(f[1]) + ">" + endpoint(f[2]) + " " + TCP_STATES[Integer.parseInt(f[3], 16)] + ")";
                    }
                }
            } catch (java.io.IOException | RuntimeException e) {
                // not TCP, or gone meanwhile
            }
        }
        // Not a listed TCP socket: name the table that has it (udp, unix, netlink...), if any.
        for (String table : new String[] {"udp", "udp6", "unix", "netlink", "raw", "raw6"}) {
            try {
                for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/net/" + table))) {
                    if (java.util.Arrays.asList(line.trim().split("\\s+")).contains(inode)) {
                        return "(" + table + ": " + line.trim() + ")";
                    }
                }
            } catch (java.io.IOException | RuntimeException e) {
                // no such table here
            }
        }
        return "(unconnected or reset TCP)";
    }

    private static final String[] TCP_STATES = {"?", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",
        "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV"};

    // "0100007F:1F90" (little-endian IPv4 as /proc prints it) -> "127.0.0.1:8080"; IPv6 shown as hex
    private static String endpoint(String hex) {
        String[] parts = hex.split(":");
        int port = Integer.parseInt(parts[1], 16);
        if (parts[0].length() == 8) {
            long a = Long.parseLong(parts[0], 16);
            return (a & 255) + "." + (a >> 8 & 255) + "." + (a >> 16 & 255) + "." + (a >> 24 & 255) + ":" + port;
        }
        return "[" + parts[0] + "]:" + port;
    }

    static long ioThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("duplex-io-")).count();
    }
}
