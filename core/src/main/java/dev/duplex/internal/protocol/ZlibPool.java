package dev.duplex.internal.protocol;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Where permessage-deflate's native {@link Deflater}s and {@link Inflater}s come from and go back
 * to, with a count of those in use. Messages whose compression context is not kept from one
 * message to the next (a {@code *_no_context_takeover} parameter, or our window under 15 bits)
 * borrow an object for one message and give it back, so idle connections hold no native memory
 * and busy ones do not pay for creating a compressor per message (a {@code Deflater} allocates
 * about 256 KiB of native memory on creation). Objects kept for a connection's whole life (context
 * takeover) are made and ended here too, so that {@link #liveObjects()} counts every one.
 *
 * <p>At most {@link #MAX_IDLE} idle objects are kept per queue (one queue per compression level,
 * one for inflaters); beyond that a returned object is ended at once, so a pool holds at most
 * 11 × 8 deflaters and 8 inflaters, and in practice only those of the levels in use.
 *
 * <p>An instance, not a static, so that whoever owns the threads decides how far it is shared:
 * the transport gives one to each event loop group. Thread-safe: senders compress on their own
 * threads while the loop inflates.
 */
public final class ZlibPool {
    /** Idle objects kept per queue. */
    static final int MAX_IDLE = 8;

    private static final int LEVELS = 11;      // Deflater levels -1..9

    private final Queue<Deflater>[] deflaters;
    private final Queue<Inflater> inflaters = new Queue<>();
    private final AtomicInteger live = new AtomicInteger();

    /** Idle objects of one kind, bounded by {@link #MAX_IDLE}. */
    private static final class Queue<T> {
        final ConcurrentLinkedQueue<T> idle = new ConcurrentLinkedQueue<>();
        final AtomicInteger size = new AtomicInteger();

        T poll() {
            T t = idle.poll();
            if (t != null) {
                size.decrementAndGet();
            }
            return t;
        }

        // Makes room for one more idle object; false (the caller ends it) when enough are idle.
        boolean reserve() {
            if (size.incrementAndGet() > MAX_IDLE) {
                size.decrementAndGet();
                return false;
            }
            return true;
        }
    }

    @SuppressWarnings("unchecked")
    public ZlibPool() {
        deflaters = new Queue[LEVELS];
        for (int i = 0; i < LEVELS; i++) {
            deflaters[i] = new Queue<>();
        }
    }

    /** An idle deflater of this level (reset: nothing from earlier messages), or a new one. */
    Deflater borrowDeflater(int level) {
        Deflater d = deflaters[level + 1].poll();
        live.incrementAndGet();
        return d != null ? d : new Deflater(level, true);
    }

    /** Takes a borrowed deflater back (reset for its next message), or ends it when enough are idle. */
    void giveBack(Deflater d, int level) {
        live.decrementAndGet();
        Queue<Deflater> q = deflaters[level + 1];
        if (q.reserve()) {
            d.reset();
            q.idle.add(d);
        } else {
            d.end();
        }
    }

    /** An idle inflater, or a new one. */
    Inflater borrowInflater() {
        Inflater inf = inflaters.poll();
        live.incrementAndGet();
        return inf != null ? inf : new Inflater(true);
    }

    /** Takes a borrowed inflater back (reset for its next message), or ends it when enough are idle. */
    void giveBack(Inflater inf) {
        live.decrementAndGet();
        if (inflaters.reserve()) {
            inf.reset();
            inflaters.idle.add(inf);
        } else {
            inf.end();
        }
    }

    /** A deflater for one connection's whole life; {@link #end(Deflater)} it. */
    Deflater newDeflater(int level) {
        live.incrementAndGet();
        return new Deflater(level, true);
    }

    /** An inflater for one connection's whole life; {@link #end(Inflater)} it. */
    Inflater newInflater() {
        live.incrementAndGet();
        return new Inflater(true);
    }

    /** Ends a deflater held by a connection (made here or borrowed). */
    void end(Deflater d) {
        live.decrementAndGet();
        d.end();
    }

    /** Ends an inflater held by a connection (made here or borrowed). */
    void end(Inflater inf) {
        live.decrementAndGet();
        inf.end();
    }

    /**
     * Deflaters and inflaters held by connections now (made or borrowed, not yet ended or given
     * back): for leak tests and monitoring. It returns to its earlier value once the connections
     * are released.
     */
    public int liveObjects() {
        return live.get();
    }

    /** Idle objects kept for the next messages, which is bounded: not a leak. */
    public int idleObjects() {
        int n = inflaters.size.get();
        for (Queue<Deflater> q : deflaters) {
            n += q.size.get();
        }
        return n;
    }
}
