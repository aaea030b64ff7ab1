package dev.duplex.cli;

import dev.duplex.Blob;
import dev.duplex.MessageEvent;
import dev.duplex.WebSocket;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One {@code --exec} connection: a socket and the child process it drives.
 *
 * <ul>
 *   <li>Input: each text message is written to the child's stdin as a line (a message holding
 *       newlines becomes several lines, as with websocketd), each binary message as its bytes,
 *       by the child's own {@link ChildInput} thread, never on Duplex's event threads.</li>
 *   <li>Output: read by a thread of its own; in text mode cut into lines by
 *       {@link LineSplitter} (capped at {@code --max-line}), with {@code --binary} sent as binary
 *       messages in the chunks the child writes. Reading pauses while more than
 *       {@link #MAX_QUEUED} bytes wait to be sent to a slow client.</li>
 *   <li>The child runs in a session and process group of its own ({@code setsid}, when
 *       installed), so that {@link #terminate} reaches what it forked too: when the socket
 *       closes, stdin is closed first; once the child has exited, or after {@code --kill-after}
 *       seconds, every process left in its group gets SIGTERM, and SIGKILL after the same time
 *       again.</li>
 *   <li>When the child's output ends and it has exited, the socket closes with 1000
 *       "process exited with status N".</li>
 * </ul>
 */
final class ExecSession {
    /** Output read from the child pauses while this much waits to be sent to the client. */
    static final long MAX_QUEUED = 4L << 20;

    /** What every connection of one server shares. */
    static final class Settings {
        boolean binary;
        int maxLine;
        long maxBacklog;
        long killAfterMillis;
        List<String> passenv = List.of();
        boolean tls;
        Consumer<String> log;
        Map<String, String> serverEnvironment = System.getenv();
    }

    private static final String SETSID = existing("/usr/bin/setsid", "/bin/setsid");
    // coreutils' stdbuf works by preloading this library with _STDBUF_O set: doing that
    // ourselves makes the child's stdio line-buffered on a pipe without the exec of stdbuf.
    private static final String LIBSTDBUF = existing("/usr/libexec/coreutils/libstdbuf.so",
            "/usr/lib/coreutils/libstdbuf.so", "/usr/local/libexec/coreutils/libstdbuf.so");
    private static final ScheduledExecutorService REAPER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "duplex-exec-reaper");
        t.setDaemon(true);
        return t;
    });

    private final WebSocket ws;
    private final Settings settings;
    private final Process process;
    private final ChildInput input;
    private final AtomicBoolean terminating = new AtomicBoolean();
    private final boolean ownGroup;

    private ExecSession(WebSocket ws, Settings settings, Process process, boolean ownGroup) {
        this.ws = ws;
        this.settings = settings;
        this.process = process;
        this.ownGroup = ownGroup;
        this.input = new ChildInput(process.getOutputStream(), settings.maxBacklog, "duplex-exec-in-" + process.pid());
    }

    /** Whether children get a process group of their own (setsid is installed and /proc readable). */
    static boolean groupsSupported() {
        return SETSID != null && ProcessGroup.supported();
    }

    /**
     * Starts {@code argv} for {@code ws} with environment {@code env}.
     *
     * @return the session, or null if the program could not be started (the socket is closed with 1011)
     */
    static ExecSession start(WebSocket ws, List<String> argv, Map<String, String> env, Settings settings) {
        List<String> command = new ArrayList<>();
        boolean ownGroup = groupsSupported();
        if (ownGroup) {
            command.add(SETSID);
        }
        command.addAll(argv);
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        Map<String, String> e = pb.environment();
        e.clear();
        e.putAll(env);
        if (LIBSTDBUF != null) {
            String preload = e.get("LD_PRELOAD");
            e.put("LD_PRELOAD", preload == null || preload.isEmpty() ? LIBSTDBUF : preload + ":" + LIBSTDBUF);
            e.put("_STDBUF_O", "L");
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException ex) {
            settings.log.accept("cannot run " + String.join(" ", argv) + ": " + ex.getMessage());
            ws.close(1011, "cannot start the command");
            return null;
        }
        ExecSession s = new ExecSession(ws, settings, p, ownGroup);
        ws.onmessage(s::onMessage);
        ws.onclose(c -> s.terminate());
        Thread out = new Thread(null, s::pumpOutput, "duplex-exec-out-" + p.pid(), 256 * 1024);
        out.setDaemon(true);
        out.start();
        if (ws.readyState() != WebSocket.OPEN) {
            s.terminate();      // closed before the listeners were set
        }
        return s;
    }

    long pid() {
        return process.pid();
    }

    private void onMessage(dev.duplex.Event m) {
        Object data = ((MessageEvent) m).data();
        byte[] bytes;
        if (data instanceof String) {
            byte[] text = ((String) data).getBytes(StandardCharsets.UTF_8);
            bytes = settings.binary ? text : Arrays.copyOf(text, text.length + 1);
            if (!settings.binary) {
                bytes[text.length] = '\n';
            }
        } else {
            Blob blob = (Blob) data;
            try {
                if (blob.size() > settings.maxBacklog) {
                    bytes = null;       // could never be queued: do not read it onto the heap
                } else {
                    bytes = blob.bytes();
                }
            } finally {
                blob.close();       // a large message's temporary file goes now
            }
        }
        if (bytes == null || !input.offer(bytes)) {
            settings.log.accept("closing " + ws.url() + ": the command has not read its input (over "
                    + settings.maxBacklog + " bytes waiting, --max-backlog)");
            ws.close(1008, "the command is not reading its input (--max-backlog)");
        }
    }

    private void pumpOutput() {
        byte[] buf = new byte[64 * 1024];
        LineSplitter lines = new LineSplitter(settings.maxLine, this::sendText);
        try (InputStream out = process.getInputStream()) {
            int n;
            while ((n = out.read(buf)) > 0) {
                if (ws.readyState() != WebSocket.OPEN) {
                    break;
                }
                if (settings.binary) {
                    ws.send(Arrays.copyOf(buf, n));
                } else {
                    lines.feed(buf, 0, n);
                }
                while (ws.bufferedAmount() > MAX_QUEUED && ws.readyState() == WebSocket.OPEN) {
                    Thread.sleep(1);
                }
            }
            if (!settings.binary) {
                lines.finish();
            }
        } catch (LineSplitter.LineTooLongException e) {
            settings.log.accept("closing " + ws.url() + ": " + e.getMessage());
            ws.close(1009, "output line too long (--max-line " + settings.maxLine + ")");
            return;
        } catch (IOException e) {
            // the output pipe closed: the child exited or closed its stdout
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            int status = process.waitFor();
            if (ws.readyState() == WebSocket.OPEN) {
                ws.close(1000, "process exited with status " + status);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void sendText(String line) {
        if (ws.readyState() == WebSocket.OPEN) {
            ws.send(line);
        }
    }

    /**
     * Ends the child: its stdin is closed now; when it has exited, or after {@code --kill-after},
     * whatever is left of its process group gets SIGTERM, then SIGKILL after the same delay.
     * Safe to call more than once, from any thread; never blocks.
     */
    void terminate() {
        if (!terminating.compareAndSet(false, true)) {
            return;
        }
        input.close();
        long grace = settings.killAfterMillis;
        var timeout = REAPER.schedule(() -> signalAll(false, grace, 0), grace, TimeUnit.MILLISECONDS);
        process.onExit().thenRun(() -> {
            if (timeout.cancel(false)) {
                REAPER.execute(() -> signalAll(false, grace, 0));
            }
        });
    }

    // SIGTERM to every member; SIGKILL to those left after the grace period, then again (a few
    // times) for members forked meanwhile. Returns how many got the signal.
    private int signalAll(boolean kill, long grace, int round) {
        int signalled;
        if (ownGroup) {
            signalled = new ProcessGroup(process.pid()).signal(kill);
        } else {
            List<ProcessHandle> all = new ArrayList<>();
            process.descendants().forEach(all::add);
            all.add(process.toHandle());
            signalled = 0;
            for (ProcessHandle h : all) {
                if (h.isAlive()) {
                    signalled++;
                    if (kill) {
                        h.destroyForcibly();
                    } else {
                        h.destroy();
                    }
                }
            }
        }
        if (signalled > 0 && !kill) {
            REAPER.schedule(() -> signalAll(true, grace, 0), grace, TimeUnit.MILLISECONDS);
        } else if (signalled > 0 && round < 10) {
            REAPER.schedule(() -> signalAll(true, grace, round + 1), 100, TimeUnit.MILLISECONDS);
        }
        return signalled;
    }

    /** For the shutdown hook: SIGTERM now, SIGKILL after the grace period, waiting at most that long. */
    void killNow() {
        input.close();
        signalAll(false, settings.killAfterMillis, 0);
        try {
            process.waitFor(settings.killAfterMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (ownGroup) {
            new ProcessGroup(process.pid()).signal(true);
        } else {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    private static String existing(String... paths) {
        for (String p : paths) {
            if (Files.isRegularFile(Path.of(p))) {
                return p;
            }
        }
        return null;
    }
}
