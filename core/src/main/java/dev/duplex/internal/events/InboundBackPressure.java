package dev.duplex.internal.events;

import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.function.Consumer;

/**
 * Back-pressure on received messages waiting for their handlers: reading from the network stops
 * once more than {@code highWater} bytes wait, and resumes below half of that.
 *
 * <p>The receiving thread pauses and the handler thread resumes, each deciding on a count the
 * other is changing. Deciding on a stale count lost a resume: the receiver saw the count above
 * the mark, the handlers then drained every message (no pause to lift yet), and the pause came
 * after, never to be lifted: a client that stopped reading for good, about 1 run in 25 of a
 * 1 MiB echo benchmark. So the pausing side raises its flag before it reads the count again, and
 * the resuming side reads the flag after it changed the count: with volatile reads and writes
 * at least one of them sees the other, and the lock keeps their requests in order.
 */
public final class InboundBackPressure {
    private final long highWater;
    private final Consumer<Boolean> pauseReading;    // true: pause, false: resume
    private volatile long waiting;        // bytes received and not yet handled
    private static final AtomicLongFieldUpdater<InboundBackPressure> WAITING =
            AtomicLongFieldUpdater.newUpdater(InboundBackPressure.class, "waiting");
    private volatile boolean paused;

    public InboundBackPressure(long highWater, Consumer<Boolean> pauseReading) {
        this.highWater = highWater;
        this.pauseReading = pauseReading;
    }

    /** On the receiving thread: a message of {@code size} bytes now waits for its handler. */
    public void received(long size) {
        if (WAITING.addAndGet(this, size) > highWater && !paused) {
            pauseIfStillAbove();
        }
    }

    /** On the handler's thread: a message of {@code size} bytes left the queue. */
    public void handled(long size) {
        if (WAITING.addAndGet(this, -size) < highWater / 2 && paused) {
            resumeIfStillBelow();
        }
    }

    public boolean paused() {
        return paused;
    }

    public long waiting() {
        return waiting;
    }

    private synchronized void pauseIfStillAbove() {
        if (paused) {
            return;
        }
        paused = true;      // first: a handler that drains the queue from now on sees it
        if (waiting > highWater) {
            pauseReading.accept(true);
        } else {
            paused = false;     // the handlers caught up meanwhile
        }
    }

    private synchronized void resumeIfStillBelow() {
        if (paused && waiting < highWater / 2) {
            paused = false;
            pauseReading.accept(false);
        }
    }
}
