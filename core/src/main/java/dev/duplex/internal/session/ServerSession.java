package dev.duplex.internal.session;

import dev.duplex.HandshakeDecision;
import dev.duplex.HandshakeRequest;
import dev.duplex.HttpResponse;
import dev.duplex.internal.events.EventDispatcher;

import dev.duplex.ServerOptions;

import dev.duplex.internal.protocol.Connection;
import dev.duplex.internal.protocol.HandshakeException;
import dev.duplex.internal.protocol.HttpHead;
import dev.duplex.internal.protocol.HttpHeadParser;
import dev.duplex.internal.protocol.PerMessageDeflate;
import dev.duplex.internal.protocol.ServerHandshake;
import dev.duplex.internal.protocol.UpgradeRequest;
import dev.duplex.internal.transport.EventLoop;
import dev.duplex.internal.transport.TcpChannel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;

/**
 * The server's side of one connection: read and check the upgrade request, ask the
 * application's {@link dev.duplex.HandshakeHandler}, answer, then hand an open socket over ({@link ServerSide}).
 */
public final class ServerSession extends Session {
    private final ServerSide server;
    private final ServerLimits limits;
    private final PerMessageDeflate.Config deflateConfig;
    private final ServerOptions options;
    private final Executor executor;
    private HttpHeadParser parser;          // dropped once the request head is parsed
    private EventLoop.Timer handshakeTimer;
    private ByteBuffer early;        // bytes that arrived while the application was deciding
    private boolean deciding;
    private boolean rejected;
    private boolean plainHttp;
    private boolean countedAsPending;
    private boolean countedAsOpen;
    private boolean countedPendingForAddress;
    private boolean countedOpenForAddress;
    private boolean countedCompressionContext;
    private InetAddress remote;

    public ServerSession(ServerSide server, ServerOptions options, PerMessageDeflate.Config deflateConfig, Executor executor,
                         EventLoop loop) {
        super(loop, options, server.limits().unfinishedMessages());
        this.server = server;
        this.limits = server.limits();
        this.deflateConfig = deflateConfig;
        this.options = options;
        this.executor = executor;
        this.counters = server.counters();
        this.parser = HttpHeadParser.forRequests(options.maxRequestLineLength(), options.maxHeaderBytes(),
                options.maxHeaderCount());
    }

    @Override
    public boolean isServer() {
        return true;
    }

    @Override
    public void onConnected(TcpChannel ch) {
        channel = ch;
        long timeout = options.handshakeTimeout().toMillis();
        handshakeTimer = loop.schedule(() -> failNow(new IOException(
                "The client sent no complete upgrade request within " + timeout + " ms")),
                timeout, TimeUnit.MILLISECONDS);
        InetSocketAddress peer = ch.remoteAddress();
        remote = peer == null ? null : peer.getAddress();
        countedAsPending = limits.handshakeStarted();
        if (!countedAsPending) {
            reject(ServerHandshake.reject(503, "Too many pending handshakes; try again later", Map.of()),
                    new HandshakeException("Too many pending handshakes (ServerOptions.maxPendingHandshakes "
                            + options.maxPendingHandshakes() + ")", 503));
            return;
        }
        countedPendingForAddress = limits.addressHandshakeStarted(remote);
        if (!countedPendingForAddress) {
            reject(ServerHandshake.reject(503, "Too many pending handshakes from your address; try again later", Map.of()),
                    new HandshakeException("Too many pending handshakes from " + remote
                            + " (ServerOptions.maxPendingHandshakesPerAddress " + options.maxPendingHandshakesPerAddress()
                            + ")", 503));
        }
    }

    @Override
    public void onData(TcpChannel ch, ByteBuffer data) {
        Connection c = connection;
        if (c != null) {
            receive(c, data);
            return;
        }
        if (rejected) {
            data.position(data.limit());
            return;
        }
        if (deciding) {
            keepEarly(data);
            return;
        }
        UpgradeRequest request;
        try {
            HttpHead head = parser.feed(data);
            if (head == null) {
                return;
            }
            parser = null;      // one request per connection: keep nothing of it once parsed
            if (WireLog.handshakes()) {
                WireLog.received(peerName(), head);
            }
            if (options.httpHandler() != null && head.header("Upgrade") == null) {
                String[] pathAndQuery = ServerHandshake.splitTarget(head.target());
                data.position(data.limit());
                answerPlainHttp(head, pathAndQuery[0], pathAndQuery[1]);
                return;
            }
            request = ServerHandshake.validate(head);
        } catch (HandshakeException e) {
            data.position(data.limit());
            reject(ServerHandshake.rejectFor(e), e);
            return;
        }
        String refused = OriginPolicy.refusal(request.head().header("Origin"), options.allowedOrigins(),
                options.requireOrigin());
        if (refused != null) {
            data.position(data.limit());
            reject(ServerHandshake.reject(403, refused, Map.of()), new HandshakeException(refused, 403));
            return;
        }
        keepEarly(data);
        deciding = true;
        ch.pauseReading(true);
        HandshakeRequest hr = server.request(request.head().method(), request.path(), request.query(),
                request.head(), request.protocols(), ch.remoteAddress());
        // The application's hook may block (a database lookup, say): keep it off the loop.
        executor.execute(() -> {
            HandshakeDecision decision;
            try {
                decision = options.handshake().decide(hr);
                if (decision == null) {
                    throw new IllegalStateException("The handshake handler returned null");
                }
            } catch (RuntimeException | Error e) {
                EventDispatcher.report(e);
                decision = HandshakeDecision.reject(500, "Internal Server Error");
            }
            HandshakeDecision d = decision;
            loop.execute(() -> decided(request, hr, d));
        });
    }

    // A plain HTTP request and a handler for it: answer on the executor, then close.
    private void answerPlainHttp(HttpHead head, String path, String query) {
        rejected = true;
        plainHttp = true;
        handshakeTimer.cancel();
        HandshakeRequest hr = server.request(head.method(), path, query, head,
                List.of(), channel.remoteAddress());
        executor.execute(() -> {
            HttpResponse response;
            try {
                response = options.httpHandler().handle(hr);
                if (response == null) {
                    response = HttpResponse.text(404, "Not Found\n");
                }
            } catch (RuntimeException | Error e) {
                EventDispatcher.report(e);
                response = HttpResponse.text(500, "Internal Server Error\n");
            }
            boolean headOnly = "HEAD".equals(head.method());
            ByteBuffer bytes = encode(response, headOnly);
            Runnable answered = () -> fail(new HandshakeException("Plain HTTP request answered "
                    + head.method() + " " + path));
            HttpResponse r = response;
            loop.execute(() -> {
                channel.write(bytes, null, 0);
                if (r.file() != null && !headOnly) {
                    new FileBodyWriter(channel, loop, executor, r.file(), r.contentLength(),
                            options.handshakeTimeout().toMillis(), answered).start();
                } else {
                    answered.run();
                }
            });
        });
    }

    // The handler's headers go through the same checks as any extra header of ours; one that
    // fails them is left out (HttpResponse's contract), as are the two computed from the body.
    private static ByteBuffer encode(HttpResponse r, boolean headOnly) {
        Map<String, List<String>> valid = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : r.headers().entrySet()) {
            String lower = e.getKey().toLowerCase(Locale.ROOT);
            if (lower.equals("content-length") || lower.equals("transfer-encoding")) {
                continue;
            }
            if (ServerHandshake.isValidExtraHeader(e.getKey(), e.getValue())) {
                valid.put(e.getKey(), e.getValue());
            }
        }
        if (r.file() != null) {
            return ByteBuffer.wrap(ServerHandshake.responseHead(r.status(), r.contentLength(), valid));
        }
        return ServerHandshake.response(r.status(), r.body(), valid, headOnly);
    }

    private void keepEarly(ByteBuffer data) {
        if (!data.hasRemaining()) {
            return;
        }
        ByteBuffer b = early == null ? ByteBuffer.allocate(data.remaining())
                : ByteBuffer.allocate(early.remaining() + data.remaining()).put(early);
        b.put(data).flip();
        early = b;
    }

    private void decided(UpgradeRequest request, HandshakeRequest hr, HandshakeDecision decision) {
        if (channel.isClosed()) {
            return;
        }
        if (!decision.accepted()) {
            reject(ServerHandshake.reject(decision.status(), decision.body(), decision.headers()),
                    new HandshakeException("Rejected by the handshake handler: " + decision.status(), decision.status()));
            return;
        }
        String protocol = decision.protocol();
        if (protocol != null && !request.protocols().contains(protocol)) {
            EventDispatcher.report(new IllegalStateException("The handshake handler chose subprotocol \""
                    + protocol + "\", which the client did not offer " + request.protocols()));
            reject(ServerHandshake.reject(500, "Internal Server Error", Map.of()),
                    new HandshakeException("Subprotocol not offered: " + protocol, 500));
            return;
        }
        countedAsOpen = limits.connectionOpened();
        if (!countedAsOpen) {
            reject(ServerHandshake.reject(503, "Too many connections; try again later", Map.of()),
                    new HandshakeException("Too many connections (ServerOptions.maxConnections "
                            + options.maxConnections() + ")", 503));
            return;
        }
        countedOpenForAddress = limits.addressConnectionOpened(remote);
        if (!countedOpenForAddress) {
            reject(ServerHandshake.reject(503, "Too many connections from your address; try again later", Map.of()),
                    new HandshakeException("Too many connections from " + remote
                            + " (ServerOptions.maxConnectionsPerAddress " + options.maxConnectionsPerAddress() + ")", 503));
            return;
        }
        PerMessageDeflate.Agreement agreement = negotiateDeflate(request);
        String extensions = agreement == null ? "" : agreement.response();
        handshakeTimer.cancel();
        handshakeTimer = null;
        ByteBuffer accept = ServerHandshake.accept(request.key(), protocol, extensions, decision.headers(),
                loop.codecResources().sha1());
        if (WireLog.handshakes()) {
            WireLog.sent(peerName(), accept);
        }
        channel.write(accept, null, 0);
        PerMessageDeflate.Config config = deflateConfig;
        PerMessageDeflate deflate = agreement == null ? null
                : new PerMessageDeflate(true, agreement.params(), config.compressionThreshold(), config.compressionLevel(),
                        loop.codecResources());
        Connection conn = new Connection(Connection.Role.SERVER, options.maxMessageSize(),
                options.maxFrameSize(), null, deflate, this, this);
        conn.holdCloseAnswer();     // answered after the handlers of earlier messages (Session.onCloseFrame)
        String host = request.host() == null ? "localhost" : request.host();
        String target = request.head().target();
        String url = (options.sslContext() != null ? "wss://" : "ws://") + host
                + (target.startsWith("/") ? target : "/" + request.path());
        socket = server.newSocket(this, url, protocol == null ? "" : protocol, extensions);
        countedAsPending = false;
        limits.handshakeEnded();
        endPendingForAddress();
        conn.spillLargeBinaryMessages(TempFileSpill.in(options.temporaryDirectory(), limits.temporaryFiles()),
                options.largeMessageThreshold());
        attach(conn);     // before the connection event: a send() inside onconnection must go out
        server.opened(socket, hr);
        deciding = false;
        receiveEarly(early);
        early = null;
        channel.pauseReading(false);
    }

    // permessage-deflate as the options say, except that beyond maxCompressionContexts a
    // connection gets no context takeover both ways: it then holds no zlib memory between messages.
    private PerMessageDeflate.Agreement negotiateDeflate(UpgradeRequest request) {
        if (!options.perMessageDeflate()) {
            return null;
        }
        PerMessageDeflate.Config config = deflateConfig;
        PerMessageDeflate.Agreement agreement = PerMessageDeflate.accept(request.extensionsOffer(), config);
        if (agreement == null || !keepsContext(agreement)) {
            return agreement;
        }
        countedCompressionContext = limits.compressionContextTaken();
        if (countedCompressionContext) {
            return agreement;
        }
        PerMessageDeflate.Config stateless = new PerMessageDeflate.Config(true, true, config.serverMaxWindowBits(),
                config.clientMaxWindowBits(), config.compressionThreshold(), config.compressionLevel());
        return PerMessageDeflate.accept(request.extensionsOffer(), stateless);
    }

    private static boolean keepsContext(PerMessageDeflate.Agreement a) {
        return !a.params().serverNoContextTakeover() || !a.params().clientNoContextTakeover();
    }

    private void reject(ByteBuffer response, HandshakeException why) {
        rejected = true;
        handshakeTimer.cancel();
        if (WireLog.handshakes()) {
            WireLog.sent(peerName(), response);
        }
        channel.write(response, null, 0);
        fail(why);
    }

    private void endPendingForAddress() {
        if (countedPendingForAddress) {
            countedPendingForAddress = false;
            limits.addressHandshakeEnded(remote);
        }
    }

    @Override
    protected boolean answeredPlainHttp() {
        return plainHttp;
    }

    @Override
    public void released() {
        if (handshakeTimer != null) {
            handshakeTimer.cancel();
        }
        if (countedAsPending) {
            limits.handshakeEnded();
        }
        endPendingForAddress();
        if (countedAsOpen) {
            limits.connectionClosed();
        }
        if (countedOpenForAddress) {
            limits.addressConnectionClosed(remote);
        }
        if (countedCompressionContext) {
            limits.compressionContextReleased();
        }
        server.ended(this, socket);
    }
}
