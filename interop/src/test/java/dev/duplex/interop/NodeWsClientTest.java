package dev.duplex.interop;

import java.io.IOException;

/** A Node {@code ws} client against Duplex's server. */
class NodeWsClientTest extends PeerClientMatrix {
    @Override
    String peerName() {
        return "node ws";
    }

    @Override
    Peer startClient() throws IOException {
        return Peer.node("ws-client", "peer.js", "client");
    }

    @Override
    boolean peerSplitsCharacters() {
        return true;
    }

    @Override
    int peerBareCloseCode() {
        return 1005;
    }

    @Override
    boolean peerRequiresASelectedProtocol() {
        return true;
    }
}
