package dev.duplex.internal.session;

import dev.duplex.HandshakeRequest;
import dev.duplex.internal.protocol.HttpHead;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * What a {@link ServerSession} needs from the server above it: the API's
 * {@code WebSocketServer} implements it privately. Called on the connection's I/O thread.
 */
public interface ServerSide {
    /** The limits shared by every connection of the server. */
    ServerLimits limits();

    /** The server's running totals ({@code WebSocketServer.metrics()}), which its connections add to. */
    dev.duplex.internal.metrics.ServerCounters counters();

    /** The request as the handshake handler and the connection event see it. */
    HandshakeRequest request(String method, String path, String query, HttpHead head, List<String> protocols,
                             InetSocketAddress remote);

    /** Makes the socket of an accepted upgrade (already open); its events come back through the result. */
    SocketEvents newSocket(Session session, String url, String protocol, String extensions);

    /** Hands the new socket to the application: its connection event, first on its queue. */
    void opened(SocketEvents socket, HandshakeRequest request);

    /** The connection is over; {@code socket} is null if it never got past the opening handshake. */
    void ended(ServerSession session, SocketEvents socket);
}
