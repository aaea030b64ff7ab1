package dev.duplex.internal.metrics;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A connection ended before its opening handshake succeeded (refused, rejected, timed out). */
@Name("dev.duplex.HandshakeFailed")
@Label("WebSocket Handshake Failed")
@Category("Duplex")
@Description("A connection ended before its opening handshake succeeded")
@StackTrace(false)
final class HandshakeFailed extends Event {
    @Label("Peer")
    String peer;

    @Label("Server Side")
    boolean serverSide;

    @Label("HTTP Status")
    @Description("The status answered (a server's refusal, or what a client got), 0 if there was none")
    int status;

    @Label("Message")
    String message;
}
