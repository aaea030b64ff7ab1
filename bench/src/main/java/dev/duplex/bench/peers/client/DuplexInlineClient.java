package dev.duplex.bench.peers.client;

import dev.duplex.WebSocketOptions;

/** Duplex's client with its listeners on the I/O thread ({@link WebSocketOptions#IO_THREAD}). */
public final class DuplexInlineClient {
    private DuplexInlineClient() {
    }

    public static void main(String[] args) {
        ClientBench.main("duplex-inline", new DuplexClient(WebSocketOptions.IO_THREAD), args);
    }
}
