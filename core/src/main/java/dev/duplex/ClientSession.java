package dev.duplex;

import dev.duplex.protocol.ClientHandshake;
import dev.duplex.protocol.Connection;
import dev.duplex.protocol.HandshakeException;
import dev.duplex.protocol.HandshakeResponse;
import dev.duplex.protocol.HttpHead;
import dev.duplex.protocol.HttpHeadParser;
import dev.duplex.protocol.PerMessageDeflate;
import dev.duplex.transport.EventLoop;
import dev.duplex.transport.EventLoopGroup;
import dev.duplex.transport.TcpChannel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The client's side: resolve, connect, send the upgrade request, check the answer. */
final class ClientSession extends Session {
    /** Name lookups block, so they run here rather than on an event loop. */
    private static final int MAX_RESPONSE_LINE = 8192;
    private static final int MAX_RESPONSE_HEAD = 64 * 1024;
    private static final int MAX_RESPONSE_HEADERS = 256;

    private final WebSocketUrl url;
    private final List<String> protocols;
    private final WebSocketOptions options;
    private final ClientHandshake handshake;
    private final HttpHeadParser parser =
            HttpHeadParser.forResponses(MAX_RESPONSE_LINE, MAX_RESPONSE_HEAD, MAX_RESPONSE_HEADERS);
    private EventLoop.Timer openTimer;
    private volatile boolean given_up;

    ClientSession(WebSocketUrl url, List<String> protocols, WebSocketOptions options) {
        super(EventLoopGroup.shared().next(), options.closeTimeout().toMillis(), KeepAlive.of(options));
        this.url = url;
        this.protocols = protocols;
        this.options = options;
        this.handshake = new ClientHandshake(url.hostHeader(), url.resourceName(), protocols,
                options.perMessageDeflate() ? PerMessageDeflate.offer(options.deflateOptions().config()) : null,
                options.origin(), options.headers(), ClientHandshake.newKey(RANDOM));
    }

    @Override
    boolean isServer() {
        return false;
    }

    /** Starts connecting; returns at once. */
    void start() {
        long timeout = options.connectTimeout().toMillis();
        loop.execute(() -> openTimer = loop.schedule(() -> {
            given_up = true;
            failNow(new IOException("Opening handshake with " + url.href() + " timed out after " + timeout + " ms"));
        }, timeout, TimeUnit.MILLISECONDS));
        Dialer.dial(url, options, loop, this, () -> given_up || channel != null, this::abort);
    }

    @Override
    public void onConnected(TcpChannel ch) {
        channel = ch;
        if (given_up) {
            ch.abort(null);
            return;
        }
        ch.write(handshake.request(), null, 0);
    }

    @Override
    public void onData(TcpChannel ch, ByteBuffer data) {
        Connection c = connection;
        if (c != null) {
            receive(c, data);
            return;
        }
        try {
            HttpHead head = parser.feed(data);
            if (head == null) {
                return;
            }
            HandshakeResponse response = handshake.validate(head);
            if (!protocols.isEmpty() && response.protocol().isEmpty()) {
                throw new HandshakeException("The server selected none of the offered subprotocols "
                        + protocols + " (RFC 6455 §4.1: the connection must fail)");
            }
            // validate() already refused extensions we did not offer; check permessage-deflate's parameters.
            PerMessageDeflate deflate = null;
            if (!response.extensions().isEmpty()) {
                PerMessageDeflate.Config config = options.deflateOptions().config();
                PerMessageDeflate.Params params = PerMessageDeflate.validateResponse(response.extensions(), config);
                deflate = new PerMessageDeflate(false, params, config.compressionThreshold(), config.compressionLevel());
            }
            openTimer.cancel();
            Connection conn = new Connection(Connection.Role.CLIENT, options.maxMessageSize(),
                    options.maxFrameSize(), RANDOM, deflate, this, this);
            attach(conn);
            socket.established(response.protocol(), response.extensions());
            receiveEarly(data);
        } catch (HandshakeException e) {
            data.position(data.limit());
            failNow(e);
        }
    }

    @Override
    void released() {
        if (openTimer != null) {
            openTimer.cancel();
        }
    }
}
