package dev.duplex.internal.protocol;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * A small, bounded pool of raw-DEFLATE {@link Deflater}s (one queue per compression level) and
 * {@link Inflater}s, for messages whose compression context is not kept from one message to the
 * next (a {@code *_no_context_takeover} parameter, or our window under 15 bits). Such a
 * connection borrows a compressor for one message and gives it back, so idle connections hold
 * no native memory and busy ones do not pay for creating a compressor per message (a
 * {@code Deflater} allocates about 256 KiB of native memory on creation).
 *
 * <p>At most {@link #MAX_IDLE} idle objects are kept per queue; beyond that a returned object
 * is ended at once, so the pool holds at most 11 × 8 deflaters and 8 inflaters, and in practice
 * only those of the levels in use.
 */
final class ZlibPool {
    /** Idle objects kept per queue. */
    static final int MAX_IDLE = 8;

    private static final int LEVELS = 11;      // Deflater levels -1..9
    @SuppressWarnings("unchecked")
    private static final ConcurrentLinkedQueue<Deflater>[] DEFLATERS = new ConcurrentLinkedQueue[LEVELS];
    private static final AtomicInteger[] IDLE_DEFLATERS = new AtomicInteger[LEVELS];
    private static final ConcurrentLinkedQueue<Inflater> INFLATERS = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger IDLE_INFLATERS = new AtomicInteger();

    static {
        for (int i = 0; i < LEVELS; i++) {
            DEFLATERS[i] = new ConcurrentLinkedQueue<>();
            IDLE_DEFLATERS[i] = new AtomicInteger();
        }
    }

    private ZlibPool() {
    }

    /** An idle deflater of this level, or a new one. */
    static Deflater deflater(int level) {
        Deflater d = DEFLATERS[level + 1].poll();
        if (d != null) {
            IDLE_DEFLATERS[level + 1].decrementAndGet();
            return d;
        }
        return new Deflater(level, true);
    }

    /** Takes a deflater back (reset for its next message), or ends it when enough are idle. */
    static void giveBack(Deflater d, int level) {
        if (IDLE_DEFLATERS[level + 1].incrementAndGet() > MAX_IDLE) {
            IDLE_DEFLATERS[level + 1].decrementAndGet();
            d.end();
            return;
        }
        d.reset();
        DEFLATERS[level + 1].add(d);
    }

    /** An idle inflater, or a new one. */
    static Inflater inflater() {
        Inflater inf = INFLATERS.poll();
        if (inf != null) {
            IDLE_INFLATERS.decrementAndGet();
            return inf;
        }
        return new Inflater(true);
    }

    /** Takes an inflater back (reset for its next message), or ends it when enough are idle. */
    static void giveBack(Inflater inf) {
        if (IDLE_INFLATERS.incrementAndGet() > MAX_IDLE) {
            IDLE_INFLATERS.decrementAndGet();
            inf.end();
            return;
        }
        inf.reset();
        INFLATERS.add(inf);
    }

    /** How many idle objects the pool holds now. */
    static int idle() {
        int n = IDLE_INFLATERS.get();
        for (AtomicInteger i : IDLE_DEFLATERS) {
            n += i.get();
        }
        return n;
    }
}
