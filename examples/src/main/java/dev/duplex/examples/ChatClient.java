package dev.duplex.examples;

import dev.duplex.Blob;
import dev.duplex.CloseEvent;
import dev.duplex.ErrorEvent;
import dev.duplex.MessageEvent;
import dev.duplex.WebSocket;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;

/**
 * A chat client: each line of standard input is sent as a text message, and every message that
 * arrives is printed. The end of input (Ctrl-D) closes the connection with 1000.
 *
 * <pre>
 * java -cp core/target/classes:examples/target/classes dev.duplex.examples.ChatClient ws://127.0.0.1:8080/
 * </pre>
 *
 * It opens the socket with {@link WebSocket#connect(String, java.util.function.Consumer)}, so the
 * handlers are in place before any event is delivered. Binary messages arrive as {@link Blob}s
 * (the default binary type); it prints their size and closes each one, which deletes at once the
 * temporary file a very large message is kept in.
 */
public final class ChatClient {
    private ChatClient() {}

    /**
     * Connects and relays standard input.
     *
     * @param args the URL, e.g. {@code ws://127.0.0.1:8080/}
     */
    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length != 1) {
            System.err.println("usage: ChatClient ws://HOST:PORT/PATH");
            System.exit(2);
        }
        CountDownLatch open = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        WebSocket ws = WebSocket.connect(args[0], socket -> {
            socket.onopen(e -> {
                System.err.println("connected to " + socket.url() + "; type a line and Enter");
                open.countDown();
            });
            socket.onmessage(e -> {
                Object data = ((MessageEvent) e).data();
                if (data instanceof Blob blob) {
                    System.out.println("(binary, " + blob.size() + " bytes)");
                    blob.close();
                } else {
                    System.out.println(data);
                }
            });
            socket.onerror(e -> System.err.println("error: " + ((ErrorEvent) e).message()));
            socket.onclose(e -> {
                CloseEvent c = (CloseEvent) e;
                System.err.println("closed: code " + c.code() + (c.reason().isEmpty() ? "" : " " + c.reason()));
                open.countDown();
                closed.countDown();
            });
        });
        open.await();       // send() throws InvalidStateError while CONNECTING
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null && closed.getCount() > 0) {
            ws.send(line);
        }
        // Replies that arrive after close() are not delivered (as in browsers): give them a moment.
        while (ws.bufferedAmount() > 0 && closed.getCount() > 0) {
            Thread.sleep(10);
        }
        closed.await(500, java.util.concurrent.TimeUnit.MILLISECONDS);
        ws.close();
        closed.await();
    }
}
