package dev.duplex.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.duplex.Tls;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.PrivateKey;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The library's SSLContexts behind --cert/--key, --cacert and --insecure, with the CLI's PEM files, checked with plain JDK TLS sockets. */
class TlsTest {
    private static Path resource(String name) throws URISyntaxException {
        return Paths.get(TlsTest.class.getResource("/tls/" + name).toURI());
    }

    /** Runs one TLS handshake and a byte each way between the two contexts. */
    private static void handshake(SSLContext server, SSLContext client, boolean verifyHostname) throws Exception {
        try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Integer> served = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket s = (SSLSocket) listener.accept()) {
                    int b = s.getInputStream().read();
                    s.getOutputStream().write(b + 1);
                    s.getOutputStream().flush();
                    return b;
                } catch (Exception e) {
                    return -1;
                }
            });
            try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("localhost", listener.getLocalPort())) {
                if (verifyHostname) {
                    var params = s.getSSLParameters();
                    params.setEndpointIdentificationAlgorithm("HTTPS");
                    s.setSSLParameters(params);
                }
                OutputStream out = s.getOutputStream();
                out.write(41);
                out.flush();
                InputStream in = s.getInputStream();
                assertThat(in.read()).isEqualTo(42);
            }
            assertThat(served.get(10, TimeUnit.SECONDS)).isEqualTo(41);
        }
    }

    @ParameterizedTest
    @CsvSource({"rsa-cert.pem, rsa-key.pem, RSA", "rsa-cert.pem, rsa-key-pkcs1.pem, RSA", "ec-cert.pem, ec-key-sec1.pem, EC"})
    void serverContextFromPemWorksWithAClientTrustingThatCertificate(String cert, String key, String algorithm)
            throws Exception {
        PrivateKey k = Tls.readPrivateKey(resource(key));
        assertThat(k.getAlgorithm()).isEqualTo(algorithm);
        SSLContext server = Tls.serverContext(resource(cert), resource(key));
        handshake(server, Tls.trusting(resource(cert)), true);
    }

    @Test
    void insecureContextTrustsAnything() throws Exception {
        handshake(Tls.serverContext(resource("ec-cert.pem"), resource("ec-key-sec1.pem")), Tls.insecureTrustingAllCertificates(), false);
    }

    @Test
    void aClientTrustingAnotherCertificateRefuses() throws Exception {
        SSLContext server = Tls.serverContext(resource("rsa-cert.pem"), resource("rsa-key.pem"));
        SSLContext client = Tls.trusting(resource("ec-cert.pem"));
        assertThatThrownBy(() -> handshake(server, client, true)).isInstanceOf(SSLHandshakeException.class);
        assertThat(Outcome.describe(new SSLHandshakeException("PKIX path building failed")))
                .contains("--cacert");
    }

    @Test
    void badFilesAreReported() throws Exception {
        assertThatThrownBy(() -> Tls.readPrivateKey(resource("rsa-cert.pem")))
                .hasMessageContaining("No private key");
        assertThat(Tls.readCertificates(resource("rsa-key.pem"))).isEmpty();
    }
}
