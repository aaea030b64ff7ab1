package dev.duplex;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.Collections;

/**
 * When and how fast a {@link ReconnectingWebSocket} reconnects, and what its {@code send()}
 * does while it is disconnected (a Java extension). Immutable and thread-safe; build one with
 * {@link #builder()} or use {@link #defaults()}:
 *
 * <pre>{@code
 * ReconnectPolicy policy = ReconnectPolicy.builder()
 *         .initialDelay(Duration.ofMillis(500)).maxDelay(Duration.ofSeconds(30))
 *         .maxAttempts(20)
 *         .queueWhileDisconnected(1000, 1 << 20)     // or .failWhileDisconnected()
 *         .build();
 * }</pre>
 *
 * <h2>Delays</h2>
 * Attempt {@code n} waits {@code min(maxDelay, initialDelay × multiplier^(n-1))}, shortened by a
 * random part of at most {@code jitter} of it, so that many clients dropped at once by a
 * restarting server do not all come back in the same instant. The delay never exceeds
 * {@code maxDelay}. Attempts are counted from 1 after the last <em>stable</em> connection: one
 * that stayed open for at least {@code maxDelay}. A server that accepts connections and drops
 * them at once (overloaded, answering 1013) therefore sees its clients back off as if it refused
 * them, instead of coming back every {@code initialDelay}.
 *
 * <h2>Which closes reconnect</h2>
 * A connection that ends with one of {@link #reconnectCodes()} (by default 1001 going away,
 * 1006 abnormal closure, 1011 internal error, 1012 service restart, 1013 try again later and
 * 1014 bad gateway) reconnects, and so does a connection that could not be opened (refused,
 * timed out, TLS failure, a 5xx answer), which reports 1006. These never reconnect: a close the
 * user asked for ({@link ReconnectingWebSocket#close}), a close from the server with any other
 * code (1000 means the server is done with this client; 1008 or 4xxx codes are the application's
 * verdicts, which a retry would meet again), and a handshake answered with a 4xx status such as
 * 401 or 403 ({@link WebSocketHandshakeException#status()}): retrying with the same credentials
 * cannot succeed.
 *
 * <table>
 *   <caption>Reconnect options</caption>
 *   <tr><th>option</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@link Builder#initialDelay(Duration) initialDelay}</td><td>1 s</td>
 *       <td>Delay before the first attempt after a drop.</td></tr>
 *   <tr><td>{@link Builder#maxDelay(Duration) maxDelay}</td><td>30 s</td>
 *       <td>Longest delay between attempts.</td></tr>
 *   <tr><td>{@link Builder#multiplier(double) multiplier}</td><td>2</td>
 *       <td>Growth of the delay from one attempt to the next.</td></tr>
 *   <tr><td>{@link Builder#jitter(double) jitter}</td><td>0.5</td>
 *       <td>Largest fraction of a delay taken off at random (0: none).</td></tr>
 *   <tr><td>{@link Builder#maxAttempts(int) maxAttempts}</td><td>unlimited</td>
 *       <td>Attempts in a row (since the last stable connection) before giving up: the socket then
 *       dispatches {@code error} and its final {@code close}.</td></tr>
 *   <tr><td>{@link Builder#queueWhileDisconnected(int, long) queueWhileDisconnected}</td>
 *       <td>1000 messages, 1 MiB</td>
 *       <td>{@code send()} while not open queues the message, sent in order after the next
 *       open; a message that would take the queue past either limit makes {@code send()} throw
 *       {@code InvalidStateError}. {@link Builder#failWhileDisconnected()} instead makes every
 *       {@code send()} while not open throw it.</td></tr>
 *   <tr><td>{@link Builder#reconnectCodes(int...) reconnectCodes}</td>
 *       <td>1001, 1006, 1011, 1012, 1013, 1014</td>
 *       <td>Close codes after which it reconnects.</td></tr>
 * </table>
 */
public final class ReconnectPolicy {
    /** Default {@link #initialDelay()}: 1 second. */
    public static final Duration DEFAULT_INITIAL_DELAY = Duration.ofSeconds(1);
    /** Default {@link #maxDelay()}: 30 seconds. */
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(30);
    /** Default {@link #maxQueuedMessages()}: 1000. */
    public static final int DEFAULT_MAX_QUEUED_MESSAGES = 1000;
    /** Default {@link #maxQueuedBytes()}: 1 MiB. */
    public static final long DEFAULT_MAX_QUEUED_BYTES = 1L << 20;

    private static final Set<Integer> DEFAULT_CODES = Collections.unmodifiableSet(
            new TreeSet<>(Arrays.asList(1001, 1006, 1011, 1012, 1013, 1014)));
    private static final ReconnectPolicy DEFAULTS = new Builder().build();

    private final Duration initialDelay;
    private final Duration maxDelay;
    private final double multiplier;
    private final double jitter;
    private final int maxAttempts;
    private final boolean queue;
    private final int maxQueuedMessages;
    private final long maxQueuedBytes;
    private final Set<Integer> reconnectCodes;

    private ReconnectPolicy(Builder b) {
        this.initialDelay = b.initialDelay;
        this.maxDelay = b.maxDelay;
        this.multiplier = b.multiplier;
        this.jitter = b.jitter;
        this.maxAttempts = b.maxAttempts;
        this.queue = b.queue;
        this.maxQueuedMessages = b.maxQueuedMessages;
        this.maxQueuedBytes = b.maxQueuedBytes;
        this.reconnectCodes = b.reconnectCodes;
    }

    /**
     * Returns a builder with every option at its default.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the policy with every option at its default (see the table above).
     *
     * @return the default policy
     */
    public static ReconnectPolicy defaults() {
        return DEFAULTS;
    }

    /**
     * Returns a builder holding this policy, to derive a changed one.
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** @return the delay before the first attempt after a drop */
    public Duration initialDelay() {
        return initialDelay;
    }

    /** @return the longest delay between attempts */
    public Duration maxDelay() {
        return maxDelay;
    }

    /** @return the growth factor of the delay, at least 1 */
    public double multiplier() {
        return multiplier;
    }

    /** @return the largest fraction of a delay taken off at random, 0 to 1 */
    public double jitter() {
        return jitter;
    }

    /** @return attempts in a row before giving up; {@link Integer#MAX_VALUE} means unlimited */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** @return true if {@code send()} while disconnected queues (up to the limits), false if it throws */
    public boolean queuesWhileDisconnected() {
        return queue;
    }

    /** @return the most messages queued while disconnected (0 when not queuing) */
    public int maxQueuedMessages() {
        return maxQueuedMessages;
    }

    /** @return the most payload bytes (UTF-8 for text) queued while disconnected (0 when not queuing) */
    public long maxQueuedBytes() {
        return maxQueuedBytes;
    }

    /** @return the close codes after which it reconnects, in ascending order */
    public Set<Integer> reconnectCodes() {
        return reconnectCodes;
    }

    /**
     * Returns the delay before attempt {@code attempt} for a given random draw: the capped
     * exponential delay, less {@code random × jitter} of it.
     *
     * @param attempt the attempt, from 1
     * @param random  a number in [0, 1)
     * @return the delay, at most {@link #maxDelay()}
     * @throws IllegalArgumentException if {@code attempt} is below 1 or {@code random} outside [0, 1)
     */
    public Duration delay(int attempt, double random) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt counts from 1, not " + attempt);
        }
        if (!(random >= 0 && random < 1)) {
            throw new IllegalArgumentException("random must be in [0, 1), not " + random);
        }
        double cap = maxDelay.toNanos();
        double base = initialDelay.toNanos() * Math.pow(multiplier, attempt - 1);
        double capped = Math.min(cap, base);      // pow may overflow to infinity: min still caps it
        return Duration.ofNanos((long) (capped * (1 - jitter * random)));
    }

    /**
     * Tells whether a connection that ended this way is retried (maxAttempts aside).
     *
     * @param code  the close code its close event reported
     * @param error the cause its error event carried, or null
     * @return true to reconnect
     */
    boolean retries(int code, Throwable error) {
        if (error instanceof WebSocketHandshakeException h && h.status() >= 400 && h.status() < 500) {
            return false;
        }
        return reconnectCodes.contains(code);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReconnectPolicy p && initialDelay.equals(p.initialDelay) && maxDelay.equals(p.maxDelay)
                && multiplier == p.multiplier && jitter == p.jitter && maxAttempts == p.maxAttempts
                && queue == p.queue && maxQueuedMessages == p.maxQueuedMessages
                && maxQueuedBytes == p.maxQueuedBytes && reconnectCodes.equals(p.reconnectCodes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(initialDelay, maxDelay, multiplier, jitter, maxAttempts, queue, maxQueuedMessages,
                maxQueuedBytes, reconnectCodes);
    }

    @Override
    public String toString() {
        return "ReconnectPolicy[initialDelay=" + initialDelay + ", maxDelay=" + maxDelay + ", multiplier=" + multiplier
                + ", jitter=" + jitter + ", maxAttempts=" + (maxAttempts == Integer.MAX_VALUE ? "unlimited" : maxAttempts)
                + (queue ? ", queue=" + maxQueuedMessages + " messages/" + maxQueuedBytes + " bytes" : ", failWhileDisconnected")
                + ", reconnectCodes=" + reconnectCodes + "]";
    }

    /**
     * Builds a {@link ReconnectPolicy}. Every method checks its argument at once and throws
     * {@link IllegalArgumentException} or {@link NullPointerException} saying what is wrong.
     * Not thread-safe.
     */
    public static final class Builder {
        private Duration initialDelay = DEFAULT_INITIAL_DELAY;
        private Duration maxDelay = DEFAULT_MAX_DELAY;
        private double multiplier = 2;
        private double jitter = 0.5;
        private int maxAttempts = Integer.MAX_VALUE;
        private boolean queue = true;
        private int maxQueuedMessages = DEFAULT_MAX_QUEUED_MESSAGES;
        private long maxQueuedBytes = DEFAULT_MAX_QUEUED_BYTES;
        private Set<Integer> reconnectCodes = DEFAULT_CODES;

        private Builder() {
        }

        private Builder(ReconnectPolicy p) {
            initialDelay = p.initialDelay;
            maxDelay = p.maxDelay;
            multiplier = p.multiplier;
            jitter = p.jitter;
            maxAttempts = p.maxAttempts;
            queue = p.queue;
            maxQueuedMessages = p.maxQueuedMessages;
            maxQueuedBytes = p.maxQueuedBytes;
            reconnectCodes = p.reconnectCodes;
        }

        /**
         * Sets the delay before the first attempt after a drop.
         *
         * @param delay positive; 1 second by default
         * @return this builder
         */
        public Builder initialDelay(Duration delay) {
            this.initialDelay = positive(delay, "initialDelay");
            return this;
        }

        /**
         * Sets the longest delay between attempts.
         *
         * @param delay positive, and not below {@link #initialDelay(Duration)} (checked by
         *              {@link #build()}); 30 seconds by default
         * @return this builder
         */
        public Builder maxDelay(Duration delay) {
            this.maxDelay = positive(delay, "maxDelay");
            return this;
        }

        /**
         * Sets how much each delay grows over the one before.
         *
         * @param factor at least 1 (1: a constant delay); 2 by default
         * @return this builder
         */
        public Builder multiplier(double factor) {
            if (!(factor >= 1) || Double.isInfinite(factor)) {
                throw new IllegalArgumentException("multiplier must be a finite number of at least 1, not " + factor);
            }
            this.multiplier = factor;
            return this;
        }

        /**
         * Sets the largest fraction of a delay taken off at random.
         *
         * @param fraction 0 (exact delays) to 1; 0.5 by default
         * @return this builder
         */
        public Builder jitter(double fraction) {
            if (!(fraction >= 0 && fraction <= 1)) {
                throw new IllegalArgumentException("jitter must be between 0 and 1, not " + fraction);
            }
            this.jitter = fraction;
            return this;
        }

        /**
         * Sets how many attempts in a row (since the last connection that stayed open for at least
         * {@link #maxDelay(Duration) maxDelay}) are made before giving up.
         *
         * @param attempts at least 1; {@link Integer#MAX_VALUE} (the default) for no limit
         * @return this builder
         */
        public Builder maxAttempts(int attempts) {
            if (attempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1, not " + attempts
                        + " (to never reconnect, use a plain WebSocket)");
            }
            this.maxAttempts = attempts;
            return this;
        }

        /**
         * Makes {@code send()} while disconnected queue the message, to be sent in order once
         * the next connection opens (after the {@code open} listeners, so that what they send
         * goes first). A message that would take the queue past either limit is refused:
         * {@code send()} throws {@code InvalidStateError} and the queue is kept.
         *
         * @param maxMessages the most messages queued, at least 1; 1000 by default
         * @param maxBytes    the most payload bytes queued, at least 1; 1 MiB by default
         * @return this builder
         */
        public Builder queueWhileDisconnected(int maxMessages, long maxBytes) {
            if (maxMessages < 1 || maxBytes < 1) {
                throw new IllegalArgumentException("queueWhileDisconnected needs limits of at least 1, not "
                        + maxMessages + " messages and " + maxBytes + " bytes (use failWhileDisconnected() to queue nothing)");
            }
            this.queue = true;
            this.maxQueuedMessages = maxMessages;
            this.maxQueuedBytes = maxBytes;
            return this;
        }

        /**
         * Makes {@code send()} while disconnected throw {@code InvalidStateError} at once, as a
         * plain {@link WebSocket} does while {@code CONNECTING}.
         *
         * @return this builder
         */
        public Builder failWhileDisconnected() {
            this.queue = false;
            this.maxQueuedMessages = 0;
            this.maxQueuedBytes = 0;
            return this;
        }

        /**
         * Sets the close codes after which it reconnects (replacing the default set). Failed
         * connects report 1006, so leaving 1006 out also stops retrying failed connects.
         *
         * @param codes close codes, 1000 to 4999
         * @return this builder
         */
        public Builder reconnectCodes(int... codes) {
            Objects.requireNonNull(codes, "codes");
            TreeSet<Integer> set = new TreeSet<>();
            for (int c : codes) {
                if (c < 1000 || c > 4999) {
                    throw new IllegalArgumentException("A close code is 1000-4999, not " + c);
                }
                set.add(c);
            }
            this.reconnectCodes = Collections.unmodifiableSet(set);
            return this;
        }

        /**
         * Creates the policy.
         *
         * @return a new immutable policy
         * @throws IllegalArgumentException if maxDelay is below initialDelay
         */
        public ReconnectPolicy build() {
            if (maxDelay.compareTo(initialDelay) < 0) {
                throw new IllegalArgumentException("maxDelay (" + maxDelay + ") must not be below initialDelay ("
                        + initialDelay + ")");
            }
            return new ReconnectPolicy(this);
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, not " + d);
            }
            return d;
        }
    }
}
