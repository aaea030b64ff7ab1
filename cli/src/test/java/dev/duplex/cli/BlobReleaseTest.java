package dev.duplex.cli;

import dev.duplex.BinaryType;
import dev.duplex.HandshakeDecision;
import dev.duplex.MessageEvent;
import dev.duplex.WebSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A binary message over the 16 MiB {@code largeMessageThreshold} is kept in a temporary file;
 * the CLI releases it (Blob.close) once printed or echoed, while the process and the connection
 * go on, instead of leaving it to a garbage collection that may not come. Each process gets
 * its own {@code java.io.tmpdir}, watched by the test.
 */
@Timeout(120)
class BlobReleaseTest {
    private static final int LARGE = 17 << 20;

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(7).nextBytes(b);
        return b;
    }

    private static Map<String, String> tmpdir(Path dir) {
        return Map.of("JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + dir);
    }

    private static List<Path> spilled(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith("duplex-message-")).toList();
        }
    }

    /** Waits up to 5 s for the spilled files in {@code dir} to be gone; returns those left. */
    private static List<Path> awaitNoSpill(Path dir) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        List<Path> left = spilled(dir);
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
            left = spilled(dir);
        }
        return left;
    }

    @Test
    void connectDeletesALargeMessagesTemporaryFileOncePrinted(@TempDir Path dir) throws Exception {
        byte[] payload = random(LARGE);
        String expected = Base64.getEncoder().encodeToString(payload);
        try (TestServers.Echo server = new TestServers.Echo(r -> HandshakeDecision.accept(), ws -> ws.send(payload));
             Cli.Running r = new Cli.Running(tmpdir(dir), "connect", server.url(), "--base64")) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (Files.size(r.out) < expected.length() + 1 && System.nanoTime() < deadline) {
                assertThat(r.process.isAlive()).as("still running; stderr: %s", r.err()).isTrue();
                Thread.sleep(20);
            }
            assertThat(r.out().strip()).isEqualTo(expected);
            assertThat(awaitNoSpill(dir)).as("temporary files left while still connected").isEmpty();
            assertThat(r.process.isAlive()).as("the connection is still open (stdin never closed)").isTrue();
        }
    }

    @Test
    void serveEchoesALargeMessageAndDeletesItsTemporaryFileOnceWritten(@TempDir Path dir) throws Exception {
        byte[] payload = random(20 << 20);
        try (Cli.Server server = new Cli.Server(tmpdir(dir), "--quiet")) {
            BlockingQueue<Object> received = new LinkedBlockingQueue<>();
            WebSocket ws = WebSocket.connect(server.url, socket -> {
                socket.binaryType(BinaryType.ARRAYBUFFER);
                socket.onopen(e -> socket.send(payload));
                socket.onmessage(e -> received.add(((MessageEvent) e).data()));
                socket.onclose(e -> received.add(e));
            });
            Object echo = received.poll(60, TimeUnit.SECONDS);
            assertThat(echo).isInstanceOf(ByteBuffer.class);
            ByteBuffer b = (ByteBuffer) echo;
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            assertThat(bytes).isEqualTo(payload);
            assertThat(awaitNoSpill(dir)).as("the server's temporary files left after the echo").isEmpty();
            assertThat(ws.readyState()).isEqualTo(WebSocket.OPEN);
            ws.send("still here");
            assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("still here");
            ws.close();
        }
    }
}
