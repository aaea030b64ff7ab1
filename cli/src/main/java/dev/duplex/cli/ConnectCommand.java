package dev.duplex.cli;

import dev.duplex.Blob;
import dev.duplex.CloseEvent;
import dev.duplex.DOMException;
import dev.duplex.ErrorEvent;
import dev.duplex.MessageEvent;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketOptions;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code duplex connect URL}: a WebSocket client. On a terminal it is interactive (a JLine
 * prompt; messages appear above the line being typed; Ctrl-D closes cleanly, Ctrl-C quits at
 * once). Otherwise each line of standard input is one message, and each message received is
 * printed on its own line; at the end of input the command keeps printing what arrives until
 * the connection has been quiet for {@code --wait} seconds (or {@code --count} messages came),
 * then closes with {@code --close-code} and waits for the closing handshake.
 */
@Command(name = "connect", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        sortOptions = false,
        description = {
                "Connect to a WebSocket server.",
                "On a terminal: interactive, with a prompt (line editing, history with Up/Down); messages received "
                        + "appear above the line being typed; Enter sends (an empty line sends nothing), Ctrl-D "
                        + "closes cleanly, Ctrl-C quits at once.",
                "Otherwise (pipe mode): each line of standard input is sent as one message, each message received "
                        + "is printed on its own line. At the end of input, it waits until nothing has arrived for "
                        + "--wait seconds (or until --count messages came), then closes (1000 unless --close-code).",
                "Binary messages received are printed in base64 unless --hex, or raw with --binary alone. On a "
                        + "terminal, control characters in messages are shown as ^X; pipes get the bytes.",
                "A user:password@ in the URL is sent as Basic authentication and never printed."})
final class ConnectCommand implements Callable<Integer> {
    private static final long MAX_QUEUED = 4L << 20;    // pause reading stdin above this bufferedAmount

    @Parameters(index = "0", paramLabel = "URL", description = "ws://, wss://, http:// or https:// URL.")
    String url;

    @Option(names = {"-x", "--execute"}, paramLabel = "MESSAGE",
            description = "Send this message once connected (repeatable, in order), instead of reading standard input.")
    List<String> execute = new ArrayList<>();

    @Option(names = {"-b", "--binary"}, description = "Send each input line as a binary message (its UTF-8 bytes).")
    boolean binary;

    @ArgGroup(exclusive = true)
    Encoding encoding = new Encoding();

    static final class Encoding {
        @Option(names = "--base64", description = "Input lines are base64, sent as binary; binary received is printed in base64.")
        boolean base64;

        @Option(names = "--hex", description = "Input lines are hexadecimal, sent as binary; binary received is printed in hex.")
        boolean hex;
    }

    @Option(names = "--jsonl", description = "Print each message received as a JSON line: "
            + "{\"type\":\"text\"|\"binary\",\"size\":BYTES,\"timestamp\":ISO-8601,\"data\":...} (binary data in base64, or hex with --hex).")
    boolean jsonl;

    @Option(names = {"-t", "--timestamps"}, description = "Print the time each message arrived (ISO-8601, UTC) before it.")
    boolean timestamps;

    @Option(names = {"-w", "--wait"}, paramLabel = "SECONDS", converter = Units.Wait.class,
            description = "After the end of input, close once nothing has arrived for this long (default: 1; "
                    + "with --count: wait for the count); -1 or inf: stay open until the server closes. Messages "
                    + "that arrive before the closing handshake ends are printed too, so 0 loses no reply already "
                    + "on its way.")
    Duration waitAfterInput;

    @Option(names = {"-n", "--count"}, paramLabel = "N", description = "Close after receiving N messages.")
    Long count;

    @Option(names = "--close-code", paramLabel = "CODE", defaultValue = "1000",
            description = "Status code of the close this side starts: 1000 or 3000-4999 (default: ${DEFAULT-VALUE}).")
    int closeCode;

    @Option(names = "--close-reason", paramLabel = "TEXT", defaultValue = "",
            description = "Reason sent with that close (at most 123 bytes of UTF-8).")
    String closeReason;

    @Option(names = "--slash", description = "Interactive: lines starting with / are commands: /ping [DATA] sends a ping "
            + "frame and shows its pong with the round-trip time, /pong [DATA] sends an unsolicited pong, "
            + "/close [CODE [REASON]] closes; //text sends /text. Without --slash such lines are sent as text.")
    boolean slash;

    @Option(names = {"-i", "--interactive"}, description = "Interactive mode even if not on a terminal.")
    boolean forceInteractive;

    @Option(names = "--no-interactive", description = "Pipe mode even on a terminal.")
    boolean forcePipe;

    @Option(names = {"-q", "--quiet"}, description = "Print nothing but the messages and errors.")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, description = "Print on stderr the handshake headers both ways (Authorization "
            + "and Cookie values redacted), one line per frame sent (>) and received (<), the handshake outcome (URL, "
            + "protocol, extensions), the round-trip time (latest and smoothed) when a keep-alive pong arrives "
            + "(see --ping-interval) and the close code; stack traces of errors.")
    boolean verbose;

    @Option(names = "--reconnect", description = "After an abnormal close (codes 1001, 1006, 1011-1014) or a failed "
            + "connect, reconnect with back-off and keep relaying input: lines read while disconnected are sent once "
            + "the connection is back. Not after a clean close or a 4xx answer. Drops and reconnects are reported on stderr.")
    boolean reconnect;

    @Option(names = "--reconnect-max-delay", paramLabel = "SECONDS", converter = Units.Seconds.class,
            description = "With --reconnect: the longest wait between attempts (default: 30; the first waits 0.5).")
    Duration reconnectMaxDelay;

    @Mixin
    ClientOptions client = new ClientOptions();

    private PrintStream out;
    private PrintStream err;
    private volatile Prompt prompt;
    private MessagePrinter printer;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong lastArrival = new AtomicLong(System.nanoTime());
    private RoundTripReporter roundTrips;

    @Override
    public Integer call() throws Exception {
        Main.verbose = verbose;
        out = Main.out;
        err = Main.err;
        if (count != null && count < 1) {
            throw Main.usage("--count must be at least 1");
        }
        if (forceInteractive && forcePipe) {
            throw Main.usage("--interactive and --no-interactive cannot be used together");
        }
        if (closeCode != 1000 && (closeCode < 3000 || closeCode > 4999)) {
            throw Main.usage("--close-code must be 1000 or 3000-4999 (RFC 6455 section 7.4: a client may not send "
                    + "the other codes), not " + closeCode);
        }
        if (closeReason.getBytes(StandardCharsets.UTF_8).length > 123) {
            throw Main.usage("--close-reason is " + closeReason.getBytes(StandardCharsets.UTF_8).length
                    + " bytes of UTF-8; a close frame holds at most 123 (RFC 6455 section 5.5)");
        }
        boolean interactive = execute.isEmpty() && (forceInteractive || (!forcePipe && Terminal.isInteractive()));
        MessagePrinter.Encoding enc = encoding.hex ? MessagePrinter.Encoding.HEX
                : binary && !encoding.base64 ? MessagePrinter.Encoding.RAW : MessagePrinter.Encoding.BASE64;
        printer = new MessagePrinter(enc, jsonl, timestamps, !interactive && Terminal.isTerminal(1));
        ClientOptions.Target target = client.prepare(url, err);

        if (verbose) {
            WireTrace.install(line -> notice(Redact.headerLine(line)));
            if (target.proxy != null) {
                notice("through the proxy " + target.proxy);
            }
        }
        if (interactive) {
            try {
                prompt = Prompt.open();
            } catch (IOException | RuntimeException e) {
                prompt = null;
                if (!quiet) {
                    err.println("duplex connect: the terminal cannot be put in character mode (" + e.getMessage()
                            + "); reading whole lines");
                }
            }
        }
        try {
            return session(target, interactive);
        } finally {
            Prompt p = prompt;
            if (p != null) {
                p.close();
            }
        }
    }

    private int session(ClientOptions.Target target, boolean interactive) throws Exception {
        if (reconnect) {
            return new ReconnectMode(this, target, printer, prompt, out, err).run(reconnectMaxDelay);
        }
        CountDownLatch opened = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        CloseEvent[] closeEvent = new CloseEvent[1];
        Throwable[] error = new Throwable[1];
        boolean[] wasOpen = new boolean[1];
        WebSocket ws;
        try {
            // The listeners are registered in the setup callback, before any event is delivered
            // (the deterministic entry point: no registration window involved).
            // messagesWhileClosing: what the server sent before its close frame is printed even
            // after this side has closed (--wait 0, --count, /close lose no reply on its way).
            WebSocketOptions options = target.options.toBuilder().messagesWhileClosing(true).build();
            ws = WebSocket.connect(target.url, client.protocols, options, socket -> {
                // binaryType stays BLOB: a large message arrives as a temporary file, which
                // onMessage releases (Blob.close) as soon as it is printed.
                socket.onopen(e -> {
                    wasOpen[0] = true;
                    if (verbose) {
                        notice("connected to " + socket.url() + " (protocol: " + orNone(socket.protocol())
                                + ", extensions: " + orNone(socket.extensions()) + ")");
                    }
                    opened.countDown();
                });
                socket.onmessage(e -> onMessage(socket, ((MessageEvent) e).data()));
                socket.onerror(e -> {
                    ErrorEvent ev = (ErrorEvent) e;
                    error[0] = ev.error() != null ? ev.error() : new IOException(ev.message());
                });
                socket.onclose(e -> {
                    CloseEvent c = (CloseEvent) e;
                    closeEvent[0] = c;
                    if (verbose) {
                        notice("closed: code " + c.code() + (c.reason().isEmpty() ? "" : " (" + Terminal.oneLine(c.reason()) + ")")
                                + ", wasClean " + c.wasClean());
                    }
                    opened.countDown();
                    closed.countDown();
                });
            });
        } catch (DOMException | IllegalArgumentException e) {
            throw Main.usage(Redact.url(e.getMessage() == null ? e.toString() : e.getMessage()));
        }

        opened.await();
        if (!wasOpen[0]) {
            closed.await();
            throw Outcome.notOpened(target.url, error[0], client.cert);
        }
        if (verbose) {
            roundTrips = new RoundTripReporter(ws, this::notice);
        }
        if (!execute.isEmpty()) {
            long n = 0;
            for (String m : execute) {
                send(ws, m, ++n);
            }
            afterInput(ws, closed);
        } else if (interactive) {
            if (interactive(ws, closed)) {
                return Main.INTERRUPTED;
            }
        } else {
            pipe(ws, closed);
        }
        boolean finished = closed.await(target.options.closeTimeout().toMillis() + 2000, TimeUnit.MILLISECONDS);
        if (roundTrips != null) {
            roundTrips.stop();
        }
        if (!finished) {
            throw new Main.CliException(Main.ABNORMAL_CLOSE, "the closing handshake did not finish");
        }
        out.flush();
        Main.CliException failure = Outcome.closed(closeEvent[0], error[0]);
        if (failure != null) {
            throw failure;
        }
        return Main.OK;
    }

    private void close(WebSocket ws) {
        ws.close(closeCode, closeReason);
    }

    /** A message arrived: print it (unless past --count), then release it if it is a Blob. */
    private void onMessage(WebSocket ws, Object data) {
        try {
            long n = received.incrementAndGet();
            lastArrival.set(System.nanoTime());
            if (count == null || n <= count) {
                print(data);
            }
            if (count != null && n == count) {
                close(ws);
            }
        } finally {
            if (data instanceof Blob) {
                ((Blob) data).close();     // a spilled message's temporary file goes now, not at the next GC
            }
        }
    }

    // ------------------------------------------------------------------ pipe mode

    private void pipe(WebSocket ws, CountDownLatch closed) throws InterruptedException {
        // Until input ends or the connection closes.
        InputReader.runUntilEndOrClose(() -> {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            long lineNumber = 0;
            while (ws.readyState() == WebSocket.OPEN && (line = in.readLine()) != null) {
                lineNumber++;
                send(ws, line, lineNumber);
                while (ws.bufferedAmount() > MAX_QUEUED && ws.readyState() == WebSocket.OPEN) {
                    Thread.sleep(1);
                }
            }
        }, closed, err, "standard input");
        if (closed.getCount() == 0) {
            return;
        }
        afterInput(ws, closed);
    }

    /**
     * Input ended: keep reading until the count is reached, the socket has been quiet for
     * --wait seconds, or (--wait -1) the server closes; then close. What the server sent before
     * its close frame is still printed (WebSocketOptions.messagesWhileClosing).
     */
    private void afterInput(WebSocket ws, CountDownLatch closed) throws InterruptedException {
        Duration wait = waitAfterInput != null ? waitAfterInput : count != null ? null : Duration.ofSeconds(1);
        boolean forever = wait != null && wait.equals(Units.FOREVER);
        lastArrival.set(System.nanoTime());
        while (closed.getCount() > 0 && ws.readyState() == WebSocket.OPEN) {
            if (count != null && received.get() >= count) {
                break;
            }
            if (wait != null && !forever) {
                long idle = System.nanoTime() - lastArrival.get();
                if (idle >= wait.toNanos() && ws.bufferedAmount() == 0) {
                    break;
                }
            }
            closed.await(wait != null && wait.isZero() ? 1 : 10, TimeUnit.MILLISECONDS);
        }
        close(ws);
    }

    private void send(WebSocket ws, String line, long lineNumber) {
        if (encoding.base64 || encoding.hex) {
            byte[] bytes;
            try {
                bytes = encoding.base64 ? Base64.getDecoder().decode(line.replaceAll("\\s", ""))
                        : HexFormat.of().parseHex(line.strip().replace(" ", ""));
            } catch (IllegalArgumentException e) {
                notice("duplex connect: " + (execute.isEmpty() ? "line " : "message ") + lineNumber + " is not "
                        + (encoding.base64 ? "base64" : "hexadecimal") + ", not sent: " + e.getMessage());
                return;
            }
            ws.send(bytes);
        } else if (binary) {
            ws.send(line.getBytes(StandardCharsets.UTF_8));
        } else {
            ws.send(line);
        }
    }

    // ------------------------------------------------------------------ interactive mode

    /** Returns true if the user pressed Ctrl-C. */
    private boolean interactive(WebSocket ws, CountDownLatch closed) throws InterruptedException {
        if (!quiet) {
            notice("Connected to " + ws.url() + (ws.protocol().isEmpty() ? "" : " (protocol " + ws.protocol() + ")")
                    + ". Type a message and Enter to send; Ctrl-D closes, Ctrl-C quits.");
        }
        CountDownLatch inputEnded = new CountDownLatch(1);
        boolean[] interrupted = new boolean[1];
        Thread reader = new Thread(() -> {
            try {
                Prompt p = prompt;
                BufferedReader lines = p == null ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)) : null;
                long n = 0;
                while (ws.readyState() == WebSocket.OPEN) {
                    String line = p != null ? p.readLine() : lines.readLine();
                    if (line == null || ws.readyState() != WebSocket.OPEN) {
                        break;
                    }
                    if (slash && line.startsWith("/") && !line.startsWith("//")) {
                        command(ws, line);
                    } else if (!line.isEmpty()) {
                        send(ws, slash && line.startsWith("//") ? line.substring(1) : line, ++n);
                    }
                }
            } catch (Prompt.Interrupted e) {
                interrupted[0] = true;
            } catch (IOException e) {
                err.println("duplex connect: cannot read the terminal: " + e.getMessage());
            } finally {
                inputEnded.countDown();
            }
        }, "duplex-terminal");
        reader.setDaemon(true);
        reader.start();
        while (closed.getCount() > 0 && !inputEnded.await(50, TimeUnit.MILLISECONDS)) {
            // waiting
        }
        if (interrupted[0]) {
            return true;
        }
        if (closed.getCount() > 0) {
            close(ws);     // Ctrl-D: close cleanly
        }
        return false;
    }

    private static final String COMMANDS = "/ping [DATA], /pong [DATA], /close [CODE [REASON]]; //text sends /text";

    /**
     * A --slash command: {@code /ping [DATA]} and {@code /pong [DATA]} send control frames (the
     * pong to our ping is shown with its round-trip time), {@code /close [CODE [REASON]]} starts
     * the closing handshake.
     */
    private void command(WebSocket ws, String line) {
        String[] words = line.trim().split("\\s+", 2);
        String rest = words.length > 1 ? words[1] : "";
        switch (words[0]) {
            case "/ping":
                ping(ws, rest);
                break;
            case "/pong": {
                byte[] data = controlData("/pong", rest);
                if (data != null) {
                    ws.pong(data);
                }
                break;
            }
            case "/close": {
                String[] args = rest.isEmpty() ? new String[0] : rest.split("\\s+", 2);
                int code = closeCode;
                String reason = closeReason;
                try {
                    if (args.length > 0) {
                        code = Integer.parseInt(args[0]);
                    }
                    if (args.length > 1) {
                        reason = args[1];
                    }
                    ws.close(code, reason);
                } catch (NumberFormatException e) {
                    notice("/close needs a number, e.g. /close 1000 done");
                } catch (DOMException e) {
                    notice("/close " + code + ": " + e.getMessage());
                }
                break;
            }
            default:
                notice("unknown command " + Terminal.printable(words[0]) + " (commands: " + COMMANDS + ")");
        }
    }

    /** /ping: a ping frame whose pong is reported with the round trip, or why none came. */
    private void ping(WebSocket ws, String text) {
        byte[] data = controlData("/ping", text);
        if (data == null) {
            return;
        }
        String shown = text.isEmpty() ? "" : " " + Json.quote(text);
        ws.ping(data).whenCompleteAsync((rtt, failure) -> {
            if (failure != null) {
                notice("no pong to ping" + shown + ": " + failure.getMessage());
            } else {
                notice("< pong" + shown + " after " + RoundTripReporter.millis(rtt)
                        + ws.smoothedRoundTripTime().map(s -> " (smoothed " + RoundTripReporter.millis(s) + ")").orElse(""));
            }
        });
    }

    /** The UTF-8 bytes of a /ping or /pong argument, or null (with a notice) if over 125 bytes. */
    private byte[] controlData(String command, String text) {
        byte[] data = text.getBytes(StandardCharsets.UTF_8);
        if (data.length > 125) {
            notice(command + ": " + data.length + " bytes of data; a ping or pong carries at most 125 "
                    + "(RFC 6455 section 5.5), not sent");
            return null;
        }
        return data;
    }

    // ------------------------------------------------------------------ output

    private void notice(String text) {
        Prompt p = prompt;
        if (p != null) {
            p.printAbove(text);
        } else {
            err.println(text);
        }
    }

    private void print(Object data) {
        Prompt p = prompt;
        if (p != null) {
            p.printAbove(printer.promptLine(data));
        } else {
            printer.print(out, data);
        }
    }

    private static String orNone(String s) {
        return s.isEmpty() ? "none" : s;
    }
}
