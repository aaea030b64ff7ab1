package dev.duplex;

import dev.duplex.protocol.Http;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;

/**
 * Settings of a client {@link WebSocket} that browsers do not let a page choose (a Java
 * extension). Immutable and thread-safe; build one with {@link #builder()}, or start from
 * {@link #defaults()} or {@link #toBuilder()}:
 *
 * <pre>{@code
 * WebSocketOptions options = WebSocketOptions.builder()
 *         .header("Authorization", "Bearer " + token)
 *         .origin("https://example.com")
 *         .connectTimeout(Duration.ofSeconds(10))
 *         .pingInterval(Duration.ofSeconds(30))
 *         .build();
 * WebSocket ws = new WebSocket("wss://example.com/chat", List.of(), options);
 * }</pre>
 *
 * <h2>Options and defaults</h2>
 * <table>
 *   <caption>Client options</caption>
 *   <tr><th>option</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@link Builder#header(String, String) header}</td><td>none</td>
 *       <td>Extra request headers for the opening handshake (Authorization, Cookie, ...).
 *       Headers that the WebSocket handshake itself uses (Host, Upgrade, Connection,
 *       Sec-WebSocket-*, Content-Length, Transfer-Encoding) cannot be set.</td></tr>
 *   <tr><td>{@link Builder#origin(String) origin}</td><td>none</td>
 *       <td>The {@code Origin} request header (browsers send the page's origin; a Java
 *       client sends none unless told to).</td></tr>
 *   <tr><td>{@link Builder#connectTimeout(Duration) connectTimeout}</td><td>30 s</td>
 *       <td>Longest time from the constructor to the {@code open} event: DNS, TCP connect,
 *       proxy tunnel, TLS handshake and WebSocket handshake together. When it runs out, the
 *       connection fails: {@code error} event, then {@code close} with code 1006.</td></tr>
 *   <tr><td>{@link Builder#closeTimeout(Duration) closeTimeout}</td><td>5 s</td>
 *       <td>How long to wait, after sending a close frame, for the peer's close frame and
 *       for the server to close the TCP connection. When it runs out, the connection is
 *       dropped; the {@code close} event then has {@code wasClean} false (code 1006 if the
 *       peer never answered).</td></tr>
 *   <tr><td>{@link Builder#sslContext(SSLContext) sslContext}</td>
 *       <td>{@code null}: {@link SSLContext#getDefault()}</td>
 *       <td>TLS settings (trust store, client certificate) for {@code wss:} URLs.</td></tr>
 *   <tr><td>{@link Builder#hostnameVerification(boolean) hostnameVerification}</td>
 *       <td>{@code true}</td>
 *       <td>Check that the server's certificate matches the URL's host (HTTPS rules).
 *       Turn off only for testing.</td></tr>
 *   <tr><td>{@link Builder#proxy(InetSocketAddress) proxy}</td><td>none (direct)</td>
 *       <td>An HTTP proxy to tunnel through with {@code CONNECT}.</td></tr>
 *   <tr><td>{@link Builder#proxyAuthorization(String) proxyAuthorization}</td><td>none</td>
 *       <td>The {@code Proxy-Authorization} header of the {@code CONNECT} request.</td></tr>
 *   <tr><td>{@link Builder#perMessageDeflate(boolean) perMessageDeflate}</td>
 *       <td>{@code true}</td>
 *       <td>Offer the permessage-deflate compression extension (RFC 7692), as browsers
 *       do.</td></tr>
 *   <tr><td>{@link Builder#deflateOptions(DeflateOptions) deflateOptions}</td>
 *       <td>{@link DeflateOptions#defaults()}</td><td>The permessage-deflate offer:
 *       context takeover, window bits, compression threshold (128 bytes) and level.</td></tr>
 *   <tr><td>{@link Builder#maxMessageSize(long) maxMessageSize}</td><td>64 MiB</td>
 *       <td>Largest incoming message (after decompression). A larger message fails the
 *       connection: Duplex sends a close frame with code 1009 (message too big) to the
 *       peer, and dispatches an {@code error} event, then a {@code close} event with code
 *       1006.</td></tr>
 *   <tr><td>{@link Builder#maxFrameSize(long) maxFrameSize}</td><td>= maxMessageSize</td>
 *       <td>Largest payload of one incoming frame. A larger frame fails the connection in
 *       the same way (close frame 1009; {@code error}, then {@code close} 1006).</td></tr>
 *   <tr><td>{@link Builder#maxBufferedAmount(long) maxBufferedAmount}</td><td>256 MiB</td>
 *       <td>Most payload bytes that {@code send()} may queue ({@code bufferedAmount}). A
 *       {@code send()} that would take {@code bufferedAmount} past it closes the socket
 *       instead of queuing: {@code error} event, then {@code close} with code 1006.</td></tr>
 *   <tr><td>{@link Builder#maxRedirects(int) maxRedirects}</td><td>0: none, as in browsers</td>
 *       <td>How many HTTP redirects (301, 302, 303, 307, 308 with a Location) to follow during
 *       the opening handshake. ws:// may be redirected to wss://, never wss:// to ws://. With 0,
 *       a redirect fails the connection with a message that names the Location.</td></tr>
 *   <tr><td>{@link Builder#largeMessageThreshold(long) largeMessageThreshold}</td><td>16 MiB</td>
 *       <td>A received binary message larger than this is written to a temporary file as it
 *       arrives and delivered as a file-backed {@link Blob} (deleted when the blob becomes
 *       unreachable, or at exit), so big messages need no big heap. With {@code binaryType}
 *       ARRAYBUFFER such a message is delivered as a read-only memory-mapped buffer; one over
 *       2 GiB cannot be, and fails the connection with 1009.</td></tr>
 *   <tr><td>{@link Builder#temporaryDirectory(java.nio.file.Path) temporaryDirectory}</td>
 *       <td>{@code java.io.tmpdir}</td><td>Where those temporary files go.</td></tr>
 *   <tr><td>{@link Builder#systemProxy(boolean) systemProxy}</td><td>false</td>
 *       <td>When no {@code proxy} is set, ask the JVM's {@link java.net.ProxySelector} (which
 *       reads {@code http.proxyHost}/{@code https.proxyHost}, {@code http.nonProxyHosts} and
 *       friends) for an HTTP proxy for each connection: {@code http} for ws://, {@code https} for
 *       wss://.</td></tr>
 *   <tr><td>{@link Builder#pingInterval(Duration) pingInterval}</td>
 *       <td>{@link Duration#ZERO}: off</td>
 *       <td>Send a ping after this much time without traffic, to keep the connection alive
 *       through proxies and notice dead peers.</td></tr>
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
 *   <tr><td>{@link Builder#executor(Executor) executor}</td>
 *       <td>{@code null}: Duplex's shared event threads</td>
 *       <td>Where event listeners run. A socket's events are never delivered concurrently
 *       and always in order, whatever the executor. {@link #IO_THREAD} runs them on the I/O
 *       thread itself: fastest, for listeners that never block.</td></tr>
 * </table>
 */
public final class WebSocketOptions {
    /**
     * An {@link Builder#executor(Executor) executor} that runs event listeners on the I/O thread
     * that produced the event, the way Netty's handlers, OkHttp's listeners and Node's callbacks
     * run. It saves two thread hand-offs per message (to an event thread and, for a send, back),
     * which is the fastest way to run short listeners: lower latency, more messages per second.
     * The price: while a listener runs, no other connection of that I/O thread is read or
     * written, so listeners must not block (no waiting for I/O, locks held long, or
     * {@code Thread.sleep}); hand slow work to an executor of your own. A socket's events are
     * still delivered one at a time and in order. Any executor that runs the task inside
     * {@code execute} ({@code Runnable::run}) behaves the same.
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

    /** Default {@link #connectTimeout()}: 30 seconds. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);
    /** Default {@link #closeTimeout()}: 5 seconds. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(5);
    /** Default {@link #maxMessageSize()}: 64 MiB. */
    public static final long DEFAULT_MAX_MESSAGE_SIZE = 64L << 20;
    /** Default {@link #maxBufferedAmount()}: 256 MiB. */
    public static final long DEFAULT_MAX_BUFFERED_AMOUNT = 256L << 20;

    /** Request headers that the WebSocket handshake sets itself (lower case). */
    static final Set<String> RESERVED_HEADERS = Set.of(
            "host", "upgrade", "connection", "sec-websocket-key", "sec-websocket-version",
            "sec-websocket-accept", "sec-websocket-extensions", "sec-websocket-protocol",
            "content-length", "transfer-encoding");

    private static final WebSocketOptions DEFAULTS = new Builder().build();

    private final Map<String, List<String>> headers;
    private final String origin;
    private final Duration connectTimeout;
    private final Duration closeTimeout;
    private final SSLContext sslContext;
    private final boolean hostnameVerification;
    private final InetSocketAddress proxy;
    private final String proxyAuthorization;
    private final boolean perMessageDeflate;
    private final DeflateOptions deflateOptions;
    private final long maxMessageSize;
    private final long maxFrameSize;
    private final long maxBufferedAmount;
    private final Duration pingInterval;
    private final boolean systemProxy;
    private final long largeMessageThreshold;
    private final java.nio.file.Path temporaryDirectory;
    private final int maxRedirects;
    private final Duration idleTimeout;
    private final Duration pongTimeout;
    private final Executor executor;

    private WebSocketOptions(Builder b) {
        this.headers = freeze(b.headers);
        this.origin = b.origin;
        this.connectTimeout = b.connectTimeout;
        this.closeTimeout = b.closeTimeout;
        this.sslContext = b.sslContext;
        this.hostnameVerification = b.hostnameVerification;
        this.proxy = b.proxy;
        this.proxyAuthorization = b.proxyAuthorization;
        this.perMessageDeflate = b.perMessageDeflate;
        this.deflateOptions = b.deflateOptions;
        this.maxMessageSize = b.maxMessageSize;
        this.maxFrameSize = b.maxFrameSize;
        this.maxBufferedAmount = b.maxBufferedAmount;
        this.pingInterval = b.pingInterval;
        this.systemProxy = b.systemProxy;
        this.largeMessageThreshold = b.largeMessageThreshold;
        this.temporaryDirectory = b.temporaryDirectory;
        this.maxRedirects = b.maxRedirects;
        this.idleTimeout = b.idleTimeout;
        this.pongTimeout = b.pongTimeout;
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
     * Returns the options with every value at its default, which {@code new WebSocket(url)}
     * uses.
     *
     * @return the default options
     */
    public static WebSocketOptions defaults() {
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
     * Returns the extra request headers.
     *
     * @return an unmodifiable map, in the order the names were first given, with each name
     *         spelt as first given and its values (unmodifiable) in the order added; empty by
     *         default. Does not include {@code Origin}: see {@link #origin()}
     */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /**
     * Returns the {@code Origin} header to send.
     *
     * @return the origin, or {@code null} (the default) to send no {@code Origin} header
     */
    public String origin() {
        return origin;
    }

    /**
     * Returns the longest time from the constructor to the {@code open} event.
     *
     * @return a positive duration, 30 seconds by default
     */
    public Duration connectTimeout() {
        return connectTimeout;
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
     * Returns the TLS context for {@code wss:} connections.
     *
     * @return the context, or {@code null} (the default) to use {@link SSLContext#getDefault()}
     */
    public SSLContext sslContext() {
        return sslContext;
    }

    /**
     * Tells whether the server certificate is checked against the URL's host name.
     *
     * @return {@code true} by default
     */
    public boolean hostnameVerification() {
        return hostnameVerification;
    }

    /**
     * Returns the HTTP proxy to tunnel through with {@code CONNECT}.
     *
     * @return the proxy address (possibly unresolved), or {@code null} (the default) to
     *         connect directly
     */
    public InetSocketAddress proxy() {
        return proxy;
    }

    /**
     * Returns the value of the {@code Proxy-Authorization} header sent to the proxy.
     *
     * @return the value, e.g. {@code "Basic dXNlcjpwYXNz"}, or {@code null} (the default)
     */
    public String proxyAuthorization() {
        return proxyAuthorization;
    }

    /**
     * Tells whether the permessage-deflate extension is offered.
     *
     * @return {@code true} by default
     */
    public boolean perMessageDeflate() {
        return perMessageDeflate;
    }

    /**
     * Returns the permessage-deflate offer and compression settings, used when
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
     * Returns the most payload bytes {@code send()} may queue before the socket is closed.
     *
     * @return at least 1; 256 MiB by default
     */
    public long maxBufferedAmount() {
        return maxBufferedAmount;
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
     * Tells whether the JVM's {@link java.net.ProxySelector} is asked for a proxy when none is set.
     *
     * @return false by default
     */
    public boolean systemProxy() {
        return systemProxy;
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
     * Returns how many redirects the opening handshake follows.
     *
     * @return 0 (the default) or more
     */
    public int maxRedirects() {
        return maxRedirects;
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
     * Returns the executor that runs event listeners.
     *
     * @return the executor, or {@code null} (the default) for Duplex's shared event threads
     */
    public Executor executor() {
        return executor;
    }

    /**
     * Compares all options; the SSL context, proxy and executor by {@code equals}.
     *
     * @param o the object to compare with
     * @return true if {@code o} is a {@code WebSocketOptions} with the same values
     */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof WebSocketOptions)) {
            return false;
        }
        WebSocketOptions that = (WebSocketOptions) o;
        return hostnameVerification == that.hostnameVerification
                && perMessageDeflate == that.perMessageDeflate
                && deflateOptions.equals(that.deflateOptions)
                && maxMessageSize == that.maxMessageSize
                && maxFrameSize == that.maxFrameSize
                && maxBufferedAmount == that.maxBufferedAmount
                && headers.equals(that.headers)
                && Objects.equals(origin, that.origin)
                && connectTimeout.equals(that.connectTimeout)
                && closeTimeout.equals(that.closeTimeout)
                && Objects.equals(sslContext, that.sslContext)
                && Objects.equals(proxy, that.proxy)
                && Objects.equals(proxyAuthorization, that.proxyAuthorization)
                && pingInterval.equals(that.pingInterval)
                && systemProxy == that.systemProxy
                && largeMessageThreshold == that.largeMessageThreshold
                && Objects.equals(temporaryDirectory, that.temporaryDirectory)
                && maxRedirects == that.maxRedirects
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
        return Objects.hash(headers, origin, connectTimeout, closeTimeout, sslContext, hostnameVerification, proxy,
                proxyAuthorization, perMessageDeflate, deflateOptions, maxMessageSize, maxFrameSize, maxBufferedAmount, pingInterval, systemProxy, largeMessageThreshold, temporaryDirectory, idleTimeout, pongTimeout, maxRedirects,
                executor);
    }

    /**
     * Returns a description for logs. Header values and the proxy credentials are left out,
     * since they often hold secrets.
     *
     * @return e.g. {@code WebSocketOptions[headers=[Authorization], origin=null, ...]}
     */
    @Override
    public String toString() {
        return "WebSocketOptions[headers=" + headers.keySet()
                + ", origin=" + origin
                + ", connectTimeout=" + connectTimeout
                + ", closeTimeout=" + closeTimeout
                + ", sslContext=" + (sslContext == null ? "default" : sslContext.getProtocol())
                + ", hostnameVerification=" + hostnameVerification
                + ", proxy=" + proxy
                + (proxyAuthorization == null ? "" : ", proxyAuthorization=(set)")
                + ", perMessageDeflate=" + perMessageDeflate
                + ", deflateOptions=" + deflateOptions
                + ", maxMessageSize=" + maxMessageSize
                + ", maxFrameSize=" + maxFrameSize()
                + ", maxBufferedAmount=" + maxBufferedAmount
                + ", pingInterval=" + pingInterval
                + ", largeMessageThreshold=" + largeMessageThreshold
                + ", maxRedirects=" + maxRedirects
                + ", idleTimeout=" + idleTimeout
                + ", pongTimeout=" + pongTimeout
                + ", executor=" + (executor == null ? "default" : executor)
                + "]";
    }

    // ---- validation helpers shared with ServerOptions and HandshakeDecision ----

    /**
     * Checks a header that the user wants to send: name a token, value without CR, LF or
     * NUL, name not one the handshake controls. Returns the value without surrounding
     * spaces and tabs.
     */
    static String checkHeader(String name, String value) {
        Objects.requireNonNull(name, "header name must not be null");
        Objects.requireNonNull(value, "value of header " + name + " must not be null");
        if (!Http.isToken(name)) {
            throw new IllegalArgumentException("Invalid header name '" + name
                    + "': a header name must be a non-empty HTTP token (letters, digits and !#$%&'*+-.^_`|~)");
        }
        if (RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("Header '" + name
                    + "' cannot be set: Duplex sets it itself as part of the WebSocket handshake");
        }
        return checkHeaderValue(name, value);
    }

    /** Checks a header value and strips leading and trailing spaces and tabs. */
    static String checkHeaderValue(String name, String value) {
        if (!Http.isValidHeaderValue(value)) {
            throw new IllegalArgumentException("Invalid value for header '" + name
                    + "': it must not contain CR, LF, NUL or other control characters, nor characters above U+00FF");
        }
        int start = 0;
        int end = value.length();
        while (start < end && (value.charAt(start) == ' ' || value.charAt(start) == '\t')) {
            start++;
        }
        while (end > start && (value.charAt(end - 1) == ' ' || value.charAt(end - 1) == '\t')) {
            end--;
        }
        return value.substring(start, end);
    }

    /** Adds a header value, merging with an existing name that differs only in case. */
    static void addHeader(Map<String, List<String>> headers, String name, String value) {
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                e.getValue().add(value);
                return;
            }
        }
        List<String> values = new ArrayList<>(1);
        values.add(value);
        headers.put(name, values);
    }

    /** Returns an unmodifiable deep copy, keeping the order. */
    static Map<String, List<String>> freeze(Map<String, List<String>> headers) {
        if (headers.isEmpty()) {
            return Collections.emptyMap();
        }
        Map<String, List<String>> copy = new LinkedHashMap<>();
        headers.forEach((name, values) -> copy.put(name, List.copyOf(values)));
        return Collections.unmodifiableMap(copy);
    }

    /** Returns a mutable deep copy, keeping the order. */
    static Map<String, List<String>> thaw(Map<String, List<String>> headers) {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        headers.forEach((name, values) -> copy.put(name, new ArrayList<>(values)));
        return copy;
    }

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

    /**
     * Builds {@link WebSocketOptions}. Every method checks its argument at once and throws
     * {@link IllegalArgumentException} or {@link NullPointerException} with a message saying
     * what is wrong. Not thread-safe.
     */
    public static final class Builder {
        private Map<String, List<String>> headers = new LinkedHashMap<>();
        private String origin;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
        private SSLContext sslContext;
        private boolean hostnameVerification = true;
        private InetSocketAddress proxy;
        private String proxyAuthorization;
        private boolean perMessageDeflate = true;
        private DeflateOptions deflateOptions = DeflateOptions.defaults();
        private long maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
        private long maxFrameSize = -1;
        private long maxBufferedAmount = DEFAULT_MAX_BUFFERED_AMOUNT;
        private Duration pingInterval = Duration.ZERO;
        private boolean systemProxy;
        private long largeMessageThreshold = 16L << 20;
        private java.nio.file.Path temporaryDirectory;
        private int maxRedirects;
        private Duration idleTimeout = Duration.ZERO;
        private Duration pongTimeout = Duration.ofSeconds(30);
        private Executor executor;

        private Builder() {
        }

        private Builder(WebSocketOptions o) {
            this.headers = thaw(o.headers);
            this.origin = o.origin;
            this.connectTimeout = o.connectTimeout;
            this.closeTimeout = o.closeTimeout;
            this.sslContext = o.sslContext;
            this.hostnameVerification = o.hostnameVerification;
            this.proxy = o.proxy;
            this.proxyAuthorization = o.proxyAuthorization;
            this.perMessageDeflate = o.perMessageDeflate;
            this.deflateOptions = o.deflateOptions;
            this.maxMessageSize = o.maxMessageSize;
            this.maxFrameSize = o.maxFrameSize;
            this.maxBufferedAmount = o.maxBufferedAmount;
            this.pingInterval = o.pingInterval;
            this.systemProxy = o.systemProxy;
            this.largeMessageThreshold = o.largeMessageThreshold;
            this.temporaryDirectory = o.temporaryDirectory;
            this.maxRedirects = o.maxRedirects;
            this.idleTimeout = o.idleTimeout;
            this.pongTimeout = o.pongTimeout;
            this.executor = o.executor;
        }

        /**
         * Adds a request header to the opening handshake. Calling it again with the same
         * name (in any case) adds another value; the header is then sent once per value.
         * {@code header("Origin", value)} is the same as {@link #origin(String)}.
         *
         * @param name  the header name, an HTTP token; not one of Host, Upgrade, Connection,
         *              Sec-WebSocket-Key, Sec-WebSocket-Version, Sec-WebSocket-Accept,
         *              Sec-WebSocket-Extensions, Sec-WebSocket-Protocol, Content-Length and
         *              Transfer-Encoding (in any case), which the handshake sets itself
         * @param value the value: Latin-1 text without control characters other than tab;
         *              leading and trailing spaces and tabs are removed
         * @return this builder
         * @throws NullPointerException     if {@code name} or {@code value} is null
         * @throws IllegalArgumentException if the name is not a token or is reserved, or the
         *                                  value holds a forbidden character
         */
        public Builder header(String name, String value) {
            String v = checkHeader(name, value);
            if (name.equalsIgnoreCase("Origin")) {
                this.origin = v;
            } else {
                addHeader(headers, name, v);
            }
            return this;
        }

        /**
         * Sets the {@code Origin} request header, e.g. {@code "https://example.com"}. Servers
         * use it to tell which web site a browser connection comes from; some refuse
         * connections without one.
         *
         * @param origin the value, or {@code null} to send no {@code Origin} header (the
         *               default)
         * @return this builder
         * @throws IllegalArgumentException if the value holds a forbidden character
         */
        public Builder origin(String origin) {
            this.origin = origin == null ? null : checkHeaderValue("Origin", origin);
            return this;
        }

        /**
         * Sets the longest time from the constructor to the {@code open} event.
         *
         * @param timeout a positive duration; 30 seconds by default
         * @return this builder
         * @throws NullPointerException     if {@code timeout} is null
         * @throws IllegalArgumentException if it is zero or negative
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = checkPositive(timeout, "connectTimeout");
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
            this.closeTimeout = checkPositive(timeout, "closeTimeout");
            return this;
        }

        /**
         * Sets the TLS context for {@code wss:} connections, e.g. to trust a private
         * certificate authority or to present a client certificate.
         *
         * @param context the context, or {@code null} for {@link SSLContext#getDefault()}
         *                (the default)
         * @return this builder
         */
        public Builder sslContext(SSLContext context) {
            this.sslContext = context;
            return this;
        }

        /**
         * Turns checking the server certificate's host name on or off. Turning it off makes
         * TLS open to man-in-the-middle attacks; do it only for testing.
         *
         * @param verify {@code true} (the default) to check
         * @return this builder
         */
        public Builder hostnameVerification(boolean verify) {
            this.hostnameVerification = verify;
            return this;
        }

        /**
         * Sets an HTTP proxy to tunnel the connection through with {@code CONNECT}.
         *
         * @param proxy the proxy's address (it may be unresolved, to be resolved when
         *              connecting), or {@code null} to connect directly (the default)
         * @return this builder
         */
        public Builder proxy(InetSocketAddress proxy) {
            this.proxy = proxy;
            return this;
        }

        /**
         * Sets the {@code Proxy-Authorization} header sent with the {@code CONNECT} request,
         * e.g. {@code "Basic " + base64("user:password")}.
         *
         * @param credentials the header value, or {@code null} to send none (the default)
         * @return this builder
         * @throws IllegalArgumentException if the value holds a forbidden character
         */
        public Builder proxyAuthorization(String credentials) {
            this.proxyAuthorization = credentials == null ? null
                    : checkHeaderValue("Proxy-Authorization", credentials);
            return this;
        }

        /**
         * Turns offering the permessage-deflate extension (RFC 7692) on or off.
         *
         * @param enabled {@code true} (the default) to offer it
         * @return this builder
         */
        public Builder perMessageDeflate(boolean enabled) {
            this.perMessageDeflate = enabled;
            return this;
        }

        /**
         * Sets the permessage-deflate offer (context takeover, window sizes) and how messages
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
         * fails the connection (close frame 1009 to the peer; {@code error} event, then
         * {@code close} event 1006).
         *
         * @param bytes 1 to {@link Long#MAX_VALUE}; 64 MiB by default
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is less than 1
         */
        public Builder maxMessageSize(long bytes) {
            this.maxMessageSize = checkPositive(bytes, "maxMessageSize");
            return this;
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
        public Builder maxFrameSize(long bytes) {
            this.maxFrameSize = checkPositive(bytes, "maxFrameSize");
            return this;
        }

        /**
         * Sets the most payload bytes {@code send()} may queue. A {@code send()} that would
         * take {@code bufferedAmount} past it closes the socket ({@code error} event, then
         * {@code close} event 1006) instead of queuing.
         *
         * @param bytes 1 to {@link Long#MAX_VALUE}; 256 MiB by default
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is less than 1
         */
        public Builder maxBufferedAmount(long bytes) {
            this.maxBufferedAmount = checkPositive(bytes, "maxBufferedAmount");
            return this;
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
        public Builder pingInterval(Duration interval) {
            this.pingInterval = checkNonNegative(interval, "pingInterval");
            return this;
        }

        /**
         * Uses the JVM's {@link java.net.ProxySelector} to find an HTTP proxy when no
         * {@link #proxy(java.net.InetSocketAddress) proxy} is set.
         *
         * @param use true to ask the selector; false (the default) to connect directly
         * @return this builder
         */
        public Builder systemProxy(boolean use) {
            this.systemProxy = use;
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
         * Sets how many HTTP redirects the opening handshake follows (wss:// is never
         * redirected to ws://).
         *
         * @param count 0 (the default: fail on a redirect, as browsers do) to 20
         * @return this builder
         * @throws IllegalArgumentException if {@code count} is outside 0..20
         */
        public Builder maxRedirects(int count) {
            if (count < 0 || count > 20) {
                throw new IllegalArgumentException("maxRedirects must be 0..20, not " + count);
            }
            this.maxRedirects = count;
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
            this.idleTimeout = checkNonNegative(value, "idleTimeout");
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
            this.pongTimeout = checkNonNegative(value, "pongTimeout");
            return this;
        }

        /**
         * Sets the executor that runs event listeners. Duplex still delivers a socket's
         * events one at a time and in order on it.
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
        public WebSocketOptions build() {
            return new WebSocketOptions(this);
        }
    }
}
