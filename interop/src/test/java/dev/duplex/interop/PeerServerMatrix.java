package dev.duplex.interop;

import dev.duplex.CloseEvent;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The matrix with the peer as the server and Duplex's client connecting to it. */
abstract class PeerServerMatrix extends AgentMatrix {
    private Peer plain;
    private Peer deflating;

    /** Starts the peer's server script with permessage-deflate on or off; it prints its port. */
    abstract Peer startServer(boolean deflate) throws IOException;

    @BeforeAll
    void startPeers() throws IOException {
        plain = startServer(false);
        deflating = startServer(true);
        Env.report(peerName() + ": " + deflating.ready());
    }

    @Override
    void stopPeers() {
        if (plain != null) {
            plain.close();
        }
        if (deflating != null) {
            deflating.close();
        }
    }

    static WebSocketOptions options(boolean deflate) {
        return WebSocketOptions.builder().perMessageDeflate(deflate).maxMessageSize(256L << 20).build();
    }

    @Override
    Link connect(boolean deflate, String path, List<String> protocols) {
        Peer peer = deflate ? deflating : plain;
        Recorder events = Recorder.connect("ws://127.0.0.1:" + peer.port() + path, protocols, options(deflate));
        WebSocket ws = events.socket;
        try {
            events.awaitOpen(SHORT);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + peer.diagnostics(), e);
        }
        peer.awaitEvent(path, "open", SHORT);
        return new Link(path, ws, events, peer);
    }

    /**
     * close() while CONNECTING fails the connection (error, close 1006) at once; the TCP
     * connection must not outlive it: if the peer's handshake went through, it sees the close.
     */
    @ParameterizedTest(name = "deflate={0}")
    @ValueSource(booleans = {false, true})
    void close_while_connecting_releases_the_connection(boolean deflate) {
        Peer peer = deflate ? deflating : plain;
        String path = path("close-connecting");
        Recorder events = Recorder.connect("ws://127.0.0.1:" + peer.port() + path, List.of(), options(deflate));
        WebSocket ws = events.socket;
        ws.close();
        CloseEvent close = events.awaitClose(SHORT);
        assertThat(events.types()).containsExactly("error", "close");
        assertThat(close.code()).isEqualTo(1006);
        try {
            peer.awaitEvent(path, "open", Duration.ofSeconds(2));
        } catch (AssertionError neverReachedThePeer) {
            return;
        }
        Map<String, Object> peerClose = peer.awaitEvent(path, "close", SHORT);
        Env.report(peerName() + " close() while CONNECTING: peer saw " + peerClose);
    }

    @ParameterizedTest(name = "deflate={0}")
    @ValueSource(booleans = {false, true})
    void fails_when_the_server_selects_no_subprotocol(boolean deflate) {
        Peer peer = deflate ? deflating : plain;
        Recorder events = Recorder.connect("ws://127.0.0.1:" + peer.port() + "/noproto" + path("noproto"),
                List.of("chat"), options(deflate));
        WebSocket ws = events.socket;
        CloseEvent close = events.awaitClose(SHORT);
        assertThat(events.types()).containsExactly("error", "close");
        assertThat(close.code()).isEqualTo(1006);
        assertThat(close.wasClean()).isFalse();
        assertThat(ws.protocol()).isEmpty();
    }
}
