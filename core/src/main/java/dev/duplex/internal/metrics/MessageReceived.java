package dev.duplex.internal.metrics;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A message at least {@link Jfr#MESSAGE_SIZE_THRESHOLD} bytes long was received. */
@Name("dev.duplex.MessageReceived")
@Label("WebSocket Message Received")
@Category("Duplex")
@Description("A large message was received (at least duplex.jfr.messageSizeThreshold bytes, 64 KiB by default)")
@StackTrace(false)
final class MessageReceived extends Event {
    @Label("Peer")
    String peer;

    @Label("Server Side")
    boolean serverSide;

    @Label("Size")
    @Description("Payload bytes, after decompression (UTF-8 bytes for text)")
    @DataAmount
    long size;

    @Label("Type")
    @Description("text or binary")
    String type;
}
