package dev.duplex.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Losses counted as they happen (on any thread) and turned into at most one {@link LossEvent}
 * per channel, node and kind each time {@link #drain} runs, so that a Redis outage during a
 * burst of 10,000 messages a second gives a few events with exact counts, not 10,000 events.
 */
final class LossCounter {
    private record Key(String channel, String node, boolean notRelayed) {
    }

    private final Map<Key, LongAdder> counts = new ConcurrentHashMap<>();

    void add(String channel, String node, boolean notRelayed, long n) {
        counts.computeIfAbsent(new Key(channel, node, notRelayed), k -> new LongAdder()).add(n);
    }

    /** The losses counted since the last call, as events. */
    List<LossEvent> drain() {
        List<LossEvent> events = new ArrayList<>();
        for (Map.Entry<Key, LongAdder> e : counts.entrySet()) {
            long n = e.getValue().sumThenReset();
            if (n > 0) {
                Key k = e.getKey();
                events.add(new LossEvent(k.channel(), k.node(), n, k.notRelayed()));
            } else {
                counts.remove(e.getKey(), e.getValue());
            }
        }
        return events;
    }
}
