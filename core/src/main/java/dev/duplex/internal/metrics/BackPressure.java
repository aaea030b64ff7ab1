package dev.duplex.internal.metrics;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * Inbound back-pressure turned on or off: received messages waiting for slow listeners passed
 * the high-water mark (Duplex stops reading, and TCP slows the peer), or fell below half of it.
 */
@Name("dev.duplex.BackPressure")
@Label("WebSocket Back-Pressure")
@Category("Duplex")
@Description("Reading from a connection paused (received messages wait for slow listeners) or resumed")
@StackTrace(false)
final class BackPressure extends Event {
    @Label("Peer")
    String peer;

    @Label("Server Side")
    boolean serverSide;

    @Label("Paused")
    @Description("True when reading stopped, false when it resumed")
    boolean paused;
}
