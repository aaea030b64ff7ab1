package dev.duplex.cli;

import dev.duplex.BinaryType;
import dev.duplex.HandshakeDecision;
import dev.duplex.HandshakeRequest;
import dev.duplex.MessageEvent;
import dev.duplex.ServerOptions;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketServer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import javax.net.ssl.SSLContext;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code duplex serve}: a WebSocket server that echoes, broadcasts, or connects each client to
 * a process (like websocketd), until the process is stopped.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        sortOptions = false,
        description = {
                "Run a WebSocket server until stopped (Ctrl-C).",
                "Modes: --echo (default) sends every message back; --broadcast sends every message to every "
                        + "client (the sender too); --exec CMD runs CMD with 'sh -c' for each connection: each "
                        + "text message received is written to its standard input as a line (binary ones as their "
                        + "bytes), each line it prints is sent as a text message (its output is made line-buffered "
                        + "with stdbuf -oL when stdbuf is installed); the socket closes (1000) when "
                        + "the process exits, and the process is killed when the socket closes. It gets "
                        + "DUPLEX_REMOTE_ADDR, DUPLEX_PATH, DUPLEX_QUERY and DUPLEX_PROTOCOL in its environment.",
                "A status line (connections, messages/s) is printed on stderr every second unless --quiet."})
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080",
            description = "Port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on; 0.0.0.0 for every interface (default: ${DEFAULT-VALUE}).")
    String host;

    @ArgGroup(exclusive = true)
    Mode mode = new Mode();

    static final class Mode {
        @Option(names = "--echo", description = "Echo every message back to its sender (the default).")
        boolean echo;

        @Option(names = "--broadcast", description = "Send every message to every connected client.")
        boolean broadcast;

        @Option(names = "--exec", paramLabel = "CMD", description = "Run CMD (with sh -c) for each connection.")
        String exec;
    }

    @Option(names = "--cluster", paramLabel = "redis://HOST:PORT",
            description = "With --broadcast: join the chat of every 'duplex serve --cluster' on that Redis; a client "
                    + "on /room/NAME talks in room NAME, any other path to everyone. On Ctrl-C or SIGTERM the clients "
                    + "are closed with 1012 (reconnect elsewhere) spread over a second.")
    String cluster;

    @Option(names = "--static", paramLabel = "DIR",
            description = "Also answer plain HTTP GET/HEAD requests with the files under DIR (index.html for a "
                    + "directory), so a browser page from http://HOST:PORT/ can open its WebSocket to the same port.")
    Path staticDir;

    @Option(names = "--cert", paramLabel = "FILE", description = "TLS (wss): the server's certificate chain, PEM.")
    Path cert;

    @Option(names = "--key", paramLabel = "FILE", description = "TLS (wss): the certificate's private key, PEM (PKCS#8, PKCS#1 or SEC 1; not encrypted).")
    Path key;

    @Option(names = {"-p", "--protocol"}, paramLabel = "NAME", split = ",",
            description = "Subprotocols the server speaks, in order (repeatable or comma-separated): it accepts "
                    + "the first protocol the client offers that is in this list, and none if there is none.")
    List<String> protocols = new ArrayList<>();

    @Option(names = "--max-connections", paramLabel = "N",
            description = "Refuse more than N simultaneous connections with HTTP 503.")
    Integer maxConnections;

    @Option(names = "--max-message", paramLabel = "BYTES", converter = Units.Size.class,
            description = "Largest message accepted from a client; suffixes k, m, g (default: 64m).")
    Long maxMessage;

    @Option(names = "--no-deflate", description = "Do not accept permessage-deflate compression.")
    boolean noDeflate;

    @Option(names = {"-q", "--quiet"}, description = "No status line; only errors.")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, description = "Log each connection and close on stderr, with the handshake headers and "
            + "one line per frame sent (>) and received (<); stack traces of errors.")
    boolean verbose;

    /** coreutils' stdbuf, if installed: without it most programs buffer their output on a pipe. */
    private static final String STDBUF = findOnPath("stdbuf");

    private final AtomicLong messages = new AtomicLong();
    private final Map<WebSocket, Process> processes = new ConcurrentHashMap<>();
    private PrintStream err;
    private WebSocketServer server;
    private ClusterMode clusterMode;
    private final boolean tty = Terminal.isInteractive();

    @Override
    public Integer call() throws Exception {
        Main.verbose = verbose;
        err = Main.err;
        if (verbose) {
            WireTrace.install(this::log);
        }
        if (port < 0 || port > 65535) {
            throw Main.usage("--port must be from 0 to 65535, not " + port);
        }
        if (maxConnections != null && maxConnections < 1) {
            throw Main.usage("--max-connections must be at least 1");
        }
        if ((cert == null) != (key == null)) {
            throw Main.usage("--cert and --key go together");
        }
        ServerOptions.Builder b = ServerOptions.builder().host(host).port(port).perMessageDeflate(!noDeflate);
        StaticFiles files = null;
        if (staticDir != null) {
            if (!Files.isDirectory(staticDir)) {
                throw Main.usage("--static: " + staticDir + " is not a directory");
            }
            try {
                files = new StaticFiles(staticDir);
            } catch (IOException e) {
                throw Main.usage("--static: cannot read " + staticDir + ": " + e.getMessage());
            }
            b.httpHandler(files);
        }
        if (maxMessage != null) {
            try {
                b.maxMessageSize(maxMessage);
            } catch (IllegalArgumentException e) {
                throw Main.usage("--max-message: " + e.getMessage());
            }
        }
        if (cert != null) {
            for (Path p : List.of(cert, key)) {
                if (!Files.isReadable(p)) {
                    throw Main.usage("cannot read " + p);
                }
            }
            SSLContext ctx;
            try {
                ctx = Tls.server(cert, key);
            } catch (Exception e) {
                throw new Main.CliException(Main.USAGE, "--cert/--key: " + e.getMessage(), e);
            }
            b.sslContext(ctx);
        }
        if (maxConnections != null) {
            b.maxConnections(maxConnections);     // counted by the server itself: 503 beyond it
        }
        b.handshake(this::decide);
        server = new WebSocketServer(b.build());
        if (cluster != null) {
            clusterMode = ClusterMode.join(server, cluster, mode.broadcast, this::log);
        }
        server.onconnection(e -> {
            WebSocket ws = e.socket();
            ws.binaryType(BinaryType.ARRAYBUFFER);
            if (verbose) {
                log("connection from " + e.request().remoteAddress() + " " + e.request().path()
                        + (ws.protocol().isEmpty() ? "" : " protocol " + ws.protocol()));
            }
            ws.onclose(c -> {
                if (verbose) {
                    dev.duplex.CloseEvent ce = (dev.duplex.CloseEvent) c;
                    log("closed " + e.request().remoteAddress() + ": code " + ce.code() + ", wasClean " + ce.wasClean());
                }
                Process p = processes.remove(ws);
                if (p != null) {
                    p.descendants().forEach(ProcessHandle::destroy);
                    p.destroy();
                }
            });
            if (mode.exec != null) {
                startProcess(ws, e.request());
            } else if (clusterMode != null) {
                clusterMode.attach(ws, e.request(), messages);
            } else if (mode.broadcast) {
                ws.onmessage(m -> {
                    messages.incrementAndGet();
                    Object data = ((MessageEvent) m).data();
                    for (WebSocket client : server.clients()) {
                        if (client.readyState() == WebSocket.OPEN) {
                            send(client, data);
                        }
                    }
                });
            } else {
                ws.onmessage(m -> {
                    messages.incrementAndGet();
                    send(ws, ((MessageEvent) m).data());
                });
            }
        });
        try {
            server.start();
        } catch (UncheckedIOException e) {
            throw new Main.CliException(Main.FAILURE, e.getMessage(), e);
        }
        String scheme = cert != null ? "wss" : "ws";
        String shownHost = host.contains(":") ? "[" + host + "]" : host;
        String what = mode.exec != null ? "running '" + mode.exec + "' for each connection"
                : mode.broadcast ? "broadcast server" : "echo server";
        err.println("duplex: " + what + " listening on " + scheme + "://" + shownHost + ":" + server.port()
                + "/ (Ctrl-C stops it)");
        if (files != null) {
            err.println("duplex: serving the files in " + files.root() + " at " + (cert != null ? "https" : "http")
                    + "://" + shownHost + ":" + server.port() + "/");
        }
        err.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Process p : processes.values()) {
                p.destroy();
            }
            if (clusterMode != null) {
                clusterMode.leave();
            }
            server.close();
        }, "duplex-serve-stop"));
        if (!quiet) {
            startStatusLine();
        }
        stopped.await();
        return Main.OK;
    }

    private HandshakeDecision decide(HandshakeRequest request) {
        if (!protocols.isEmpty()) {
            for (String offered : request.protocols()) {
                if (protocols.contains(offered)) {
                    return HandshakeDecision.accept(offered);
                }
            }
        }
        return HandshakeDecision.accept();
    }

    private static void send(WebSocket ws, Object data) {
        if (data instanceof String) {
            ws.send((String) data);
        } else {
            ws.send((ByteBuffer) data);
        }
    }

    // ------------------------------------------------------------------ --exec

    private void startProcess(WebSocket ws, HandshakeRequest request) {
        List<String> command = new ArrayList<>();
        if (STDBUF != null) {
            command.addAll(List.of(STDBUF, "-oL"));     // line-buffered output, as on a terminal
        }
        command.addAll(List.of("sh", "-c", mode.exec));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Map<String, String> env = pb.environment();
        env.put("DUPLEX_REMOTE_ADDR", String.valueOf(request.remoteAddress()));
        env.put("DUPLEX_PATH", request.path());
        env.put("DUPLEX_QUERY", request.query());
        env.put("DUPLEX_PROTOCOL", ws.protocol());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            log("cannot run '" + mode.exec + "': " + e.getMessage());
            ws.close(1011, "cannot start the command");
            return;
        }
        processes.put(ws, p);
        OutputStream stdin = p.getOutputStream();
        ws.onmessage(m -> {
            messages.incrementAndGet();
            Object data = ((MessageEvent) m).data();
            try {
                if (data instanceof String) {
                    stdin.write(((String) data).getBytes(StandardCharsets.UTF_8));
                    stdin.write('\n');
                } else {
                    ByteBuffer b = (ByteBuffer) data;
                    byte[] bytes = new byte[b.remaining()];
                    b.get(bytes);
                    stdin.write(bytes);
                }
                stdin.flush();
            } catch (IOException e) {
                // the process no longer reads; its exit closes the socket
            }
        });
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (ws.readyState() != WebSocket.OPEN) {
                        break;
                    }
                    ws.send(line);
                    while (ws.bufferedAmount() > (4L << 20) && ws.readyState() == WebSocket.OPEN) {
                        Thread.sleep(1);
                    }
                }
            } catch (IOException e) {
                // the process's output closed
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            processes.remove(ws);
            if (ws.readyState() == WebSocket.OPEN) {
                ws.close(1000, "process exited with status " + p.exitValue());
            }
        }, "duplex-exec-" + p.pid());
        pump.setDaemon(true);
        pump.start();
    }

    private static String findOnPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ status line

    private void startStatusLine() {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "duplex-status");
            t.setDaemon(true);
            return t;
        });
        long[] last = {0, System.nanoTime()};
        String[] lastLine = {""};
        timer.scheduleAtFixedRate(() -> {
            long now = System.nanoTime();
            long total = messages.get();
            double rate = (total - last[0]) * 1e9 / Math.max(1, now - last[1]);
            last[0] = total;
            last[1] = now;
            String line = "connections: " + server.clients().size() + "  messages: " + total
                    + "  messages/s: " + Math.round(rate);
            synchronized (this) {
                if (tty) {
                    err.print("\r\033[K" + line);
                    err.flush();
                } else if (!line.equals(lastLine[0])) {
                    err.println(line);
                }
            }
            lastLine[0] = line;
        }, 1, 1, TimeUnit.SECONDS);
    }

    private synchronized void log(String line) {
        if (tty && !quiet) {
            err.print("\r\033[K");
        }
        err.println("duplex: " + line);
    }

    Set<WebSocket> clients() {
        return server.clients();
    }
}
