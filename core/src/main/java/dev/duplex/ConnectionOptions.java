package dev.duplex;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * The settings every connection has, whichever side opened it: limits on what the peer may
 * send, keep-alive and timeouts, compression, and where listeners run. {@link WebSocketOptions}
 * (a client's) and {@link ServerOptions} (a server's, for each connection it accepts) are both
 * made of these plus their own; each option is set, checked and documented once, here.
 *
 * <table>
 *   <caption>Options of every connection</caption>
 *   <tr><th>option</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@link Builder#closeTimeout(Duration) closeTimeout}</td><td>5 s</td>
 *       <td>How long to wait, after sending a close frame (or receiving one), for the closing
 *       handshake and the end of TCP. When it runs out the connection is dropped; the
 *       {@code close} event then has {@code wasClean} false (code 1006 if the peer never
 *       answered).</td></tr>
 *   <tr><td>{@link Builder#perMessageDeflate(boolean) perMessageDeflate}</td>
 *       <td>{@code true}</td>
 *       <td>permessage-deflate compression (RFC 7692): a client offers it, as browsers do; a
 *       server accepts it when offered.</td></tr>
 *   <tr><td>{@link Builder#deflateOptions(DeflateOptions) deflateOptions}</td>
 *       <td>{@link DeflateOptions#defaults()}</td><td>The offer or acceptance policy: context
 *       takeover, window bits, compression threshold (128 bytes) and level.</td></tr>
 *   <tr><td>{@link Builder#maxMessageSize(long) maxMessageSize}</td><td>64 MiB</td>
 *       <td>Largest incoming message (after decompression). A larger message fails the
 *       connection: close frame 1009 to the peer; {@code error} event, then {@code close}
 *       event 1006.</td></tr>
 *   <tr><td>{@link Builder#maxFrameSize(long) maxFrameSize}</td><td>= maxMessageSize</td>
 *       <td>Largest payload of one incoming frame; a larger frame fails the connection in the
 *       same way.</td></tr>
 *   <tr><td>{@link Builder#messageAssemblyTimeout(Duration) messageAssemblyTimeout}</td>
 *       <td>60 s</td>
 *       <td>Longest time from the first frame of an incoming message to its last. A peer that
 *       starts a message and never finishes it (keeping the connection alive with pings)
 *       would otherwise pin its bytes for ever: the connection fails with close frame 1008;
 *       {@code error}, then {@code close} 1006.</td></tr>
 *   <tr><td>{@link Builder#maxBufferedAmount(long) maxBufferedAmount}</td><td>256 MiB</td>
 *       <td>Most payload bytes that {@code send()} may queue ({@code bufferedAmount}); a
 *       {@code send()} that would exceed it closes the socket instead ({@code error}, then
 *       {@code close} 1006).</td></tr>
 *   <tr><td>{@link Builder#largeMessageThreshold(long) largeMessageThreshold}</td><td>16 MiB</td>
 *       <td>A received binary message larger than this is written to a temporary file as it
 *       arrives and delivered as a file-backed {@link Blob} (its file is deleted by
 *       {@link Blob#close()}, when the blob becomes unreachable, or at exit). With
 *       {@code binaryType} ARRAYBUFFER such a message is delivered as a read-only
 *       memory-mapped buffer; one over 2 GiB cannot be, and fails the connection with
 *       1009.</td></tr>
 *   <tr><td>{@link Builder#temporaryDirectory(Path) temporaryDirectory}</td>
 *       <td>{@code java.io.tmpdir}</td><td>Where those temporary files go.</td></tr>
 *   <tr><td>{@link Builder#pingInterval(Duration) pingInterval}</td>
 *       <td>{@link Duration#ZERO}: off</td>
 *       <td>Send a ping after this much time without traffic, to keep the connection alive
 *       through proxies and notice dead peers.</td></tr>
 *   <tr><td>{@link Builder#pongTimeout(Duration) pongTimeout}</td>
 *       <td>30 s (only with pings on)</td>
 *       <td>After a keep-alive ping, how long to wait for the peer's pong (any frame counts).
 *       When it runs out the connection is failed: {@code error} ("no pong within ..."), then
 *       {@code close} 1006; the peer gets a close frame with 1011 if it still reads.</td></tr>
 *   <tr><td>{@link Builder#idleTimeout(Duration) idleTimeout}</td>
 *       <td>{@link Duration#ZERO}: off</td>
 *       <td>Close the connection when nothing was received or sent for this long: a normal
 *       closing handshake with code 1001 and reason "Idle timeout".</td></tr>
 *   <tr><td>{@link Builder#executor(Executor) executor}</td>
 *       <td>{@code null}: Duplex's shared event threads</td>
 *       <td>Where event listeners run. A socket's events are never delivered concurrently and
 *       always in order, whatever the executor. {@link #IO_THREAD} runs them on the I/O
 *       thread itself: fastest, for listeners that never block.</td></tr>
 * </table>
 */
public abstract class ConnectionOptions {
    /**
     * An {@link Builder#executor(Executor) executor} that runs event listeners on the I/O thread
     * that produced the event, the way Netty's handlers, OkHttp's listeners and Node's callbacks
     * run. It saves two thread hand-offs per message (to an event thread and, for a send, back),
     * which is the fastest way to run short listeners: lower latency, more messages per second.
     * The price: while a listener runs, no other connection of that I/O thread is read or
     * written, so listeners must not block (no waiting for I/O, locks held long, or
     * {@code Thread.sleep}); hand slow work to an executor of your own. A socket's events are
     * still delivered one at a time and in order, and only on its I/O thread.
     */
    public static final Executor IO_THREAD = new Executor() {
        @Override
        public void execute(Runnable task) {
            task.run();
        }

        @Override
        public String toString() {
            return "IO_THREAD";
        }
    };

    /** Default {@link #closeTimeout()}: 5 seconds. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(5);
    /** Default {@link #maxMessageSize()}: 64 MiB. */
    public static final long DEFAULT_MAX_MESSAGE_SIZE = 64L << 20;
    /** Default {@link #maxBufferedAmount()}: 256 MiB. */
    public static final long DEFAULT_MAX_BUFFERED_AMOUNT = 256L << 20;
    /** Default {@link #messageAssemblyTimeout()}: 60 seconds. */
    public static final Duration DEFAULT_MESSAGE_ASSEMBLY_TIMEOUT = Duration.ofSeconds(60);
    /** Default {@link #largeMessageThreshold()}: 16 MiB. */
    public static final long DEFAULT_LARGE_MESSAGE_THRESHOLD = 16L << 20;
    /** Default {@link #pongTimeout()}: 30 seconds. */
    public static final Duration DEFAULT_PONG_TIMEOUT = Duration.ofSeconds(30);

    private final Duration closeTimeout;
    private final boolean perMessageDeflate;
    private final DeflateOptions deflateOptions;
    private final long maxMessageSize;
    private final long maxFrameSize;
    private final Duration messageAssemblyTimeout;
    private final long maxBufferedAmount;
    private final long largeMessageThreshold;
    private final Path temporaryDirectory;
    private final Duration pingInterval;
    private final Duration pongTimeout;
    private final Duration idleTimeout;
    private final Executor executor;

    ConnectionOptions(Builder<?> b) {
        this.closeTimeout = b.closeTimeout;
        this.perMessageDeflate = b.perMessageDeflate;
        this.deflateOptions = b.deflateOptions;
        this.maxMessageSize = b.maxMessageSize;
        this.maxFrameSize = b.maxFrameSize;
        this.messageAssemblyTimeout = b.messageAssemblyTimeout;
        this.maxBufferedAmount = b.maxBufferedAmount;
        this.largeMessageThreshold = b.largeMessageThreshold;
        this.temporaryDirectory = b.temporaryDirectory;
        this.pingInterval = b.pingInterval;
        this.pongTimeout = b.pongTimeout;
        this.idleTimeout = b.idleTimeout;
        this.executor = b.executor;
    }

    /**
     * Returns how long to wait for the closing handshake to complete.
     *
     * @return a positive duration, 5 seconds by default
     */
    public Duration closeTimeout() {
        return closeTimeout;
    }

    /**
     * Tells whether permessage-deflate is offered (client) or accepted (server).
     *
     * @return {@code true} by default
     */
    public boolean perMessageDeflate() {
        return perMessageDeflate;
    }

    /**
     * Returns the permessage-deflate offer or acceptance policy and the compression settings,
     * used when {@link #perMessageDeflate()} is on.
     *
     * @return {@link DeflateOptions#defaults()} unless set
     */
    public DeflateOptions deflateOptions() {
        return deflateOptions;
    }

    /**
     * Returns the largest incoming message accepted, in bytes after decompression.
     *
     * @return at least 1; 64 MiB by default
     */
    public long maxMessageSize() {
        return maxMessageSize;
    }

    /**
     * Returns the largest incoming frame payload accepted.
     *
     * @return the value set, or {@link #maxMessageSize()} if none was set (the default)
     */
    public long maxFrameSize() {
        return maxFrameSize < 0 ? maxMessageSize : maxFrameSize;
    }

    /**
     * Returns the longest time an incoming message may take from its first frame to its last.
     *
     * @return a non-negative duration, 60 seconds by default; {@link Duration#ZERO} means no limit
     */
    public Duration messageAssemblyTimeout() {
        return messageAssemblyTimeout;
    }

    /**
     * Returns the most payload bytes {@code send()} may queue before the socket is closed.
     *
     * @return at least 1; 256 MiB by default
     */
    public long maxBufferedAmount() {
        return maxBufferedAmount;
    }

    /**
     * Returns the size above which a received binary message goes to a temporary file.
     *
     * @return bytes; 16 MiB by default
     */
    public long largeMessageThreshold() {
        return largeMessageThreshold;
    }

    /**
     * Returns the directory for large received messages.
     *
     * @return the directory, or null (the default) for {@code java.io.tmpdir}
     */
    public Path temporaryDirectory() {
        return temporaryDirectory;
    }

    /**
     * Returns the keep-alive ping interval.
     *
     * @return a non-negative duration; {@link Duration#ZERO} (the default) means no pings
     */
    public Duration pingInterval() {
        return pingInterval;
    }

    /**
     * Returns how long to wait for the answer to a keep-alive ping.
     *
     * @return a non-negative duration; 30 seconds by default; {@link Duration#ZERO} waits forever
     */
    public Duration pongTimeout() {
        return pongTimeout;
    }

    /**
     * Returns the idle timeout.
     *
     * @return a non-negative duration; {@link Duration#ZERO} (the default) means none
     */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /**
     * Returns the executor that runs event listeners.
     *
     * @return the executor, or {@code null} (the default) for Duplex's shared event threads
     */
    public Executor executor() {
        return executor;
    }

    /** True if the options of this class are equal to {@code that}'s (for subclasses' equals). */
    final boolean sameConnectionOptions(ConnectionOptions that) {
        return closeTimeout.equals(that.closeTimeout)
                && perMessageDeflate == that.perMessageDeflate
                && deflateOptions.equals(that.deflateOptions)
                && maxMessageSize == that.maxMessageSize
                && maxFrameSize == that.maxFrameSize
                && messageAssemblyTimeout.equals(that.messageAssemblyTimeout)
                && maxBufferedAmount == that.maxBufferedAmount
                && largeMessageThreshold == that.largeMessageThreshold
                && Objects.equals(temporaryDirectory, that.temporaryDirectory)
                && pingInterval.equals(that.pingInterval)
                && pongTimeout.equals(that.pongTimeout)
                && idleTimeout.equals(that.idleTimeout)
                && Objects.equals(executor, that.executor);
    }

    /** A hash of the options of this class (for subclasses' hashCode). */
    final int connectionOptionsHash() {
        return Objects.hash(closeTimeout, perMessageDeflate, deflateOptions, maxMessageSize, maxFrameSize,
                messageAssemblyTimeout, maxBufferedAmount, largeMessageThreshold, temporaryDirectory, pingInterval,
                pongTimeout, idleTimeout, executor);
    }

    /** The options of this class as {@code name=value} pairs (for subclasses' toString). */
    final String describeConnectionOptions() {
        return "closeTimeout=" + closeTimeout
                + ", perMessageDeflate=" + perMessageDeflate
                + ", deflateOptions=" + deflateOptions
                + ", maxMessageSize=" + maxMessageSize
                + ", maxFrameSize=" + maxFrameSize()
                + ", messageAssemblyTimeout=" + messageAssemblyTimeout
                + ", maxBufferedAmount=" + maxBufferedAmount
                + ", largeMessageThreshold=" + largeMessageThreshold
                + ", pingInterval=" + pingInterval
                + ", pongTimeout=" + pongTimeout
                + ", idleTimeout=" + idleTimeout
                + ", executor=" + (executor == null ? "default" : executor);
    }

    // ---- argument checks, one message per kind of mistake ----

    static Duration checkPositive(Duration d, String option) {
        Objects.requireNonNull(d, option + " must not be null");
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(option + " must be positive, but was " + d);
        }
        return d;
    }

    static Duration checkNonNegative(Duration d, String option) {
        Objects.requireNonNull(d, option + " must not be null (use Duration.ZERO to turn it off)");
        if (d.isNegative()) {
            throw new IllegalArgumentException(option + " must not be negative, but was " + d);
        }
        return d;
    }

    static long checkPositive(long value, String option) {
        if (value < 1) {
            throw new IllegalArgumentException(option + " must be at least 1, but was " + value);
        }
        return value;
    }

    static int checkPositive(int value, String option) {
        if (value < 1) {
            throw new IllegalArgumentException(option + " must be at least 1, but was " + value);
        }
        return value;
    }

    /**
     * Sets the options every connection has; {@link WebSocketOptions.Builder} and
     * {@link ServerOptions.Builder} are such builders. Every method checks its argument at once
     * and throws {@link IllegalArgumentException} or {@link NullPointerException} with a message
     * saying what is wrong. Not thread-safe.
     *
     * @param <B> the concrete builder, which every method returns
     */
    public abstract static class Builder<B extends Builder<B>> {
        private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
        private boolean perMessageDeflate = true;
        private DeflateOptions deflateOptions = DeflateOptions.defaults();
        private long maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
        private long maxFrameSize = -1;
        private Duration messageAssemblyTimeout = DEFAULT_MESSAGE_ASSEMBLY_TIMEOUT;
        private long maxBufferedAmount = DEFAULT_MAX_BUFFERED_AMOUNT;
        private long largeMessageThreshold = DEFAULT_LARGE_MESSAGE_THRESHOLD;
        private Path temporaryDirectory;
        private Duration pingInterval = Duration.ZERO;
        private Duration pongTimeout = DEFAULT_PONG_TIMEOUT;
        private Duration idleTimeout = Duration.ZERO;
        private Executor executor;

        Builder() {
        }

        Builder(ConnectionOptions o) {
            this.closeTimeout = o.closeTimeout;
            this.perMessageDeflate = o.perMessageDeflate;
            this.deflateOptions = o.deflateOptions;
            this.maxMessageSize = o.maxMessageSize;
            this.maxFrameSize = o.maxFrameSize;
            this.messageAssemblyTimeout = o.messageAssemblyTimeout;
            this.maxBufferedAmount = o.maxBufferedAmount;
            this.largeMessageThreshold = o.largeMessageThreshold;
            this.temporaryDirectory = o.temporaryDirectory;
            this.pingInterval = o.pingInterval;
            this.pongTimeout = o.pongTimeout;
            this.idleTimeout = o.idleTimeout;
            this.executor = o.executor;
        }

        /** This builder, as its own type. */
        abstract B self();

        /**
         * Sets how long to wait for the closing handshake before dropping the connection.
         *
         * @param timeout a positive duration; 5 seconds by default
         * @return this builder
         * @throws NullPointerException     if {@code timeout} is null
         * @throws IllegalArgumentException if it is zero or negative
         */
        public B closeTimeout(Duration timeout) {
            this.closeTimeout = checkPositive(timeout, "closeTimeout");
            return self();
        }

        /**
         * Turns permessage-deflate (RFC 7692) on or off: a client offers it, a server accepts
         * it when a client offers it.
         *
         * @param enabled {@code true} (the default) to use it
         * @return this builder
         */
        public B perMessageDeflate(boolean enabled) {
            this.perMessageDeflate = enabled;
            return self();
        }

        /**
         * Sets the permessage-deflate offer or acceptance policy (context takeover, window
         * sizes) and how messages are compressed (threshold, level). See {@link DeflateOptions}
         * for the defaults.
         *
         * @param options not null; {@link DeflateOptions#defaults()} by default
         * @return this builder
         */
        public B deflateOptions(DeflateOptions options) {
            this.deflateOptions = Objects.requireNonNull(options, "options");
            return self();
        }

        /**
         * Sets the largest incoming message, in bytes after decompression. A larger message
         * fails the connection (close frame 1009 to the peer; {@code error} event, then
         * {@code close} event 1006).
         *
         * @param bytes 1 to {@link Long#MAX_VALUE}; 64 MiB by default
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is less than 1
         */
        public B maxMessageSize(long bytes) {
            this.maxMessageSize = checkPositive(bytes, "maxMessageSize");
            return self();
        }

        /**
         * Sets the largest incoming frame payload. A larger frame fails the connection as a
         * too-large message does.
         *
         * @param bytes 1 to {@link Long#MAX_VALUE}; by default the same as
         *              {@link #maxMessageSize(long)}
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is less than 1
         */
        public B maxFrameSize(long bytes) {
            this.maxFrameSize = checkPositive(bytes, "maxFrameSize");
            return self();
        }

        /**
         * Sets the longest time from the first frame of an incoming message to its last; a
         * message that takes longer fails the connection with close frame 1008. Raise it for
         * very large messages over slow links.
         *
         * @param timeout a non-negative duration; 60 seconds by default; {@link Duration#ZERO}
         *                turns the limit off
         * @return this builder
         * @throws NullPointerException     if {@code timeout} is null
         * @throws IllegalArgumentException if it is negative
         */
        public B messageAssemblyTimeout(Duration timeout) {
            this.messageAssemblyTimeout = checkNonNegative(timeout, "messageAssemblyTimeout");
            return self();
        }

        /**
         * Sets the most payload bytes {@code send()} may queue on one socket. A {@code send()}
         * that would take {@code bufferedAmount} past it closes the socket ({@code error}
         * event, then {@code close} event 1006) instead of queuing.
         *
         * @param bytes 1 to {@link Long#MAX_VALUE}; 256 MiB by default
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is less than 1
         */
        public B maxBufferedAmount(long bytes) {
            this.maxBufferedAmount = checkPositive(bytes, "maxBufferedAmount");
            return self();
        }

        /**
         * Sets the size above which a received binary message is written to a temporary file
         * and delivered as a file-backed {@link Blob}.
         *
         * @param bytes at least 1; 16 MiB by default
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is less than 1
         */
        public B largeMessageThreshold(long bytes) {
            this.largeMessageThreshold = checkPositive(bytes, "largeMessageThreshold");
            return self();
        }

        /**
         * Sets the directory for the temporary files of large received messages.
         *
         * @param directory an existing directory, or null for {@code java.io.tmpdir}
         * @return this builder
         */
        public B temporaryDirectory(Path directory) {
            this.temporaryDirectory = directory;
            return self();
        }

        /**
         * Sets the keep-alive ping interval: a ping is sent after this much time without
         * traffic.
         *
         * @param interval a non-negative duration; {@link Duration#ZERO} (the default) turns
         *                 pings off
         * @return this builder
         * @throws NullPointerException     if {@code interval} is null
         * @throws IllegalArgumentException if it is negative
         */
        public B pingInterval(Duration interval) {
            this.pingInterval = checkNonNegative(interval, "pingInterval");
            return self();
        }

        /**
         * Sets how long to wait, after a keep-alive ping, for anything from the peer before
         * failing the connection (error, then close 1006).
         *
         * @param value a non-negative duration; 30 seconds by default; {@link Duration#ZERO}
         *              waits forever
         * @return this builder
         */
        public B pongTimeout(Duration value) {
            this.pongTimeout = checkNonNegative(value, "pongTimeout");
            return self();
        }

        /**
         * Sets the idle timeout: with no message or frame in either direction for this long,
         * the connection is closed with 1001 "Idle timeout".
         *
         * @param value a non-negative duration; {@link Duration#ZERO} (the default) turns it off
         * @return this builder
         */
        public B idleTimeout(Duration value) {
            this.idleTimeout = checkNonNegative(value, "idleTimeout");
            return self();
        }

        /**
         * Sets the executor that runs event listeners. Duplex still delivers a socket's
         * events one at a time and in order on it.
         *
         * @param executor the executor, or {@code null} for Duplex's shared event threads
         *                 (the default); {@link ConnectionOptions#IO_THREAD} runs listeners on the
         *                 I/O thread (fastest, but listeners must not block)
         * @return this builder
         */
        public B executor(Executor executor) {
            this.executor = executor;
            return self();
        }
    }
}
