package dev.duplex.cluster;

import dev.duplex.Event;

/**
 * Messages were lost on their way through the broker, counted exactly (type {@code "loss"}).
 * Either this node could not relay its own ({@link #notRelayed()} true: the broker did not take
 * them in time, or {@link ClusterOptions#maxPendingBytes()} was reached while it was away), or
 * messages from another node never arrived here ({@link #notRelayed()} false: found by the gap
 * in that node's sequence numbers on the channel). Reported at most once per second per
 * channel and node, with the count since the last report: a discontinuity for that channel.
 */
public final class LossEvent extends Event {
    private final String channel;
    private final String node;
    private final long count;
    private final boolean notRelayed;

    LossEvent(String channel, String node, long count, boolean notRelayed) {
        super("loss");
        this.channel = channel;
        this.node = node;
        this.count = count;
        this.notRelayed = notRelayed;
    }

    /** The channel: {@code "all"}, {@code "room:NAME"}, {@code "user:ID"} or {@code "node:ID"}. */
    public String channel() {
        return channel;
    }

    /** The node whose messages were lost (this node's id when {@link #notRelayed()}). */
    public String node() {
        return node;
    }

    /** How many messages. */
    public long count() {
        return count;
    }

    /** True if this node could not hand them to the broker; false if they were lost on the way here. */
    public boolean notRelayed() {
        return notRelayed;
    }

    @Override
    public String toString() {
        return notRelayed ? count + " message(s) to " + channel + " not relayed through the broker"
                : count + " message(s) from node " + node + " on " + channel + " never arrived";
    }
}
