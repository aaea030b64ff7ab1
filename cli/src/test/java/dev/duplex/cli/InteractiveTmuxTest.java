package dev.duplex.cli;

import dev.duplex.WebSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code duplex connect} on a real terminal: run in a detached tmux session (on its own tmux
 * server socket), driven with send-keys and read with capture-pane.
 */
@Timeout(60)
class InteractiveTmuxTest {
    private String socketName;
    private Path dir;

    private static boolean tmuxInstalled() {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, "tmux"))) {
                return true;
            }
        }
        return false;
    }

    @BeforeEach
    void setUp() throws IOException {
        assertThat(tmuxInstalled()).as("tmux is installed (./run-tests installs it)").isTrue();
        socketName = "duplex-test-" + UUID.randomUUID();
        dir = Files.createTempDirectory("duplex-tmux");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (socketName != null) {
            tmux("kill-server");
        }
    }

    private String tmux(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", socketName));
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(10, TimeUnit.SECONDS);
        return out;
    }

    /** Starts {@code duplex ARGS} in a 120x30 tmux pane; its exit status goes to the returned file. */
    private Path start(String... args) throws Exception {
        Path status = dir.resolve("status");
        // The shell survives Ctrl-C (a trap, not an ignore, which the JVM would inherit) to report the status.
        StringBuilder script = new StringBuilder("#!/bin/sh\ntrap 'true' INT\n");
        for (String part : Cli.command(args)) {
            script.append('\'').append(part.replace("'", "'\\''")).append("' ");
        }
        script.append("\necho $? > '").append(status).append("'\nsleep 30\n");
        Path file = dir.resolve("run.sh");
        Files.writeString(file, script);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        String out = tmux("new-session", "-d", "-s", "duplex", "-x", "120", "-y", "30", file.toString());
        assertThat(out).isEmpty();
        return status;
    }

    private String screen() throws Exception {
        return tmux("capture-pane", "-p", "-t", "duplex");
    }

    private String awaitScreen(Predicate<String> condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String s = screen();
        while (!condition.test(s)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("screen never showed " + what + ":\n" + s);
            }
            Thread.sleep(50);
            s = screen();
        }
        return s;
    }

    private static String lastNonEmptyLine(String screen) {
        String[] lines = screen.split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            if (!lines[i].isBlank()) {
                return lines[i];
            }
        }
        return "";
    }

    private static int awaitStatus(Path status) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (Files.exists(status)) {
                String s = Files.readString(status).strip();
                if (!s.isEmpty()) {
                    return Integer.parseInt(s);
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the command did not exit");
    }

    @Test
    void promptIncomingMessageAboveTheTypedLineAndCtrlDClosesCleanly() throws Exception {
        try (TestServers.Echo server = new TestServers.Echo()) {
            Path status = start("connect", server.url());
            awaitScreen(s -> s.contains("Connected to " + server.url()) && lastNonEmptyLine(s).equals(">"),
                    "the banner and the prompt");
            WebSocket peer = server.sockets.poll(10, TimeUnit.SECONDS);
            assertThat(peer).isNotNull();

            tmux("send-keys", "-t", "duplex", "-l", "abc");
            awaitScreen(s -> lastNonEmptyLine(s).equals("> abc"), "the typed text");

            peer.send("ping from server");      // arrives while "abc" is being typed
            String s = awaitScreen(x -> x.contains("< ping from server"), "the incoming message");
            assertThat(lastNonEmptyLine(s)).isEqualTo("> abc");      // the typed line survived, below it

            tmux("send-keys", "-t", "duplex", "-l", "def");
            tmux("send-keys", "-t", "duplex", "Enter");
            assertThat(server.received.poll(10, TimeUnit.SECONDS)).isEqualTo("abcdef");
            s = awaitScreen(x -> x.contains("< abcdef"), "the echo");
            assertThat(s).contains("> abcdef");
            assertThat(lastNonEmptyLine(s)).isEqualTo(">");

            tmux("send-keys", "-t", "duplex", "C-d");
            assertThat(awaitStatus(status)).isEqualTo(Main.OK);
        }
    }

    @Test
    void ctrlCQuitsAtOnceWith130() throws Exception {
        try (TestServers.Echo server = new TestServers.Echo()) {
            Path status = start("connect", server.url());
            awaitScreen(s -> lastNonEmptyLine(s).equals(">"), "the prompt");
            tmux("send-keys", "-t", "duplex", "-l", "half typed");
            awaitScreen(s -> lastNonEmptyLine(s).equals("> half typed"), "the typed text");
            tmux("send-keys", "-t", "duplex", "C-c");
            assertThat(awaitStatus(status)).isEqualTo(Main.INTERRUPTED);
        }
    }
}
