package dev.duplex.cli;

import dev.duplex.HandshakeRequest;
import dev.duplex.HttpResponse;
import dev.duplex.PlainHttpHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code serve --devconsole}: a page at {@code /} that opens a WebSocket to this same server and
 * lets a developer type messages and read the answers, as websocketd's dev console. Other paths
 * get 404. The page is a resource of the jar ({@code devconsole.html}), served from the
 * server's own origin, so the origin check lets its socket in.
 */
final class DevConsole implements PlainHttpHandler {
    private final byte[] page;

    DevConsole() {
        try (InputStream in = DevConsole.class.getResourceAsStream("devconsole.html")) {
            if (in == null) {
                throw new IllegalStateException("devconsole.html is missing from the jar");
            }
            page = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public HttpResponse handle(HandshakeRequest request) {
        if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
            return HttpResponse.text(405, "Only GET and HEAD are served here\n").withHeader("Allow", "GET, HEAD");
        }
        if (!request.path().equals("/")) {
            return HttpResponse.text(404, "Not Found: the developer console is at /\n");
        }
        return HttpResponse.of(200, "text/html; charset=utf-8", page)
                .withHeader("Cache-Control", "no-cache")
                .withHeader("X-Content-Type-Options", "nosniff")
                .withHeader("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline'; "
                        + "style-src 'unsafe-inline'; connect-src 'self' ws: wss:");
    }
}
