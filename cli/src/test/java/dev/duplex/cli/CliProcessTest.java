package dev.duplex.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the duplex command as a separate process, as a user would. */
@Timeout(60)
class CliProcessTest {

    private static Process start(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        cmd.add(java.toString());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).start();
    }

    private static Result run(String stdin, String... args) throws Exception {
        Process p = start(args);
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("process finished").isTrue();
        return new Result(p.exitValue(),
                new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static final class Result {
        final int exit;
        final String out;
        final String err;

        Result(int exit, String out, String err) {
            this.exit = exit;
            this.out = out;
            this.err = err;
        }
    }

    @Test
    void noArgumentsRunsTheMdnDemo() throws Exception {
        Result r = run("");
        assertThat(r.out).contains("Echo server listening on ws://localhost:")
                .contains("Message from server: Hello Server!")
                .contains("Connection closed: code=1000 wasClean=true");
        assertThat(r.exit).isEqualTo(Main.OK);
    }

    @Test
    void connectSendsStdinLinesAndPrintsEchoes() throws Exception {
        Process server = start("serve", "--port", "0");
        try {
            BufferedReader err = new BufferedReader(new InputStreamReader(server.getErrorStream(), StandardCharsets.UTF_8));
            String line = err.readLine();
            Matcher m = Pattern.compile("ws://127\\.0\\.0\\.1:(\\d+)/").matcher(line == null ? "" : line);
            assertThat(m.find()).as("serve printed its address: %s", line).isTrue();
            String url = "ws://127.0.0.1:" + m.group(1) + "/";

            Result r = run("hello\nwörld \uD83D\uDE00\n\nlast line\n", "connect", url);
            assertThat(r.out).isEqualTo("hello\nwörld \uD83D\uDE00\n\nlast line\n".replace("\n", System.lineSeparator()));
            assertThat(r.exit).isEqualTo(Main.OK);
            assertThat(r.err).isEmpty();
        } finally {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void refusedConnectionIsOneLineAndExitCode1() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Result r = run("", "connect", "ws://127.0.0.1:" + port + "/");
        assertThat(r.exit).isEqualTo(Main.CONNECTION_FAILED);
        assertThat(r.err).contains("duplex:").doesNotContain("\tat ").doesNotContain("Exception in thread");
        assertThat(r.out).isEmpty();
    }

    @Test
    void badArgumentsExitWith2AndNoStackTrace() throws Exception {
        Result r = run("", "connect", "ftp://example.com/");
        assertThat(r.exit).isEqualTo(Main.USAGE);
        assertThat(r.err).contains("scheme").doesNotContain("\tat ");

        Result unknown = run("", "frobnicate");
        assertThat(unknown.exit).isEqualTo(Main.USAGE);
        assertThat(unknown.err).contains("unknown command");

        Result port = run("", "serve", "--port", "http");
        assertThat(port.exit).isEqualTo(Main.USAGE);
        assertThat(port.err).contains("--port");
    }

    @Test
    void versionAndHelp() throws Exception {
        Result v = run("", "--version");
        assertThat(v.exit).isZero();
        assertThat(v.out).startsWith("duplex ").doesNotContain("unknown");
        Result h = run("", "--help");
        assertThat(h.exit).isZero();
        assertThat(h.out).contains("connect URL").contains("serve");
    }
}
