package dev.duplex.bench.peers.server;

import dev.duplex.Blob;
import dev.duplex.MessageEvent;
import dev.duplex.ServerOptions;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketServer;

import java.util.Arrays;

/**
 * Duplex's echo server for the server benchmark: default {@link ServerOptions} except the host,
 * the port and permessage-deflate (on only with {@code --deflate}); the default maxMessageSize
 * (64 MiB) already admits the 1 MiB messages of the "large" workload.
 */
public final class DuplexEchoServer {
    private DuplexEchoServer() {
    }

    public static void main(String[] args) throws Exception {
        // --inline: listeners run on the I/O thread (ServerOptions.IO_THREAD), as Netty's,
        // Java-WebSocket's and Node's handlers do; without it, Duplex's default event threads.
        boolean inline = Arrays.asList(args).contains("--inline");
        ServerArgs a = ServerArgs.parse("DuplexEchoServer",
                Arrays.stream(args).filter(s -> !s.equals("--inline")).toArray(String[]::new));
        WebSocketServer server = new WebSocketServer(ServerOptions.builder()
                .executor(inline ? ServerOptions.IO_THREAD : null)
                .host("127.0.0.1")
                .port(a.port())
                .perMessageDeflate(a.deflate())
                .build());
        server.onconnection(event -> {
            WebSocket ws = event.socket();
            // Binary messages arrive as Blobs (the default binaryType), whose bytes never change:
            // a server sends one back without copying it, as Netty's echo writes back the
            // buffer it read. (send(ByteBuffer) must copy: the caller may change its buffer.)
            ws.onmessage(e -> {
                Object data = ((MessageEvent) e).data();
                if (data instanceof String s) {
                    ws.send(s);
                } else {
                    ws.send((Blob) data);
                }
            });
        });
        server.start();
        ServerArgs.ready(server.port());
        ServerArgs.park();
    }
}
