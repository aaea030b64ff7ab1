package dev.duplex;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The 2 GB round trip of issue 3, in a child JVM limited to 512 MiB of heap, data verified by
 * SHA-256. Needs about 4 GB of free disk for the two temporary files.
 */
class TwoGigabyteRoundTripTest {
    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void twoBillionBytesClientToServerToClientWith512MiBHeap() throws Exception {
        long size = 2_000_000_000L;
        long free = Files.getFileStore(tmp).getUsableSpace();
        assertThat(free).as("free disk for the temporary files (two copies of the message)").isGreaterThan(2 * size + (1L << 30));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(List.of(java.toString(), "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                TwoGigabyteRoundTrip.class.getName(), Long.toString(size), tmp.toString()))
                .redirectErrorStream(true).start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(output unreadable: " + e + ")";
            }
        });
        try {
            assertThat(p.waitFor(18, TimeUnit.MINUTES)).as("round trip finished").isTrue();
        } finally {
            p.destroyForcibly();
        }
        String output = out.get(1, TimeUnit.MINUTES);
        System.out.println("[2 GB round trip] " + output.trim());
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("size=2000000000").contains("maxHeapMiB=").doesNotContain("MISMATCH");
        try (var files = Files.list(tmp)) {
            assertThat(files.count()).as("temporary files left after the child JVM exited").isZero();
        }
    }
}
