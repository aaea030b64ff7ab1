package dev.duplex;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.concurrent.locks.StampedLock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The registration gate's reading of the constructing thread: queuing for a lock is contention
 * (the thread is still at work), anything else that stops it is a real wait. Each case parks a
 * real thread in that state and classifies it.
 */
@Timeout(20)
class ThreadActivityTest {
    private Thread parked;

    @AfterEach
    void tearDown() throws InterruptedException {
        if (parked != null) {
            parked.interrupt();
            parked.join(5_000);
        }
    }

    @Test
    void aRunningThreadIsRunning() {
        assertThat(ThreadActivity.of(Thread.currentThread())).isEqualTo(ThreadActivity.RUNNING);
    }

    @Test
    void queuingForAReentrantLockIsContention() throws Exception {
        ReentrantLock lock = new ReentrantLock();
        lock.lock();
        try {
            park(lock::lockInterruptibly);
            assertThat(ThreadActivity.of(parked)).isEqualTo(ThreadActivity.CONTENDING);
        } finally {
            lock.unlock();
        }
    }

    @Test
    void queuingForAReadWriteLockIsContention() throws Exception {
        ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        lock.writeLock().lock();
        try {
            park(() -> lock.readLock().lockInterruptibly());
            assertThat(ThreadActivity.of(parked)).isEqualTo(ThreadActivity.CONTENDING);
        } finally {
            lock.writeLock().unlock();
        }
    }

    @Test
    void queuingForAStampedLockIsContention() throws Exception {
        StampedLock lock = new StampedLock();
        long stamp = lock.writeLock();
        try {
            park(lock::readLockInterruptibly);
            assertThat(ThreadActivity.of(parked)).isEqualTo(ThreadActivity.CONTENDING);
        } finally {
            lock.unlockWrite(stamp);
        }
    }

    @Test
    void queuingForAMonitorIsContention() throws Exception {
        Object monitor = new Object();
        synchronized (monitor) {
            parked = new Thread(() -> {
                synchronized (monitor) {
                    monitor.notifyAll();
                }
            });
            parked.start();
            awaitState(Thread.State.BLOCKED);
            assertThat(ThreadActivity.of(parked)).isEqualTo(ThreadActivity.CONTENDING);
        }
    }

    @Test
    void awaitingALatchIsWaiting() throws Exception {
        CountDownLatch latch = new CountDownLatch(1);
        park(latch::await);
        assertThat(ThreadActivity.of(parked)).isEqualTo(ThreadActivity.WAITING);
    }

    @Test
    void awaitingAConditionIsWaitingThoughTheConditionBelongsToALock() throws Exception {
        ReentrantLock lock = new ReentrantLock();
        Condition signalled = lock.newCondition();
        park(() -> {
            lock.lock();
            try {
                signalled.await();
            } finally {
                lock.unlock();
            }
        });
        assertThat(ThreadActivity.of(parked)).isEqualTo(ThreadActivity.WAITING);
    }

    @Test
    void sleepingIsWaiting() throws Exception {
        park(() -> Thread.sleep(60_000));
        assertThat(ThreadActivity.of(parked)).isEqualTo(ThreadActivity.WAITING);
    }

    @Test
    void anEndedThreadIsWaiting() throws Exception {
        Thread t = new Thread(() -> { });
        t.start();
        t.join();
        assertThat(ThreadActivity.of(t)).isEqualTo(ThreadActivity.WAITING);
    }

    interface Blocking {
        void run() throws InterruptedException;
    }

    // Starts a thread that runs `body` and returns once it is parked in it.
    private void park(Blocking body) throws InterruptedException {
        parked = new Thread(() -> {
            try {
                body.run();
            } catch (InterruptedException e) {
                // the test is over
            }
        });
        parked.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (parked.getState() != Thread.State.WAITING && parked.getState() != Thread.State.TIMED_WAITING) {
            assertThat(System.nanoTime()).as("thread parked in time").isLessThan(deadline);
            Thread.sleep(1);
        }
    }

    private void awaitState(Thread.State state) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (parked.getState() != state) {
            assertThat(System.nanoTime()).as("thread %s in time", state).isLessThan(deadline);
            Thread.sleep(1);
        }
    }
}
