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
