package dev.duplex.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.duplex.internal.protocol.ZlibPool;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link EventLoop} and {@link EventLoopGroup} on real threads. "It happens" waits on a latch
 * with a timeout of seconds; "it never happens" is checked when a later timer or task runs,
 * which the loop orders after it, rather than after a sleep (except where a timer would itself
 * keep the loop alive: a channel alone keeping it).
 */
class EventLoopTest {
    private static final long WAIT_SECONDS = 10;
    /** Long enough for an idle loop to end, with room for a busy machine. */
    private static final long EXIT_WAIT_MILLIS = EventLoop.IDLE_EXIT_MILLIS + 10_000;

    private static EventLoop newLoop(String name) {
        return new EventLoop(name, new ZlibPool());
    }

    /** Runs {@code task} on the loop and waits for its result. */
    private static <T> T onLoop(EventLoop loop, Callable<T> task) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                result.complete(task.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return result.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    /** Makes the loop thread's uncaught-exception handler collect what {@link Failures} reports. */
    private static BlockingQueue<Throwable> collectFailures(EventLoop loop) throws Exception {
        BlockingQueue<Throwable> reported = new LinkedBlockingQueue<>();
        onLoop(loop, () -> {
            Thread.currentThread().setUncaughtExceptionHandler((t, e) -> reported.add(e));
            return null;
        });
        return reported;
    }

    private static void await(CountDownLatch latch) throws InterruptedException {
        assertThat(latch.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("within %d s", WAIT_SECONDS).isTrue();
    }

    @Test
    void tasksFromAnotherThreadRunOnTheLoopThreadInSubmissionOrder() throws Exception {
        EventLoop loop = newLoop("order-loop");
        List<Integer> ran = Collections.synchronizedList(new ArrayList<>());
        Set<Thread> threads = Collections.synchronizedSet(new LinkedHashSet<>());
        List<Boolean> inLoop = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(1);
        for (int i = 0; i < 1_000; i++) {
            int n = i;
            loop.execute(() -> {
                ran.add(n);
                threads.add(Thread.currentThread());
                inLoop.add(loop.inLoop() && EventLoop.current() == loop && EventLoop.onAnyLoop());
                if (n == 999) {
                    done.countDown();
                }
            });
        }
        await(done);
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            expected.add(i);
        }
        assertThat(ran).isEqualTo(expected);
        assertThat(threads).hasSize(1);
        Thread loopThread = threads.iterator().next();
        assertThat(loopThread).isNotSameAs(Thread.currentThread());
        assertThat(loopThread.getName()).isEqualTo("order-loop");
        assertThat(loopThread.isDaemon()).as("never keeps the JVM alive").isTrue();
        assertThat(inLoop).containsOnly(true);
        assertThat(loop.inLoop()).isFalse();
        assertThat(EventLoop.current()).isNull();
        assertThat(EventLoop.onAnyLoop()).isFalse();
    }

    @Test
    void tasksFromManyThreadsRacingToStartTheLoopAllRunOnOneThreadEachInItsOrder() throws Exception {
        EventLoop loop = newLoop("race-loop");
        int submitters = 8;
        int each = 500;
        List<int[]> ran = Collections.synchronizedList(new ArrayList<>());
        Set<Thread> threads = Collections.synchronizedSet(new LinkedHashSet<>());
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch all = new CountDownLatch(submitters * each);
        List<Thread> workers = new ArrayList<>();
        for (int s = 0; s < submitters; s++) {
            int submitter = s;
            Thread w = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < each; i++) {
                    int n = i;
                    loop.execute(() -> {
                        ran.add(new int[] {submitter, n});
                        threads.add(Thread.currentThread());
                        all.countDown();
                    });
                }
            });
            w.start();
            workers.add(w);
        }
        go.countDown();     // all at once, on a loop whose thread has not started
        await(all);
        for (Thread w : workers) {
            w.join();
        }
        assertThat(threads).hasSize(1);
        assertThat(ran).hasSize(submitters * each);
        int[] next = new int[submitters];
        for (int[] r : ran) {
            assertThat(r[1]).as("submitter %d's tasks in its order", r[0]).isEqualTo(next[r[0]]++);
        }
    }

    @Test
    void aTaskSubmittedOnTheLoopRunsAfterTheTaskThatSubmittedIt() throws Exception {
        EventLoop loop = newLoop("nested-loop");
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch done = new CountDownLatch(1);
        loop.execute(() -> {
            loop.execute(() -> {
                events.add("inner");
                done.countDown();
            });
            events.add("outer ends");
        });
        await(done);
        assertThat(events).containsExactly("outer ends", "inner");
    }

    @Test
    void timersFireInDeadlineOrderAndTimersOfEqualDelayInTheOrderTheyWereScheduled() throws Exception {
        EventLoop loop = newLoop("timer-loop");
        long[] delays = {60, 20, 40, 0, 20, 60, 40, 0};
        List<Integer> fired = Collections.synchronizedList(new ArrayList<>());
        List<String> early = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch all = new CountDownLatch(delays.length);
        onLoop(loop, () -> {
            for (int i = 0; i < delays.length; i++) {
                int n = i;
                long scheduledAt = System.nanoTime();
                loop.schedule(() -> {
                    long waited = System.nanoTime() - scheduledAt;
                    if (waited < TimeUnit.MILLISECONDS.toNanos(delays[n])) {
                        early.add("timer " + n + " after " + waited + " ns");
                    }
                    fired.add(n);
                    all.countDown();
                }, delays[n], TimeUnit.MILLISECONDS);
            }
            return null;
        });
        await(all);
        assertThat(fired).containsExactly(3, 7, 1, 4, 2, 6, 0, 5);
        assertThat(early).as("no timer before its delay").isEmpty();
    }

    @Test
    void aCancelledTimerNeverRuns() throws Exception {
        EventLoop loop = newLoop("cancel-loop");
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch last = new CountDownLatch(1);
        onLoop(loop, () -> {
            loop.schedule(() -> events.add("cancelled at once"), 0, TimeUnit.MILLISECONDS).cancel();
            EventLoop.Timer laterOne = loop.schedule(() -> events.add("cancelled by an earlier timer"),
                    80, TimeUnit.MILLISECONDS);
            loop.schedule(() -> {
                events.add("cancels the next");
                laterOne.cancel();
            }, 20, TimeUnit.MILLISECONDS);
            loop.schedule(() -> {
                events.add("after both");
                last.countDown();
            }, 160, TimeUnit.MILLISECONDS);
            return null;
        });
        await(last);
        assertThat(events).containsExactly("cancels the next", "after both");
    }

    @Test
    void cancellingATimerThatHasRunChangesNothing() throws Exception {
        EventLoop loop = newLoop("ran-loop");
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch last = new CountDownLatch(1);
        AtomicReference<EventLoop.Timer> first = new AtomicReference<>();
        onLoop(loop, () -> {
            first.set(loop.schedule(() -> events.add("first"), 0, TimeUnit.MILLISECONDS));
            loop.schedule(() -> {
                first.get().cancel();
                events.add("second");
                last.countDown();
            }, 30, TimeUnit.MILLISECONDS);
            return null;
        });
        await(last);
        assertThat(events).containsExactly("first", "second");
    }

    @Test
    void aFailingTaskIsReportedOnTheLoopThreadAndTheLoopGoesOn() throws Exception {
        EventLoop loop = newLoop("failing-loop");
        BlockingQueue<Throwable> reported = collectFailures(loop);
        Thread loopThread = onLoop(loop, Thread::currentThread);
        RuntimeException boom = new IllegalStateException("boom");
        AssertionError error = new AssertionError("an Error too");
        loop.execute(() -> {
            throw boom;
        });
        loop.execute(() -> {
            throw error;
        });
        assertThat(onLoop(loop, Thread::currentThread)).as("the same thread, still serving").isSameAs(loopThread);
        assertThat(reported).containsExactly(boom, error);
    }

    @Test
    void aFailingTimerIsReportedAndLaterTimersStillRun() throws Exception {
        EventLoop loop = newLoop("failing-timer-loop");
        BlockingQueue<Throwable> reported = collectFailures(loop);
        RuntimeException boom = new IllegalStateException("timer boom");
        CountDownLatch later = new CountDownLatch(1);
        onLoop(loop, () -> {
            loop.schedule(() -> {
                throw boom;
            }, 10, TimeUnit.MILLISECONDS);
            loop.schedule(later::countDown, 40, TimeUnit.MILLISECONDS);
            return null;
        });
        await(later);
        assertThat(reported).containsExactly(boom);
    }

    @Test
    void anIdleLoopEndsItsThreadAfterTheIdleTimeAndTheNextTaskStartsANewOne() throws Exception {
        EventLoop loop = newLoop("idle-loop");
        long[] ranAt = new long[1];
        Thread first = onLoop(loop, () -> {
            ranAt[0] = System.nanoTime();
            return Thread.currentThread();
        });
        first.join(EXIT_WAIT_MILLIS);
        long idle = System.nanoTime() - ranAt[0];
        assertThat(first.isAlive()).as("ended within %d ms", EXIT_WAIT_MILLIS).isFalse();
        assertThat(idle).as("not before %d ms without work", EventLoop.IDLE_EXIT_MILLIS)
                .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(EventLoop.IDLE_EXIT_MILLIS));

        Thread second = onLoop(loop, () -> loop.inLoop() && EventLoop.current() == loop ? Thread.currentThread() : null);
        assertThat(second).isNotNull().isNotSameAs(first);
        assertThat(second.getName()).isEqualTo("idle-loop");
        assertThat(second.isAlive()).isTrue();
    }

    @Test
    void tasksArrivingMoreOftenThanTheIdleTimeKeepTheSameThread() throws Exception {
        // Each task restarts the idle time: a loop used every 50 ms never ends its thread.
        EventLoop loop = newLoop("busy-loop");
        Set<Thread> threads = new LinkedHashSet<>();
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(EventLoop.IDLE_EXIT_MILLIS + 1_000);
        while (System.nanoTime() - until < 0) {
            threads.add(onLoop(loop, Thread::currentThread));
            Thread.sleep(50);
        }
        assertThat(threads).hasSize(1);
    }

    @Test
    void aPendingTimerKeepsTheLoopRunningPastTheIdleTime() throws Exception {
        EventLoop loop = newLoop("timer-keeps-loop");
        CompletableFuture<Thread> firedOn = new CompletableFuture<>();
        Thread scheduledOn = onLoop(loop, () -> {
            loop.schedule(() -> firedOn.complete(Thread.currentThread()),
                    EventLoop.IDLE_EXIT_MILLIS + 500, TimeUnit.MILLISECONDS);
            return Thread.currentThread();
        });
        assertThat(firedOn.get(EXIT_WAIT_MILLIS, TimeUnit.MILLISECONDS)).isSameAs(scheduledOn);
    }

    @Test
    void aRegisteredChannelIsToldWhenReadyAndKeepsTheLoopUntilItIsDeregistered() throws Exception {
        EventLoop loop = newLoop("channel-loop");
        Pipe pipe = Pipe.open();
        try {
            BlockingQueue<String> read = new LinkedBlockingQueue<>();
            List<Thread> handledOn = Collections.synchronizedList(new ArrayList<>());
            SelectionKey key = onLoop(loop, () -> {
                pipe.source().configureBlocking(false);
                return loop.register(pipe.source(), SelectionKey.OP_READ, (EventLoop.Selectable) readyOps -> {
                    handledOn.add(Thread.currentThread());
                    ByteBuffer b = ByteBuffer.allocate(16);
                    try {
                        pipe.source().read(b);
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                    read.add(readyOps + ":" + new String(b.array(), 0, b.position()));
                });
            });
            Thread loopThread = onLoop(loop, Thread::currentThread);
            pipe.sink().write(ByteBuffer.wrap("a".getBytes()));
            assertThat(read.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(SelectionKey.OP_READ + ":a");

            // Idle but for the channel: the loop must not end. No timer can show this (a timer
            // keeps a loop anyway), so wait out the idle time.
            Thread.sleep(EventLoop.IDLE_EXIT_MILLIS + 500);
            assertThat(loopThread.isAlive()).isTrue();
            pipe.sink().write(ByteBuffer.wrap("b".getBytes()));
            assertThat(read.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(SelectionKey.OP_READ + ":b");
            assertThat(handledOn).containsOnly(loopThread);

            onLoop(loop, () -> {
                key.cancel();
                loop.deregistered();
                return null;
            });
            loopThread.join(EXIT_WAIT_MILLIS);
            assertThat(loopThread.isAlive()).as("the last channel gone, the loop ends").isFalse();
        } finally {
            pipe.sink().close();
            pipe.source().close();
        }
    }

    @Test
    void aSelectableThatThrowsIsReportedAndTheLoopGoesOn() throws Exception {
        EventLoop loop = newLoop("throwing-channel-loop");
        BlockingQueue<Throwable> reported = collectFailures(loop);
        Pipe pipe = Pipe.open();
        try {
            RuntimeException boom = new IllegalStateException("selectable boom");
            CountDownLatch second = new CountDownLatch(1);
            List<String> read = Collections.synchronizedList(new ArrayList<>());
            onLoop(loop, () -> {
                pipe.source().configureBlocking(false);
                return loop.register(pipe.source(), SelectionKey.OP_READ, (EventLoop.Selectable) readyOps -> {
                    ByteBuffer b = ByteBuffer.allocate(1);
                    try {
                        pipe.source().read(b);
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                    read.add(new String(b.array(), 0, b.position()));
                    if (read.size() == 1) {
                        throw boom;
                    }
                    second.countDown();
                });
            });
            pipe.sink().write(ByteBuffer.wrap("1".getBytes()));
            assertThat(reported.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isSameAs(boom);
            pipe.sink().write(ByteBuffer.wrap("2".getBytes()));
            await(second);
            assertThat(read).containsExactly("1", "2");
            assertThat(reported).isEmpty();
        } finally {
            pipe.sink().close();
            pipe.source().close();
        }
    }

    @Test
    void aGroupHandsOutItsLoopsRoundRobinAndTheyShareOneZlibPool() throws Exception {
        EventLoopGroup group = new EventLoopGroup(3, "group");
        assertThat(group.size()).isEqualTo(3);
        List<EventLoop> handedOut = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            handedOut.add(group.next());
        }
        assertThat(new LinkedHashSet<>(handedOut)).hasSize(3);
        for (int i = 3; i < 7; i++) {
            assertThat(handedOut.get(i)).as("connection %d", i).isSameAs(handedOut.get(i - 3));
        }
        for (int i = 0; i < 3; i++) {
            EventLoop loop = handedOut.get(i);
            assertThat(onLoop(loop, () -> Thread.currentThread().getName())).isEqualTo("group-" + i);
            assertThat(loop.codecResources()).as("made once").isSameAs(loop.codecResources());
            assertThat(loop.codecResources()).isNotSameAs(handedOut.get((i + 1) % 3).codecResources());
            assertThat(loop.codecResources().zlib()).isSameAs(group.zlib());
        }
    }

    @Test
    void aGroupNeedsAtLeastOneLoop() {
        assertThatThrownBy(() -> new EventLoopGroup(0, "none"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("An event loop group needs at least one loop");
    }
}
