package dev.duplex.interop;

import java.io.IOException;

/** Duplex's client against a Node {@code ws} server. */
class NodeWsServerTest extends PeerServerMatrix {
    @Override
    String peerName() {
        return "node ws";
    }

    @Override
    Peer startServer(boolean deflate) throws IOException {
        return Peer.node("ws-server-" + (deflate ? "deflate" : "plain"), "peer.js", "server", "--deflate", deflate ? "on" : "off");
    }

    @Override
    boolean peerSplitsCharacters() {
        return true;
    }

    @Override
    int peerBareCloseCode() {
        return 1005;
    }
}
