package dev.duplex;

import dev.duplex.internal.session.WireLog;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A followed redirect to another origin carries none of the user's headers (Authorization,
 * Cookie, API keys), as browsers and curl do; one within the origin keeps them. Credentials in
 * the URL never reach a message or log.
 */
@Timeout(30)
class RedirectCredentialsTest {
    /** A raw HTTP server: answers /start with a 302 to {@code location}, records every other request's head and answers 403. */
    private static final class Redirector implements AutoCloseable {
        final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final BlockingQueue<String> heads = new LinkedBlockingQueue<>();
        volatile String location;
        private final Thread thread = new Thread(this::serve, "redirector");

        Redirector() throws IOException {
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        private void serve() {
            while (!socket.isClosed()) {
                try (Socket s = socket.accept()) {
                    String head = readHead(s.getInputStream());
                    String answer;
                    if (head.startsWith("GET /start ")) {
                        answer = "HTTP/1.1 302 Found\r\nLocation: " + location + "\r\nContent-Length: 0\r\n\r\n";
                    } else {
                        heads.add(head);
                        answer = "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n";
                    }
                    s.getOutputStream().write(answer.getBytes(StandardCharsets.ISO_8859_1));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private static String readHead(InputStream in) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) >= 0) {
                b.write(c);
                if (b.size() >= 4 && b.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                    break;
                }
            }
            return b.toString(StandardCharsets.ISO_8859_1);
        }

        String next() throws InterruptedException {
            String h = heads.poll(10, TimeUnit.SECONDS);
            assertThat(h).as("the redirected request").isNotNull();
            return h;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static WebSocketOptions withCredentials() {
        return WebSocketOptions.builder().maxRedirects(2)
                .header("Authorization", "Bearer secret-token").header("Cookie", "session=abc")
                .header("X-Api-Key", "k3y").build();
    }

    @Test
    void aRedirectToAnotherOriginDropsTheUsersHeaders() throws Exception {
        try (Redirector first = new Redirector(); Redirector other = new Redirector()) {
            first.location = "ws://127.0.0.1:" + other.port() + "/moved";
            WebSocket ws = new WebSocket("ws://127.0.0.1:" + first.port() + "/start", List.of(), withCredentials());
            EventLog log = EventLog.attach(ws);
            String head = other.next();
            assertThat(head).startsWith("GET /moved ").doesNotContainIgnoringCase("authorization")
                    .doesNotContain("session=abc").doesNotContain("k3y").contains("User-Agent: Duplex/");
            log.assertFailed();
        }
    }

    @Test
    void aRedirectWithinTheOriginKeepsThem() throws Exception {
        try (Redirector first = new Redirector()) {
            first.location = "/moved";
            WebSocket ws = new WebSocket("ws://127.0.0.1:" + first.port() + "/start", List.of(), withCredentials());
            EventLog log = EventLog.attach(ws);
            String head = first.next();
            assertThat(head).startsWith("GET /moved ").contains("Authorization: Bearer secret-token")
                    .contains("Cookie: session=abc").contains("X-Api-Key: k3y");
            log.assertFailed();
        }
    }

    @Test
    void credentialsNeverReachMessagesOrTheWireLog() {
        WebSocket ws = new WebSocket("ws://user:pa55@127.0.0.1:47/");
        assertThat(ws.url()).as("the url attribute, as browsers give it").isEqualTo("ws://user:pa55@127.0.0.1:47/");
        assertThat(ws.toString()).doesNotContain("pa55").contains("user:****@");
        ws.close();
        assertThat(WireLog.redacted("Authorization: Bearer abc")).isEqualTo("Authorization: (redacted, 11 bytes)");
        assertThat(WireLog.redacted("cookie: a=b")).isEqualTo("cookie: (redacted, 4 bytes)");
        assertThat(WireLog.redacted("Set-Cookie: id=1")).doesNotContain("id=1");
        assertThat(WireLog.redacted("Host: example.com")).isEqualTo("Host: example.com");
    }
}
