package dev.duplex.bench.peers.server;

import dev.duplex.BinaryType;
import dev.duplex.MessageEvent;
import dev.duplex.ServerOptions;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketServer;

import java.nio.ByteBuffer;

/**
 * Duplex's echo server for the server benchmark: default {@link ServerOptions} except the host,
 * the port and permessage-deflate (on only with {@code --deflate}); the default maxMessageSize
 * (64 MiB) already admits the 1 MiB messages of the "large" workload.
 */
public final class DuplexEchoServer {
    private DuplexEchoServer() {
    }

    public static void main(String[] args) throws Exception {
        ServerArgs a = ServerArgs.parse("DuplexEchoServer", args);
        WebSocketServer server = new WebSocketServer(ServerOptions.builder()
                .host("127.0.0.1")
                .port(a.port())
                .perMessageDeflate(a.deflate())
                .build());
        server.onconnection(event -> {
            WebSocket ws = event.socket();
            // ArrayBuffer delivery: binary messages arrive as a heap ByteBuffer, the cheapest
            // form to send straight back (a Blob would work too, at the price of a wrapper).
            ws.binaryType(BinaryType.ARRAYBUFFER);
            ws.onmessage(e -> {
                Object data = ((MessageEvent) e).data();
                if (data instanceof String s) {
                    ws.send(s);
                } else {
                    ws.send((ByteBuffer) data);
                }
            });
        });
        server.start();
        ServerArgs.ready(server.port());
        ServerArgs.park();
    }
}
