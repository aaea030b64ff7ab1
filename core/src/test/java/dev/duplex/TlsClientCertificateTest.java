package dev.duplex;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link Tls#clientContext}, {@link Tls#serverContextRequiringClientCertificates} (mutual TLS
 * end to end), SEC 1 EC keys, and the warning of {@link Tls#insecureTrustingAllCertificates()}.
 */
@Timeout(60)
class TlsClientCertificateTest {
    @TempDir
    static Path dir;
    static TestCertificates certs;
    static Path sec1Key;

    private final List<WebSocketServer> servers = new ArrayList<>();

    @BeforeAll
    static void makeCertificates() throws Exception {
        certs = TestCertificates.create(dir);
        sec1Key = dir.resolve("leaf-sec1.key");
        Process p = new ProcessBuilder("openssl", "ec", "-in", certs.leafKey.toString(), "-out", sec1Key.toString())
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).isZero();
        assertThat(java.nio.file.Files.readString(sec1Key)).contains("BEGIN EC PRIVATE KEY");
    }

    @AfterEach
    void stop() {
        servers.forEach(WebSocketServer::close);
    }

    private String echoServer(SSLContext ctx) {
        WebSocketServer server = new WebSocketServer(ServerOptions.builder().host("127.0.0.1").port(0).sslContext(ctx).build());
        server.onconnection(e -> e.socket().onmessage(m -> e.socket().send((String) ((MessageEvent) m).data())));
        server.start();
        servers.add(server);
        return "wss://localhost:" + server.port() + "/";
    }

    /** Opens, sends "hi", and returns the echo, or "error: ..." with the error's message. */
    private static String exchange(String url, SSLContext client) throws InterruptedException {
        BlockingQueue<String> out = new LinkedBlockingQueue<>();
        WebSocket ws = new WebSocket(url, List.of(), WebSocketOptions.builder().sslContext(client).build());
        ws.onopen(e -> ws.send("hi"));
        ws.onmessage(e -> out.add((String) ((MessageEvent) e).data()));
        ws.onerror(e -> out.add("error: " + ((ErrorEvent) e).message()));
        ws.onclose(e -> out.add("close " + ((CloseEvent) e).code()));
        String first = out.poll(20, TimeUnit.SECONDS);
        ws.close();
        return first;
    }

    @Test
    void aSec1EcKeyServes() throws Exception {
        String url = echoServer(Tls.serverContext(certs.goodCert, sec1Key));
        assertThat(exchange(url, Tls.trusting(certs.caCert))).isEqualTo("hi");
    }

    @Test
    void aServerRequiringClientCertificatesAcceptsOneSignedByItsCa() throws Exception {
        String url = echoServer(Tls.serverContextRequiringClientCertificates(certs.goodCert, certs.leafKey, certs.caCert));
        assertThat(exchange(url, Tls.clientContext(certs.goodCert, certs.leafKey, certs.caCert))).isEqualTo("hi");
    }

    @Test
    void aServerRequiringClientCertificatesRefusesNoneAndAnUntrustedOne() throws Exception {
        String url = echoServer(Tls.serverContextRequiringClientCertificates(certs.goodCert, certs.leafKey, certs.caCert));
        assertThat(exchange(url, Tls.trusting(certs.caCert))).startsWith("error: ");
        assertThat(exchange(url, Tls.clientContext(certs.selfSignedCert, certs.selfSignedKey, certs.caCert)))
                .startsWith("error: ");
    }

    @Test
    void clientContextWithoutCaUsesTheDefaultTrustStoreAndSoRefusesTheTestCa() throws Exception {
        String url = echoServer(Tls.serverContextRequiringClientCertificates(certs.goodCert, certs.leafKey, certs.caCert));
        assertThat(exchange(url, Tls.clientContext(certs.goodCert, certs.leafKey, null))).contains("not trusted");
    }

    @Test
    void insecureClientWithACertificateTalksToAServerRequiringOne() throws Exception {
        String url = echoServer(Tls.serverContextRequiringClientCertificates(certs.selfSignedCert, certs.selfSignedKey,
                certs.caCert));
        BlockingQueue<String> out = new LinkedBlockingQueue<>();
        WebSocket ws = new WebSocket(url.replace("localhost", "127.0.0.1"), List.of(), WebSocketOptions.builder()
                .sslContext(Tls.insecureTrustingAllCertificates(certs.goodCert, certs.leafKey))
                .hostnameVerification(false).build());
        ws.onopen(e -> ws.send("hi"));
        ws.onmessage(e -> out.add((String) ((MessageEvent) e).data()));
        ws.onerror(e -> out.add("error: " + ((ErrorEvent) e).message()));
        assertThat(out.poll(20, TimeUnit.SECONDS)).isEqualTo("hi");
        ws.close();
    }

    @Test
    void theInsecureContextWarnsOncePerJvm() throws Exception {
        // A JVM of its own: another test of this JVM may have called it first.
        Process p = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), InsecureTwice.class.getName())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output.split("accepts any TLS certificate", -1)).as(output).hasSize(2);
        assertThat(output).contains("WARNING");
    }

    /** Calls the insecure factory three times. */
    static final class InsecureTwice {
        public static void main(String[] args) {
            Tls.insecureTrustingAllCertificates();
            Tls.insecureTrustingAllCertificates();
            Tls.insecureTrustingAllCertificates();
        }
    }
}
