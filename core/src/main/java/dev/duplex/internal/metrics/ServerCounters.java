package dev.duplex.internal.metrics;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A server's running totals, shared by all its connections and updated on their I/O threads.
 * LongAdders, so that connections on different threads never contend on one counter; read by
 * {@code WebSocketServer.metrics()}, which sums them. Each total is exact; a reading taken while
 * traffic flows is not one instant across the totals.
 */
public final class ServerCounters {
    private final LongAdder opened = new LongAdder();
    private final LongAdder closed = new LongAdder();
    private final LongAdder messagesIn = new LongAdder();
    private final LongAdder messagesOut = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private final LongAdder abnormal = new LongAdder();
    private final ConcurrentHashMap<Integer, LongAdder> closes = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, LongAdder> handshakeFailures = new ConcurrentHashMap<>();

    public void connectionOpened() {
        opened.increment();
    }

    public void connectionClosed(int code, boolean wasClean) {
        closed.increment();
        if (!wasClean) {
            abnormal.increment();
        }
        closes.computeIfAbsent(code, c -> new LongAdder()).increment();
    }

    public void handshakeFailed(int status) {
        handshakeFailures.computeIfAbsent(status, c -> new LongAdder()).increment();
    }

    public void messageIn() {
        messagesIn.increment();
    }

    public void messageOut() {
        messagesOut.increment();
    }

    public void bytesIn(long n) {
        bytesIn.add(n);
    }

    public void bytesOut(long n) {
        bytesOut.add(n);
    }

    public long openedTotal() {
        return opened.sum();
    }

    public long closedTotal() {
        return closed.sum();
    }

    public long abnormalCloses() {
        return abnormal.sum();
    }

    public long messagesIn() {
        return messagesIn.sum();
    }

    public long messagesOut() {
        return messagesOut.sum();
    }

    public long bytesIn() {
        return bytesIn.sum();
    }

    public long bytesOut() {
        return bytesOut.sum();
    }

    public Map<Integer, Long> closesByCode() {
        return sums(closes);
    }

    public Map<Integer, Long> handshakeFailuresByStatus() {
        return sums(handshakeFailures);
    }

    private static Map<Integer, Long> sums(ConcurrentHashMap<Integer, LongAdder> counts) {
        TreeMap<Integer, Long> out = new TreeMap<>();
        counts.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
