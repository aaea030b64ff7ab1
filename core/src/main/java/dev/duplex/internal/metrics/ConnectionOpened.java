package dev.duplex.internal.metrics;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A WebSocket connection completed its opening handshake. */
@Name("dev.duplex.ConnectionOpened")
@Label("WebSocket Connection Opened")
@Category("Duplex")
@Description("A WebSocket connection completed its opening handshake")
@StackTrace(false)
final class ConnectionOpened extends Event {
    @Label("Peer")
    @Description("The other end, host:port")
    String peer;

    @Label("Server Side")
    @Description("True for a connection a WebSocketServer accepted, false for a client's")
    boolean serverSide;
}
