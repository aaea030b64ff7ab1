package dev.duplex;

import static org.assertj.core.api.Assertions.assertThat;

import dev.duplex.TestServers.TestServer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link HttpResponse#ofFile}: a plain HTTP body read from a file while it is sent. */
@Timeout(60)
class FileBodyTest {
    private final TestServers servers = new TestServers();

    @TempDir
    Path dir;

    @AfterEach
    void tearDown() {
        servers.close();
    }

    private TestServer serving(Path file, Duration handshakeTimeout) {
        return servers.start(b -> b.handshakeTimeout(handshakeTimeout).httpHandler(request -> {
            try {
                return HttpResponse.ofFile(200, "application/octet-stream", file).withHeader("X-Served", "file");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }), TestServers::echoing);
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new Random(42).nextBytes(b);
        return b;
    }

    /** Sends the request, reads the whole answer (until the server closes). */
    private static byte[] fetch(int port, String method) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write((method + " /f HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            return s.getInputStream().readAllBytes();
        }
    }

    private static int headEnd(byte[] answer) {
        for (int i = 0; i + 3 < answer.length; i++) {
            if (answer[i] == '\r' && answer[i + 1] == '\n' && answer[i + 2] == '\r' && answer[i + 3] == '\n') {
                return i + 4;
            }
        }
        throw new AssertionError("no end of head in " + answer.length + " bytes");
    }

    @Test
    void aLargeFileArrivesWholeWithItsLengthAndHeaders() throws Exception {
        byte[] content = randomBytes(9 * 1024 * 1024 + 7);       // many chunks, and a partial last one
        Path file = Files.write(dir.resolve("f"), content);
        TestServer server = serving(file, Duration.ofSeconds(10));
        byte[] answer = fetch(server.port(), "GET");
        int body = headEnd(answer);
        String head = new String(answer, 0, body, StandardCharsets.ISO_8859_1);
        assertThat(head).startsWith("HTTP/1.1 200 ").contains("Content-Length: " + content.length + "\r\n")
                .contains("Content-Type: application/octet-stream\r\n").contains("X-Served: file\r\n")
                .contains("Connection: close\r\n");
        assertThat(answer.length - body).isEqualTo(content.length);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(answer, body, answer.length - body);
        assertThat(sha.digest()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(content));
    }

    @Test
    void headGivesTheLengthAndNoBody() throws Exception {
        Path file = Files.write(dir.resolve("f"), randomBytes(100_000));
        TestServer server = serving(file, Duration.ofSeconds(10));
        byte[] answer = fetch(server.port(), "HEAD");
        assertThat(headEnd(answer)).isEqualTo(answer.length);
        assertThat(new String(answer, StandardCharsets.ISO_8859_1)).contains("Content-Length: 100000\r\n");
    }

    @Test
    void anEmptyFileIsAnEmptyBody() throws Exception {
        Path file = Files.write(dir.resolve("f"), new byte[0]);
        TestServer server = serving(file, Duration.ofSeconds(10));
        byte[] answer = fetch(server.port(), "GET");
        assertThat(headEnd(answer)).isEqualTo(answer.length);
        assertThat(new String(answer, StandardCharsets.ISO_8859_1)).contains("Content-Length: 0\r\n");
    }

    @Test
    void aClientThatReadsNothingHoldsOnlyAFewChunksAndIsDroppedAfterTheHandshakeTimeout() throws Exception {
        Path file = Files.write(dir.resolve("f"), randomBytes(64 * 1024 * 1024));
        TestServer server = serving(file, Duration.ofMillis(1500));
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setReceiveBufferSize(64 * 1024);
            s.getOutputStream().write("GET /f HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            Thread.sleep(3000);     // read nothing: the server's queue fills, stops moving, and is dropped
            InputStream in = s.getInputStream();
            long total = 0;
            byte[] buf = new byte[65536];
            int n;
            try {
                while ((n = in.read(buf)) > 0) {
                    total += n;
                }
            } catch (java.net.SocketException reset) {
                // an abort may reset the connection: what matters is that it ended short
            }
            assertThat(total).as("bytes that reached the client before the drop").isLessThan(16L * 1024 * 1024);
        }
        assertThat(openDescriptorsTo(file)).as("the file is closed after the drop").isZero();
    }

    @Test
    void aFileThatShrankEndsTheConnectionShortAndIsClosed() throws Exception {
        Path file = Files.write(dir.resolve("f"), randomBytes(1_000_000));
        TestServer server = servers.start(b -> b.httpHandler(request -> {
            try {
                HttpResponse r = HttpResponse.ofFile(200, "application/octet-stream", file);
                Files.write(file, new byte[1000]);         // truncated after the length was taken
                return r;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }), TestServers::echoing);
        byte[] answer = fetch(server.port(), "GET");
        assertThat(answer.length - headEnd(answer)).isEqualTo(1000);
        assertThat(new String(answer, 0, headEnd(answer), StandardCharsets.ISO_8859_1)).contains("Content-Length: 1000000");
        Thread.sleep(100);
        assertThat(openDescriptorsTo(file)).isZero();
    }

    @Test
    void ofFileRefusesADirectoryAndABadStatus() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> HttpResponse.ofFile(200, "x/y", dir))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Not a regular file");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> HttpResponse.ofFile(99, "x/y", dir))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("200-599");
    }

    private static long openDescriptorsTo(Path file) throws IOException {
        Path real = file.toRealPath();
        long n = 0;
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    if (Files.readSymbolicLink(fd).equals(real)) {
                        n++;
                    }
                } catch (IOException gone) {
                    // closed while listing
                }
            }
        }
        return n;
    }
}
