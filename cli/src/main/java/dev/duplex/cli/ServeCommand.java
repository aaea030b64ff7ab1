package dev.duplex.cli;

import dev.duplex.MessageEvent;
import dev.duplex.ServerOptions;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketServer;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;

/** {@code duplex serve}: an echo server that runs until the process is stopped. */
final class ServeCommand {
    private ServeCommand() {}

    static int run(String[] args, PrintStream out, PrintStream err) throws Main.UsageException {
        String host = "127.0.0.1";
        int port = 8080;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--port":
                    port = parsePort(value(args, ++i, a));
                    break;
                case "--host":
                    host = value(args, ++i, a);
                    break;
                case "--echo":
                    break;
                case "-h":
                case "--help":
                    out.println("Usage: duplex serve [--port N] [--host ADDRESS] [--echo]");
                    return Main.OK;
                default:
                    throw new Main.UsageException("unknown option " + a);
            }
        }
        WebSocketServer server = new WebSocketServer(ServerOptions.builder().host(host).port(port).build());
        server.onconnection(e -> {
            WebSocket ws = e.socket();
            ws.binaryType(dev.duplex.BinaryType.ARRAYBUFFER);
            ws.onmessage(m -> {
                Object data = ((MessageEvent) m).data();
                if (data instanceof String) {
                    ws.send((String) data);
                } else {
                    ws.send((ByteBuffer) data);
                }
            });
        });
        try {
            server.start();
        } catch (UncheckedIOException e) {
            err.println("duplex serve: " + e.getMessage());
            return Main.CONNECTION_FAILED;
        }
        err.println("duplex: echo server listening on ws://" + host + ":" + server.port() + "/ (Ctrl-C stops it)");
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Main.OK;
    }

    private static String value(String[] args, int i, String option) throws Main.UsageException {
        if (i >= args.length) {
            throw new Main.UsageException(option + " needs a value");
        }
        return args[i];
    }

    private static int parsePort(String s) throws Main.UsageException {
        try {
            int p = Integer.parseInt(s);
            if (p < 0 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new Main.UsageException("--port must be a number from 0 to 65535, not '" + s + "'");
        }
    }
}
