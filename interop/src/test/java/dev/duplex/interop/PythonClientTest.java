package dev.duplex.interop;

import java.io.IOException;

/** A Python {@code websockets} client (Debian's python3-websockets) against Duplex's server. */
class PythonClientTest extends PeerClientMatrix {
    @Override
    String peerName() {
        return "python websockets";
    }

    @Override
    Peer startClient() throws IOException {
        return Peer.python("py-client", "peer.py", "client");
    }

    @Override
    boolean peerSplitsCharacters() {
        return false;
    }

    @Override
    int peerBareCloseCode() {
        return 1000;   // websockets cannot send a close frame without a status code
    }

    @Override
    boolean peerRequiresASelectedProtocol() {
        return false;  // RFC 6455 lets a server select none; websockets 10 goes on without one
    }
}
