package dev.duplex.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code duplex connect --reconnect} against a {@code duplex serve} process that is stopped and
 * started again on the same port, all of them real processes.
 */
@Timeout(90)
class ConnectReconnectProcessTest {
    private static final String NL = System.lineSeparator();

    @Test
    void survivesAServerRestartOnTheSamePortAndKeepsRelayingLines() throws Exception {
        Cli.Server first = new Cli.Server("--quiet");
        int port = first.port();
        try (Cli.Running client = new Cli.Running("connect", first.url, "--reconnect", "--reconnect-max-delay", "0.2",
                "--wait", "0.5")) {
            client.write("one\n");
            client.awaitOut("one" + NL);

            first.running.process.destroy();                  // the server goes away
            assertThat(first.running.process.waitFor(20, TimeUnit.SECONDS)).isTrue();
            first.close();
            client.awaitErr("reconnecting in");
            client.write("two\n");                             // read while disconnected: queued

            try (Cli.Running second = new Cli.Running("serve", "--port", String.valueOf(port), "--quiet")) {
                second.awaitErr("listening on");
                client.awaitErr("reconnected to");
                client.awaitOut("two" + NL);
                client.write("three\n");
                client.awaitOut("three" + NL);
                client.closeStdin();
                Cli.Result r = client.finish();
                assertThat(r.exit).as("%s", r).isEqualTo(Main.OK);
                assertThat(r.out).isEqualTo("one" + NL + "two" + NL + "three" + NL);
                assertThat(r.err).contains("connection lost").contains("reconnected to");
            }
        }
    }

    @Test
    void aRejectedHandshakeIsNotRetried() throws Exception {
        try (TestServers.Echo server = new TestServers.Echo(request -> dev.duplex.HandshakeDecision.reject(403, "no"),
                ws -> { })) {
            Cli.Result r = Cli.run("hello\n", "connect", server.url(), "--reconnect", "--reconnect-max-delay", "0.1");
            assertThat(r.exit).as("%s", r).isEqualTo(Main.HANDSHAKE_REJECTED);
            assertThat(r.err).contains("403").doesNotContain("reconnecting");
        }
    }
}
