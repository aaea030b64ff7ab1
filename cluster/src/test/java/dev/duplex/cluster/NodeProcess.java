package dev.duplex.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A {@link NodeMain} in a child JVM, driven over its stdin and stdout; stopped by its PID. */
final class NodeProcess implements AutoCloseable {
    final String id;
    final Process process;
    final int port;
    private final PrintStream stdin;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    final List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();

    private NodeProcess(String id, Process process) throws Exception {
        this.id = id;
        this.process = process;
        this.stdin = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("EVENT ")) {
                        events.add(line.substring(6));
                    } else {
                        answers.add(line);
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "node-" + id + "-stdout");
        reader.setDaemon(true);
        reader.start();
        String first = answers.poll(60, TimeUnit.SECONDS);
        if (first == null || !first.startsWith("PORT ")) {
            process.destroyForcibly();
            throw new IllegalStateException("node " + id + " did not start: " + first);
        }
        this.port = Integer.parseInt(first.substring(5));
    }

    /** Starts a node; its stderr goes to {@code log}. Arguments after the node id as for {@link NodeMain}. */
    static NodeProcess start(String redisUri, String id, Path log, String... more) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(javaBinary(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), NodeMain.class.getName(), redisUri, id));
        cmd.addAll(List.of(more));
        Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
        return new NodeProcess(id, p);
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    String url(String path) {
        return "ws://127.0.0.1:" + port + path;
    }

    /** Sends a command and returns the answer line. */
    String ask(String command) throws InterruptedException {
        stdin.println(command);
        String answer = answers.poll(10, TimeUnit.SECONDS);
        if (answer == null) {
            throw new AssertionError("node " + id + " did not answer '" + command + "'");
        }
        return answer;
    }

    /** [published, notRelayed, received, missed, duplicates, malformed, linkDowns] */
    long[] stats() throws InterruptedException {
        String[] f = ask("stats").split(" ");
        long[] s = new long[f.length - 1];
        for (int i = 1; i < f.length; i++) {
            s[i - 1] = Long.parseLong(f[i]);
        }
        return s;
    }

    boolean hasEvent(String prefix) {
        return events.stream().anyMatch(e -> e.startsWith(prefix));
    }

    /** SIGKILL: the node gets no chance to leave the cluster. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stdin.close();      // NodeMain leaves the cluster and exits at the end of its input
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }
}
