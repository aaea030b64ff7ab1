package dev.duplex;

/**
 * Decides whether a {@link WebSocketServer} accepts an upgrade request, and with which
 * subprotocol. Set it with {@link ServerOptions.Builder#handshake(HandshakeHandler)}:
 *
 * <pre>{@code
 * ServerOptions.builder().handshake(request ->
 *         request.protocols().contains("chat") ? HandshakeDecision.accept("chat")
 *         : request.path().equals("/private") ? HandshakeDecision.reject(403, "forbidden")
 *         : HandshakeDecision.accept())
 * }</pre>
 *
 * <p>The handler may be called from several threads at once, for different requests. An
 * exception thrown by it, or a {@code null} decision, rejects the request with status 500.
 *
 * <h2>Origin checks</h2>
 * Browsers send the page's origin in {@code Origin}, and let any page open a WebSocket to any
 * server, including one on the user's own machine: a server that browsers can reach must decide
 * which pages it serves, or any web site its users visit can act as them (cross-site WebSocket
 * hijacking). For a fixed list use {@link ServerOptions.Builder#allowedOrigins(String...)},
 * which answers 403 before the handler is asked. For any other rule, check
 * {@link HandshakeRequest#origin()} here; a request without one comes from a program, not a
 * browser:
 *
 * <pre>{@code
 * ServerOptions.builder().handshake(request -> {
 *     String origin = request.origin();
 *     boolean ours = origin == null || origin.equals("https://example.com")
 *             || (origin.startsWith("https://") && origin.endsWith(".example.com"));
 *     return ours ? HandshakeDecision.accept() : HandshakeDecision.reject(403, "origin not allowed");
 * })
 * }</pre>
 * Compare whole origins, never prefixes or substrings: {@code https://example.com.evil.test}
 * starts with {@code https://example.com}.
 */
@FunctionalInterface
public interface HandshakeHandler {
    /**
     * Decides on one upgrade request.
     *
     * @param request the client's request, already checked to be a valid WebSocket upgrade
     * @return {@link HandshakeDecision#accept()}, {@link HandshakeDecision#accept(String)}
     *         with one of {@link HandshakeRequest#protocols()}, or
     *         {@link HandshakeDecision#reject(int, String)}
     */
    HandshakeDecision decide(HandshakeRequest request);

    /**
     * Returns the default handler, which accepts every request with no subprotocol.
     *
     * @return a handler that always returns {@link HandshakeDecision#accept()}
     */
    static HandshakeHandler acceptAll() {
        return HandshakeDecision.ACCEPT_ALL;
    }
}
