package dev.duplex.cluster;

import dev.duplex.Event;

import java.time.Duration;

/**
 * The node lost its link to the broker ({@code "linkdown"}, with the {@link #cause()}) or got it
 * back ({@code "linkup"}, with how long it was {@linkplain #downtime() down}). While the link is
 * down the node keeps serving its own sockets: local deliveries go on, messages for other nodes
 * wait in the broker client up to {@link ClusterOptions#maxPendingBytes()}.
 */
public final class LinkEvent extends Event {
    private final Throwable cause;
    private final Duration downtime;

    LinkEvent(String type, Throwable cause, Duration downtime) {
        super(type);
        this.cause = cause;
        this.downtime = downtime;
    }

    /** Why the link went down; null for {@code linkup}. */
    public Throwable cause() {
        return cause;
    }

    /** How long the link was down; {@link Duration#ZERO} for {@code linkdown}. */
    public Duration downtime() {
        return downtime;
    }

    @Override
    public String toString() {
        return type().equals("linkup") ? "linkup after " + downtime.toMillis() + " ms"
                : "linkdown: " + (cause == null ? "" : RedisBroker.rootMessage(cause));
    }
}
