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

    @Test
    void staticServesFilesOverPlainHttpBesideTheWebSocket(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Files.writeString(dir.resolve("index.html"), "<script>new WebSocket(location.href.replace('http', 'ws'))</script>");
        java.nio.file.Files.createDirectory(dir.resolve("js"));
        java.nio.file.Files.writeString(dir.resolve("js/app.js"), "console.log('h\u00e9')");
        java.nio.file.Path secret = java.nio.file.Files.writeString(dir.getParent().resolve(dir.getFileName() + "-secret.txt"), "secret");
        java.nio.file.Files.createSymbolicLink(dir.resolve("escape.txt"), secret);
        try (Cli.Server server = new Cli.Server("--static", dir.toString(), "--quiet")) {
            checkStaticFiles(server, secret);
        } finally {
            java.nio.file.Files.deleteIfExists(secret);
        }
    }

    private static void checkStaticFiles(Cli.Server server, java.nio.file.Path secret) throws Exception {
        {
            String http = server.url.replace("ws://", "http://");
            // HTTP/1.1: HttpClient's default HTTP/2 would send "Upgrade: h2c"
            java.net.http.HttpClient hc = java.net.http.HttpClient.newBuilder()
                    .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
            java.net.http.HttpResponse<String> index = get(hc, http, "GET");
            assertThat(index.statusCode()).isEqualTo(200);
            assertThat(index.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
            assertThat(index.body()).contains("new WebSocket");

            java.net.http.HttpResponse<String> js = get(hc, http + "js/app.js", "GET");
            assertThat(js.statusCode()).isEqualTo(200);
            assertThat(js.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
            assertThat(js.body()).isEqualTo("console.log('h\u00e9')");

            java.net.http.HttpResponse<String> head = get(hc, http + "js/app.js", "HEAD");
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.headers().firstValue("Content-Length")).hasValue("18");
            assertThat(head.body()).isEmpty();

            assertThat(get(hc, http + "missing.html", "GET").statusCode()).isEqualTo(404);
            assertThat(get(hc, http + "escape.txt", "GET").statusCode()).as("symlink out of DIR").isEqualTo(404);
            assertThat(get(hc, http + "js", "GET").headers().firstValue("Location")).hasValue("/js/");
            assertThat(get(hc, http + "x", "POST").statusCode()).isEqualTo(405);
            // a raw request: HttpClient would normalise the dots away
            String port = server.url.replaceAll(".*:(\\d+)/$", "$1");
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", Integer.parseInt(port))) {
                s.getOutputStream().write(("GET /%2e%2e/" + secret.getFileName() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                        .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                String answer = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
                assertThat(answer).startsWith("HTTP/1.1 400").doesNotContain("secret");
            }

            // and the WebSocket on the same port still echoes
            Cli.Result r = Cli.run("beside\n", "connect", server.url, "--count", "1");
            assertThat(r.exit).as("%s", r).isEqualTo(Main.OK);
            assertThat(r.out).isEqualTo("beside" + NL);
        }
    }

    @Test
    void staticWithAMissingDirectoryIsABadArgument() throws Exception {
        Cli.Result r = Cli.run("", "serve", "--port", "0", "--static", "/no/such/dir");
        assertThat(r.exit).as("%s", r).isEqualTo(Main.USAGE);
        assertThat(r.err.strip()).contains("--static").contains("not a directory").doesNotContain("\n");
    }

    private static java.net.http.HttpResponse<String> get(java.net.http.HttpClient hc, String url, String method)
            throws Exception {
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                .method(method, java.net.http.HttpRequest.BodyPublishers.noBody()).build();
        return hc.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
    }
}
