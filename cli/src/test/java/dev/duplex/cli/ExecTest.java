package dev.duplex.cli;

import dev.duplex.BinaryType;
import dev.duplex.CloseEvent;
import dev.duplex.MessageEvent;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code serve --exec} and {@code --dir} against real scripts in a temporary folder: the
 * hardening of issue 14 (a child that never reads, an endless line, a grandchild that must
 * die, stdin closed before the signals) and websocketd's behaviour of issue 20 (CGI
 * environment, direct exec, line endings, --binary, --dir, --header).
 */
@Timeout(120)
class ExecTest {
    private static final String NL = System.lineSeparator();

    @TempDir
    Path dir;

    private Path script(String name, String body) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    /** An in-JVM client that records messages and its close. */
    static final class Client {
        final WebSocket ws;
        final BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
        final CompletableFuture<CloseEvent> closed = new CompletableFuture<>();
        final CompletableFuture<Void> opened = new CompletableFuture<>();

        Client(String url) {
            ws = new WebSocket(url, List.of(), WebSocketOptions.builder().perMessageDeflate(false).build());
            ws.binaryType(BinaryType.ARRAYBUFFER);
            ws.onopen(e -> opened.complete(null));
            ws.onmessage(e -> {
                Object d = ((MessageEvent) e).data();
                if (d instanceof ByteBuffer) {
                    ByteBuffer b = (ByteBuffer) d;
                    byte[] bytes = new byte[b.remaining()];
                    b.get(bytes);
                    d = bytes;
                }
                messages.add(d);
            });
            ws.onclose(e -> closed.complete((CloseEvent) e));
        }

        Client open() throws Exception {
            opened.get(20, TimeUnit.SECONDS);
            return this;
        }

        Object next() throws InterruptedException {
            Object m = messages.poll(20, TimeUnit.SECONDS);
            assertThat(m).as("a message within 20 s").isNotNull();
            return m;
        }

        CloseEvent awaitClose() throws Exception {
            return closed.get(30, TimeUnit.SECONDS);
        }
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static void awaitDead(long pid, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (alive(pid) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(alive(pid)).as("process %d ended", pid).isFalse();
    }

    @Test
    void aChildThatNeverReadsIsClosedWith1008AndFreezesNoOtherConnection() throws Exception {
        Path s = script("stuck-or-cat", "if [ \"$QUERY_STRING\" = stuck ]; then exec sleep 60; else exec cat; fi");
        try (Cli.Server server = new Cli.Server("--exec", s.toString(), "--max-backlog", "256k", "--quiet")) {
            Client stuck = new Client(server.url + "?stuck").open();
            String kib = "x".repeat(1023);
            for (int i = 0; i < 2048 && stuck.ws.readyState() == WebSocket.OPEN; i++) {    // 2 MiB: pipe buffer + backlog overflow
                stuck.ws.send(kib);
            }
            CloseEvent c = stuck.awaitClose();
            assertThat(c.code()).isEqualTo(1008);
            assertThat(c.reason()).contains("--max-backlog");
            // meanwhile (and after) other connections and handshakes work
            for (int i = 0; i < 3; i++) {
                Client ok = new Client(server.url + "?ok").open();
                ok.ws.send("still here " + i);
                assertThat(ok.next()).isEqualTo("still here " + i);
                ok.ws.close();
            }
        }
    }

    @Test
    void aChildStuckInAWriteDoesNotBlockTheServerWhileItsSocketIsStillOpen() throws Exception {
        // Before the fix, the event thread blocked in the pipe write: with two event threads two
        // stuck children froze every connection. Four stuck children, each just under the backlog.
        Path s = script("stuck-or-cat", "if [ \"$QUERY_STRING\" = stuck ]; then exec sleep 60; else exec cat; fi");
        try (Cli.Server server = new Cli.Server("--exec", s.toString(), "--max-backlog", "4m", "--quiet")) {
            List<Client> stuck = new ArrayList<>();
            String kib = "y".repeat(1023);
            for (int k = 0; k < 4; k++) {
                Client c = new Client(server.url + "?stuck").open();
                for (int i = 0; i < 1024; i++) {     // 1 MiB each: fills the 64 KiB pipe, then queues
                    c.ws.send(kib);
                }
                stuck.add(c);
            }
            Client ok = new Client(server.url + "?ok").open();
            ok.ws.send("not frozen");
            assertThat(ok.next()).isEqualTo("not frozen");
            for (Client c : stuck) {
                assertThat(c.ws.readyState()).isEqualTo(WebSocket.OPEN);
                c.ws.close();
            }
        }
    }

    @Test
    void anEndlessLineClosesWith1009AtTheCap() throws Exception {
        try (Cli.Server server = new Cli.Server(Map.of("JAVA_TOOL_OPTIONS", "-Xmx64m"), "--exec", "cat /dev/zero",
                "--max-line", "100k", "--quiet")) {
            Client c = new Client(server.url).open();
            CloseEvent close = c.awaitClose();
            assertThat(close.code()).isEqualTo(1009);
            assertThat(close.reason()).contains("--max-line");
            assertThat(c.messages).isEmpty();
            assertThat(server.running.err()).contains("longer than 102400 bytes (--max-line)");
            assertThat(server.running.process.isAlive()).isTrue();
        }
    }

    @Test
    void theWholeProcessGroupDiesWhenTheSocketClosesStdinFirst(@TempDir Path marks) throws Exception {
        // The child starts a grandchild in the background and waits on stdin; at EOF it notes it
        // and exits; the grandchild, left alone, must be killed too.
        Path s = script("forker", "sleep 300 & echo $$ $!\nwhile read line; do echo \"$line\"; done\n"
                + "echo eof > '" + marks.resolve("eof") + "'");
        // A child that ignores SIGTERM (and EOF) and whose grandchild does too: SIGKILL after the grace period.
        Path hard = script("hard", "trap '' TERM\n(trap '' TERM; sleep 300) & echo $$ $!\nexec sleep 300");
        try (Cli.Server server = new Cli.Server("--exec", s.toString(), "--kill-after", "0.5", "--quiet");
             Cli.Server hardServer = new Cli.Server("--exec", hard.toString(), "--kill-after", "0.5", "--quiet")) {
            Client c = new Client(server.url).open();
            String[] pids = ((String) c.next()).split(" ");
            long child = Long.parseLong(pids[0]);
            long grandchild = Long.parseLong(pids[1]);
            c.ws.send("echo me");
            assertThat(c.next()).isEqualTo("echo me");
            assertThat(alive(grandchild)).isTrue();
            c.ws.close();
            awaitDead(child, 10_000);
            awaitDead(grandchild, 10_000);
            assertThat(Files.readString(marks.resolve("eof"))).as("stdin was closed first").isEqualTo("eof\n");

            Client h = new Client(hardServer.url).open();
            String[] hardPids = ((String) h.next()).split(" ");
            long start = System.nanoTime();
            h.ws.close();
            awaitDead(Long.parseLong(hardPids[0]), 10_000);
            awaitDead(Long.parseLong(hardPids[1]), 10_000);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("SIGTERM at 0.5 s, SIGKILL at 1 s")
                    .isGreaterThanOrEqualTo(900);
        }
    }

    @Test
    void theCgiEnvironmentAndOnlyPassedVariablesReachTheChild() throws Exception {
        Path s = script("env", "env | sort");
        Map<String, String> env = Map.of("DUPLEX_TEST_SECRET", "s3cret", "DUPLEX_TEST_PASSED", "yes");
        try (Cli.Server server = new Cli.Server(env, "--exec", s.toString(), "--passenv", "DUPLEX_TEST_PASSED", "--quiet")) {
            int port = server.port();
            Client c = new Client(server.url + "p%2Fq/r?x=1").open();
            List<String> lines = new ArrayList<>();
            while (c.closed.getNow(null) == null || !c.messages.isEmpty()) {
                Object m = c.messages.poll(200, TimeUnit.MILLISECONDS);
                if (m != null) {
                    lines.add((String) m);
                }
            }
            assertThat(c.awaitClose().code()).isEqualTo(1000);
            assertThat(c.awaitClose().reason()).isEqualTo("process exited with status 0");
            assertThat(lines).contains("REMOTE_ADDR=127.0.0.1", "QUERY_STRING=x=1", "PATH_INFO=/p/q/r",
                    "REQUEST_URI=/p%2Fq/r?x=1", "SERVER_NAME=127.0.0.1", "SERVER_PORT=" + port, "REQUEST_METHOD=GET",
                    "GATEWAY_INTERFACE=CGI/1.1", "DUPLEX_PATH=/p%2Fq/r", "DUPLEX_QUERY=x=1", "DUPLEX_PROTOCOL=",
                    "DUPLEX_TEST_PASSED=yes", "HTTP_UPGRADE=websocket");
            assertThat(lines).anyMatch(l -> l.matches("REMOTE_PORT=\\d+"));
            assertThat(lines).anyMatch(l -> l.matches("DUPLEX_REMOTE_ADDR=127\\.0\\.0\\.1:\\d+"));
            assertThat(lines).anyMatch(l -> l.startsWith("PATH="));
            assertThat(lines).noneMatch(l -> l.startsWith("DUPLEX_TEST_SECRET") || l.startsWith("HOME=")
                    || l.startsWith("HTTP_PROXY"));
        }
    }

    @Test
    void headersReachTheChildAsHttpVariables() throws Exception {
        Path s = script("headers", "echo \"token=$HTTP_X_TOKEN proxy=${HTTP_PROXY-unset} cookie=$HTTP_COOKIE\"");
        try (Cli.Server server = new Cli.Server("--exec", s.toString(), "--quiet")) {
            Cli.Result r = Cli.run("", "connect", server.url, "-H", "X-Token: abc", "-H", "X-Token: def",
                    "-H", "Proxy: http://evil.example:1", "-H", "Cookie: a=1", "--wait", "-1");
            assertThat(r.exit).as("%s", r).isEqualTo(Main.OK);
            assertThat(r.out).isEqualTo("token=abc, def proxy=unset cookie=a=1" + NL);
        }
    }

    @Test
    void aPlainCommandRunsWithoutAShellAndShellSyntaxWithOne() throws Exception {
        Path parent = script("parent", "cat /proc/$PPID/comm");
        try (Cli.Server direct = new Cli.Server("--exec", parent.toString(), "--quiet");
             Cli.Server viaShell = new Cli.Server("--exec", parent + " | cat", "--quiet")) {
            Client c = new Client(direct.url).open();
            assertThat(c.next()).as("the script's parent is the server itself").isEqualTo("java");
            Client d = new Client(viaShell.url).open();
            assertThat(d.next()).as("with a pipe, a shell runs it").isEqualTo("sh");
        }
        assertThat(ExecCommand.argv("tr a-z  A-Z")).containsExactly("tr", "a-z", "A-Z");
        assertThat(ExecCommand.argv("echo $HOME")).containsExactly("sh", "-c", "echo $HOME");
        assertThat(ExecCommand.argv("a > b")).containsExactly("sh", "-c", "a > b");
        assertThat(ExecCommand.argv("X=1 prog")).containsExactly("sh", "-c", "X=1 prog");
    }

    @Test
    void linesEndAtNewlineACrlfIsTrimmedALoneCrStaysAndANewlineInAMessageMakesTwoLines() throws Exception {
        Path s = script("lines", "printf 'a\\r\\nb\\rc\\nlast-without-newline'\nexec cat");
        try (Cli.Server server = new Cli.Server("--exec", s.toString(), "--quiet")) {
            Client c = new Client(server.url).open();
            assertThat(c.next()).isEqualTo("a");
            assertThat(c.next()).isEqualTo("b\rc");
            c.ws.send("x\ny");
            assertThat(c.next()).isEqualTo("last-without-newlinex");   // cat continues the unfinished line
            assertThat(c.next()).isEqualTo("y");
        }
    }

    @Test
    void binaryPassesBytesBothWays() throws Exception {
        try (Cli.Server server = new Cli.Server("--exec", "cat", "--binary", "--quiet")) {
            Client c = new Client(server.url).open();
            byte[] bytes = {0, (byte) 0xff, '\n', '\r', (byte) 0xc3};
            c.ws.send(bytes);
            assertThat((byte[]) c.next()).isEqualTo(bytes);
            c.ws.send("text as bytes");
            assertThat(new String((byte[]) c.next(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("text as bytes");
        }
    }

    @Test
    void dirRunsAProgramPerPathWith404OtherwiseAndHeaderIsOnThe101() throws Exception {
        Path scripts = Files.createDirectory(dir.resolve("scripts"));
        Path hello = scripts.resolve("hello");
        Files.writeString(hello, "#!/bin/sh\necho \"$SCRIPT_NAME $PATH_INFO\"\n");
        Files.setPosixFilePermissions(hello, PosixFilePermissions.fromString("rwx------"));
        Files.writeString(scripts.resolve("notexec"), "#!/bin/sh\necho no\n");
        Files.writeString(scripts.resolve(".hidden"), "#!/bin/sh\necho no\n");
        Files.setPosixFilePermissions(scripts.resolve(".hidden"), PosixFilePermissions.fromString("rwx------"));
        try (Cli.Server server = new Cli.Server("--dir", scripts.toString(), "--header", "X-Served-By: duplex test",
                "--quiet")) {
            Client c = new Client(server.url + "hello/room/1").open();
            assertThat(c.next()).isEqualTo("/hello /room/1");
            int port = server.port();
            for (String missing : new String[] {"/", "/nothing", "/notexec", "/.hidden", "/../ExecTest.java"}) {
                assertThat(Cli.http(port, Cli.upgrade(port, missing, ""))).as(missing).startsWith("HTTP/1.1 404");
            }
            assertThat(Cli.http(port, Cli.upgrade(port, "/hello", ""))).startsWith("HTTP/1.1 101")
                    .contains("X-Served-By: duplex test\r\n");
        }
        Cli.Result bad = Cli.run("", "serve", "--port", "0", "--header", "Upgrade: x");
        assertThat(bad.exit).isEqualTo(Main.USAGE);
        assertThat(bad.err).contains("--header");
    }
}
