package dev.duplex.cli;

import dev.duplex.Blob;
import dev.duplex.HandshakeDecision;
import dev.duplex.HandshakeRequest;
import dev.duplex.HttpResponse;
import dev.duplex.PlainHttpHandler;
import dev.duplex.Tls;
import dev.duplex.MessageEvent;
import dev.duplex.ServerOptions;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketServer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
                        + "client (the sender too); --exec CMD runs CMD for each connection (directly when it is "
                        + "plain words, with sh -c when it uses shell syntax), --dir DIR runs the program DIR/PATH "
                        + "for the request path. Each text message received is written to the program's standard "
                        + "input as a line (a message holding newlines becomes several lines), binary ones as their "
                        + "bytes; each line it prints (\\n ends a line, a \\r before it is dropped, a lone \\r "
                        + "stays) is sent as a text message, or with --binary each chunk it writes as a binary "
                        + "message. The socket closes (1000) when the program exits; when the socket closes, the "
                        + "program's stdin is closed, then its whole process group gets SIGTERM once it has exited "
                        + "or after --kill-after seconds, then SIGKILL after as long again. The program gets the CGI "
                        + "variables websocketd sets (REMOTE_ADDR, REMOTE_PORT, QUERY_STRING, PATH_INFO, "
                        + "REQUEST_URI, SERVER_NAME, SERVER_PORT, HTTP_<HEADER>...), DUPLEX_REMOTE_ADDR, "
                        + "DUPLEX_PATH, DUPLEX_QUERY, DUPLEX_PROTOCOL, and of the server's environment only PATH, "
                        + "LANG, LC_ALL, LC_CTYPE, TZ and the --passenv names.",
                "Origins: browsers may connect only from the server's own origin (http(s)://HOST:PORT for the "
                        + "names it listens on) unless --origin or --any-origin; clients that send no Origin always "
                        + "may. Bound to loopback, requests whose Host is not localhost, 127.0.0.1 or [::1] get 421.",
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

        @Option(names = "--exec", paramLabel = "CMD", description = "Run CMD for each connection (directly, "
                + "or with sh -c when it uses shell syntax).")
        String exec;

        @Option(names = "--dir", paramLabel = "DIR", description = "Run the executable DIR/NAME for a request to "
                + "/NAME (the rest of the path in PATH_INFO); 404 when there is none.")
        Path dir;
    }

    @Option(names = "--cluster", paramLabel = "redis://HOST:PORT",
            description = "With --broadcast: join the chat of every 'duplex serve --cluster' on that Redis; a client "
                    + "on /room/NAME talks in room NAME, any other path to everyone. On Ctrl-C or SIGTERM the clients "
                    + "are closed with 1012 (reconnect elsewhere) spread over a second.")
    String cluster;

    @Option(names = "--binary", description = "--exec/--dir: send what the program writes as binary messages, in "
            + "the chunks it writes, and pass text messages to it as their bytes without adding a newline.")
    boolean binary;

    @Option(names = "--max-line", paramLabel = "BYTES", converter = Units.Size.class, defaultValue = "1m",
            description = "--exec/--dir text mode: longest output line; a longer one closes the socket with 1009 "
                    + "and ends the program (default: 1m).")
    long maxLine;

    @Option(names = "--max-backlog", paramLabel = "BYTES", converter = Units.Size.class, defaultValue = "1m",
            description = "--exec/--dir: input waiting for a program that does not read it; past this the socket "
                    + "is closed with 1008 and the program ended (default: 1m).")
    long maxBacklog;

    @Option(names = "--kill-after", paramLabel = "SECONDS", converter = Units.Seconds.class, defaultValue = "1",
            description = "--exec/--dir: after the socket closes (and stdin with it), how long the program may "
                    + "take to exit before its process group gets SIGTERM, and SIGKILL as long after (default: 1).")
    Duration killAfter;

    @Option(names = "--passenv", paramLabel = "NAME", split = ",",
            description = "--exec/--dir: also pass these variables of the server's environment (repeatable or "
                    + "comma-separated; PATH, LANG, LC_ALL, LC_CTYPE and TZ always are).")
    List<String> passenv = new ArrayList<>();

    @Option(names = "--header", paramLabel = "'NAME: VALUE'",
            description = "Add this header to every 101 Switching Protocols answer (repeatable).")
    List<String> headers = new ArrayList<>();

    @Option(names = "--origin", paramLabel = "ORIGIN",
            description = "Also accept browser pages from this origin, e.g. https://app.example (repeatable). "
                    + "By default only the server's own origin, and clients that send no Origin.")
    List<String> origins = new ArrayList<>();

    @Option(names = "--any-origin", description = "Accept WebSockets from pages of ANY origin: every web site the "
            + "user visits can then drive this server (cross-site WebSocket hijacking).")
    boolean anyOrigin;

    @Option(names = "--static", paramLabel = "DIR",
            description = "Also answer plain HTTP GET/HEAD requests with the files under DIR (index.html for a "
                    + "directory), so a browser page from http://HOST:PORT/ can open its WebSocket to the same port.")
    Path staticDir;

    @Option(names = "--devconsole", description = "Serve a page at / to type messages to this server from a "
            + "browser (like websocketd's --devconsole); not with --static.")
    boolean devConsole;

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

    private final AtomicLong messages = new AtomicLong();
    private final Map<WebSocket, ExecSession> sessions = new ConcurrentHashMap<>();
    private PrintStream err;
    private WebSocketServer server;
    private ClusterMode clusterMode;
    private OriginPolicy origin;
    private ScriptDir scripts;
    private List<String> execArgv;
    private ExecSession.Settings execSettings;
    private final List<String[]> responseHeaders = new ArrayList<>();
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
        if (devConsole && staticDir != null) {
            throw Main.usage("--devconsole and --static both serve /: choose one");
        }
        boolean running = mode.exec != null || mode.dir != null;
        if (!running && (binary || !passenv.isEmpty())) {
            throw Main.usage((binary ? "--binary" : "--passenv") + " applies to --exec and --dir only");
        }
        if (maxLine < 1 || maxLine > Integer.MAX_VALUE - 8) {
            throw Main.usage("--max-line must be from 1 byte to 2g");
        }
        if (maxBacklog < 1) {
            throw Main.usage("--max-backlog must be at least 1 byte");
        }
        List<String> allowed = new ArrayList<>();
        for (String o : origins) {
            try {
                allowed.add(OriginPolicy.normalize(o));
            } catch (IllegalArgumentException e) {
                throw Main.usage(e.getMessage());
            }
        }
        if (anyOrigin && !allowed.isEmpty()) {
            throw Main.usage("--any-origin allows every origin already: leave out --origin");
        }
        for (String h : headers) {
            int colon = h.indexOf(':');
            if (colon <= 0) {
                throw Main.usage("--header needs 'Name: value', not '" + h + "'");
            }
            String name = h.substring(0, colon).trim();
            String value = h.substring(colon + 1).trim();
            try {
                HandshakeDecision.accept().withHeader(name, value);
            } catch (IllegalArgumentException e) {
                throw Main.usage("--header '" + h + "': " + e.getMessage());
            }
            responseHeaders.add(new String[] {name, value});
        }
        for (String name : passenv) {
            if (name.isEmpty() || name.contains("=")) {
                throw Main.usage("--passenv takes variable names, not '" + name + "'");
            }
        }
        if (mode.exec != null) {
            try {
                execArgv = ExecCommand.argv(mode.exec);
            } catch (IllegalArgumentException e) {
                throw Main.usage(e.getMessage());
            }
        }
        if (mode.dir != null) {
            if (!Files.isDirectory(mode.dir)) {
                throw Main.usage("--dir: " + mode.dir + " is not a directory");
            }
            scripts = new ScriptDir(mode.dir);
        }
        if (running) {
            execSettings = new ExecSession.Settings();
            execSettings.binary = binary;
            execSettings.maxLine = (int) maxLine;
            execSettings.maxBacklog = maxBacklog;
            execSettings.killAfterMillis = Math.max(1, killAfter.toMillis());
            execSettings.passenv = List.copyOf(passenv);
            execSettings.tls = cert != null;
            execSettings.log = this::log;
        }
        ServerOptions.Builder b = ServerOptions.builder().host(host).port(port).perMessageDeflate(!noDeflate);
        origin = new OriginPolicy(host, cert != null, () -> server.port(), allowed, anyOrigin);
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
        }
        PlainHttpHandler http = files != null ? files : devConsole ? new DevConsole() : null;
        if (http != null) {
            b.httpHandler(request -> {
                String wrongHost = origin.checkHost(request);
                return wrongHost != null ? HttpResponse.text(421, wrongHost) : http.handle(request);
            });
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
                ctx = Tls.serverContext(cert, key);
            } catch (Exception e) {
                throw new Main.CliException(Main.USAGE, "--cert/--key: " + e.getMessage(), e);
            }
            b.sslContext(ctx);
        }
        if (maxConnections != null) {
            b.maxConnections(maxConnections);     // counted by the server itself: 503 beyond it
        }
        b.handshake(this::decide);
        ServerOptions serverOptions = b.build();
        Relay relay = new Relay(serverOptions.largeMessageThreshold());
        server = new WebSocketServer(serverOptions);
        if (cluster != null) {
            clusterMode = ClusterMode.join(server, cluster, mode.broadcast, this::log);
        }
        server.onconnection(e -> {
            WebSocket ws = e.socket();
            // binaryType stays BLOB: every binary message is a Blob, released (Blob.close) once
            // relayed or handed to the program, so a large one's temporary file goes at once.
            if (verbose) {
                log("connection from " + e.request().remoteAddress() + " " + e.request().path()
                        + (ws.protocol().isEmpty() ? "" : " protocol " + ws.protocol()));
                ws.addEventListener("close", c -> {
                    dev.duplex.CloseEvent ce = (dev.duplex.CloseEvent) c;
                    log("closed " + e.request().remoteAddress() + ": code " + ce.code() + ", wasClean " + ce.wasClean());
                });
            }
            if (running) {
                startProgram(ws, e.request());
            } else if (clusterMode != null) {
                clusterMode.attach(ws, e.request(), messages);
                ws.addEventListener("message", m -> {      // after the relay's listener, which copied it
                    if (((MessageEvent) m).data() instanceof Blob) {
                        ((Blob) ((MessageEvent) m).data()).close();
                    }
                });
            } else if (mode.broadcast) {
                ws.onmessage(m -> {
                    messages.incrementAndGet();
                    relay.relay(((MessageEvent) m).data(), server.clients());
                });
            } else {
                ws.onmessage(m -> {
                    messages.incrementAndGet();
                    relay.relay(((MessageEvent) m).data(), ws);
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
                : mode.dir != null ? "running the programs in " + scripts.root()
                : mode.broadcast ? "broadcast server" : "echo server";
        err.println("duplex: " + what + " listening on " + scheme + "://" + shownHost + ":" + server.port()
                + "/ (Ctrl-C stops it)");
        String httpUrl = (cert != null ? "https" : "http") + "://" + shownHost + ":" + server.port() + "/";
        if (files != null) {
            err.println("duplex: serving the files in " + files.root() + " at " + httpUrl);
        }
        if (devConsole) {
            err.println("duplex: developer console at " + httpUrl);
        }
        if (anyOrigin) {
            err.println("duplex: WARNING: --any-origin: any web page the user opens can connect to this server and "
                    + (running ? "drive its program" : "use it") + " (cross-site WebSocket hijacking)");
        }
        if (running && !ExecSession.groupsSupported()) {
            err.println("duplex: setsid or /proc is missing: a program's own children are killed only while it runs");
        }
        err.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sessions.values().parallelStream().forEach(ExecSession::killNow);
            if (clusterMode != null) {
                clusterMode.leave();
            }
            server.close(Duration.ofMillis(500));
        }, "duplex-serve-stop"));
        if (!quiet) {
            startStatusLine();
        }
        stopped.await();
        return Main.OK;
    }

    /**
     * The upgrade's fate, in order: a Host that does not name a loopback server (421), an Origin
     * not allowed (403), no program for the path with --dir (404), then the subprotocol.
     */
    private HandshakeDecision decide(HandshakeRequest request) {
        String wrongHost = origin.checkHost(request);
        if (wrongHost != null) {
            return HandshakeDecision.reject(421, wrongHost);
        }
        String wrongOrigin = origin.checkOrigin(request);
        if (wrongOrigin != null) {
            return HandshakeDecision.reject(403, wrongOrigin);
        }
        if (scripts != null && scripts.find(request.path()) == null) {
            return HandshakeDecision.reject(404, "No program for " + Terminal.printable(request.path())
                    + " in the --dir directory\n");
        }
        if ((execArgv != null || scripts != null) && StaticFiles.decode(request.path()) == null) {
            return HandshakeDecision.reject(400, "The path is not valid percent-encoded UTF-8\n");
        }
        HandshakeDecision d = HandshakeDecision.accept();
        if (!protocols.isEmpty()) {
            for (String offered : request.protocols()) {
                if (protocols.contains(offered)) {
                    d = HandshakeDecision.accept(offered);
                    break;
                }
            }
        }
        for (String[] h : responseHeaders) {
            d = d.withHeader(h[0], h[1]);
        }
        return d;
    }

    // ------------------------------------------------------------------ --exec and --dir

    private void startProgram(WebSocket ws, HandshakeRequest request) {
        List<String> argv = execArgv;
        String scriptName = "";
        String pathInfo = StaticFiles.decode(request.path());
        if (scripts != null) {
            ScriptDir.Script script = scripts.find(request.path());
            if (script == null) {       // removed since the handshake
                ws.close(1011, "the program is gone");
                return;
            }
            argv = List.of(script.file.toString());
            scriptName = script.scriptName;
            pathInfo = script.pathInfo;
        }
        Map<String, String> env = CgiEnvironment.of(request, ws.protocol(), server.port(), cert != null,
                scriptName, pathInfo == null ? "" : pathInfo, execSettings.passenv, execSettings.serverEnvironment);
        ws.addEventListener("message", m -> messages.incrementAndGet());
        ExecSession s = ExecSession.start(ws, argv, env, execSettings);
        if (s != null) {
            sessions.put(ws, s);
            ws.addEventListener("close", c -> sessions.remove(ws));
        }
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
