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
        this.descriptorsBefore = descriptors();
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
                sb.append(f.getName()).append("->").append(java.nio.file.Files.readSymbolicLink(f.toPath())).append(' ');
            } catch (java.io.IOException | UnsupportedOperationException e) {
                sb.append(f.getName()).append("->? ");
            }
        }
        return sb.toString().trim();
    }

    static long ioThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("duplex-io-")).count();
    }
}
