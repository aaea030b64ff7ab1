package dev.duplex;

import dev.duplex.internal.session.OriginPolicy;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
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
 *   <tr><td colspan="3">and every option of {@link ConnectionOptions} (limits, timeouts,
 *       keep-alive, compression, executor)</td></tr>
 *   <tr><td>{@link Builder#host(String) host}</td><td>{@code "0.0.0.0"}</td>
 *       <td>Address (or host name) to listen on; {@code "0.0.0.0"} is every IPv4
 *       interface.</td></tr>
 *   <tr><td>{@link Builder#port(int) port}</td><td>0: any free port</td>
 *       <td>TCP port to listen on; {@link WebSocketServer#port()} tells the one chosen.</td></tr>
 *   <tr><td>{@link Builder#sslContext(SSLContext) sslContext}</td><td>{@code null}: plain
 *       {@code ws:}</td><td>TLS context holding the server's certificate, to serve
 *       {@code wss:}.</td></tr>
 *   <tr><td>{@link Builder#handshake(HandshakeHandler) handshake}</td>
 *       <td>{@link HandshakeHandler#acceptAll()}</td>
 *       <td>Decides, for each upgrade request, whether to accept it (and with which
 *       subprotocol) or to reject it with an HTTP status.</td></tr>
 *   <tr><td>{@link Builder#handshakeTimeout(Duration) handshakeTimeout}</td><td>10 s</td>
 *       <td>Longest time from accepting a TCP connection to the end of the opening handshake
 *       (TLS included); a client that has not sent a complete request by then is
 *       disconnected.</td></tr>
 *   <tr><td>{@link Builder#httpHandler(PlainHttpHandler) httpHandler}</td><td>{@code null}</td>
 *       <td>Answers plain HTTP requests (no {@code Upgrade} header); without one they get
 *       {@code 426 Upgrade Required}.</td></tr>
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
 *   <tr><td>{@link Builder#allowedOrigins(String...) allowedOrigins}</td><td>none: any</td>
 *       <td>The exact origins ({@code https://app.example}, as browsers send them) whose pages
 *       may connect; a request with another {@code Origin} is answered 403. Requests without
 *       {@code Origin} (programs, not browsers) pass unless {@link Builder#requireOrigin(boolean)
 *       requireOrigin} is set. Without it any web page the user visits can open a socket to
 *       this server (cross-site WebSocket hijacking): set it for every server that browsers
 *       reach, or decide in the {@link HandshakeHandler} (see there).</td></tr>
 *   <tr><td>{@link Builder#requireOrigin(boolean) requireOrigin}</td><td>false</td>
 *       <td>Also answer 403 to requests without {@code Origin}.</td></tr>
 *   <tr><td>{@link Builder#maxConnectionsPerAddress(int) maxConnectionsPerAddress}</td>
 *       <td>1,024</td><td>Most open WebSocket connections from one remote IP address; more are
 *       answered 503. Loopback addresses are exempt unless
 *       {@link Builder#perAddressLimitsOnLoopback(boolean) perAddressLimitsOnLoopback} (a
 *       reverse proxy on the same machine shows every client as loopback).</td></tr>
 *   <tr><td>{@link Builder#maxPendingHandshakesPerAddress(int) maxPendingHandshakesPerAddress}</td>
 *       <td>64</td><td>Most connections from one remote IP address still in their opening
 *       handshake; more are answered 503 at once (loopback exempt as above).</td></tr>
 *   <tr><td>{@link Builder#maxUnfinishedMessageBytes(long) maxUnfinishedMessageBytes}</td>
 *       <td>256 MiB</td><td>Heap held, over all connections together, by incoming messages
 *       that have started but not finished. The connection whose message would pass it fails
 *       with close frame 1013 (try again later).</td></tr>
 *   <tr><td>{@link Builder#maxTemporaryFileBytes(long) maxTemporaryFileBytes}</td><td>1 GiB</td>
 *       <td>Disk held, over all connections together, by received messages spilled to
 *       temporary files (above {@code largeMessageThreshold}), unfinished or delivered and not
 *       yet released ({@link Blob#close()}, or garbage collection of the blob). The connection
 *       whose message would pass it fails with 1013.</td></tr>
 *   <tr><td>{@link Builder#maxCompressionContexts(int) maxCompressionContexts}</td><td>1,024</td>
 *       <td>Most connections keeping a permessage-deflate context between messages (about
 *       235 KiB of native memory each, outside the Java heap). Beyond it, new connections
 *       negotiate {@code server_no_context_takeover} and {@code client_no_context_takeover},
 *       which hold no compression memory between messages.</td></tr>
 * </table>
 */
public final class ServerOptions extends ConnectionOptions {
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

    /** Default {@link #maxConnectionsPerAddress()}: {@value}. */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 1_024;
    /** Default {@link #maxPendingHandshakesPerAddress()}: {@value}. */
    public static final int DEFAULT_MAX_PENDING_HANDSHAKES_PER_ADDRESS = 64;
    /** Default {@link #maxUnfinishedMessageBytes()}: 256 MiB. */
    public static final long DEFAULT_MAX_UNFINISHED_MESSAGE_BYTES = 256L << 20;
    /** Default {@link #maxTemporaryFileBytes()}: 1 GiB. */
    public static final long DEFAULT_MAX_TEMPORARY_FILE_BYTES = 1L << 30;
    /** Default {@link #maxCompressionContexts()}: {@value}. */
    public static final int DEFAULT_MAX_COMPRESSION_CONTEXTS = 1_024;

    private static final ServerOptions DEFAULTS = new Builder().build();

    private final String host;
    private final int port;
    private final SSLContext sslContext;
    private final HandshakeHandler handshake;
    private final Duration handshakeTimeout;
    private final PlainHttpHandler httpHandler;
    private final int maxRequestLineLength;
    private final int maxHeaderBytes;
    private final int maxHeaderCount;
    private final int maxPendingHandshakes;
    private final int maxConnections;
    private final Set<String> allowedOrigins;
    private final boolean requireOrigin;
    private final int maxConnectionsPerAddress;
    private final int maxPendingHandshakesPerAddress;
    private final boolean perAddressLimitsOnLoopback;
    private final long maxUnfinishedMessageBytes;
    private final long maxTemporaryFileBytes;
    private final int maxCompressionContexts;

    private ServerOptions(Builder b) {
        super(b);
        this.host = b.host;
        this.port = b.port;
        this.sslContext = b.sslContext;
        this.handshake = b.handshake;
        this.handshakeTimeout = b.handshakeTimeout;
        this.httpHandler = b.httpHandler;
        this.maxRequestLineLength = b.maxRequestLineLength;
        this.maxHeaderBytes = b.maxHeaderBytes;
        this.maxHeaderCount = b.maxHeaderCount;
        this.maxPendingHandshakes = b.maxPendingHandshakes;
        this.maxConnections = b.maxConnections;
        this.allowedOrigins = Set.copyOf(b.allowedOrigins);
        this.requireOrigin = b.requireOrigin;
        this.maxConnectionsPerAddress = b.maxConnectionsPerAddress;
        this.maxPendingHandshakesPerAddress = b.maxPendingHandshakesPerAddress;
        this.perAddressLimitsOnLoopback = b.perAddressLimitsOnLoopback;
        this.maxUnfinishedMessageBytes = b.maxUnfinishedMessageBytes;
        this.maxTemporaryFileBytes = b.maxTemporaryFileBytes;
        this.maxCompressionContexts = b.maxCompressionContexts;
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
     * Returns the handler of plain HTTP requests.
     *
     * @return the handler, or null (the default: such requests get 426)
     */
    public PlainHttpHandler httpHandler() {
        return httpHandler;
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
     * Returns the origins whose pages may connect.
     *
     * @return the exact origins, lower-cased; empty (the default) lets any origin connect
     */
    public Set<String> allowedOrigins() {
        return allowedOrigins;
    }

    /**
     * Tells whether requests without an {@code Origin} header are refused.
     *
     * @return false by default
     */
    public boolean requireOrigin() {
        return requireOrigin;
    }

    /**
     * Returns the most open connections from one remote address.
     *
     * @return at least 1; 1,024 by default
     */
    public int maxConnectionsPerAddress() {
        return maxConnectionsPerAddress;
    }

    /**
     * Returns the most connections from one remote address in their opening handshake.
     *
     * @return at least 1; 64 by default
     */
    public int maxPendingHandshakesPerAddress() {
        return maxPendingHandshakesPerAddress;
    }

    /**
     * Tells whether the per-address limits also apply to loopback addresses.
     *
     * @return false by default
     */
    public boolean perAddressLimitsOnLoopback() {
        return perAddressLimitsOnLoopback;
    }

    /**
     * Returns the heap that unfinished incoming messages may hold, over all connections.
     *
     * @return bytes; 256 MiB by default
     */
    public long maxUnfinishedMessageBytes() {
        return maxUnfinishedMessageBytes;
    }

    /**
     * Returns the disk that received messages spilled to temporary files may hold, over all
     * connections.
     *
     * @return bytes; 1 GiB by default
     */
    public long maxTemporaryFileBytes() {
        return maxTemporaryFileBytes;
    }

    /**
     * Returns the most connections that keep a permessage-deflate context between messages.
     *
     * @return 0 (no context is ever kept) or more; 1,024 by default
     */
    public int maxCompressionContexts() {
        return maxCompressionContexts;
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
        if (!(o instanceof ServerOptions that)) {
            return false;
        }
        return sameConnectionOptions(that)
                && host.equals(that.host)
                && port == that.port
                && Objects.equals(sslContext, that.sslContext)
                && handshake.equals(that.handshake)
                && handshakeTimeout.equals(that.handshakeTimeout)
                && Objects.equals(httpHandler, that.httpHandler)
                && maxRequestLineLength == that.maxRequestLineLength
                && maxHeaderBytes == that.maxHeaderBytes
                && maxHeaderCount == that.maxHeaderCount
                && maxPendingHandshakes == that.maxPendingHandshakes
                && maxConnections == that.maxConnections
                && allowedOrigins.equals(that.allowedOrigins)
                && requireOrigin == that.requireOrigin
                && maxConnectionsPerAddress == that.maxConnectionsPerAddress
                && maxPendingHandshakesPerAddress == that.maxPendingHandshakesPerAddress
                && perAddressLimitsOnLoopback == that.perAddressLimitsOnLoopback
                && maxUnfinishedMessageBytes == that.maxUnfinishedMessageBytes
                && maxTemporaryFileBytes == that.maxTemporaryFileBytes
                && maxCompressionContexts == that.maxCompressionContexts;
    }

    /**
     * Returns a hash code consistent with {@link #equals(Object)}.
     *
     * @return the hash code
     */
    @Override
    public int hashCode() {
        return Objects.hash(connectionOptionsHash(), host, port, sslContext, handshake, handshakeTimeout, httpHandler,
                maxRequestLineLength, maxHeaderBytes, maxHeaderCount, maxPendingHandshakes, maxConnections,
                allowedOrigins, requireOrigin, maxConnectionsPerAddress, maxPendingHandshakesPerAddress,
                perAddressLimitsOnLoopback, maxUnfinishedMessageBytes, maxTemporaryFileBytes, maxCompressionContexts);
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
                + ", handshakeTimeout=" + handshakeTimeout
                + ", httpHandler=" + (httpHandler != null)
                + ", maxRequestLineLength=" + maxRequestLineLength
                + ", maxHeaderBytes=" + maxHeaderBytes
                + ", maxHeaderCount=" + maxHeaderCount
                + ", maxPendingHandshakes=" + maxPendingHandshakes
                + ", maxConnections=" + maxConnections
                + ", allowedOrigins=" + allowedOrigins
                + ", requireOrigin=" + requireOrigin
                + ", maxConnectionsPerAddress=" + maxConnectionsPerAddress
                + ", maxPendingHandshakesPerAddress=" + maxPendingHandshakesPerAddress
                + ", perAddressLimitsOnLoopback=" + perAddressLimitsOnLoopback
                + ", maxUnfinishedMessageBytes=" + maxUnfinishedMessageBytes
                + ", maxTemporaryFileBytes=" + maxTemporaryFileBytes
                + ", maxCompressionContexts=" + maxCompressionContexts
                + ", " + describeConnectionOptions()
                + "]";
    }

    /**
     * Builds {@link ServerOptions}. Every method checks its argument at once and throws
     * {@link IllegalArgumentException} or {@link NullPointerException} with a message saying
     * what is wrong. Not thread-safe.
     */
    public static final class Builder extends ConnectionOptions.Builder<Builder> {
        private String host = DEFAULT_HOST;
        private int port;
        private SSLContext sslContext;
        private HandshakeHandler handshake = HandshakeHandler.acceptAll();
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
        private PlainHttpHandler httpHandler;
        private int maxRequestLineLength = DEFAULT_MAX_REQUEST_LINE_LENGTH;
        private int maxHeaderBytes = DEFAULT_MAX_HEADER_BYTES;
        private int maxHeaderCount = DEFAULT_MAX_HEADER_COUNT;
        private int maxPendingHandshakes = DEFAULT_MAX_PENDING_HANDSHAKES;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private Set<String> allowedOrigins = new LinkedHashSet<>();
        private boolean requireOrigin;
        private int maxConnectionsPerAddress = DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;
        private int maxPendingHandshakesPerAddress = DEFAULT_MAX_PENDING_HANDSHAKES_PER_ADDRESS;
        private boolean perAddressLimitsOnLoopback;
        private long maxUnfinishedMessageBytes = DEFAULT_MAX_UNFINISHED_MESSAGE_BYTES;
        private long maxTemporaryFileBytes = DEFAULT_MAX_TEMPORARY_FILE_BYTES;
        private int maxCompressionContexts = DEFAULT_MAX_COMPRESSION_CONTEXTS;

        private Builder() {
        }

        @Override
        Builder self() {
            return this;
        }

        private Builder(ServerOptions o) {
            super(o);
            this.host = o.host;
            this.port = o.port;
            this.sslContext = o.sslContext;
            this.handshake = o.handshake;
            this.handshakeTimeout = o.handshakeTimeout;
            this.httpHandler = o.httpHandler;
            this.maxRequestLineLength = o.maxRequestLineLength;
            this.maxHeaderBytes = o.maxHeaderBytes;
            this.maxHeaderCount = o.maxHeaderCount;
            this.maxPendingHandshakes = o.maxPendingHandshakes;
            this.maxConnections = o.maxConnections;
            this.allowedOrigins = new LinkedHashSet<>(o.allowedOrigins);
            this.requireOrigin = o.requireOrigin;
            this.maxConnectionsPerAddress = o.maxConnectionsPerAddress;
            this.maxPendingHandshakesPerAddress = o.maxPendingHandshakesPerAddress;
            this.perAddressLimitsOnLoopback = o.perAddressLimitsOnLoopback;
            this.maxUnfinishedMessageBytes = o.maxUnfinishedMessageBytes;
            this.maxTemporaryFileBytes = o.maxTemporaryFileBytes;
            this.maxCompressionContexts = o.maxCompressionContexts;
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
            this.handshakeTimeout = checkPositive(timeout, "handshakeTimeout");
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
         * Sets the exact origins whose web pages may open WebSockets to this server, as browsers
         * send them in {@code Origin}: scheme, host and port unless it is the scheme's default,
         * e.g. {@code "https://app.example"} or {@code "http://localhost:8080"}. A request whose
         * {@code Origin} is not one of them is answered 403 before the handshake handler is asked.
         * Requests without {@code Origin} come from programs rather than browsers and pass unless
         * {@link #requireOrigin(boolean)} is set. For any other rule (a suffix, a database
         * lookup), decide in the {@link HandshakeHandler} with {@link HandshakeRequest#origin()}.
         *
         * @param origins the origins; none (the default) lets every origin connect
         * @return this builder
         * @throws NullPointerException     if an origin is null
         * @throws IllegalArgumentException if one is not an origin ({@code scheme://host[:port]},
         *                                  nothing after it), e.g. has a path or a trailing slash
         */
        public Builder allowedOrigins(String... origins) {
            Set<String> checked = new LinkedHashSet<>();
            for (String o : origins) {
                checked.add(OriginPolicy.checkOrigin(o));
            }
            this.allowedOrigins = checked;
            return this;
        }

        /**
         * Refuses (403) upgrade requests that carry no {@code Origin} header. Browsers always
         * send one; programs usually do not.
         *
         * @param require true to refuse them; false (the default) to let them pass
         * @return this builder
         */
        public Builder requireOrigin(boolean require) {
            this.requireOrigin = require;
            return this;
        }

        /**
         * Sets the most open WebSocket connections from one remote IP address; further upgrade
         * requests from it are answered 503.
         *
         * @param count at least 1; 1,024 by default
         * @return this builder
         * @throws IllegalArgumentException if {@code count} is less than 1
         */
        public Builder maxConnectionsPerAddress(int count) {
            this.maxConnectionsPerAddress = checkPositive(count, "maxConnectionsPerAddress");
            return this;
        }

        /**
         * Sets the most connections from one remote IP address in their opening handshake; a
         * connection beyond it is answered 503 at once.
         *
         * @param count at least 1; 64 by default
         * @return this builder
         * @throws IllegalArgumentException if {@code count} is less than 1
         */
        public Builder maxPendingHandshakesPerAddress(int count) {
            this.maxPendingHandshakesPerAddress = checkPositive(count, "maxPendingHandshakesPerAddress");
            return this;
        }

        /**
         * Applies the per-address limits to loopback addresses (127.0.0.0/8, ::1) too. By
         * default they are exempt: behind a reverse proxy on the same machine every client is
         * loopback, and local tools open thousands of connections.
         *
         * @param apply true to limit loopback addresses as well; false by default
         * @return this builder
         */
        public Builder perAddressLimitsOnLoopback(boolean apply) {
            this.perAddressLimitsOnLoopback = apply;
            return this;
        }

        /**
         * Sets the heap that incoming messages not yet complete may hold over all connections
         * together; the connection whose message would pass it fails with 1013.
         *
         * @param bytes at least 1; 256 MiB by default
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is less than 1
         */
        public Builder maxUnfinishedMessageBytes(long bytes) {
            this.maxUnfinishedMessageBytes = checkPositive(bytes, "maxUnfinishedMessageBytes");
            return this;
        }

        /**
         * Sets the disk that received messages spilled to temporary files may hold over all
         * connections together, until each is released ({@link Blob#close()} or garbage
         * collection); the connection whose message would pass it fails with 1013.
         *
         * @param bytes at least 1; 1 GiB by default
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is less than 1
         */
        public Builder maxTemporaryFileBytes(long bytes) {
            this.maxTemporaryFileBytes = checkPositive(bytes, "maxTemporaryFileBytes");
            return this;
        }

        /**
         * Sets the most connections that keep a permessage-deflate context between messages
         * (about 235 KiB of native memory each); later connections negotiate no context
         * takeover in both directions.
         *
         * @param count 0 (never keep one) or more; 1,024 by default
         * @return this builder
         * @throws IllegalArgumentException if {@code count} is negative
         */
        public Builder maxCompressionContexts(int count) {
            if (count < 0) {
                throw new IllegalArgumentException("maxCompressionContexts must not be negative, but was " + count);
            }
            this.maxCompressionContexts = count;
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
