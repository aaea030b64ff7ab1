package dev.duplex.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code duplex connect}: {@code --slash} commands as control frames, {@code --verbose}
 * round trips, and {@code --wait 0} keeping the reply; run as a process against servers on
 * 127.0.0.1.
 */
@Timeout(120)
class ConnectControlTest {
    private static final String NL = System.lineSeparator();

    private static List<String> frames(TestServers.FrameRecorder server, int n) throws InterruptedException {
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            TestServers.FrameRecorder.Frame f = server.frames.poll(10, TimeUnit.SECONDS);
            assertThat(f).as("frame %d after %s", i + 1, seen).isNotNull();
            seen.add(f.toString());
        }
        return seen;
    }

    @Test
    void slashCommandsSendPingPongAndCloseFramesAndShowThePongsRoundTrip() throws Exception {
        try (TestServers.FrameRecorder server = new TestServers.FrameRecorder();
             Cli.Running r = new Cli.Running("connect", server.url(), "--interactive", "--slash")) {
            r.write("/ping abc\n");
            String err = r.awaitErr("< pong \"abc\" after ");
            assertThat(err).containsPattern(Pattern.compile("< pong \"abc\" after \\d+\\.\\d{3} ms \\(smoothed \\d+\\.\\d{3} ms\\)"));
            r.write("/pong xyz\n/ping\nhello\n//slashed\n/frobnicate\n/close 4001 bye now\n");
            Cli.Result result = r.finish();
            List<String> frames = frames(server, 6);
            // A ping goes out through the I/O loop, so it may pass the messages sent before it.
            assertThat(frames.subList(0, 5)).as("%s", result)
                    .containsExactlyInAnyOrder("9:abc", "10:xyz", "9:", "1:hello", "1:/slashed");
            assertThat(frames.subList(0, 5)).containsSubsequence("9:abc", "10:xyz", "1:hello", "1:/slashed");
            assertThat(frames.get(5)).isEqualTo("8:4001 bye now");
            assertThat(server.frames.poll(200, TimeUnit.MILLISECONDS)).isNull();
            assertThat(result.out).isEqualTo("hello" + NL + "/slashed" + NL);
            assertThat(result.err).contains("< pong after ").contains("unknown command /frobnicate");
        }
    }

    @Test
    void withoutSlashALineStartingWithSlashIsSentAsText() throws Exception {
        try (TestServers.FrameRecorder server = new TestServers.FrameRecorder()) {
            Cli.Result r = Cli.run("/ping abc\n/close 4001\n", "connect", server.url(), "--interactive");
            assertThat(frames(server, 3)).as("%s", r).containsExactly("1:/ping abc", "1:/close 4001", "8:1000 ");
            assertThat(r.out).isEqualTo("/ping abc" + NL + "/close 4001" + NL);
            assertThat(r.exit).isEqualTo(Main.OK);
        }
    }

    @Test
    void pingDataOver125BytesIsRefusedWithOneLine() throws Exception {
        try (TestServers.FrameRecorder server = new TestServers.FrameRecorder()) {
            Cli.Result r = Cli.run("/ping " + "x".repeat(126) + "\nafter\n", "connect", server.url(), "-i", "--slash");
            assertThat(r.err).as("%s", r).contains("/ping: 126 bytes of data; a ping or pong carries at most 125");
            assertThat(frames(server, 2)).containsExactly("1:after", "8:1000 ");
        }
    }

    @Test
    void verbosePrintsKeepAliveRoundTrips() throws Exception {
        try (TestServers.Echo server = new TestServers.Echo()) {
            Cli.Result r = Cli.run("", "connect", server.url(), "-x", "hi", "--ping-interval", "0.1", "--wait", "1",
                    "--verbose");
            assertThat(r.exit).as("%s", r).isEqualTo(Main.OK);
            assertThat(r.out).isEqualTo("hi" + NL);
            long lines = r.err.lines().filter(l -> Pattern.matches(
                    "pong: round trip \\d+\\.\\d{3} ms, smoothed \\d+\\.\\d{3} ms", l)).count();
            assertThat(lines).as("%s", r).isGreaterThanOrEqualTo(2);

            Cli.Result quiet = Cli.run("", "connect", server.url(), "-x", "hi", "--ping-interval", "0.1", "--wait", "0.5");
            assertThat(quiet.err).as("%s", quiet).doesNotContain("round trip");
        }
    }

    /**
     * The client closes right after sending; the echo, on the wire after our close frame and
     * before the server's, must still be printed. Against {@code duplex serve}: a Duplex server
     * answers a close only after the handlers of the messages before it have run.
     */
    @Test
    void waitZeroNeverLosesTheReplyOfServe() throws Exception {
        try (Cli.Server server = new Cli.Server("--quiet")) {
            waitZero(server.url);
        }
    }

    /** The same against a raw server that echoes at once, before it reads the close frame. */
    @Test
    void waitZeroNeverLosesTheReplyOfARawEchoServer() throws Exception {
        try (TestServers.FrameRecorder server = new TestServers.FrameRecorder()) {
            waitZero(server.url());
        }
    }

    private static void waitZero(String url) throws Exception {
        for (int i = 0; i < 20; i++) {
            Cli.Result r = Cli.run("", "connect", url, "-x", "hi", "--wait", "0");
            assertThat(r.out).as("run %d: %s", i + 1, r).isEqualTo("hi" + NL);
            assertThat(r.exit).as("run %d: %s", i + 1, r).isEqualTo(Main.OK);
        }
    }
}
