package dev.duplex.bench.peers.client;

import dev.duplex.BinaryType;
import dev.duplex.CloseEvent;
import dev.duplex.ErrorEvent;
import dev.duplex.MessageEvent;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketOptions;

import java.net.URI;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Duplex's client ({@code dev.duplex.WebSocket}), with default options ({@code duplex}), or with
 * listeners on the I/O thread, {@link WebSocketOptions#IO_THREAD} ({@code duplex-inline}, main
 * class {@link DuplexInlineClient}).
 *
 * Flow control, the browser way: {@code send} while {@code bufferedAmount()} is below the window.
 * The browser API has no "drained" event, so the sender looks again whenever something happens
 * on the socket: when it opens and after each echo. That cannot stall: while bytes are still
 * buffered, their echoes are still to come, and each one looks again.
 */
public final class DuplexClient implements ClientBench.Driver {
    public static void main(String[] args) {
        ClientBench.main("duplex", new DuplexClient(null), args);
    }

    private final WebSocketOptions options;

    DuplexClient(java.util.concurrent.Executor executor) {
        options = WebSocketOptions.builder()
                .maxMessageSize(64L << 20)
                .executor(executor)
                .build();
    }

    @Override
    public ClientBench.Stream open(URI uri, ClientBench.Payload payload, ClientBench.Tally tally) throws Exception {
        CompletableFuture<Void> opened = new CompletableFuture<>();
        CompletableFuture<Void> closed = new CompletableFuture<>();
        SendPump[] pumps = new SendPump[1];
        WebSocket ws = WebSocket.connect(uri.toString(), List.of(), options, socket -> {
            pumps[0] = new SendPump(payload.count) {
                @Override
                boolean trySend(int index) {
                    if (socket.bufferedAmount() >= payload.window) {
                        return false;
                    }
                    if (payload.binary) {
                        socket.send(payload.bytes);     // copied by send, as the API says
                    } else {
                        socket.send(payload.text);
                    }
                    return true;
                }
            };
            SendPump pump = pumps[0];
            socket.onopen(e -> opened.complete(null));
            socket.onmessage(e -> {
                Object data = ((MessageEvent) e).data();
                if (data instanceof String s) {
                    tally.received(s);
                } else {
                    tally.received((ByteBuffer) data);
                }
                pump.pump();
            });
            socket.onerror(e -> {
                Throwable cause = ((ErrorEvent) e).error();
                opened.completeExceptionally(cause != null ? cause : new IllegalStateException(((ErrorEvent) e).message()));
                tally.fail(cause != null ? cause : new IllegalStateException(((ErrorEvent) e).message()));
            });
            socket.onclose(e -> {
                tally.closed("close " + ((CloseEvent) e).code());
                closed.complete(null);
            });
            socket.binaryType(BinaryType.ARRAYBUFFER);   // large echoes as ByteBuffer, not Blob
        });
        SendPump pump = pumps[0];
        opened.get(30, TimeUnit.SECONDS);
        return new ClientBench.Stream() {
            @Override
            public void start() {
                pump.pump();
            }

            @Override
            public void close() throws Exception {
                ws.close();
                closed.get(30, TimeUnit.SECONDS);
            }
        };
    }

    @Override
    public void connectAndClose(URI uri) throws Exception {
        CompletableFuture<CloseEvent> closed = new CompletableFuture<>();
        WebSocket.connect(uri.toString(), List.of(), options, ws -> {
            ws.onopen(e -> ws.close());
            ws.onclose(e -> closed.complete((CloseEvent) e));
        });
        CloseEvent close = closed.get(30, TimeUnit.SECONDS);
        if (!close.wasClean() || close.code() != 1000) {
            throw new IllegalStateException("unclean close: " + close.code() + " " + close.reason());
        }
    }
}
