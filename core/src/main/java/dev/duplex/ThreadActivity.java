package dev.duplex;

import java.util.concurrent.locks.AbstractQueuedLongSynchronizer;
import java.util.concurrent.locks.AbstractQueuedSynchronizer;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.concurrent.locks.StampedLock;

/**
 * What a thread is doing, as far as the registration gate cares: still running, held up for a
 * moment by lock contention, or really waiting (sleeping, awaiting a latch or a queue, joining,
 * ended). Contention is told apart because a thread that merely queues for a lock is still in the
 * middle of its work: a {@code synchronized} monitor ({@code BLOCKED}), or a JDK lock
 * ({@link ReentrantLock}, {@link ReentrantReadWriteLock}, {@link StampedLock}), which parks the
 * thread ({@code WAITING}) with the lock as its {@link LockSupport#getBlocker blocker}.
 */
enum ThreadActivity {
    RUNNING, CONTENDING, WAITING;

    static ThreadActivity of(Thread t) {
        // The blocker is read on both sides of the state: a thread parked for a lock when its state
        // is read had the lock as blocker just before or still has it just after.
        Object before = LockSupport.getBlocker(t);
        Thread.State state = t.getState();
        Object after = LockSupport.getBlocker(t);
        switch (state) {
            case NEW:
            case RUNNABLE:
                return RUNNING;
            case BLOCKED:
                return CONTENDING;
            case WAITING:
            case TIMED_WAITING:
                return isLock(before) || isLock(after) ? CONTENDING : WAITING;
            default:
                return WAITING;     // TERMINATED
        }
    }

    static boolean isLock(Object blocker) {
        if (blocker instanceof StampedLock) {
            return true;
        }
        if (blocker instanceof AbstractQueuedSynchronizer || blocker instanceof AbstractQueuedLongSynchronizer) {
            Class<?> owner = blocker.getClass().getEnclosingClass();
            return owner == ReentrantLock.class || owner == ReentrantReadWriteLock.class;
        }
        return false;
    }
}
