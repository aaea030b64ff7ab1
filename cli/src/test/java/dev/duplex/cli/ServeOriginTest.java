package dev.duplex.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code duplex serve}'s defences against web pages (issue 14): the Origin rules against
 * cross-site WebSocket hijacking, the Host check against DNS rebinding, and {@code --static}'s
 * streaming, {@code //abs} refusal and nosniff. A real Chromium on another origin is in
 * interop's CliOriginBrowserTest.
 */
@Timeout(120)
class ServeOriginTest {
    @Test
    void onlyTheServersOwnOriginAndClientsWithoutOriginMayUpgradeByDefault() throws Exception {
        try (Cli.Server server = new Cli.Server("--exec", "cat", "--quiet")) {
            int port = server.port();
            assertThat(Cli.http(port, Cli.upgrade(port, "/", ""))).as("no Origin").startsWith("HTTP/1.1 101");
            assertThat(Cli.http(port, Cli.upgrade(port, "/", "Origin: http://127.0.0.1:" + port + "\r\n")))
                    .startsWith("HTTP/1.1 101");
            assertThat(Cli.http(port, Cli.upgrade(port, "/", "Origin: http://LOCALHOST:" + port + "\r\n")))
                    .as("origins compare without case").startsWith("HTTP/1.1 101");
            String evil = Cli.http(port, Cli.upgrade(port, "/", "Origin: https://evil.example\r\n"));
            assertThat(evil).startsWith("HTTP/1.1 403")
                    .contains("Origin https://evil.example is not allowed")
                    .contains("--origin https://evil.example").contains("--any-origin");
            assertThat(Cli.http(port, Cli.upgrade(port, "/", "Origin: http://127.0.0.1:" + (port + 1) + "\r\n")))
                    .as("another port is another origin").startsWith("HTTP/1.1 403");
            assertThat(Cli.http(port, Cli.upgrade(port, "/", "Origin: null\r\n"))).startsWith("HTTP/1.1 403");
            assertThat(Cli.http(port, Cli.upgrade(port, "/", "Origin: https://127.0.0.1:" + port + "\r\n")))
                    .as("https is not this ws:// server's origin").startsWith("HTTP/1.1 403");
        }
    }

    @Test
    void originAllowsMoreAndAnyOriginAllowsAllWithAWarning() throws Exception {
        try (Cli.Server server = new Cli.Server("--origin", "https://App.Example:443/", "--origin", "http://localhost:3000",
                "--quiet")) {
            int port = server.port();
            assertThat(Cli.http(port, Cli.upgrade(port, "/", "Origin: https://app.example\r\n"))).startsWith("HTTP/1.1 101");
            assertThat(Cli.http(port, Cli.upgrade(port, "/", "Origin: http://localhost:3000\r\n"))).startsWith("HTTP/1.1 101");
            assertThat(Cli.http(port, Cli.upgrade(port, "/", "Origin: https://evil.example\r\n"))).startsWith("HTTP/1.1 403");
            assertThat(server.running.err()).doesNotContain("WARNING");
        }
        try (Cli.Server server = new Cli.Server("--any-origin", "--quiet")) {
            int port = server.port();
            assertThat(Cli.http(port, Cli.upgrade(port, "/", "Origin: https://evil.example\r\n"))).startsWith("HTTP/1.1 101");
            assertThat(server.running.err()).contains("WARNING: --any-origin");
        }
        Cli.Result bad = Cli.run("", "serve", "--port", "0", "--origin", "https://x.example/path");
        assertThat(bad.exit).isEqualTo(Main.USAGE);
        assertThat(bad.err).contains("--origin needs an origin");
    }

    @Test
    void onLoopbackAHostThatDoesNotNameTheServerGets421ForTheUpgradeAndForStatic(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("index.html"), "<p>hi</p>");
        try (Cli.Server server = new Cli.Server("--static", dir.toString(), "--any-origin", "--quiet")) {
            int port = server.port();
            String rebound = Cli.upgrade(port, "/", "").replace("Host: 127.0.0.1:" + port, "Host: evil.example:" + port);
            String answer = Cli.http(port, rebound);
            assertThat(answer).startsWith("HTTP/1.1 421").contains("DNS rebinding").contains("--host");
            assertThat(Cli.http(port, "GET / HTTP/1.1\r\nHost: evil.example:" + port + "\r\n\r\n")).startsWith("HTTP/1.1 421");
            for (String host : new String[] {"localhost:" + port, "127.0.0.1:" + port, "[::1]:" + port, "LocalHost"}) {
                assertThat(Cli.http(port, "GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n")).as(host).startsWith("HTTP/1.1 200");
            }
            assertThat(Cli.http(port, "GET / HTTP/1.1\r\n\r\n")).as("no Host").startsWith("HTTP/1.1 4");
        }
    }

    @Test
    void staticStreamsFilesLargerThanTheHeapWithNosniffAndRefusesAbsolutePaths(@TempDir Path dir) throws Exception {
        long size = 300L << 20;     // sparse: no disk used; far above the 64 MiB the old code refused
        try (RandomAccessFile f = new RandomAccessFile(dir.resolve("big.bin").toFile(), "rw")) {
            f.setLength(size);
        }
        Files.writeString(dir.resolve("a.txt"), "text");
        try (Cli.Server server = new Cli.Server(Map.of("JAVA_TOOL_OPTIONS", "-Xmx48m"), "--static", dir.toString(), "--quiet")) {
            int port = server.port();
            long received = 0;
            String head;
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                s.getOutputStream().write(("GET /big.bin HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n")
                        .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                java.io.InputStream in = new java.io.BufferedInputStream(s.getInputStream());
                StringBuilder h = new StringBuilder();
                while (!h.toString().endsWith("\r\n\r\n")) {
                    h.append((char) in.read());
                }
                head = h.toString();
                byte[] buf = new byte[1 << 16];
                int n;
                while ((n = in.read(buf)) > 0) {
                    received += n;
                }
            }
            assertThat(head).startsWith("HTTP/1.1 200").contains("Content-Length: " + size)
                    .contains("X-Content-Type-Options: nosniff");
            assertThat(received).isEqualTo(size);
            String headOnly = Cli.http(port, "HEAD /big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(headOnly).contains("Content-Length: " + size).endsWith("\r\n\r\n");
            assertThat(Cli.http(port, "GET /a.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
                    .contains("X-Content-Type-Options: nosniff").endsWith("text");
            for (String path : new String[] {"//etc/passwd", "/a.txt//", "/%2Fetc%2Fpasswd", "/./a.txt"}) {
                String answer = Cli.http(port, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
                assertThat(answer).as(path).startsWith("HTTP/1.1 400").doesNotContain("root:")
                        .contains("X-Content-Type-Options: nosniff");
            }
            assertThat(server.running.process.isAlive()).isTrue();
        }
    }
}
