package dev.duplex;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;

/**
 * Settings of a {@link WebSocketServer}. Immutable and thread-safe; build one with
 * {@link #builder()}, or start from {@link #defaults()} or {@link #toBuilder()}:
 *
 * <pre>{@code
 * WebSocketServer server = new WebSocketServer(ServerOptions.builder()
 *         .host("127.0.0.1").port(8080)
 *         .handshake(request -> request.protocols().contains("chat")
 *                 ? HandshakeDecision.accept("chat")
 *                 : HandshakeDecision.reject(400, "the chat subprotocol is required"))
 *         .build());
 * }</pre>
 *
 * <h2>Options and defaults</h2>
 * <table>
 *   <caption>Server options</caption>
 *   <tr><th>option</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@link Builder#host(String) host}</td><td>{@code "0.0.0.0"}</td>
 *       <td>Address (or host name) to listen on; {@code "0.0.0.0"} is every IPv4
 *       interface.</td></tr>
 *   <tr><td>{@link Builder#port(int) port}</td><td>0: any free port</td>
 *       <td>TCP port to listen on; {@link WebSocketServer#port()} tells the one chosen.</td></tr>
 *   <tr><td>{@link Builder#sslContext(SSLContext) sslContext}</td><td>{@code null}: plain
 *       {@code ws:}</td><td>TLS context holding the server's certificate, to serve
 *       {@code wss:}.</td></tr>
 *   <tr><td>{@link Builder#perMessageDeflate(boolean) perMessageDeflate}</td>
 *       <td>{@code true}</td><td>Accept the permessage-deflate extension (RFC 7692) when a
 *       client offers it.</td></tr>
 *   <tr><td>{@link Builder#deflateOptions(DeflateOptions) deflateOptions}</td>
 *       <td>{@link DeflateOptions#defaults()}</td><td>The permessage-deflate acceptance policy:
 *       context takeover, window bits, compression threshold (128 bytes) and level.</td></tr>
 *   <tr><td>{@link Builder#maxMessageSize(long) maxMessageSize}</td><td>64 MiB</td>
 *       <td>Largest incoming message (after decompression). A larger message fails the
 *       connection: close frame 1009 to the client; {@code error} event, then {@code close}
 *       event 1006 on the server-side socket.</td></tr>
 *   <tr><td>{@link Builder#maxFrameSize(long) maxFrameSize}</td><td>= maxMessageSize</td>
 *       <td>Largest incoming frame payload; a larger frame fails the connection in the same
 *       way.</td></tr>
 *   <tr><td>{@link Builder#maxBufferedAmount(long) maxBufferedAmount}</td><td>256 MiB</td>
 *       <td>Most payload bytes {@code send()} may queue on one socket; a {@code send()} that
 *       would exceed it closes that socket ({@code error}, then {@code close} 1006).</td></tr>
 *   <tr><td>{@link Builder#handshake(HandshakeHandler) handshake}</td>
 *       <td>{@link HandshakeHandler#acceptAll()}</td>
 *       <td>Decides, for each upgrade request, whether to accept it (and with which
 *       subprotocol) or to reject it with an HTTP status.</td></tr>
 *   <tr><td>{@link Builder#handshakeTimeout(Duration) handshakeTimeout}</td><td>10 s</td>
 *       <td>Longest time from accepting a TCP connection to the end of the opening handshake
 *       (TLS included); a client that has not sent a complete request by then is
 *       disconnected.</td></tr>
 *   <tr><td>{@link Builder#closeTimeout(Duration) closeTimeout}</td><td>5 s</td>
 *       <td>How long to wait for the client's close frame after sending one; the connection
 *       is then dropped.</td></tr>
 *   <tr><td>{@link Builder#largeMessageThreshold(long) largeMessageThreshold}</td><td>16 MiB</td>
 *       <td>A received binary message larger than this is written to a temporary file as it
 *       arrives and delivered as a file-backed {@link Blob} (deleted when the blob becomes
 *       unreachable, or at exit), so big messages need no big heap. With {@code binaryType}
 *       ARRAYBUFFER such a message is delivered as a read-only memory-mapped buffer; one over
 *       2 GiB cannot be, and fails the connection with 1009.</td></tr>
 *   <tr><td>{@link Builder#temporaryDirectory(java.nio.file.Path) temporaryDirectory}</td>
 *       <td>{@code java.io.tmpdir}</td><td>Where those temporary files go.</td></tr>
 *   <tr><td>{@link Builder#httpHandler(PlainHttpHandler) httpHandler}</td><td>{@code null}</td>
 *       <td>Answers plain HTTP requests (no {@code Upgrade} header); without one they get
 *       {@code 426 Upgrade Required}.</td></tr>
 *   <tr><td>{@link Builder#pingInterval(Duration) pingInterval}</td>
 *       <td>{@link Duration#ZERO}: off</td><td>Send a ping after this much time without
 *       traffic.</td></tr>
 *   <tr><td>{@link Builder#idleTimeout(Duration) idleTimeout}</td>
 *       <td>{@link Duration#ZERO}: off</td>
 *       <td>Close the connection when nothing was received or sent for this long: a normal
 *       closing handshake with code 1001 and reason "Idle timeout" (the {@code close} event
 *       is clean if the peer answers).</td></tr>
 *   <tr><td>{@link Builder#pongTimeout(Duration) pongTimeout}</td>
 *       <td>30 seconds (only with pings on)</td>
 *       <td>After a keep-alive ping, how long to wait for the peer's pong (any frame counts).
 *       When it runs out the connection is failed: {@code error} ("no pong within ..."),
 *       then {@code close} with code 1006; the peer gets a close frame with 1011 if it
 *       still reads.</td></tr>
 *   <tr><td>{@link Builder#maxRequestLineLength(int) maxRequestLineLength}</td><td>8192</td>
 *       <td>Longest request line ({@code GET /path HTTP/1.1}); a longer one is answered with
 *       414 and the connection closed.</td></tr>
 *   <tr><td>{@link Builder#maxHeaderBytes(int) maxHeaderBytes}</td><td>16384</td>
 *       <td>Largest request head (request line and headers); a larger one is answered with
 *       431 and the connection closed.</td></tr>
 *   <tr><td>{@link Builder#maxHeaderCount(int) maxHeaderCount}</td><td>100</td>
 *       <td>Most header fields in a request; more are answered with 431.</td></tr>
 *   <tr><td>{@link Builder#maxConnections(int) maxConnections}</td><td>65,536</td>
 *       <td>Most open WebSocket connections; an upgrade request beyond it is answered with
 *       503 "Too many connections" and closed.</td></tr>
 *   <tr><td>{@link Builder#maxPendingHandshakes(int) maxPendingHandshakes}</td><td>4,096</td>
 *       <td>Most TCP connections still in their opening handshake (TLS or HTTP); a connection
 *       beyond it is answered with 503 "Too many pending handshakes" and closed at once.</td></tr>
 *   <tr><td>{@link Builder#executor(Executor) executor}</td>
 *       <td>{@code null}: Duplex's shared event threads</td><td>Where event listeners (the
 *       server's and its sockets') run; each socket's events are still delivered one at a
 *       time and in order. {@link #IO_THREAD} runs them on the I/O thread itself: fastest,
 *       for listeners that never block.</td></tr>
 * </table>
 */
public final class ServerOptions {
    /**
     * An {@link Builder#executor(Executor) executor} that runs event listeners on the I/O thread
     * that produced the event: the fastest choice for short listeners that never block; see
     * {@link WebSocketOptions#IO_THREAD}, which this is.
     */
    public static final Executor IO_THREAD = WebSocketOptions.IO_THREAD;

    /** Default {@link #host()}: {@value}, every IPv4 interface. */
    public static final String DEFAULT_HOST = "0.0.0.0";
    /** Default {@link #handshakeTimeout()}: 10 seconds. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    /** Default {@link #maxRequestLineLength()}: {@value}. */
    public static final int DEFAULT_MAX_REQUEST_LINE_LENGTH = 8192;
    /** Default {@link #maxHeaderBytes()}: {@value}. */
    public static final int DEFAULT_MAX_HEADER_BYTES = 16384;
    /** Default {@link #maxHeaderCount()}: {@value}. */
    public static final int DEFAULT_MAX_HEADER_COUNT = 100;

    /** Default {@link #maxConnections()}: {@value}. */
    public static final int DEFAULT_MAX_CONNECTIONS = 65_536;

    /** Default {@link #maxPendingHandshakes()}: {@value}. */
    public static final int DEFAULT_MAX_PENDING_HANDSHAKES = 4_096;

    private static final ServerOptions DEFAULTS = new Builder().build();

    private final String host;
    private final int port;
    private final SSLContext sslContext;
    private final boolean perMessageDeflate;
    private final DeflateOptions deflateOptions;
    private final long maxMessageSize;
    private final long maxFrameSize;
    private final long maxBufferedAmount;
    private final HandshakeHandler handshake;
    private final Duration handshakeTimeout;
    private final Duration closeTimeout;
    private final Duration pingInterval;
    private final PlainHttpHandler httpHandler;
    private final long largeMessageThreshold;
    private final java.nio.file.Path temporaryDirectory;
    private final Duration idleTimeout;
    private final Duration pongTimeout;
    private final int maxRequestLineLength;
    private final int maxHeaderBytes;
    private final int maxHeaderCount;
    private final int maxPendingHandshakes;
    private final int maxConnections;
    private final Executor executor;

    private ServerOptions(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.sslContext = b.sslContext;
        this.perMessageDeflate = b.perMessageDeflate;
        this.deflateOptions = b.deflateOptions;
        this.maxMessageSize = b.maxMessageSize;
        this.maxFrameSize = b.maxFrameSize;
        this.maxBufferedAmount = b.maxBufferedAmount;
        this.handshake = b.handshake;
        this.handshakeTimeout = b.handshakeTimeout;
        this.closeTimeout = b.closeTimeout;
        this.pingInterval = b.pingInterval;
        this.httpHandler = b.httpHandler;
        this.largeMessageThreshold = b.largeMessageThreshold;
        this.temporaryDirectory = b.temporaryDirectory;
        this.idleTimeout = b.idleTimeout;
        this.pongTimeout = b.pongTimeout;
        this.maxRequestLineLength = b.maxRequestLineLength;
        this.maxHeaderBytes = b.maxHeaderBytes;
        this.maxHeaderCount = b.maxHeaderCount;
        this.maxPendingHandshakes = b.maxPendingHandshakes;
        this.maxConnections = b.maxConnections;
        this.executor = b.executor;
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
     * Returns the options with every value at its default: listen on every IPv4 interface on
     * a free port, plain {@code ws:}, accept every upgrade without a subprotocol.
     *
     * @return the default options
     */
    public static ServerOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Returns a builder holding these options, to derive changed options from them.
     *
     * @return a new builder; changing it does not change this object
     */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Returns the address or host name to listen on.
     *
     * @return {@code "0.0.0.0"} by default
     */
    public String host() {
        return host;
    }

    /**
     * Returns the port to listen on.
     *
     * @return 0 to 65535; 0 (the default) means any free port
     */
    public int port() {
        return port;
    }

    /**
     * Returns the TLS context to serve {@code wss:} with.
     *
     * @return the context, or {@code null} (the default) for plain {@code ws:}
     */
    public SSLContext sslContext() {
        return sslContext;
    }

    /**
     * Tells whether the permessage-deflate extension is accepted when offered.
     *
     * @return {@code true} by default
     */
    public boolean perMessageDeflate() {
        return perMessageDeflate;
    }

    /**
     * Returns the permessage-deflate acceptance policy and compression settings, used when
     * {@link #perMessageDeflate()} is on.
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
     * Returns the most payload bytes {@code send()} may queue on one socket.
     *
     * @return at least 1; 256 MiB by default
     */
    public long maxBufferedAmount() {
        return maxBufferedAmount;
    }

    /**
     * Returns the handler that decides on each upgrade request.
     *
     * @return never null; {@link HandshakeHandler#acceptAll()} by default
     */
    public HandshakeHandler handshake() {
        return handshake;
    }

    /**
     * Returns the longest time allowed for a client's opening handshake.
     *
     * @return a positive duration, 10 seconds by default
     */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
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
     * Returns the keep-alive ping interval.
     *
     * @return a non-negative duration; {@link Duration#ZERO} (the default) means no pings
     */
    public Duration pingInterval() {
        return pingInterval;
    }

    /**
     * Returns the handler of plain HTTP requests.
     *
     * @return the handler, or null (the default: such requests get 426)
     */
    public PlainHttpHandler httpHandler() {
        return httpHandler;
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
    public java.nio.file.Path temporaryDirectory() {
        return temporaryDirectory;
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
     * Returns how long to wait for the answer to a keep-alive ping.
     *
     * @return a non-negative duration; 30 seconds by default; {@link Duration#ZERO} waits forever
     */
    public Duration pongTimeout() {
        return pongTimeout;
    }

    /**
     * Returns the longest request line accepted, in bytes.
     *
     * @return at least 1; 8192 by default
     */
    public int maxRequestLineLength() {
        return maxRequestLineLength;
    }

    /**
     * Returns the largest request head accepted (request line and header fields), in bytes.
     *
     * @return at least 1; 16384 by default
     */
    public int maxHeaderBytes() {
        return maxHeaderBytes;
    }

    /**
     * Returns the most header fields accepted in a request.
     *
     * @return at least 1; 100 by default
     */
    public int maxHeaderCount() {
        return maxHeaderCount;
    }

    /**
     * Returns the most connections in their opening handshake at once.
     *
     * @return at least 1; 4,096 by default
     */
    public int maxPendingHandshakes() {
        return maxPendingHandshakes;
    }

    /**
     * Returns the most WebSocket connections open at once.
     *
     * @return at least 1; 65,536 by default
     */
    public int maxConnections() {
        return maxConnections;
    }

    /**
     * Returns the executor that runs event listeners.
     *
     * @return the executor, or {@code null} (the default) for Duplex's shared event threads
     */
    public Executor executor() {
        return executor;
    }

    /**
     * Compares all options; the SSL context, handshake handler and executor by
     * {@code equals}.
     *
     * @param o the object to compare with
     * @return true if {@code o} is a {@code ServerOptions} with the same values
     */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ServerOptions)) {
            return false;
        }
        ServerOptions that = (ServerOptions) o;
        return port == that.port
                && perMessageDeflate == that.perMessageDeflate
                && deflateOptions.equals(that.deflateOptions)
                && maxMessageSize == that.maxMessageSize
                && maxFrameSize == that.maxFrameSize
                && maxBufferedAmount == that.maxBufferedAmount
                && maxRequestLineLength == that.maxRequestLineLength
                && maxHeaderBytes == that.maxHeaderBytes
                && maxHeaderCount == that.maxHeaderCount
                && maxPendingHandshakes == that.maxPendingHandshakes
                && maxConnections == that.maxConnections
                && host.equals(that.host)
                && Objects.equals(sslContext, that.sslContext)
                && handshake.equals(that.handshake)
                && handshakeTimeout.equals(that.handshakeTimeout)
                && closeTimeout.equals(that.closeTimeout)
                && pingInterval.equals(that.pingInterval)
                && Objects.equals(httpHandler, that.httpHandler)
                && largeMessageThreshold == that.largeMessageThreshold
                && Objects.equals(temporaryDirectory, that.temporaryDirectory)
                && idleTimeout.equals(that.idleTimeout)
                && pongTimeout.equals(that.pongTimeout)
                && Objects.equals(executor, that.executor);
    }

    /**
     * Returns a hash code consistent with {@link #equals(Object)}.
     *
     * @return the hash code
     */
    @Override
    public int hashCode() {
        return Objects.hash(host, port, sslContext, perMessageDeflate, deflateOptions, maxMessageSize, maxFrameSize, maxBufferedAmount,
                handshake, handshakeTimeout, closeTimeout, pingInterval, largeMessageThreshold, temporaryDirectory, idleTimeout, pongTimeout, maxRequestLineLength, maxHeaderBytes,
                maxHeaderCount, maxConnections, executor);
    }

    /**
     * Returns a description for logs.
     *
     * @return e.g. {@code ServerOptions[host=0.0.0.0, port=0, tls=false, ...]}
     */
    @Override
    public String toString() {
        return "ServerOptions[host=" + host
                + ", port=" + port
                + ", tls=" + (sslContext != null)
                + ", perMessageDeflate=" + perMessageDeflate
                + ", deflateOptions=" + deflateOptions
                + ", maxMessageSize=" + maxMessageSize
                + ", maxFrameSize=" + maxFrameSize()
                + ", maxBufferedAmount=" + maxBufferedAmount
                + ", handshakeTimeout=" + handshakeTimeout
                + ", closeTimeout=" + closeTimeout
                + ", pingInterval=" + pingInterval
                + ", largeMessageThreshold=" + largeMessageThreshold
                + ", idleTimeout=" + idleTimeout
                + ", pongTimeout=" + pongTimeout
                + ", maxRequestLineLength=" + maxRequestLineLength
                + ", maxHeaderBytes=" + maxHeaderBytes
                + ", maxHeaderCount=" + maxHeaderCount
                + ", maxPendingHandshakes=" + maxPendingHandshakes
                + ", maxConnections=" + maxConnections
                + ", executor=" + (executor == null ? "default" : executor)
                + "]";
    }

    private static int checkPositive(int value, String option) {
        if (value < 1) {
            throw new IllegalArgumentException(option + " must be at least 1, but was " + value);
        }
        return value;
    }

    /**
     * Builds {@link ServerOptions}. Every method checks its argument at once and throws
     * {@link IllegalArgumentException} or {@link NullPointerException} with a message saying
     * what is wrong. Not thread-safe.
     */
    public static final class Builder {
        private String host = DEFAULT_HOST;
        private int port;
        private SSLContext sslContext;
        private boolean perMessageDeflate = true;
        private DeflateOptions deflateOptions = DeflateOptions.defaults();
        private long maxMessageSize = WebSocketOptions.DEFAULT_MAX_MESSAGE_SIZE;
        private long maxFrameSize = -1;
        private long maxBufferedAmount = WebSocketOptions.DEFAULT_MAX_BUFFERED_AMOUNT;
        private HandshakeHandler handshake = HandshakeHandler.acceptAll();
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
        private Duration closeTimeout = WebSocketOptions.DEFAULT_CLOSE_TIMEOUT;
        private Duration pingInterval = Duration.ZERO;
        private PlainHttpHandler httpHandler;
        private long largeMessageThreshold = 16L << 20;
        private java.nio.file.Path temporaryDirectory;
        private Duration idleTimeout = Duration.ZERO;
        private Duration pongTimeout = Duration.ofSeconds(30);
        private int maxRequestLineLength = DEFAULT_MAX_REQUEST_LINE_LENGTH;
        private int maxHeaderBytes = DEFAULT_MAX_HEADER_BYTES;
        private int maxHeaderCount = DEFAULT_MAX_HEADER_COUNT;
        private int maxPendingHandshakes = DEFAULT_MAX_PENDING_HANDSHAKES;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private Executor executor;

        private Builder() {
        }

        private Builder(ServerOptions o) {
            this.host = o.host;
            this.port = o.port;
            this.sslContext = o.sslContext;
            this.perMessageDeflate = o.perMessageDeflate;
            this.deflateOptions = o.deflateOptions;
            this.maxMessageSize = o.maxMessageSize;
            this.maxFrameSize = o.maxFrameSize;
            this.maxBufferedAmount = o.maxBufferedAmount;
            this.handshake = o.handshake;
            this.handshakeTimeout = o.handshakeTimeout;
            this.closeTimeout = o.closeTimeout;
            this.pingInterval = o.pingInterval;
            this.httpHandler = o.httpHandler;
            this.largeMessageThreshold = o.largeMessageThreshold;
            this.temporaryDirectory = o.temporaryDirectory;
            this.idleTimeout = o.idleTimeout;
            this.pongTimeout = o.pongTimeout;
            this.maxRequestLineLength = o.maxRequestLineLength;
            this.maxHeaderBytes = o.maxHeaderBytes;
            this.maxHeaderCount = o.maxHeaderCount;
            this.maxPendingHandshakes = o.maxPendingHandshakes;
            this.maxConnections = o.maxConnections;
            this.executor = o.executor;
        }

        /**
         * Sets the address or host name to listen on, e.g. {@code "127.0.0.1"} for local
         * connections only, {@code "::"} for every interface, or {@code "localhost"}.
         *
         * @param host the address or name; {@code "0.0.0.0"} by default
         * @return this builder
         * @throws NullPointerException     if {@code host} is null
         * @throws IllegalArgumentException if it is empty or contains whitespace
         */
        public Builder host(String host) {
            Objects.requireNonNull(host, "host must not be null");
            if (host.isEmpty()) {
                throw new IllegalArgumentException("host must not be empty (use \"0.0.0.0\" for every interface)");
            }
            for (int i = 0; i < host.length(); i++) {
                if (host.charAt(i) <= ' ' || Character.isWhitespace(host.charAt(i))) {
                    throw new IllegalArgumentException("host must not contain whitespace or control characters: '"
                            + host + "'");
                }
            }
            this.host = host;
            return this;
        }

        /**
         * Sets the TCP port to listen on.
         *
         * @param port 0 to 65535; 0 (the default) lets the system choose a free port
         * @return this builder
         * @throws IllegalArgumentException if {@code port} is out of range
         */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be between 0 and 65535, but was " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * Sets the TLS context holding the server certificate, to serve {@code wss:}.
         *
         * @param context the context, or {@code null} for plain {@code ws:} (the default)
         * @return this builder
         */
        public Builder sslContext(SSLContext context) {
            this.sslContext = context;
            return this;
        }

        /**
         * Turns accepting the permessage-deflate extension (RFC 7692) on or off.
         *
         * @param enabled {@code true} (the default) to accept it when a client offers it
         * @return this builder
         */
        public Builder perMessageDeflate(boolean enabled) {
            this.perMessageDeflate = enabled;
            return this;
        }

        /**
         * Sets the permessage-deflate acceptance policy (context takeover, window sizes) and how messages
         * are compressed (threshold, level). See {@link DeflateOptions} for the defaults.
         *
         * @param options not null; {@link DeflateOptions#defaults()} by default
         * @return this builder
         */
        public Builder deflateOptions(DeflateOptions options) {
            this.deflateOptions = java.util.Objects.requireNonNull(options, "options");
            return this;
        }

        /**
         * Sets the largest incoming message, in bytes after decompression. A larger message
         * fails the connection (close frame 1009 to the client; {@code error} event, then
         * {@code close} event 1006).
         *
         * @param bytes 1 to {@link Long#MAX_VALUE}; 64 MiB by default
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is less than 1
         */
        public Builder maxMessageSize(long bytes) {
            this.maxMessageSize = WebSocketOptions.checkPositive(bytes, "maxMessageSize");
            return this;
        }

        /**
         * Sets the largest incoming frame payload; a larger frame fails the connection as a
         * too-large message does.
         *
         * @param bytes 1 to {@link Long#MAX_VALUE}; by default the same as
         *              {@link #maxMessageSize(long)}
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is less than 1
         */
        public Builder maxFrameSize(long bytes) {
            this.maxFrameSize = WebSocketOptions.checkPositive(bytes, "maxFrameSize");
            return this;
        }

        /**
         * Sets the most payload bytes {@code send()} may queue on one socket; a
         * {@code send()} that would exceed it closes that socket ({@code error}, then
         * {@code close} 1006).
         *
         * @param bytes 1 to {@link Long#MAX_VALUE}; 256 MiB by default
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is less than 1
         */
        public Builder maxBufferedAmount(long bytes) {
            this.maxBufferedAmount = WebSocketOptions.checkPositive(bytes, "maxBufferedAmount");
            return this;
        }

        /**
         * Sets the handler that accepts or rejects each upgrade request. It is called before
         * the {@code connection} event and should return quickly.
         *
         * @param handler the handler; {@link HandshakeHandler#acceptAll()} by default
         * @return this builder
         * @throws NullPointerException if {@code handler} is null
         */
        public Builder handshake(HandshakeHandler handler) {
            this.handshake = Objects.requireNonNull(handler,
                    "handshake handler must not be null (use HandshakeHandler.acceptAll())");
            return this;
        }

        /**
         * Sets the longest time from accepting a TCP connection to the end of the opening
         * handshake.
         *
         * @param timeout a positive duration; 10 seconds by default
         * @return this builder
         * @throws NullPointerException     if {@code timeout} is null
         * @throws IllegalArgumentException if it is zero or negative
         */
        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = WebSocketOptions.checkPositive(timeout, "handshakeTimeout");
            return this;
        }

        /**
         * Sets how long to wait for the closing handshake before dropping the connection.
         *
         * @param timeout a positive duration; 5 seconds by default
         * @return this builder
         * @throws NullPointerException     if {@code timeout} is null
         * @throws IllegalArgumentException if it is zero or negative
         */
        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = WebSocketOptions.checkPositive(timeout, "closeTimeout");
            return this;
        }

        /**
         * Sets the keep-alive ping interval.
         *
         * @param interval a non-negative duration; {@link Duration#ZERO} (the default) turns
         *                 pings off
         * @return this builder
         * @throws NullPointerException     if {@code interval} is null
         * @throws IllegalArgumentException if it is negative
         */
        public Builder pingInterval(Duration interval) {
            this.pingInterval = WebSocketOptions.checkNonNegative(interval, "pingInterval");
            return this;
        }

        /**
         * Sets the handler of plain HTTP requests (requests without an {@code Upgrade} header),
         * e.g. to serve the page that connects.
         *
         * @param handler the handler, or null (the default) to answer them 426
         * @return this builder
         */
        public Builder httpHandler(PlainHttpHandler handler) {
            this.httpHandler = handler;
            return this;
        }

        /**
         * Sets the size above which a received binary message is written to a temporary file
         * and delivered as a file-backed {@link Blob}.
         *
         * @param bytes at least 1; 16 MiB by default
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is less than 1
         */
        public Builder largeMessageThreshold(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("largeMessageThreshold must be at least 1 byte, not " + bytes);
            }
            this.largeMessageThreshold = bytes;
            return this;
        }

        /**
         * Sets the directory for the temporary files of large received messages.
         *
         * @param directory an existing directory, or null for {@code java.io.tmpdir}
         * @return this builder
         */
        public Builder temporaryDirectory(java.nio.file.Path directory) {
            this.temporaryDirectory = directory;
            return this;
        }

        /**
         * Sets the idle timeout: with no message or frame in either direction for this long,
         * the connection is closed with 1001 "Idle timeout".
         *
         * @param value a non-negative duration; {@link Duration#ZERO} (the default) turns it off
         * @return this builder
         */
        public Builder idleTimeout(Duration value) {
            this.idleTimeout = WebSocketOptions.checkNonNegative(value, "idleTimeout");
            return this;
        }

        /**
         * Sets how long to wait, after a keep-alive ping, for anything from the peer before
         * failing the connection (error, then close 1006).
         *
         * @param value a non-negative duration; 30 seconds by default; {@link Duration#ZERO}
         *              waits forever
         * @return this builder
         */
        public Builder pongTimeout(Duration value) {
            this.pongTimeout = WebSocketOptions.checkNonNegative(value, "pongTimeout");
            return this;
        }

        /**
         * Sets the longest request line accepted; a longer one is answered with 414.
         *
         * @param bytes at least 1; 8192 by default
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is less than 1
         */
        public Builder maxRequestLineLength(int bytes) {
            this.maxRequestLineLength = checkPositive(bytes, "maxRequestLineLength");
            return this;
        }

        /**
         * Sets the largest request head accepted (request line plus header fields); a
         * larger one is answered with 431.
         *
         * @param bytes at least 1; 16384 by default
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is less than 1
         */
        public Builder maxHeaderBytes(int bytes) {
            this.maxHeaderBytes = checkPositive(bytes, "maxHeaderBytes");
            return this;
        }

        /**
         * Sets the most header fields accepted in a request; more are answered with 431.
         *
         * @param count at least 1; 100 by default
         * @return this builder
         * @throws IllegalArgumentException if {@code count} is less than 1
         */
        public Builder maxHeaderCount(int count) {
            this.maxHeaderCount = checkPositive(count, "maxHeaderCount");
            return this;
        }

        /**
         * Sets the most connections in their opening handshake at once; a connection beyond it
         * is answered with 503 and closed.
         *
         * @param count at least 1; 4,096 by default
         * @return this builder
         * @throws IllegalArgumentException if {@code count} is less than 1
         */
        public Builder maxPendingHandshakes(int count) {
            this.maxPendingHandshakes = checkPositive(count, "maxPendingHandshakes");
            return this;
        }

        /**
         * Sets the most WebSocket connections open at once; further upgrade requests are
         * answered with 503.
         *
         * @param count at least 1; 65,536 by default
         * @return this builder
         * @throws IllegalArgumentException if {@code count} is less than 1
         */
        public Builder maxConnections(int count) {
            this.maxConnections = checkPositive(count, "maxConnections");
            return this;
        }

        /**
         * Sets the executor that runs event listeners.
         *
         * @param executor the executor, or {@code null} for Duplex's shared event threads
         *                 (the default); {@link WebSocketOptions#IO_THREAD} runs listeners on the I/O thread
         *                 (fastest, but listeners must not block)
         * @return this builder
         */
        public Builder executor(Executor executor) {
            this.executor = executor;
            return this;
        }

        /**
         * Creates the options. The builder may be used further; later changes do not affect
         * the options built.
         *
         * @return new immutable options
         */
        public ServerOptions build() {
            return new ServerOptions(this);
        }
    }
}
