package dev.duplex.cli;

import dev.duplex.BinaryType;
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
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code duplex connect URL}: a WebSocket client. On a terminal it is interactive (a prompt;
 * messages appear above the line being typed; Ctrl-D closes cleanly, Ctrl-C quits at once).
 * Otherwise each line of standard input is one message, and each message received is printed
 * on its own line; at the end of input the command keeps printing what arrives until the
 * connection has been quiet for {@code --wait} seconds (or {@code --count} messages came), then
 * closes with 1000 and waits for the closing handshake.
 */
@Command(name = "connect", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        sortOptions = false,
        description = {
                "Connect to a WebSocket server.",
                "On a terminal: interactive, with a prompt; messages received appear above the line being typed; "
                        + "Ctrl-D closes cleanly (1000), Ctrl-C quits at once.",
                "Otherwise (pipe mode): each line of standard input is sent as one message, each message received "
                        + "is printed on its own line. At the end of input, it waits until nothing has arrived for "
                        + "--wait seconds (or until --count messages came), then closes with 1000.",
                "Binary messages received are printed in base64 unless --hex, or raw with --binary alone."})
final class ConnectCommand implements Callable<Integer> {
    private static final long MAX_QUEUED = 4L << 20;    // pause reading stdin above this bufferedAmount

    @Parameters(index = "0", paramLabel = "URL", description = "ws://, wss://, http:// or https:// URL.")
    String url;

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

    @Option(names = {"-w", "--wait"}, paramLabel = "SECONDS", converter = Units.Seconds.class,
            description = "After the end of input, close once nothing has arrived for this long (default: 1; "
                    + "with --count: wait for the count).")
    Duration waitAfterInput;

    @Option(names = {"-n", "--count"}, paramLabel = "N", description = "Close after receiving N messages.")
    Long count;

    @Option(names = {"-i", "--interactive"}, description = "Interactive mode even if not on a terminal.")
    boolean forceInteractive;

    @Option(names = "--no-interactive", description = "Pipe mode even on a terminal.")
    boolean forcePipe;

    @Option(names = {"-q", "--quiet"}, description = "Print nothing but the messages and errors.")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, description = "Print on stderr the handshake headers both ways, one line per frame "
            + "sent (>) and received (<), the handshake outcome (URL, protocol, extensions) and the close code; "
            + "stack traces of errors.")
    boolean verbose;

    @Mixin
    ClientOptions client = new ClientOptions();

    private PrintStream out;
    private PrintStream err;
    private Terminal terminal;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong lastArrival = new AtomicLong(System.nanoTime());

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
        boolean interactive = forceInteractive || (!forcePipe && Terminal.isInteractive());
        boolean secure = url.regionMatches(true, 0, "wss:", 0, 4) || url.regionMatches(true, 0, "https:", 0, 6);
        WebSocketOptions options = client.build(secure);

        if (verbose) {
            WireTrace.install(this::notice);
        }
        WebSocket ws;
        try {
            ws = new WebSocket(url, client.protocols, options);
        } catch (DOMException | IllegalArgumentException e) {
            throw Main.usage(e.getMessage());
        }
        ws.binaryType(BinaryType.ARRAYBUFFER);
        CountDownLatch opened = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        CloseEvent[] closeEvent = new CloseEvent[1];
        Throwable[] error = new Throwable[1];
        boolean[] wasOpen = new boolean[1];

        ws.onopen(e -> {
            wasOpen[0] = true;
            if (verbose) {
                notice("connected to " + ws.url() + " (protocol: " + orNone(ws.protocol())
                        + ", extensions: " + orNone(ws.extensions()) + ")");
            }
            opened.countDown();
        });
        ws.onmessage(e -> {
            long n = received.incrementAndGet();
            lastArrival.set(System.nanoTime());
            if (count == null || n <= count) {
                print(((MessageEvent) e).data());
            }
            if (count != null && n == count) {
                ws.close();
            }
        });
        ws.onerror(e -> {
            ErrorEvent ev = (ErrorEvent) e;
            error[0] = ev.error() != null ? ev.error() : new IOException(ev.message());
        });
        ws.onclose(e -> {
            CloseEvent c = (CloseEvent) e;
            closeEvent[0] = c;
            if (verbose) {
                notice("closed: code " + c.code() + (c.reason().isEmpty() ? "" : " (" + c.reason() + ")")
                        + ", wasClean " + c.wasClean());
            }
            opened.countDown();
            closed.countDown();
        });

        opened.await();
        if (!wasOpen[0]) {
            closed.await();
            throw Outcome.notOpened(url, error[0]);
        }
        try {
            if (interactive) {
                interactive(ws, closed);
            } else {
                pipe(ws, closed);
            }
        } finally {
            if (terminal != null) {
                terminal.close();
            }
        }
        if (!closed.await(options.closeTimeout().toMillis() + 2000, TimeUnit.MILLISECONDS)) {
            throw new Main.CliException(Main.ABNORMAL_CLOSE, "the closing handshake did not finish");
        }
        out.flush();
        Main.CliException failure = Outcome.closed(closeEvent[0], error[0]);
        if (failure != null) {
            throw failure;
        }
        return Main.OK;
    }

    // ------------------------------------------------------------------ pipe mode

    private void pipe(WebSocket ws, CountDownLatch closed) throws InterruptedException {
        CountDownLatch inputEnded = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try {
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
            } catch (IOException e) {
                err.println("duplex connect: cannot read standard input: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inputEnded.countDown();
            }
        }, "duplex-stdin");
        reader.setDaemon(true);
        reader.start();

        // Until input ends or the connection closes.
        while (closed.getCount() > 0 && !inputEnded.await(50, TimeUnit.MILLISECONDS)) {
            // waiting
        }
        if (closed.getCount() == 0) {
            return;
        }
        // Input ended: messages that arrive after close() are not delivered (WHATWG), so keep
        // reading until the count is reached or the socket has been quiet for --wait seconds.
        Duration wait = waitAfterInput != null ? waitAfterInput : count != null ? null : Duration.ofSeconds(1);
        lastArrival.set(System.nanoTime());
        while (closed.getCount() > 0 && ws.readyState() == WebSocket.OPEN) {
            if (count != null && received.get() >= count) {
                break;
            }
            if (wait != null) {
                long idle = System.nanoTime() - lastArrival.get();
                if (idle >= wait.toNanos() && ws.bufferedAmount() == 0) {
                    break;
                }
            }
            closed.await(10, TimeUnit.MILLISECONDS);
        }
        ws.close();
    }

    private void send(WebSocket ws, String line, long lineNumber) {
        if (encoding.base64 || encoding.hex) {
            byte[] bytes;
            try {
                bytes = encoding.base64 ? Base64.getDecoder().decode(line.replaceAll("\\s", ""))
                        : HexFormat.of().parseHex(line.strip().replace(" ", ""));
            } catch (IllegalArgumentException e) {
                err.println("duplex connect: line " + lineNumber + " is not " + (encoding.base64 ? "base64" : "hexadecimal")
                        + ", not sent: " + e.getMessage());
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

    private void interactive(WebSocket ws, CountDownLatch closed) throws InterruptedException {
        terminal = Terminal.open();
        if (terminal == null) {
            if (!quiet) {
                err.println("duplex connect: cannot put the terminal in character mode (stty); reading whole lines");
            }
        }
        if (!quiet) {
            notice("Connected to " + ws.url() + (ws.protocol().isEmpty() ? "" : " (protocol " + ws.protocol() + ")")
                    + ". Type a message and Enter to send; Ctrl-D closes, Ctrl-C quits.");
        }
        CountDownLatch inputEnded = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try {
                if (terminal != null) {
                    terminal.prompt();
                    String line;
                    long n = 0;
                    while ((line = terminal.readLine()) != null) {
                        if (ws.readyState() != WebSocket.OPEN) {
                            break;
                        }
                        send(ws, line, ++n);
                    }
                } else {
                    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                    String line;
                    long n = 0;
                    while ((line = in.readLine()) != null && ws.readyState() == WebSocket.OPEN) {
                        send(ws, line, ++n);
                    }
                }
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
        if (closed.getCount() > 0) {
            ws.close();     // Ctrl-D: close cleanly
        }
    }

    // ------------------------------------------------------------------ output

    private void notice(String text) {
        Terminal t = terminal;
        if (t != null) {
            t.printAbove(text);
        } else {
            err.println(text);
        }
    }

    private void print(Object data) {
        Terminal t = terminal;
        if (jsonl) {
            String json = jsonLine(data);
            if (t != null) {
                t.printAbove(json);
            } else {
                out.println(json);
                out.flush();
            }
            return;
        }
        if (data instanceof String) {
            if (t != null) {
                t.printAbove("< " + data);
            } else {
                out.println((String) data);
                out.flush();
            }
            return;
        }
        byte[] bytes = bytes((ByteBuffer) data);
        if (t != null) {
            t.printAbove("< [binary, " + bytes.length + " bytes] " + encode(bytes));
        } else if (binary && !encoding.base64 && !encoding.hex) {
            out.write(bytes, 0, bytes.length);
            out.println();
            out.flush();
        } else {
            out.println(encode(bytes));
            out.flush();
        }
    }

    private String jsonLine(Object data) {
        String timestamp = Instant.now().toString();
        if (data instanceof String) {
            String s = (String) data;
            return "{\"type\":\"text\",\"size\":" + s.getBytes(StandardCharsets.UTF_8).length
                    + ",\"timestamp\":\"" + timestamp + "\",\"data\":" + Json.quote(s) + "}";
        }
        byte[] bytes = bytes((ByteBuffer) data);
        return "{\"type\":\"binary\",\"size\":" + bytes.length + ",\"timestamp\":\"" + timestamp
                + "\",\"encoding\":\"" + (encoding.hex ? "hex" : "base64") + "\",\"data\":\"" + encode(bytes) + "\"}";
    }

    private String encode(byte[] bytes) {
        return encoding.hex ? HexFormat.of().formatHex(bytes) : Base64.getEncoder().encodeToString(bytes);
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] bytes = new byte[b.remaining()];
        b.duplicate().get(bytes);
        return bytes;
    }

    private static String orNone(String s) {
        return s.isEmpty() ? "none" : s;
    }
}
