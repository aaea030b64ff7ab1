package dev.duplex.cli;

import dev.duplex.CloseEvent;
import dev.duplex.DOMException;
import dev.duplex.ErrorEvent;
import dev.duplex.MessageEvent;
import dev.duplex.WebSocket;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code duplex connect URL}: standard input lines become text messages; messages received are
 * printed one per line (binary ones as base64). At the end of input the command keeps printing
 * messages until none has arrived for {@code --wait} seconds (default 1), then closes with 1000
 * and waits for the closing handshake.
 */
final class ConnectCommand {
    private ConnectCommand() {}

    static int run(String[] args, PrintStream out, PrintStream err) throws Main.UsageException {
        String url = null;
        List<String> protocols = new ArrayList<>();
        double waitSeconds = 1.0;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--protocol") || a.equals("-p")) {
                if (++i >= args.length) {
                    throw new Main.UsageException("--protocol needs a value");
                }
                protocols.add(args[i]);
            } else if (a.equals("--wait")) {
                if (++i >= args.length) {
                    throw new Main.UsageException("--wait needs a number of seconds");
                }
                try {
                    waitSeconds = Double.parseDouble(args[i]);
                } catch (NumberFormatException e) {
                    waitSeconds = -1;
                }
                if (!(waitSeconds >= 0)) {
                    throw new Main.UsageException("--wait must be a number of seconds, not '" + args[i] + "'");
                }
            } else if (a.equals("--help") || a.equals("-h")) {
                out.println("Usage: duplex connect URL [--protocol NAME]... [--wait SECONDS]");
                return Main.OK;
            } else if (a.startsWith("-")) {
                throw new Main.UsageException("unknown option " + a);
            } else if (url == null) {
                url = a;
            } else {
                throw new Main.UsageException("unexpected argument " + a);
            }
        }
        if (url == null) {
            throw new Main.UsageException("missing URL (e.g. duplex connect ws://localhost:8080/)");
        }

        CountDownLatch opened = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        AtomicInteger status = new AtomicInteger(Main.CONNECTION_FAILED);
        WebSocket ws;
        try {
            ws = new WebSocket(url, protocols.toArray(new String[0]));
        } catch (DOMException e) {
            throw new Main.UsageException(e.getMessage());
        }
        ws.onopen(e -> opened.countDown());
        AtomicLong lastMessage = new AtomicLong(System.nanoTime());
        ws.onmessage(e -> {
            lastMessage.set(System.nanoTime());
            Object data = ((MessageEvent) e).data();
            if (data instanceof String) {
                out.println(data);
            } else {
                ByteBuffer b = (ByteBuffer) data;
                byte[] bytes = new byte[b.remaining()];
                b.get(bytes);
                out.println(java.util.Base64.getEncoder().encodeToString(bytes));
            }
            out.flush();
        });
        ws.onerror(e -> err.println("duplex: " + ((ErrorEvent) e).message()));
        ws.onclose(e -> {
            CloseEvent c = (CloseEvent) e;
            if (!c.wasClean()) {
                err.println("duplex: connection closed abnormally (code " + c.code() + ")");
            } else if (c.code() != 1000 && c.code() != 1005) {
                err.println("duplex: closed by the server with code " + c.code()
                        + (c.reason().isEmpty() ? "" : " (" + c.reason() + ")"));
            }
            status.set(c.wasClean() ? Main.OK : Main.CONNECTION_FAILED);
            opened.countDown();
            closed.countDown();
        });
        ws.binaryType(dev.duplex.BinaryType.ARRAYBUFFER);
        try {
            opened.await();
            if (ws.readyState() == WebSocket.OPEN) {
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                String line;
                while (ws.readyState() == WebSocket.OPEN && (line = in.readLine()) != null) {
                    ws.send(line);
                }
                // Messages that arrive after close() are not delivered (WHATWG), so wait for
                // the answers first: until the socket has been quiet for --wait seconds.
                long quietNanos = (long) (waitSeconds * 1e9);
                lastMessage.set(System.nanoTime());
                while (ws.readyState() == WebSocket.OPEN) {
                    long idle = System.nanoTime() - lastMessage.get();
                    if (idle >= quietNanos && ws.bufferedAmount() == 0) {
                        break;
                    }
                    closed.await(Math.max(1, (quietNanos - idle) / 1_000_000), java.util.concurrent.TimeUnit.MILLISECONDS);
                }
                ws.close();
            }
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            err.println("duplex: cannot read standard input: " + e.getMessage());
            ws.close();
        }
        return status.get();
    }
}
