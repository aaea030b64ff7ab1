package dev.duplex.internal.metrics;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/** A message at least {@link Jfr#MESSAGE_SIZE_THRESHOLD} bytes long was queued for sending. */
@Name("dev.duplex.MessageSent")
@Label("WebSocket Message Sent")
@Category("Duplex")
@Description("A large message was queued for sending (at least duplex.jfr.messageSizeThreshold bytes, 64 KiB by default)")
@StackTrace(false)
final class MessageSent extends Event {
    @Label("Peer")
    String peer;

    @Label("Server Side")
    boolean serverSide;

    @Label("Size")
    @Description("Payload bytes, before compression (UTF-8 bytes for text)")
    @DataAmount
    long size;

    @Label("Type")
    @Description("text or binary")
    String type;
}
