package dev.duplex.interop;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A peer process (a node or python script) that prints one JSON object a line on stdout and may
 * read commands on stdin. Lines are kept in order; tests wait for the ones they expect. Closing
 * the peer closes its stdin (the scripts end with it), then destroys the process.
 */
final class Peer implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Writer stdin;
    private final List<Map<String, Object>> lines = new ArrayList<>();
    private final StringBuilder stderr = new StringBuilder();
    private final Map<String, Object> ready;

    private Peer(String name, Process process) throws IOException {
        this.name = name;
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread out = new Thread(this::readStdout, "peer-stdout-" + name);
        out.setDaemon(true);
        out.start();
        Thread err = new Thread(this::readStderr, "peer-stderr-" + name);
        err.setDaemon(true);
        err.start();
        this.ready = await(line -> Boolean.TRUE.equals(line.get("ready")), Duration.ofSeconds(30));
    }

    static Peer start(String name, Path workDir, String... command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
        pb.environment().put("NODE_PATH", Env.NODE_MODULES.toString());
        pb.environment().put("PYTHONUNBUFFERED", "1");
        pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        return new Peer(name, pb.start());
    }

    static Peer node(String name, String script, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Env.node(), Env.NODE_DIR.resolve(script).toString()));
        cmd.addAll(List.of(args));
        return start(name, Env.NODE_DIR, cmd.toArray(String[]::new));
    }

    static Peer python(String name, String script, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Env.python(), Env.PYTHON_DIR.resolve(script).toString()));
        cmd.addAll(List.of(args));
        return start(name, Env.PYTHON_DIR, cmd.toArray(String[]::new));
    }

    /** The first line the peer printed: {"ready":true, ...} (port, versions). */
    Map<String, Object> ready() {
        return ready;
    }

    int port() {
        return ((Number) ready.get("port")).intValue();
    }

    synchronized void send(Map<String, ?> command) {
        try {
            stdin.write(Json.write(command) + "\n");
            stdin.flush();
        } catch (IOException e) {
            throw new IllegalStateException(name + ": cannot write to the peer: " + e + diagnostics(), e);
        }
    }

    /** Waits for the first line (since the peer started) that matches. */
    Map<String, Object> await(Predicate<Map<String, Object>> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            int seen = 0;
            while (true) {
                for (; seen < lines.size(); seen++) {
                    if (match.test(lines.get(seen))) {
                        return lines.get(seen);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError(name + ": no matching line from the peer within " + timeout + diagnostics());
                }
                try {
                    lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
        }
    }

    /** The peer's event {@code ev} on connection {@code id}. */
    Map<String, Object> awaitEvent(String id, String ev, Duration timeout) {
        return await(l -> id.equals(l.get("id")) && ev.equals(l.get("ev")), timeout);
    }

    /** The lines about run {@code run} of the scripted server. */
    List<Map<String, Object>> lines(String run) {
        synchronized (lines) {
            return lines.stream().filter(l -> run.equals(l.get("run"))).toList();
        }
    }

    List<Map<String, Object>> events(String id) {
        synchronized (lines) {
            return lines.stream().filter(l -> id.equals(l.get("id"))).toList();
        }
    }

    String diagnostics() {
        synchronized (lines) {
            int from = Math.max(0, lines.size() - 15);
            return "\n  peer " + name + " alive=" + process.isAlive() + "; last lines: " + lines.subList(from, lines.size())
                    + "\n  stderr: " + stderr.toString().lines().limit(40).toList();
        }
    }

    private void readStdout() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                Map<String, Object> parsed;
                try {
                    parsed = Json.object(line);
                } catch (RuntimeException e) {
                    parsed = Map.of("raw", line);
                }
                synchronized (lines) {
                    lines.add(parsed);
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            // process ended
        }
    }

    private void readStderr() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (lines) {
                    if (stderr.length() < 20_000) {
                        stderr.append(line).append('\n');
                    }
                }
            }
        } catch (IOException e) {
            // process ended
        }
    }

    @Override
    public void close() {
        try {
            stdin.close();
        } catch (IOException e) {
            // already gone
        }
        try {
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(3, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
