package dev.duplex;

/**
 * A new client connection accepted by a {@link WebSocketServer}, dispatched to the server
 * with type {@code "connection"} once the opening handshake has succeeded.
 *
 * <pre>{@code
 * server.onconnection(event -> {
 *     WebSocket ws = event.socket();          // already OPEN
 *     String room = event.request().query();
 *     ws.onmessage(e -> ws.send(((MessageEvent) e).data().toString()));
 * });
 * }</pre>
 */
public class ConnectionEvent extends Event {
    private final WebSocket socket;
    private final HandshakeRequest request;

    /** Creates a {@code "connection"} event for an accepted socket. */
    ConnectionEvent(WebSocket socket, HandshakeRequest request) {
        super("connection");
        this.socket = socket;
        this.request = request;
    }

    /**
     * Returns the server side of the new connection, already {@link WebSocket#OPEN}. Its
     * events are delivered after this event's listeners have returned, so handlers set on
     * it by a {@code connection} listener miss nothing.
     *
     * @return the socket
     */
    public WebSocket socket() {
        return socket;
    }

    /**
     * Returns the upgrade request the client sent.
     *
     * @return the request: path, query, headers, offered subprotocols, remote address
     */
    public HandshakeRequest request() {
        return request;
    }

    /**
     * Returns a description for logs.
     *
     * @return e.g. {@code ConnectionEvent[type=connection, request=HandshakeRequest[GET /chat, ...]]}
     */
    @Override
    public String toString() {
        return "ConnectionEvent[type=" + type() + ", request=" + request + "]";
    }
}
