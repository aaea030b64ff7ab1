package dev.duplex.internal.events;

import dev.duplex.internal.transport.EventLoop;
import dev.duplex.internal.transport.Failures;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * The event queue of one socket: tasks run on the executor one at a time, in the order they
 * were queued, never concurrently (the WHATWG "queue a task" of a single event loop).
 *
 * <p>The queue may start behind a <em>gate</em>, so that listeners registered after the socket
 * was made miss no event; {@code dev.duplex.WebSocket} decides what opens it (its class comment states
 * the rules). Tasks queued while the gate is shut wait, in order; nothing polls.
 *
 * <p>With the API's {@code IO_THREAD} executor the tasks run on {@code home}, the socket's own
 * I/O thread, whichever thread opened the gate or queued the task: a listener that the
 * documentation promises to the I/O thread never runs on a caller's thread.
 */
public final class EventDispatcher {
    private static final int BATCH = 64;
    private static final ThreadLocal<EventDispatcher> CURRENT = new ThreadLocal<>();
    private static final ThreadLocal<List<EventDispatcher>> GATES_AFTER_TASK = new ThreadLocal<>();
    /** The dispatcher whose drain the calling thread is handing to the executor right now. */
    private static final ThreadLocal<EventDispatcher> STARTING = new ThreadLocal<>();

    private final Executor executor;
    private final EventLoop home;
    private final boolean onHomeThread;
    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private volatile int scheduled;       // 1 while a drain is scheduled or running
    private static final AtomicIntegerFieldUpdater<EventDispatcher> SCHEDULED =
            AtomicIntegerFieldUpdater.newUpdater(EventDispatcher.class, "scheduled");
    private volatile int timedOpening;    // 1 once openGateAfter was called
    private static final AtomicIntegerFieldUpdater<EventDispatcher> TIMED_OPENING =
            AtomicIntegerFieldUpdater.newUpdater(EventDispatcher.class, "timedOpening");
    private volatile boolean gateOpen;
    private volatile boolean discarded;

    /**
     * @param home the socket's event loop, where the gate's timer is kept
     * @param onHomeThread true if {@code executor} runs tasks where it is called (the API's
     *        {@code IO_THREAD}): tasks are then always handed to {@code home} to run
     */
    public EventDispatcher(Executor executor, EventLoop home, boolean onHomeThread, boolean gateOpen) {
        this.executor = executor;
        this.home = home;
        this.onHomeThread = onHomeThread;
        this.gateOpen = gateOpen;
    }

    /** True if the calling thread is running a task of some socket's queue right now. */
    public static boolean inEventTask() {
        return CURRENT.get() != null;
    }

    /**
     * Opens {@code d}'s gate when the task the calling thread is running ends: a socket created
     * inside an event handler starts delivering after that handler returns, as in JavaScript.
     */
    public static void openGateAfterCurrentTask(EventDispatcher d) {
        List<EventDispatcher> l = GATES_AFTER_TASK.get();
        if (l == null) {
            l = new ArrayList<>();
            GATES_AFTER_TASK.set(l);
        }
        l.add(d);
    }

    public boolean gateOpen() {
        return gateOpen;
    }

    /** Lets the queued tasks, and every later one, run. Any thread. */
    public void openGate() {
        if (!gateOpen) {
            gateOpen = true;
            schedule();
        }
    }

    /**
     * Opens the gate {@code millis} from now unless something opens it sooner; only the first
     * call counts. One timer on the home loop, which does nothing if it finds the gate open.
     */
    public void openGateAfter(long millis) {
        if (gateOpen || !TIMED_OPENING.compareAndSet(this, 0, 1)) {
            return;
        }
        home.execute(() -> {
            if (!gateOpen) {
                home.schedule(this::openGate, millis, TimeUnit.MILLISECONDS);
            }
        });
    }

    /** Drops every queued and later task: the socket was abandoned before anyone could see it. */
    public void discard() {
        discarded = true;
        queue.clear();
    }

    public void enqueue(Runnable task) {
        if (discarded) {
            return;
        }
        queue.add(task);
        schedule();
    }

    private void schedule() {
        if (gateOpen && !queue.isEmpty() && SCHEDULED.compareAndSet(this, 0, 1)) {
            if (onHomeThread && !home.inLoop()) {
                home.execute(this::handOver);
            } else {
                handOver();
            }
        }
    }

    private void handOver() {
        EventDispatcher outer = STARTING.get();
        STARTING.set(this);
        try {
            executor.execute(this::drain);
        } catch (RejectedExecutionException e) {
            scheduled = 0;
            System.err.println("[duplex] the event executor rejected a task; events of this socket are dropped: " + e);
            queue.clear();
        } catch (RuntimeException | Error e) {
            // An executor that fails otherwise is broken: this socket's events cannot be delivered.
            // Drop them and let the caller (the I/O thread) end the connection and report it.
            scheduled = 0;
            discard();
            throw e;
        } finally {
            STARTING.set(outer);
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

    /** Reports a failure no caller can take; see {@link Failures#report}. */
    public static void report(Throwable e) {
        Failures.report(e);
    }
}
