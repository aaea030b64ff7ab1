package dev.duplex.cluster;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Hands this node's messages to the broker: numbers them per channel, and bounds the bytes the
 * broker holds and has not yet taken (while Redis is away they pile up in the Redis client).
 *
 * <p>Ordering: the number is taken and the message handed to the broker under the channel's
 * lock, so the broker gets a channel's messages in number order; the broker keeps that order
 * on its one connection. Whatever thread sends, receivers see the numbers rise, and a message
 * over the bound or given up by the broker still uses its number, so receivers count it as
 * missing instead of never knowing.
 */
final class Outbox {
    /** Envelope header and Lettuce's command, roughly, on top of the payload. */
    private static final int OVERHEAD = 128;

    private static final class Sequence {
        long last;
    }

    private final Broker broker;
    private final String origin;
    private final String nodeId;
    private final long maxPendingBytes;
    private final LossCounter losses;
    private final Map<String, Sequence> sequences = new ConcurrentHashMap<>();
    private final AtomicLong pendingBytes = new AtomicLong();
    final LongAdder published = new LongAdder();
    final LongAdder notRelayed = new LongAdder();

    Outbox(Broker broker, String origin, String nodeId, long maxPendingBytes, LossCounter losses) {
        this.broker = broker;
        this.origin = origin;
        this.nodeId = nodeId;
        this.maxPendingBytes = maxPendingBytes;
        this.losses = losses;
    }

    void publish(String channel, boolean binary, long target, byte[] payload) {
        Sequence sequence = sequences.computeIfAbsent(channel, c -> new Sequence());
        long size = payload.length + OVERHEAD;
        synchronized (sequence) {
            long number = ++sequence.last;
            published.increment();
            if (pendingBytes.addAndGet(size) > maxPendingBytes) {
                pendingBytes.addAndGet(-size);
                lost(channel);
                return;
            }
            byte[] envelope = new Envelope(binary, origin, number, target, payload).encode();
            try {
                broker.publish(channel, envelope).whenComplete((ok, failure) -> {
                    pendingBytes.addAndGet(-size);
                    if (failure != null) {
                        lost(channel);
                    }
                });
            } catch (RuntimeException e) {
                pendingBytes.addAndGet(-size);
                lost(channel);
            }
        }
    }

    /** Bytes handed to the broker and not yet taken by it. */
    long pendingBytes() {
        return pendingBytes.get();
    }

    private void lost(String channel) {
        notRelayed.increment();
        losses.add(channel, nodeId, true, 1);
    }
}
