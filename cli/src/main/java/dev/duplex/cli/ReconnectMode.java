package dev.duplex.cli;

import dev.duplex.BinaryType;
import dev.duplex.CloseEvent;
import dev.duplex.DOMException;
import dev.duplex.ErrorEvent;
import dev.duplex.MessageEvent;
import dev.duplex.ReconnectEvent;
import dev.duplex.ReconnectPolicy;
import dev.duplex.ReconnectingWebSocket;
import dev.duplex.WebSocket;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code duplex connect --reconnect}: the same relaying of lines and printing of messages, over a
 * {@link ReconnectingWebSocket}. A drop or a failed connect is reported on stderr
 * ("connection lost ...; reconnecting in ...", then "reconnected") and input keeps being read:
 * lines read while disconnected are queued and sent, in order, once the connection is back. It
 * stops for good on a clean close, a 4xx answer to the handshake, or the end of input (then as
 * without {@code --reconnect}: {@code --wait}, {@code --count}, {@code --close-code}).
 */
final class ReconnectMode {
    /** Lines read while disconnected wait in a queue of at most this many bytes (then reading waits). */
    private static final long MAX_QUEUED = 4L << 20;

    private final ConnectCommand command;
    private final ClientOptions.Target target;
    private final MessagePrinter printer;
    private final Prompt prompt;
    private final PrintStream out;
    private final PrintStream err;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong lastArrival = new AtomicLong(System.nanoTime());
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile CloseEvent closeEvent;
    private volatile Throwable error;
    private volatile boolean everOpen;

    ReconnectMode(ConnectCommand command, ClientOptions.Target target, MessagePrinter printer, Prompt prompt,
                  PrintStream out, PrintStream err) {
        this.command = command;
        this.target = target;
        this.printer = printer;
        this.prompt = prompt;
        this.out = out;
        this.err = err;
    }

    /** The policy for {@code --reconnect-max-delay}: from half a second (or less), doubling, with jitter. */
    static ReconnectPolicy policy(Duration maxDelay) {
        Duration max = maxDelay == null ? ReconnectPolicy.DEFAULT_MAX_DELAY : maxDelay;
        Duration first = max.compareTo(Duration.ofMillis(500)) < 0 ? max : Duration.ofMillis(500);
        return ReconnectPolicy.builder().initialDelay(first).maxDelay(max)
                .queueWhileDisconnected(Integer.MAX_VALUE, MAX_QUEUED).build();
    }

    int run(Duration maxDelay) throws Exception {
        if (maxDelay != null && maxDelay.isZero()) {
            throw Main.usage("--reconnect-max-delay must be more than 0 seconds");
        }
        ReconnectingWebSocket ws;
        try {
            ws = ReconnectingWebSocket.connect(target.url, command.client.protocols, target.options, policy(maxDelay),
                    this::listen);
        } catch (DOMException | IllegalArgumentException e) {
            throw Main.usage(Redact.url(e.getMessage() == null ? e.toString() : e.getMessage()));
        }
        if (!command.execute.isEmpty()) {
            long n = 0;
            for (String m : command.execute) {
                send(ws, m, ++n);
            }
        } else if (readInput(ws)) {
            return Main.INTERRUPTED;
        }
        afterInput(ws);
        if (!closed.await(target.options.closeTimeout().toMillis() + 2000, TimeUnit.MILLISECONDS)) {
            throw new Main.CliException(Main.ABNORMAL_CLOSE, "the closing handshake did not finish");
        }
        out.flush();
        if (!everOpen) {
            throw Outcome.notOpened(target.url, error, command.client.cert);
        }
        Main.CliException failure = Outcome.closed(closeEvent, error);
        if (failure != null) {
            throw failure;
        }
        return Main.OK;
    }

    private void listen(ReconnectingWebSocket ws) {
        ws.binaryType(BinaryType.ARRAYBUFFER);
        ws.onopen(e -> {
            everOpen = true;
            if (command.verbose) {
                notice("connected to " + ws.url() + " (protocol: " + orNone(ws.protocol()) + ", extensions: "
                        + orNone(ws.extensions()) + ")");
            }
        });
        ws.onreconnecting(e -> {
            ReconnectEvent r = (ReconnectEvent) e;
            if (!command.quiet) {
                String why = r.error() != null ? Outcome.describe(Outcome.rootOf(r.error()))
                        : "code " + r.code() + (r.reason().isEmpty() ? "" : " (" + Terminal.oneLine(r.reason()) + ")");
                notice("duplex connect: " + (r.attempt() == 1 ? "connection lost: " : "still disconnected: ") + why
                        + "; reconnecting in " + String.format(java.util.Locale.ROOT, "%.2f s", r.delay().toNanos() / 1e9)
                        + " (attempt " + r.attempt() + ")");
            }
        });
        ws.onreconnected(e -> {
            if (!command.quiet) {
                notice("duplex connect: reconnected to " + Redact.url(ws.url()) + " after "
                        + ((ReconnectEvent) e).attempt() + " attempt(s)");
            }
        });
        ws.onmessage(e -> {
            long n = received.incrementAndGet();
            lastArrival.set(System.nanoTime());
            if (command.count == null || n <= command.count) {
                print(((MessageEvent) e).data());
            }
            if (command.count != null && n == command.count) {
                ws.close(command.closeCode, command.closeReason);
            }
        });
        ws.onerror(e -> {
            ErrorEvent ev = (ErrorEvent) e;
            error = ev.error() != null ? ev.error() : new IOException(ev.message());
        });
        ws.onclose(e -> {
            CloseEvent c = (CloseEvent) e;
            closeEvent = c;
            if (command.verbose) {
                notice("closed: code " + c.code() + (c.reason().isEmpty() ? "" : " (" + Terminal.oneLine(c.reason()) + ")")
                        + ", wasClean " + c.wasClean());
            }
            closed.countDown();
        });
    }

    /** Relays lines until the input ends or the socket is closed for good; true on Ctrl-C. */
    private boolean readInput(ReconnectingWebSocket ws) throws InterruptedException {
        AtomicBoolean interrupted = new AtomicBoolean();
        InputReader.runUntilEndOrClose(() -> {
            BufferedReader lines = prompt == null
                    ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)) : null;
            long n = 0;
            String line;
            try {
                while (ws.readyState() != WebSocket.CLOSED
                        && (line = prompt != null ? prompt.readLine() : lines.readLine()) != null) {
                    if (prompt != null && line.isEmpty()) {
                        continue;
                    }
                    send(ws, line, ++n);
                    while (ws.bufferedAmount() > MAX_QUEUED && ws.readyState() != WebSocket.CLOSED) {
                        Thread.sleep(1);
                    }
                }
            } catch (Prompt.Interrupted e) {
                interrupted.set(true);
            }
        }, closed, err, "the input");
        return interrupted.get();
    }

    /**
     * Input ended: wait for what is queued to go out (through reconnects if need be), then for
     * the count, --wait seconds of quiet, or (--wait -1) the end, and close.
     */
    private void afterInput(ReconnectingWebSocket ws) throws InterruptedException {
        Duration wait = command.waitAfterInput != null ? command.waitAfterInput
                : command.count != null ? null : Duration.ofSeconds(1);
        boolean forever = wait != null && wait.equals(Units.FOREVER);
        lastArrival.set(System.nanoTime());
        while (closed.getCount() > 0) {
            if (command.count != null && received.get() >= command.count) {
                break;
            }
            boolean flushed = ws.readyState() == WebSocket.OPEN && ws.bufferedAmount() == 0;
            if (!flushed) {
                lastArrival.set(System.nanoTime());     // quiet counts from the moment all is out
            } else if (wait != null && !forever && System.nanoTime() - lastArrival.get() >= wait.toNanos()) {
                break;
            }
            closed.await(wait != null && wait.isZero() ? 1 : 10, TimeUnit.MILLISECONDS);
        }
        ws.close(command.closeCode, command.closeReason);
    }

    // While the queue is full (a long outage), wait for room rather than drop the line.
    private void send(ReconnectingWebSocket ws, String line, long lineNumber) throws InterruptedException {
        Object message = encode(line, lineNumber);
        if (message == null) {
            return;
        }
        for (;;) {
            try {
                if (message instanceof String s) {
                    ws.send(s);
                } else {
                    ws.send((byte[]) message);
                }
                return;
            } catch (DOMException e) {
                if (ws.readyState() == WebSocket.CLOSED || ws.readyState() == WebSocket.CLOSING) {
                    return;
                }
                Thread.sleep(10);
            }
        }
    }

    /** The message for an input line, as ConnectCommand sends it; null (reported) for bad base64 or hex. */
    private Object encode(String line, long lineNumber) {
        if (command.encoding.base64 || command.encoding.hex) {
            try {
                return command.encoding.base64 ? Base64.getDecoder().decode(line.replaceAll("\\s", ""))
                        : HexFormat.of().parseHex(line.strip().replace(" ", ""));
            } catch (IllegalArgumentException e) {
                notice("duplex connect: " + (command.execute.isEmpty() ? "line " : "message ") + lineNumber + " is not "
                        + (command.encoding.base64 ? "base64" : "hexadecimal") + ", not sent: " + e.getMessage());
                return null;
            }
        }
        return command.binary ? line.getBytes(StandardCharsets.UTF_8) : line;
    }

    private void notice(String text) {
        if (prompt != null) {
            prompt.printAbove(text);
        } else {
            err.println(text);
        }
    }

    private void print(Object data) {
        if (prompt != null) {
            prompt.printAbove(printer.promptLine(data));
        } else {
            printer.print(out, data);
        }
    }

    private static String orNone(String s) {
        return s.isEmpty() ? "none" : s;
    }
}
