package dev.duplex.cluster;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last sequence number seen from each publishing node on each channel, to tell a fresh
 * message from a repeated one and to count the ones that never arrived.
 *
 * <p>The first message from a node on a channel only sets the baseline: a receiver that has just
 * subscribed cannot know what it was not there for. {@link #forget} resets a channel when this
 * node unsubscribes, so a later subscription starts a new baseline instead of reporting the
 * messages it was not subscribed for as lost. Called from the broker's delivery thread only.
 */
final class SequenceTracker {
    /** What the caller should do with a message. */
    enum Verdict { DELIVER, DUPLICATE }

    private final Map<String, Map<String, long[]>> lastSeen = new ConcurrentHashMap<>();

    /**
     * Records {@code sequence} from {@code origin} on {@code channel}.
     *
     * @param gap receives, in its first element, how many messages are missing before this one
     */
    Verdict accept(String channel, String origin, long sequence, long[] gap) {
        gap[0] = 0;
        long[] last = lastSeen.computeIfAbsent(channel, c -> new ConcurrentHashMap<>())
                .computeIfAbsent(origin, o -> new long[] {0});
        if (last[0] == 0) {
            last[0] = sequence;
            return Verdict.DELIVER;
        }
        if (sequence <= last[0]) {
            return Verdict.DUPLICATE;
        }
        gap[0] = sequence - last[0] - 1;
        last[0] = sequence;
        return Verdict.DELIVER;
    }

    void forget(String channel) {
        lastSeen.remove(channel);
    }

    /** Drops what is known about {@code origin} (a node that left the cluster). */
    void forgetNode(String origin) {
        for (Map<String, long[]> perOrigin : lastSeen.values()) {
            perOrigin.remove(origin);
        }
    }
}
