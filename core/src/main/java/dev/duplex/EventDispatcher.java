package dev.duplex;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * The event queue of one socket: tasks run on the executor one at a time, in the order they
 * were queued, never concurrently (the WHATWG "queue a task" of a single event loop).
 *
 * <p>The queue starts behind a <em>gate</em> so that handlers registered right after the
 * constructor returns never miss an event (see {@link WebSocket} for the rule that opens it).
 */
final class EventDispatcher {
    private static final int BATCH = 64;
    private static final ThreadLocal<EventDispatcher> CURRENT = new ThreadLocal<>();
    private static final ThreadLocal<List<EventDispatcher>> GATES_AFTER_TASK = new ThreadLocal<>();
    /** The dispatcher whose drain the calling thread is handing to the executor right now. */
    private static final ThreadLocal<EventDispatcher> STARTING = new ThreadLocal<>();

    private final Executor executor;
    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private volatile int scheduled;       // 1 while a drain is scheduled or running
    private static final AtomicIntegerFieldUpdater<EventDispatcher> SCHEDULED =
            AtomicIntegerFieldUpdater.newUpdater(EventDispatcher.class, "scheduled");
    private volatile boolean gateOpen;

    EventDispatcher(Executor executor, boolean gateOpen) {
        this.executor = executor;
        this.gateOpen = gateOpen;
    }

    /** True if the calling thread is running a task of some socket's queue right now. */
    static boolean inEventTask() {
        return CURRENT.get() != null;
    }

    /**
     * Opens {@code d}'s gate when the task the calling thread is running ends: a socket created
     * inside an event handler starts delivering after that handler returns, as in JavaScript.
     */
    static void openGateAfterCurrentTask(EventDispatcher d) {
        List<EventDispatcher> l = GATES_AFTER_TASK.get();
        if (l == null) {
            l = new ArrayList<>();
            GATES_AFTER_TASK.set(l);
        }
        l.add(d);
    }

    boolean gateOpen() {
        return gateOpen;
    }

    void openGate() {
        if (!gateOpen) {
            gateOpen = true;
            schedule();
        }
    }

    /** True if tasks are waiting (used to decide whether the gate needs watching). */
    boolean hasPending() {
        return !queue.isEmpty();
    }

    void enqueue(Runnable task) {
        queue.add(task);
        schedule();
    }

    private void schedule() {
        if (gateOpen && !queue.isEmpty() && SCHEDULED.compareAndSet(this, 0, 1)) {
            EventDispatcher outer = STARTING.get();
            STARTING.set(this);
            try {
                executor.execute(this::drain);
            } catch (RejectedExecutionException e) {
                scheduled = 0;
                System.err.println("[duplex] the event executor rejected a task; events of this socket are dropped: " + e);
                queue.clear();
            } finally {
                STARTING.set(outer);
            }
        }
    }

    private void drain() {
        // An executor that runs the task in execute() itself (Runnable::run, IO_THREAD): drain
        // everything here in a loop, since scheduling the rest would nest one call per batch.
        boolean inline = STARTING.get() == this;
        EventDispatcher outer = CURRENT.get();
        CURRENT.set(this);
        try {
            do {
                try {
                    runBatch();
                } finally {
                    scheduled = 0;
                }
            } while (inline && gateOpen && !queue.isEmpty() && SCHEDULED.compareAndSet(this, 0, 1));
        } finally {
            CURRENT.set(outer);
        }
        if (!inline) {
            schedule();
        }
    }

    private void runBatch() {
        for (int i = 0; i < BATCH; i++) {
            Runnable task = queue.poll();
            if (task == null) {
                return;
            }
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                report(e);
            } finally {
                openDeferredGates();
            }
        }
    }

    private static void openDeferredGates() {
        List<EventDispatcher> l = GATES_AFTER_TASK.get();
        if (l != null && !l.isEmpty()) {
            List<EventDispatcher> copy = new ArrayList<>(l);
            l.clear();
            for (EventDispatcher d : copy) {
                d.openGate();
            }
        }
    }

    static void report(Throwable e) {
        Thread t = Thread.currentThread();
        Thread.UncaughtExceptionHandler h = t.getUncaughtExceptionHandler();
        if (h != null) {
            h.uncaughtException(t, e);
        } else {
            e.printStackTrace();
        }
    }
}
