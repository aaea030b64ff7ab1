package dev.duplex.internal.metrics;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** An open WebSocket connection ended; the fields are those of its close event. */
@Name("dev.duplex.ConnectionClosed")
@Label("WebSocket Connection Closed")
@Category("Duplex")
@Description("An open WebSocket connection ended, with the code and wasClean of its close event")
@StackTrace(false)
final class ConnectionClosed extends Event {
    @Label("Peer")
    String peer;

    @Label("Server Side")
    boolean serverSide;

    @Label("Code")
    @Description("The close code: the peer's, or 1006 when there was no closing handshake")
    int code;

    @Label("Reason")
    String reason;

    @Label("Was Clean")
    @Description("True only after a completed closing handshake")
    boolean wasClean;

    @Label("Error")
    @Description("Why the connection failed, if it did")
    String error;
}
