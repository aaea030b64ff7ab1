package dev.duplex.interop;

import java.io.IOException;

/** Duplex's client against a Python {@code websockets} server (Debian's python3-websockets). */
class PythonServerTest extends PeerServerMatrix {
    @Override
    String peerName() {
        return "python websockets";
    }

    @Override
    Peer startServer(boolean deflate) throws IOException {
        return Peer.python("py-server-" + (deflate ? "deflate" : "plain"), "peer.py", "server", "--deflate", deflate ? "on" : "off");
    }

    @Override
    boolean peerSplitsCharacters() {
        return false;
    }

    @Override
    int peerBareCloseCode() {
        return 1000;   // websockets cannot send a close frame without a status code
    }
}
