package dev.duplex.internal.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Reading pauses above the high-water mark, resumes below half of it, and a resume is never lost. */
@Timeout(60)
class InboundBackPressureTest {

    @Test
    void pausesAboveTheMarkAndResumesBelowHalfOfIt() {
        List<Boolean> requests = new ArrayList<>();
        InboundBackPressure flow = new InboundBackPressure(100, requests::add);
        flow.received(60);
        flow.received(40);
        assertThat(requests).as("at the mark, not above it").isEmpty();
        flow.received(1);
        assertThat(requests).containsExactly(true);
        assertThat(flow.paused()).isTrue();
        flow.received(500);                 // already paused: no second request
        flow.handled(500);
        flow.handled(1);
        assertThat(requests).as("100 waiting is not below half").containsExactly(true);
        flow.handled(51);
        assertThat(requests).as("49 waiting").containsExactly(true, false);
        assertThat(flow.paused()).isFalse();
        flow.handled(49);
        assertThat(requests).containsExactly(true, false);
        assertThat(flow.waiting()).isZero();
    }

    @Test
    void aResumeIsNeverLostWhileHandlersDrainTheQueueDuringAPause() throws Exception {
        // A receiver that, like the event loop, reads only while not paused, and a handler thread
        // that empties the queue as fast as it can: the mark is crossed in both directions
        // hundreds of thousands of times. A lost resume leaves the receiver waiting forever.
        int messages = 300_000;
        AtomicBoolean readingPaused = new AtomicBoolean();
        Object loop = new Object();
        InboundBackPressure flow = new InboundBackPressure(8, pause -> {
            synchronized (loop) {           // requests reach "the loop" in order, as with EventLoop.execute
                readingPaused.set(pause);
                loop.notifyAll();
            }
        });
        BlockingQueue<Integer> queue = new ArrayBlockingQueue<>(1 << 16);
        Thread handler = new Thread(() -> {
            try {
                for (int i = 0; i < messages; i++) {
                    flow.handled(queue.take());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "handler");
        handler.start();
        for (int i = 0; i < messages; i++) {
            synchronized (loop) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (readingPaused.get()) {
                    long left = deadline - System.nanoTime();
                    assertThat(left).as("reading resumed within 5 s (message %d of %d, %d bytes waiting)",
                            i, messages, flow.waiting()).isPositive();
                    loop.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                }
            }
            int size = 1 + (i % 5);
            flow.received(size);
            queue.put(size);
        }
        handler.join(10_000);
        assertThat(flow.waiting()).isZero();
        assertThat(flow.paused()).isFalse();
        assertThat(readingPaused.get()).isFalse();
    }
}
