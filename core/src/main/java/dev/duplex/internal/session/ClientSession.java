package dev.duplex.internal.session;

import dev.duplex.internal.url.WebSocketUrl;

import dev.duplex.Duplex;
import dev.duplex.WebSocketOptions;

import dev.duplex.internal.protocol.ClientHandshake;
import dev.duplex.internal.protocol.Connection;
import dev.duplex.WebSocketHandshakeException;
import dev.duplex.internal.protocol.HandshakeException;
import dev.duplex.internal.protocol.HandshakeResponse;
import dev.duplex.internal.protocol.HttpHead;
import dev.duplex.internal.protocol.HttpHeadParser;
import dev.duplex.internal.protocol.PerMessageDeflate;
import dev.duplex.internal.transport.EventLoop;
import dev.duplex.internal.transport.EventLoopGroup;
import dev.duplex.internal.transport.TcpChannel;

import java.io.IOException;
import java.net.CookieHandler;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The client's side: resolve, connect, send the upgrade request, check the answer. */
public final class ClientSession extends Session {
    /** Name lookups block, so they run here rather than on an event loop. */
    private static final int MAX_RESPONSE_LINE = 8192;
    private static final int MAX_RESPONSE_HEAD = 64 * 1024;
    private static final int MAX_RESPONSE_HEADERS = 256;

    private static final String USER_AGENT = "Duplex/" + Duplex.version();
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

    private final List<String> protocols;
    private final WebSocketOptions options;
    private final PerMessageDeflate.Config deflateConfig;
    // Replaced when a redirect is followed.
    private WebSocketUrl url;
    private ClientHandshake handshake;
    private HttpHeadParser parser;
    private int redirectsLeft;
    private final String firstOrigin;
    private EventLoop.Timer openTimer;
    private volatile boolean given_up;

    /** @param deflateConfig the permessage-deflate offer ({@code options.deflateOptions()}) */
    public ClientSession(WebSocketUrl url, List<String> protocols, WebSocketOptions options,
                         PerMessageDeflate.Config deflateConfig) {
        super(EventLoopGroup.shared().next(), options, null);
        this.protocols = protocols;
        this.options = options;
        this.deflateConfig = deflateConfig;
        this.redirectsLeft = options.maxRedirects();
        this.firstOrigin = url.origin();
        prepare(url);
    }

    /** Sets up the request for {@code target}: the first URL, or where a redirect points. */
    private void prepare(WebSocketUrl target) {
        this.url = target;
        this.parser = HttpHeadParser.forResponses(MAX_RESPONSE_LINE, MAX_RESPONSE_HEAD, MAX_RESPONSE_HEADERS);
        this.handshake = new ClientHandshake(target.hostHeader(), target.resourceName(), protocols,
                options.perMessageDeflate() ? PerMessageDeflate.offer(deflateConfig) : null,
                options.origin(), requestHeaders(target), ClientHandshake.newKey(RANDOM));
    }

    // The user's headers, plus a User-Agent unless they set one, plus cookies from the JVM's
    // CookieHandler for the http(s) form of the URL when an application installed one. A
    // redirect to another origin gets none of the user's headers (their Authorization, Cookie
    // or API keys were meant for the first server), as browsers and curl do.
    private Map<String, List<String>> requestHeaders(WebSocketUrl target) {
        boolean sameOrigin = firstOrigin == null || firstOrigin.equals(target.origin());
        Map<String, List<String>> headers = sameOrigin ? new LinkedHashMap<>(options.headers()) : new LinkedHashMap<>();
        if (headers.keySet().stream().noneMatch(k -> k.equalsIgnoreCase("User-Agent"))) {
            headers.put("User-Agent", List.of(USER_AGENT));
        }
        CookieHandler cookies = CookieHandler.getDefault();
        if (cookies != null && headers.keySet().stream().noneMatch(k -> k.equalsIgnoreCase("Cookie"))) {
            try {
                for (Map.Entry<String, List<String>> e : cookies.get(httpUri(target), Map.of()).entrySet()) {
                    if (e.getKey().equalsIgnoreCase("Cookie") && !e.getValue().isEmpty()) {
                        headers.put("Cookie", List.of(String.join("; ", e.getValue())));
                    }
                }
            } catch (IOException | RuntimeException e) {
                // A broken cookie store must not stop the connection; send no cookies.
            }
        }
        return headers;
    }

    private static URI httpUri(WebSocketUrl target) {
        return URI.create((target.secure() ? "https://" : "http://") + target.hostHeader() + target.resourceName());
    }

    private void storeCookies(HttpHead head) {
        CookieHandler cookies = CookieHandler.getDefault();
        if (cookies != null) {
            try {
                cookies.put(httpUri(url), head.headers());
            } catch (IOException | RuntimeException e) {
                // As above: cookies are best effort.
            }
        }
    }

    @Override
    public boolean isServer() {
        return false;
    }

    /** Starts connecting; returns at once. */
    public void start() {
        // The open timer is armed by the resolver thread: the constructing thread then never
        // touches the loop (its queue and the selector wake-up lock), so lock contention there
        // cannot make it look blocked to the registration gate while it is still registering.
        Dialer.dial(url, options, loop, this, () -> given_up || channel != null, this::abort,
                () -> loop.execute(this::armOpenTimer));
    }

    private void armOpenTimer() {
        if (given_up) {
            return;     // closed (or failed) before the timer could start
        }
        long timeout = options.connectTimeout().toMillis();
        openTimer = loop.schedule(() -> {
            given_up = true;
            failNow(new IOException("Opening handshake with " + url.redacted() + " timed out after " + timeout + " ms"));
        }, timeout, TimeUnit.MILLISECONDS);
    }

    @Override
    public void onConnected(TcpChannel ch) {
        channel = ch;
        if (given_up) {
            ch.abort(null);
            return;
        }
        ByteBuffer request = handshake.request();
        if (WireLog.handshakes()) {
            WireLog.sent(peerName(), request);
        }
        ch.write(request, null, 0);
    }

    @Override
    public void onData(TcpChannel ch, ByteBuffer data) {
        Connection c = connection;
        if (c != null) {
            receive(c, data);
            return;
        }
        HttpHead head = null;
        try {
            head = parser.feed(data);
            if (head == null) {
                return;
            }
            parser = null;      // a redirect makes a new one
            if (WireLog.handshakes()) {
                WireLog.received(peerName(), head);
            }
            storeCookies(head);
            if (REDIRECTS.contains(head.status()) && head.header("Location") != null && redirectsLeft > 0) {
                redirect(ch, head.header("Location"));
                data.position(data.limit());
                return;
            }
            HandshakeResponse response = handshake.validate(head, loop.codecResources().sha1());
            if (!protocols.isEmpty() && response.protocol().isEmpty()) {
                throw new HandshakeException("The server selected none of the offered subprotocols "
                        + protocols + " (RFC 6455 §4.1: the connection must fail)");
            }
            // validate() already refused extensions we did not offer; check permessage-deflate's parameters.
            PerMessageDeflate deflate = null;
            if (!response.extensions().isEmpty()) {
                PerMessageDeflate.Config config = deflateConfig;
                PerMessageDeflate.Params params = PerMessageDeflate.validateResponse(response.extensions(), config);
                deflate = new PerMessageDeflate(false, params, config.compressionThreshold(), config.compressionLevel(),
                        loop.codecResources());
            }
            if (openTimer != null) {
                openTimer.cancel();
            }
            Connection conn = new Connection(Connection.Role.CLIENT, options.maxMessageSize(),
                    options.maxFrameSize(), loop.codecResources().maskKeys(), deflate, this, this);
            conn.spillLargeBinaryMessages(TempFileSpill.in(options.temporaryDirectory()), options.largeMessageThreshold());
            if (options.messagesWhileClosing()) {
                conn.keepMessagesAfterOwnClose();
            }
            attach(conn);
            socket.established(response.protocol(), response.extensions());
            receiveEarly(data);
        } catch (HandshakeException e) {
            if (head != null) {
                e.withResponse(head, data, WebSocketHandshakeException.BODY_EXCERPT_BYTES);
            }
            data.position(data.limit());
            failNow(e);
        }
    }

    // Follows a redirect: a new connection to the new URL; the old one is dropped quietly.
    private void redirect(TcpChannel old, String location) throws HandshakeException {
        WebSocketUrl target;
        try {
            target = WebSocketUrl.parse(httpUri(url).resolve(location.trim()).toString());
        } catch (IllegalArgumentException e) {
            throw new HandshakeException("The server redirected to an invalid WebSocket URL: " + location);
        }
        if (url.secure() && !target.secure()) {
            throw new HandshakeException("Refusing to follow a redirect from " + url.redacted() + " to the unencrypted "
                    + target.redacted());
        }
        redirectsLeft--;
        abandon(old);
        prepare(target);
        Dialer.dial(target, options, loop, this, () -> given_up || channel != null, this::abort, () -> { });
    }

    @Override
    public void released() {
        given_up = true;      // a connect still under way must not go on (close() while CONNECTING)
        if (openTimer != null) {
            openTimer.cancel();
        }
    }
}
