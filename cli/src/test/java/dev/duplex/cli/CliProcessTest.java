package dev.duplex.cli;

import dev.duplex.HandshakeDecision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.ResourceLock;

import java.net.ServerSocket;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code duplex}, {@code duplex connect} and the exit codes, run as a separate process. */
@Timeout(60)
class CliProcessTest {
    private static final String NL = System.lineSeparator();

    @Test
    void noArgumentsRunsTheMdnDemo() throws Exception {
        Cli.Result r = Cli.run("");
        assertThat(r.out).as("%s", r).contains("Echo server listening on ws://localhost:")
                .contains("Connection open; sending \"Hello Server!\"")
                .contains("Message from server: Hello Server!")
                .contains("Connection closed: code=1000 wasClean=true");
        assertThat(r.exit).isEqualTo(Main.OK);
    }

    @Test
    void connectSendsStdinLinesAndPrintsEchoesThroughServe() throws Exception {
        try (Cli.Server server = new Cli.Server("--quiet")) {
            Cli.Result r = Cli.run("hello\nwörld \uD83D\uDE00\n\nlast line\n", "connect", server.url, "--wait", "0.3");
            assertThat(r.out).as("%s", r).isEqualTo("hello\nwörld \uD83D\uDE00\n\nlast line\n".replace("\n", NL));
            assertThat(r.exit).isEqualTo(Main.OK);
            assertThat(r.err).isEmpty();
        }
    }

    @Test
    void base64LinesAreSentAsBinaryAndBinaryIsPrintedInBase64() throws Exception {
        try (TestServers.Echo server = new TestServers.Echo()) {
            Cli.Result r = Cli.run("AQID\n/wA=\n\n", "connect", server.url(), "--base64", "--wait", "0.3");
            assertThat(r.exit).as("%s", r).isEqualTo(Main.OK);
            assertThat(r.out).isEqualTo("AQID" + NL + "/wA=" + NL + NL);
            assertThat((byte[]) server.received.poll(5, TimeUnit.SECONDS)).containsExactly(1, 2, 3);
            assertThat((byte[]) server.received.poll(5, TimeUnit.SECONDS)).containsExactly(0xff, 0);
            assertThat((byte[]) server.received.poll(5, TimeUnit.SECONDS)).isEmpty();
        }
    }

    @Test
    void hexLinesAreSentAsBinaryAndBinaryIsPrintedInHex() throws Exception {
        try (TestServers.Echo server = new TestServers.Echo()) {
            Cli.Result r = Cli.run("0102ff\nDEAD beef\n", "connect", server.url(), "--hex", "--wait", "0.3");
            assertThat(r.exit).as("%s", r).isEqualTo(Main.OK);
            assertThat(r.out).isEqualTo("0102ff" + NL + "deadbeef" + NL);
            assertThat((byte[]) server.received.poll(5, TimeUnit.SECONDS)).containsExactly(1, 2, 0xff);
            assertThat((byte[]) server.received.poll(5, TimeUnit.SECONDS)).containsExactly(0xde, 0xad, 0xbe, 0xef);
        }
    }

    @Test
    void binaryFlagSendsLinesAsBinaryAndPrintsThemRaw() throws Exception {
        try (TestServers.Echo server = new TestServers.Echo()) {
            Cli.Result r = Cli.run("abc\n", "connect", server.url(), "--binary", "--wait", "0.3");
            assertThat(r.exit).as("%s", r).isEqualTo(Main.OK);
            assertThat(r.out).isEqualTo("abc" + NL);
            assertThat((byte[]) server.received.poll(5, TimeUnit.SECONDS)).containsExactly('a', 'b', 'c');
        }
    }

    @Test
    void badBase64LineIsReportedAndSkipped() throws Exception {
        try (TestServers.Echo server = new TestServers.Echo()) {
            Cli.Result r = Cli.run("!!!\nAQ==\n", "connect", server.url(), "--base64", "--wait", "0.3");
            assertThat(r.exit).as("%s", r).isEqualTo(Main.OK);
            assertThat(r.out).isEqualTo("AQ==" + NL);
            assertThat(r.err).contains("line 1 is not base64");
        }
    }

    @Test
    void jsonlPrintsTypeSizeTimestampAndData() throws Exception {
        try (TestServers.Echo server = new TestServers.Echo(request -> HandshakeDecision.accept(),
                ws -> ws.send(new byte[] {0, 1, 2, (byte) 0xfe}))) {
            Instant before = Instant.now();
            Cli.Result r = Cli.run("héllo \"quoted\"\\\n", "connect", server.url(), "--jsonl", "--count", "2");
            assertThat(r.exit).as("%s", r).isEqualTo(Main.OK);
            String[] lines = r.out.split(NL);
            assertThat(lines).hasSize(2);
            Map<String, Object> binary = MiniJson.object(lines[0]);
            assertThat(binary).containsEntry("type", "binary").containsEntry("size", 4.0)
                    .containsEntry("encoding", "base64").containsEntry("data", "AAEC/g==");
            Map<String, Object> text = MiniJson.object(lines[1]);
            assertThat(text).containsEntry("type", "text").containsEntry("data", "héllo \"quoted\"\\")
                    .containsEntry("size", 16.0);
            Instant stamp = Instant.parse((String) text.get("timestamp"));
            assertThat(stamp).isBetween(before.minusSeconds(1), Instant.now());
        }
    }

    @Test
    void countExitsAfterNMessagesWhileStdinIsStillOpen() throws Exception {
        try (TestServers.Echo server = new TestServers.Echo(request -> HandshakeDecision.accept(), ws -> {
            for (int i = 1; i <= 5; i++) {
                ws.send("m" + i);
            }
        }); Cli.Running r = new Cli.Running("connect", server.url(), "--count", "3")) {
            Cli.Result result = r.finish();     // stdin never closed
            assertThat(result.exit).as("%s", result).isEqualTo(Main.OK);
            assertThat(result.out).isEqualTo("m1" + NL + "m2" + NL + "m3" + NL);
        }
    }

    @Test
    void headersOriginAndProtocolReachTheServerAndVerboseShowsTheHandshake() throws Exception {
        try (TestServers.Echo server = new TestServers.Echo(
                request -> request.protocols().contains("chat") ? HandshakeDecision.accept("chat") : HandshakeDecision.accept(),
                ws -> { })) {
            Cli.Result r = Cli.run("x\n", "connect", server.url(), "-H", "X-Token: secret 1", "-H", "Cookie:a=b",
                    "--origin", "https://example.com", "--protocol", "v2.other,chat", "--no-deflate", "--verbose",
                    "--wait", "0.2", "--connect-timeout", "5", "--ping-interval", "10", "--max-message", "1m");
            assertThat(r.exit).as("%s", r).isEqualTo(Main.OK);
            var request = server.requests.get(0);
            assertThat(request.header("X-Token")).isEqualTo("secret 1");
            assertThat(request.header("cookie")).isEqualTo("a=b");
            assertThat(request.origin()).isEqualTo("https://example.com");
            assertThat(request.protocols()).containsExactly("v2.other", "chat");
            assertThat(request.header("Sec-WebSocket-Extensions")).isNull();
            assertThat(r.err).contains("connected to " + server.url()).contains("protocol: chat")
                    .contains("extensions: none").contains("closed: code 1000");
            // the wire: handshake headers both ways, then one line per frame
            String peer = server.url().replaceAll("^ws://([^/]+)/.*$", "$1");
            assertThat(r.err).contains(peer + " > GET / HTTP/1.1").contains(peer + " > X-Token: secret 1")
                    .contains(peer + " < HTTP/1.1 101 Switching Protocols")
                    .contains(peer + " < Sec-WebSocket-Protocol: chat")
                    .contains(peer + " > TEXT 1 byte: \"x\"").contains(peer + " < TEXT 1 byte: \"x\"")
                    .contains(peer + " > CLOSE 2 bytes: code 1000").contains(peer + " < CLOSE 2 bytes: code 1000");
            assertThat(r.out).isEqualTo("x" + System.lineSeparator());
        }
    }

    @Test
    @ResourceLock(Cli.STREAMS)
    void badArgumentsExitWith2AndOneLine() throws Exception {
        for (String[] args : List.of(
                new String[] {"connect", "ftp://example.com/"},
                new String[] {"frobnicate"},
                new String[] {"serve", "--port", "http"},
                new String[] {"connect"},
                new String[] {"connect", "ws://localhost:9/x", "--max-message", "12q"},
                new String[] {"connect", "ws://localhost:9/x", "-H", "no colon"},
                new String[] {"connect", "ws://localhost:9/x", "--base64", "--hex"},
                new String[] {"connect", "ws://localhost:9/x", "--proxy", "nohostport"},
                new String[] {"bench", "--connections", "0"})) {
            Cli.Result r = Cli.inProcess(args);
            assertThat(r.exit).as("%s: %s", List.of(args), r).isEqualTo(Main.USAGE);
            assertThat(r.err.strip()).as("%s", List.of(args)).startsWith("duplex").doesNotContain("\n")
                    .doesNotContain("Exception");
            assertThat(r.out).isEmpty();
        }
        Cli.Result unknown = Cli.run("", "frobnicate");       // and as a process
        assertThat(unknown.exit).isEqualTo(Main.USAGE);
        assertThat(unknown.err).isEqualTo("duplex: unknown command 'frobnicate' (see 'duplex --help')" + NL);
        assertThat(Cli.inProcess("connect", "ftp://example.com/").err).contains("scheme");
    }

    @Test
    void refusedConnectionExitsWith3() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Cli.Result r = Cli.run("", "connect", "ws://127.0.0.1:" + port + "/");
        assertThat(r.exit).as("%s", r).isEqualTo(Main.CONNECTION_FAILED);
        assertThat(r.err).startsWith("duplex connect: cannot connect to ws://127.0.0.1:" + port + "/")
                .doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(r.err.strip()).doesNotContain("\n");
        assertThat(r.out).isEmpty();

        Cli.Result verbose = Cli.run("", "connect", "ws://127.0.0.1:" + port + "/", "--verbose");
        assertThat(verbose.exit).isEqualTo(Main.CONNECTION_FAILED);
        assertThat(verbose.err).contains("\tat ");      // --verbose: the stack trace too
    }

    @Test
    void unknownHostExitsWith3() throws Exception {
        Cli.Result r = Cli.run("", "connect", "ws://no-such-host.invalid/");
        assertThat(r.exit).as("%s", r).isEqualTo(Main.CONNECTION_FAILED);
        assertThat(r.err).contains("no-such-host.invalid");
    }

    @Test
    void handshakeRejectedWith404ExitsWith4() throws Exception {
        try (TestServers.Echo server = new TestServers.Echo(request -> HandshakeDecision.reject(404, "nothing here"),
                ws -> { })) {
            Cli.Result r = Cli.run("", "connect", server.url() + "missing");
            assertThat(r.exit).as("%s", r).isEqualTo(Main.HANDSHAKE_REJECTED);
            assertThat(r.err).startsWith("duplex connect: handshake with").contains("404");
            assertThat(r.err.strip()).doesNotContain("\n");
        }
    }

    @Test
    void abnormalCloseExitsWith5() throws Exception {
        try (TestServers.Dropper server = new TestServers.Dropper()) {
            Cli.Result r = Cli.run("", "connect", server.url(), "--wait", "5");
            assertThat(r.exit).as("%s", r).isEqualTo(Main.ABNORMAL_CLOSE);
            assertThat(r.out).isEqualTo("hello" + NL);
            assertThat(r.err).contains("closed abnormally (code 1006)");
        }
    }

    @Test
    void errorCloseCodeFromThePeerExitsWith5() throws Exception {
        try (TestServers.Echo server = new TestServers.Echo(request -> HandshakeDecision.accept(),
                ws -> ws.close(1011, "internal trouble"))) {
            Cli.Result r = Cli.run("", "connect", server.url(), "--wait", "5");
            assertThat(r.exit).as("%s", r).isEqualTo(Main.ABNORMAL_CLOSE);
            assertThat(r.err).contains("code 1011").contains("internal trouble");
        }
    }

    @Test
    void goingAwayFromThePeerIsAClean0() throws Exception {
        try (TestServers.Echo server = new TestServers.Echo(request -> HandshakeDecision.accept(),
                ws -> ws.close(1001, "bye"))) {
            Cli.Result r = Cli.run("", "connect", server.url(), "--wait", "5");
            assertThat(r.exit).as("%s", r).isEqualTo(Main.OK);
        }
    }

    @Test
    @ResourceLock(Cli.STREAMS)
    void versionAndHelpOnEveryCommand() throws Exception {
        Cli.Result v = Cli.run("", "--version");
        assertThat(v.exit).isZero();
        assertThat(v.out).startsWith("duplex ").doesNotContain("unknown");
        Cli.Result h = Cli.run("", "--help");
        assertThat(h.exit).isZero();
        assertThat(h.out).contains("connect").contains("serve").contains("bench").contains("Exit status")
                .contains("handshake rejected");
        for (String command : List.of("connect", "serve", "bench", "demo")) {
            Cli.Result c = Cli.inProcess(command, "--help");
            assertThat(c.exit).as(command).isZero();
            assertThat(c.out).as(command).startsWith("Usage: duplex " + command).contains("Exit status");
            assertThat(c.err).as(command).isEmpty();        // e.g. no picocli warning about a stray '%'

        }
        assertThat(Cli.inProcess("connect", "--help").out).contains("--insecure").contains("--cacert")
                .contains("--proxy").contains("--jsonl").contains("--count").contains("--max-message");
        assertThat(Cli.inProcess("serve", "--help").out).contains("--broadcast").contains("--exec")
                .contains("--max-connections").contains("--cert");
    }
}
