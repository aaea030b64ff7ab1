package dev.duplex.cli;

import dev.duplex.MessageEvent;
import dev.duplex.WebSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code duplex serve} as a separate process, with {@code duplex connect} or in-JVM clients. */
@Timeout(60)
class ServeProcessTest {
    private static final String NL = System.lineSeparator();

    @Test
    void execCatEchoesLines() throws Exception {
        try (Cli.Server server = new Cli.Server("--exec", "cat", "--quiet")) {
            Cli.Result r = Cli.run("one\ntwo words\nthree\n", "connect", server.url, "--wait", "0.5");
            assertThat(r.exit).as("%s", r).isEqualTo(Main.OK);
            assertThat(r.out).isEqualTo("one" + NL + "two words" + NL + "three" + NL);
        }
    }

    @Test
    void execTrUppercasesAndEachConnectionHasItsOwnProcess() throws Exception {
        try (Cli.Server server = new Cli.Server("--exec", "tr a-z A-Z", "--quiet")) {
            Cli.Result r = Cli.run("hello\nWorld 42\n", "connect", server.url, "--count", "2");
            assertThat(r.exit).as("%s", r).isEqualTo(Main.OK);
            assertThat(r.out).isEqualTo("HELLO" + NL + "WORLD 42" + NL);
            Cli.Result again = Cli.run("again\n", "connect", server.url, "--count", "1");
            assertThat(again.out).isEqualTo("AGAIN" + NL);
        }
    }

    @Test
    void execProcessExitClosesTheSocketWith1000() throws Exception {
        try (Cli.Server server = new Cli.Server("--exec", "echo hi from $DUPLEX_PATH; echo second", "--quiet");
             Cli.Running client = new Cli.Running("connect", server.url + "path", "--verbose")) {
            Cli.Result r = client.finish();        // stdin left open: the server closes
            assertThat(r.exit).as("%s", r).isEqualTo(Main.OK);
            assertThat(r.out).isEqualTo("hi from /path" + NL + "second" + NL);
            assertThat(r.err).contains("closed: code 1000");
        }
    }

    @Test
    void execProcessIsKilledWhenTheSocketCloses() throws Exception {
        try (Cli.Server server = new Cli.Server("--exec", "echo $$; exec sleep 60", "--quiet")) {
            Cli.Result r = Cli.run("", "connect", server.url, "--count", "1");
            assertThat(r.exit).as("%s", r).isEqualTo(Main.OK);
            long pid = Long.parseLong(r.out.strip());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("process killed").isFalse();
        }
    }

    @Test
    void broadcastSendsEveryMessageToEveryClient() throws Exception {
        try (Cli.Server server = new Cli.Server("--broadcast", "--quiet")) {
            List<WebSocket> clients = new ArrayList<>();
            List<BlockingQueue<String>> inboxes = new ArrayList<>();
            CountDownLatch open = new CountDownLatch(3);
            for (int i = 0; i < 3; i++) {
                BlockingQueue<String> inbox = new LinkedBlockingQueue<>();
                WebSocket ws = new WebSocket(server.url);
                ws.onopen(e -> open.countDown());
                ws.onmessage(e -> inbox.add((String) ((MessageEvent) e).data()));
                clients.add(ws);
                inboxes.add(inbox);
            }
            assertThat(open.await(10, TimeUnit.SECONDS)).isTrue();
            clients.get(0).send("from 0");
            clients.get(2).send("from 2");
            for (BlockingQueue<String> inbox : inboxes) {
                List<String> got = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    got.add(inbox.poll(10, TimeUnit.SECONDS));
                }
                assertThat(got).containsExactlyInAnyOrder("from 0", "from 2");
            }
            // a command-line client joining sees later messages too
            try (Cli.Running cli = new Cli.Running("connect", server.url, "--count", "1", "--verbose")) {
                cli.awaitErr("connected to");
                clients.get(1).send("hello everyone");
                Cli.Result r = cli.finish();
                assertThat(r.out).isEqualTo("hello everyone" + NL);
            }
            clients.forEach(WebSocket::close);
        }
    }

    @Test
    void maxConnectionsRejectsWith503AndProtocolListPicksTheFirstOfferedKnownOne() throws Exception {
        try (Cli.Server server = new Cli.Server("--max-connections", "1", "--protocol", "chat,superchat", "--quiet")) {
            CountDownLatch open = new CountDownLatch(1);
            WebSocket first = new WebSocket(server.url, "other", "superchat", "chat");
            first.onopen(e -> open.countDown());
            assertThat(open.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(first.protocol()).isEqualTo("superchat");

            Cli.Result second = Cli.run("", "connect", server.url);
            assertThat(second.exit).as("%s", second).isEqualTo(Main.HANDSHAKE_REJECTED);
            assertThat(second.err).contains("503");

            CountDownLatch closed = new CountDownLatch(1);
            first.onclose(e -> closed.countDown());
            first.close();
            assertThat(closed.await(10, TimeUnit.SECONDS)).isTrue();
            Cli.Result third = Cli.run("x\n", "connect", server.url, "--count", "1");
            assertThat(third.exit).as("%s", third).isEqualTo(Main.OK);
        }
    }

    @Test
    void statusLineReportsConnectionsAndMessages() throws Exception {
        try (Cli.Server server = new Cli.Server()) {
            Cli.Result r = Cli.run("a\nb\nc\n", "connect", server.url, "--count", "3");
            assertThat(r.exit).isEqualTo(Main.OK);
            String err = server.running.awaitErr("messages: 3");
            assertThat(err).contains("connections: ").contains("messages/s: ");
        }
    }

    @Test
    void portInUseIsOneLineAndExit1() throws Exception {
        try (Cli.Server server = new Cli.Server("--quiet")) {
            String port = server.url.replaceAll(".*:(\\d+)/$", "$1");
            Cli.Result r = Cli.run("", "serve", "--port", port);
            assertThat(r.exit).as("%s", r).isEqualTo(Main.FAILURE);
            assertThat(r.err.strip()).startsWith("duplex serve: Cannot listen").doesNotContain("\n");
        }
    }

    @Test
    void wssWithPemCertificateAndCacertOrInsecureClients() throws Exception {
        String tls = java.nio.file.Paths.get(ServeProcessTest.class.getResource("/tls/rsa-cert.pem").toURI())
                .getParent().toString();
        try (Cli.Server server = new Cli.Server("--cert", tls + "/rsa-cert.pem", "--key", tls + "/rsa-key.pem", "--quiet")) {
            assertThat(server.url).startsWith("wss://127.0.0.1:");
            String url = server.url.replace("127.0.0.1", "localhost");
            Cli.Result trusted = Cli.run("secure\n", "connect", url, "--cacert", tls + "/rsa-cert.pem", "--count", "1");
            assertThat(trusted.exit).as("%s", trusted).isEqualTo(Main.OK);
            assertThat(trusted.out).isEqualTo("secure" + NL);

            Cli.Result insecure = Cli.run("x\n", "connect", server.url, "--insecure", "--count", "1");
            assertThat(insecure.exit).as("%s", insecure).isEqualTo(Main.OK);

            Cli.Result untrusted = Cli.run("", "connect", url);
            assertThat(untrusted.exit).as("%s", untrusted).isEqualTo(Main.CONNECTION_FAILED);
            assertThat(untrusted.err.strip()).contains("TLS").contains("--cacert").doesNotContain("\n");

            Cli.Result otherCa = Cli.run("", "connect", url, "--cacert", tls + "/ec-cert.pem");
            assertThat(otherCa.exit).as("%s", otherCa).isEqualTo(Main.CONNECTION_FAILED);
        }
    }
}
