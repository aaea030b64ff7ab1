package dev.duplex.internal.session;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * The pings of one connection waiting for their pong, and the round-trip times measured so far.
 *
 * <p>RFC 6455 section 5.5.3 lets a peer that received several pings answer only the latest, so
 * a pong answers the oldest waiting ping with the same application data and every ping sent
 * before it. A pong that matches no waiting ping is unsolicited (a heartbeat) and measures
 * nothing. The smoothed time follows TCP's (RFC 6298 section 2): {@code srtt = 7/8 srtt + 1/8 sample}.
 *
 * <p>{@link #sent} and {@link #answered} run on the connection's I/O thread; the times may be
 * read from any thread.
 */
public final class PingTracker {
    /** Pings waiting for an answer, beyond which the oldest ones are forgotten (they fail). */
    public static final int MAX_WAITING = 64;

    private static final class Waiting {
        final byte[] data;
        final long sentAt;
        final CompletableFuture<Duration> answer;    // null for a keep-alive ping

        Waiting(byte[] data, long sentAt, CompletableFuture<Duration> answer) {
            this.data = data;
            this.sentAt = sentAt;
            this.answer = answer;
        }
    }

    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>(0);
    private volatile long latestNanos = -1;
    private volatile long smoothedNanos = -1;

    /** A ping with {@code data} went out at {@code now}; {@code answer} (or null) completes with its round trip. */
    public void sent(byte[] data, long now, CompletableFuture<Duration> answer) {
        if (waiting.size() == MAX_WAITING) {
            fail(waiting.poll(), new IOException("More than " + MAX_WAITING + " pings are waiting for a pong"));
        }
        waiting.add(new Waiting(data, now, answer));
    }

    /** A pong with {@code data} arrived at {@code now}. */
    public void answered(byte[] data, long now) {
        boolean matches = false;
        for (Waiting w : waiting) {
            if (Arrays.equals(w.data, data)) {
                matches = true;
                break;
            }
        }
        if (!matches) {
            return;
        }
        Waiting w;
        do {
            w = waiting.poll();
            long rtt = now - w.sentAt;
            record(rtt);
            if (w.answer != null) {
                w.answer.complete(Duration.ofNanos(rtt));
            }
        } while (!Arrays.equals(w.data, data));
    }

    private void record(long rtt) {
        latestNanos = rtt;
        long s = smoothedNanos;
        smoothedNanos = s < 0 ? rtt : s - (s >> 3) + (rtt >> 3);
    }

    /** Fails every waiting ping: the connection is over. */
    public void closed(Throwable why) {
        Waiting w;
        while ((w = waiting.poll()) != null) {
            fail(w, why);
        }
    }

    private static void fail(Waiting w, Throwable why) {
        if (w.answer != null) {
            w.answer.completeExceptionally(why);
        }
    }

    /** The latest round-trip time in nanoseconds, or -1 before the first pong. */
    public long latestNanos() {
        return latestNanos;
    }

    /** The smoothed round-trip time in nanoseconds, or -1 before the first pong. */
    public long smoothedNanos() {
        return smoothedNanos;
    }
}
