package dev.duplex;

import dev.duplex.internal.protocol.Http;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 *   <tr><td colspan="3">and every option of {@link ConnectionOptions} (limits, timeouts,
 *       keep-alive, compression, executor)</td></tr>
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
 *   <tr><td>{@link Builder#maxRedirects(int) maxRedirects}</td><td>0: none, as in browsers</td>
 *       <td>How many HTTP redirects (301, 302, 303, 307, 308 with a Location) to follow during
 *       the opening handshake. ws:// may be redirected to wss://, never wss:// to ws://. With 0,
 *       a redirect fails the connection with a message that names the Location.</td></tr>
 *   <tr><td>{@link Builder#systemProxy(boolean) systemProxy}</td><td>false</td>
 *       <td>When no {@code proxy} is set, ask the JVM's {@link java.net.ProxySelector} (which
 *       reads {@code http.proxyHost}/{@code https.proxyHost}, {@code http.nonProxyHosts} and
 *       friends) for an HTTP proxy for each connection: {@code http} for ws://, {@code https} for
 *       wss://.</td></tr>
 *   <tr><td>{@link Builder#messagesWhileClosing(boolean) messagesWhileClosing}</td><td>false,
 *       as the WHATWG standard says</td>
 *       <td>After {@code close()}, still deliver the messages the server sent before its close
 *       frame (the standard drops them). For tools that send, close at once and must not lose
 *       the replies already on their way, like {@code duplex connect --wait 0}.</td></tr>
 * </table>
 */
public final class WebSocketOptions extends ConnectionOptions {
    /** Default {@link #connectTimeout()}: 30 seconds. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);

    private static final WebSocketOptions DEFAULTS = new Builder().build();

    private final Map<String, List<String>> headers;
    private final String origin;
    private final Duration connectTimeout;
    private final SSLContext sslContext;
    private final boolean hostnameVerification;
    private final InetSocketAddress proxy;
    private final String proxyAuthorization;
    private final boolean systemProxy;
    private final int maxRedirects;
    private final boolean messagesWhileClosing;

    private WebSocketOptions(Builder b) {
        super(b);
        this.headers = freeze(b.headers);
        this.origin = b.origin;
        this.connectTimeout = b.connectTimeout;
        this.sslContext = b.sslContext;
        this.hostnameVerification = b.hostnameVerification;
        this.proxy = b.proxy;
        this.proxyAuthorization = b.proxyAuthorization;
        this.systemProxy = b.systemProxy;
        this.maxRedirects = b.maxRedirects;
        this.messagesWhileClosing = b.messagesWhileClosing;
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
     * Tells whether the JVM's {@link java.net.ProxySelector} is asked for a proxy when none is set.
     *
     * @return false by default
     */
    public boolean systemProxy() {
        return systemProxy;
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
     * Returns whether messages that arrive after {@code close()} are still delivered.
     *
     * @return false (the default, as the standard says) or true
     */
    public boolean messagesWhileClosing() {
        return messagesWhileClosing;
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
        if (!(o instanceof WebSocketOptions that)) {
            return false;
        }
        return sameConnectionOptions(that)
                && headers.equals(that.headers)
                && Objects.equals(origin, that.origin)
                && connectTimeout.equals(that.connectTimeout)
                && Objects.equals(sslContext, that.sslContext)
                && hostnameVerification == that.hostnameVerification
                && Objects.equals(proxy, that.proxy)
                && Objects.equals(proxyAuthorization, that.proxyAuthorization)
                && systemProxy == that.systemProxy
                && maxRedirects == that.maxRedirects
                && messagesWhileClosing == that.messagesWhileClosing;
    }

    /**
     * Returns a hash code consistent with {@link #equals(Object)}.
     *
     * @return the hash code
     */
    @Override
    public int hashCode() {
        return Objects.hash(connectionOptionsHash(), headers, origin, connectTimeout, sslContext, hostnameVerification,
                proxy, proxyAuthorization, systemProxy, maxRedirects, messagesWhileClosing);
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
                + ", sslContext=" + (sslContext == null ? "default" : sslContext.getProtocol())
                + ", hostnameVerification=" + hostnameVerification
                + ", proxy=" + proxy
                + (proxyAuthorization == null ? "" : ", proxyAuthorization=(set)")
                + ", systemProxy=" + systemProxy
                + ", maxRedirects=" + maxRedirects
                + ", messagesWhileClosing=" + messagesWhileClosing
                + ", " + describeConnectionOptions()
                + "]";
    }

    // ---- header checks shared with HandshakeDecision and HttpResponse ----

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
        if (Http.isSetByClientHandshake(name)) {
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

    /**
     * Builds {@link WebSocketOptions}. Every method checks its argument at once and throws
     * {@link IllegalArgumentException} or {@link NullPointerException} with a message saying
     * what is wrong. Not thread-safe.
     */
    public static final class Builder extends ConnectionOptions.Builder<Builder> {
        private Map<String, List<String>> headers = new LinkedHashMap<>();
        private String origin;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private SSLContext sslContext;
        private boolean hostnameVerification = true;
        private InetSocketAddress proxy;
        private String proxyAuthorization;
        private boolean systemProxy;
        private int maxRedirects;
        private boolean messagesWhileClosing;

        private Builder() {
        }

        @Override
        Builder self() {
            return this;
        }

        private Builder(WebSocketOptions o) {
            super(o);
            this.headers = thaw(o.headers);
            this.origin = o.origin;
            this.connectTimeout = o.connectTimeout;
            this.sslContext = o.sslContext;
            this.hostnameVerification = o.hostnameVerification;
            this.proxy = o.proxy;
            this.proxyAuthorization = o.proxyAuthorization;
            this.systemProxy = o.systemProxy;
            this.maxRedirects = o.maxRedirects;
            this.messagesWhileClosing = o.messagesWhileClosing;
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
         * Sets whether, after {@code close()}, the messages the server sent before its close
         * frame are still delivered (a Java extension). The WHATWG standard drops them ("if
         * the ready state is not OPEN, return"), which a browser page rarely minds; a tool that
         * sends a request, closes at once and prints the reply loses the reply that was on its
         * way. With true, such messages are dispatched while the socket is {@code CLOSING}, in
         * order, before the {@code close} event. {@code readyState} is {@code CLOSING} in
         * their handlers.
         *
         * @param deliver true to deliver them; false (the default) to drop them
         * @return this builder
         */
        public Builder messagesWhileClosing(boolean deliver) {
            this.messagesWhileClosing = deliver;
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
