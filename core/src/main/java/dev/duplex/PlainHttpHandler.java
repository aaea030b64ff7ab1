package dev.duplex;

/**
 * Answers plain HTTP requests (ones without an {@code Upgrade} header) that reach a
 * {@link WebSocketServer}, for example to serve the page that opens the WebSocket. Without one,
 * such requests are answered {@code 426 Upgrade Required}. It runs on the server's event
 * executor and may block briefly (reading a file, say).
 */
@FunctionalInterface
public interface PlainHttpHandler {
    /**
     * @param request the request line and headers (method, path, query, headers, remote address)
     * @return the response; null means 404
     */
    HttpResponse handle(HandshakeRequest request);
}
