package dev.duplex.cli;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the duplex command as a separate process, as a user would: {@code java -cp <test class
 * path> dev.duplex.cli.Main ARGS}. Output goes to files, so nothing blocks on a full pipe.
 */
final class Cli {
    private Cli() {}

    static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** A started duplex process whose stdout and stderr go to files. */
    static final class Running implements AutoCloseable {
        final Process process;
        final Path out;
        final Path err;

        Running(String... args) throws IOException {
            this(java.util.Map.of(), args);
        }

        /** With these variables added to (or, with a null value, removed from) the environment. */
        Running(java.util.Map<String, String> env, String... args) throws IOException {
            out = Files.createTempFile("duplex-out", ".txt");
            err = Files.createTempFile("duplex-err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(command(args))
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            env.forEach((k, v) -> {
                if (v == null) {
                    pb.environment().remove(k);
                } else {
                    pb.environment().put(k, v);
                }
            });
            process = pb.start();
        }

        OutputStream stdin() {
            return process.getOutputStream();
        }

        void write(String text) throws IOException {
            process.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().flush();
        }

        void closeStdin() throws IOException {
            process.getOutputStream().close();
        }

        String out() throws IOException {
            return Files.readString(out, StandardCharsets.UTF_8);
        }

        String err() throws IOException {
            return Files.readString(err, StandardCharsets.UTF_8);
        }

        /** Waits until stdout (or stderr) holds {@code text}. */
        String awaitOut(String text) throws Exception {
            return await(out, text);
        }

        String awaitErr(String text) throws Exception {
            return await(err, text);
        }

        private String await(Path file, String text) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                String s = Files.readString(file, StandardCharsets.UTF_8);
                if (s.contains(text)) {
                    return s;
                }
                if (!process.isAlive()) {
                    throw new AssertionError("process ended (" + process.exitValue() + ") without printing '" + text
                            + "'; stdout: " + out() + " stderr: " + err());
                }
                Thread.sleep(20);
            }
            throw new AssertionError("no '" + text + "' within 20 s; stdout: " + out() + " stderr: " + err());
        }

        Result finish() throws Exception {
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("process finished").isTrue();
            Result r = new Result(process.exitValue(), out(), err());
            cleanUp();
            return r;
        }

        private void cleanUp() {
            new File(out.toString()).delete();
            new File(err.toString()).delete();
        }

        @Override
        public void close() throws Exception {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            }
            cleanUp();
        }
    }

    /** A finished run. */
    static final class Result {
        final int exit;
        final String out;
        final String err;

        Result(int exit, String out, String err) {
            this.exit = exit;
            this.out = out;
            this.err = err;
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** Runs duplex with this standard input (then closed) and returns how it ended. */
    static Result run(String stdin, String... args) throws Exception {
        Running r = new Running(args);
        r.write(stdin);
        r.closeStdin();
        return r.finish();
    }

    /**
     * Runs the command line in this JVM (for usage errors and help only: nothing that reads stdin
     * or connects). Tests using it hold the resource lock {@link #STREAMS}.
     */
    static Result inProcess(String... args) {
        synchronized (Main.class) {
            java.io.PrintStream savedOut = Main.out;
            java.io.PrintStream savedErr = Main.err;
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
            try {
                Main.out = new java.io.PrintStream(out, true, StandardCharsets.UTF_8);
                Main.err = new java.io.PrintStream(err, true, StandardCharsets.UTF_8);
                int status = Main.run(args);
                return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
            } finally {
                Main.out = savedOut;
                Main.err = savedErr;
            }
        }
    }

    static final String STREAMS = "dev.duplex.cli.Main.out/err";

    /** A {@code duplex serve} process, with the URL it printed. */
    static final class Server implements AutoCloseable {
        final Running running;
        final String url;

        Server(String... args) throws Exception {
            this(java.util.Map.of(), args);
        }

        Server(java.util.Map<String, String> env, String... args) throws Exception {
            List<String> all = new ArrayList<>(List.of("serve", "--port", "0"));
            all.addAll(List.of(args));
            running = new Running(env, all.toArray(new String[0]));
            String err = running.awaitErr("listening on");
            Matcher m = Pattern.compile("(wss?://[^ ]+/)").matcher(err);
            assertThat(m.find()).as("serve printed its address: %s", err).isTrue();
            url = m.group(1);
        }

        int port() {
            return Integer.parseInt(url.replaceAll(".*:(\\d+)/$", "$1"));
        }

        @Override
        public void close() throws Exception {
            running.close();
        }
    }

    /** One raw HTTP/1.1 exchange on 127.0.0.1: the whole answer as ISO-8859-1 (the server closes). */
    static String http(int port, String request) throws IOException {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            java.io.InputStream in = s.getInputStream();
            java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) > 0) {
                answer.write(buf, 0, n);
                String text = answer.toString(StandardCharsets.ISO_8859_1);
                if (text.startsWith("HTTP/1.1 101") && text.contains("\r\n\r\n")) {
                    return text;        // an upgrade: the connection stays open
                }
            }
            return answer.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /** An upgrade request for {@code path} with extra header lines (each ending in CRLF). */
    static String upgrade(int port, String path, String extraHeaders) {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n";
    }
}
