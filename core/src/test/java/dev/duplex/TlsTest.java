package dev.duplex;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** wss:// end to end: certificates made in the test, trusted and not, over the NIO transport. */
@Timeout(60)
class TlsTest {
    @RegisterExtension
    static final TestKit kit = new TestKit();

    @TempDir
    static Path dir;
    static TestCertificates certs;


    @BeforeAll
    static void makeCertificates() throws Exception {
        certs = TestCertificates.create(dir);
    }

    private WebSocketServer echoServer(SSLContext context) {
        return echoServer(ServerOptions.builder().host("127.0.0.1").port(0).sslContext(context));
    }

    private WebSocketServer echoServer(ServerOptions.Builder options) {
        WebSocketServer server = new WebSocketServer(options.build());
        server.onconnection(e -> {
            WebSocket ws = e.socket();
            ws.binaryType(BinaryType.ARRAYBUFFER);
            ws.onmessage(m -> {
                Object data = ((MessageEvent) m).data();
                if (data instanceof String) {
                    ws.send((String) data);
                } else {
                    ws.send((ByteBuffer) data);
                }
            });
        });
        server.start();
        kit.track(server::close);
        return server;
    }

    /** Records a client's events. */
    static final class Client {
        final WebSocket ws;
        final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        final CountDownLatch closed = new CountDownLatch(1);

        Client(String url, WebSocketOptions options) {
            ws = new WebSocket(url, List.of(), options);
            ws.binaryType(BinaryType.ARRAYBUFFER);
            for (String type : List.of("open", "message", "error", "close")) {
                ws.addEventListener(type, e -> {
                    events.add(e);
                    if (type.equals("close")) {
                        closed.countDown();
                    }
                });
            }
        }

        Event next() throws InterruptedException {
            Event e = events.poll(10, TimeUnit.SECONDS);
            assertThat(e).as("an event within 10 s").isNotNull();
            return e;
        }

        CloseEvent awaitClose() throws InterruptedException {
            assertThat(closed.await(10, TimeUnit.SECONDS)).as("close event").isTrue();
            Event e;
            while ((e = events.poll()) != null) {
                if (e instanceof CloseEvent) {
                    return (CloseEvent) e;
                }
            }
            throw new AssertionError("no close event recorded");
        }

        /** The error event of a failed connection; asserts error then close 1006. */
        ErrorEvent awaitFailure() throws InterruptedException {
            Event first = next();
            assertThat(first.type()).isEqualTo("error");
            Event second = next();
            assertThat(second.type()).isEqualTo("close");
            assertThat(((CloseEvent) second).code()).isEqualTo(1006);
            assertThat(((CloseEvent) second).wasClean()).isFalse();
            return (ErrorEvent) first;
        }
    }

    private static WebSocketOptions trustingCa() throws Exception {
        return WebSocketOptions.builder().sslContext(Tls.trusting(certs.caCert)).build();
    }

    private static void echoRoundTrip(Client c) throws InterruptedException {
        assertThat(c.next().type()).isEqualTo("open");
        c.ws.send("héllo over TLS \uD83D\uDE00");
        Event m = c.next();
        assertThat(((MessageEvent) m).data()).isEqualTo("héllo over TLS \uD83D\uDE00");
        byte[] big = new byte[3 << 20];       // many TLS records each way
        new Random(7).nextBytes(big);
        c.ws.send(big);
        Event b = c.next();
        ByteBuffer got = (ByteBuffer) ((MessageEvent) b).data();
        assertThat(got.remaining()).isEqualTo(big.length);
        byte[] copy = new byte[got.remaining()];
        got.get(copy);
        assertThat(copy).isEqualTo(big);
        c.ws.close(1000, "done");
        CloseEvent close = c.awaitClose();
        assertThat(close.code()).isEqualTo(1000);
        assertThat(close.wasClean()).isTrue();
    }

    @Test
    void echoOverTls13WithTrustedCertificateFromPemFiles() throws Exception {
        WebSocketServer server = echoServer(Tls.serverContext(certs.chain(certs.goodCert), certs.goodKey));
        Client c = new Client("wss://localhost:" + server.port() + "/echo", trustingCa());
        echoRoundTrip(c);
        assertThat(c.ws.url()).isEqualTo("wss://localhost:" + server.port() + "/echo");
    }

    @Test
    void echoOverTls12() throws Exception {
        WebSocketServer server = echoServer(Tls.serverContext(certs.chain(certs.goodCert), certs.goodKey));
        SSLContext tls12 = SSLContext.getInstance("TLSv1.2");
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("ca", Tls.readCertificates(certs.caCert).get(0));
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
        tmf.init(ts);
        tls12.init(null, tmf.getTrustManagers(), null);
        Client c = new Client("wss://localhost:" + server.port() + "/", WebSocketOptions.builder().sslContext(tls12).build());
        echoRoundTrip(c);
    }

    @Test
    void ipAddressInTheCertificateIsVerified() throws Exception {
        WebSocketServer server = echoServer(Tls.serverContext(certs.chain(certs.goodCert), certs.goodKey));
        echoRoundTrip(new Client("wss://127.0.0.1:" + server.port() + "/", trustingCa()));
    }

    @Test
    void pkcs12KeyStoreAndPkcs1RsaKeyAreAccepted() throws Exception {
        // PKCS#12 made from the PEM files with the JDK's own KeyStore API.
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", Tls.readPrivateKey(certs.goodKey), "secret".toCharArray(),
                Tls.readCertificates(certs.chain(certs.goodCert)).toArray(new java.security.cert.Certificate[0]));
        Path p12 = dir.resolve("server.p12");
        try (var out = Files.newOutputStream(p12)) {
            ks.store(out, "secret".toCharArray());
        }
        WebSocketServer server = echoServer(Tls.serverContext(p12, "secret".toCharArray()));
        echoRoundTrip(new Client("wss://localhost:" + server.port() + "/", trustingCa()));

        WebSocketServer rsa = echoServer(Tls.serverContext(certs.rsaCert, certs.rsaPkcs1Key));
        echoRoundTrip(new Client("wss://localhost:" + rsa.port() + "/",
                WebSocketOptions.builder().sslContext(Tls.trusting(certs.rsaCert)).build()));
    }

    @Test
    void untrustedCertificateFailsWithAReason() throws Exception {
        WebSocketServer server = echoServer(Tls.serverContext(certs.selfSignedCert, certs.selfSignedKey));
        Client c = new Client("wss://localhost:" + server.port() + "/", trustingCa());
        ErrorEvent error = c.awaitFailure();
        assertThat(error.error()).isInstanceOf(SSLException.class);
        assertThat(error.message()).contains("not trusted");
        // The JVM's default trust store does not know the test CA either.
        Client d = new Client("wss://localhost:" + server.port() + "/", WebSocketOptions.defaults());
        assertThat(d.awaitFailure().message()).contains("not trusted");
    }

    @Test
    void expiredCertificateFailsWithAReason() throws Exception {
        WebSocketServer server = echoServer(Tls.serverContext(certs.chain(certs.expiredCert), certs.goodKey));
        Client c = new Client("wss://localhost:" + server.port() + "/", trustingCa());
        assertThat(c.awaitFailure().message()).contains("expired");
    }

    @Test
    void certificateForAnotherHostFailsUnlessVerificationIsOff() throws Exception {
        WebSocketServer server = echoServer(Tls.serverContext(certs.chain(certs.otherHostCert), certs.goodKey));
        Client c = new Client("wss://localhost:" + server.port() + "/", trustingCa());
        assertThat(c.awaitFailure().message()).contains("does not match the host name localhost");

        WebSocketOptions noVerify = WebSocketOptions.builder().sslContext(Tls.trusting(certs.caCert))
                .hostnameVerification(false).build();
        echoRoundTrip(new Client("wss://localhost:" + server.port() + "/", noVerify));
    }

    @Test
    void insecureContextAcceptsAnySelfSignedServer() throws Exception {
        WebSocketServer server = echoServer(Tls.serverContext(certs.selfSignedCert, certs.selfSignedKey));
        WebSocketOptions insecure = WebSocketOptions.builder().sslContext(Tls.insecureTrustingAllCertificates())
                .hostnameVerification(false).build();
        echoRoundTrip(new Client("wss://localhost:" + server.port() + "/", insecure));
    }

    @Test
    void plainClientAgainstTlsServerFailsAndTheServerKeepsWorking() throws Exception {
        WebSocketServer server = echoServer(Tls.serverContext(certs.chain(certs.goodCert), certs.goodKey));
        Client plain = new Client("ws://localhost:" + server.port() + "/",
                WebSocketOptions.builder().connectTimeout(Duration.ofSeconds(3)).build());
        plain.awaitFailure();
        echoRoundTrip(new Client("wss://localhost:" + server.port() + "/", trustingCa()));
    }

    @Test
    void stalledTlsClientIsDroppedAfterTheHandshakeTimeout() throws Exception {
        WebSocketServer server = echoServer(ServerOptions.builder().host("127.0.0.1").port(0)
                .sslContext(Tls.serverContext(certs.chain(certs.goodCert), certs.goodKey))
                .handshakeTimeout(Duration.ofMillis(500)));
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(5000);
            long start = System.nanoTime();
            InputStream in = s.getInputStream();
            int b;
            try {
                b = in.read();
            } catch (java.net.SocketException reset) {
                b = -1;
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertThat(b).isEqualTo(-1);
            assertThat(ms).isBetween(300L, 4000L);
        }
        echoRoundTrip(new Client("wss://localhost:" + server.port() + "/", trustingCa()));
    }

    @Test
    void aServerRefusesTlsRenegotiation() throws Exception {
        WebSocketServer server = echoServer(Tls.serverContext(certs.chain(certs.goodCert), certs.goodKey));
        javax.net.ssl.SSLSocketFactory factory = Tls.trusting(certs.caCert).getSocketFactory();
        try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) factory.createSocket("localhost", server.port())) {
            s.setEnabledProtocols(new String[] {"TLSv1.2"});     // TLS 1.3 has no renegotiation
            s.setSoTimeout(5_000);
            s.startHandshake();
            s.getOutputStream().write(RawClient.upgrade(server.port(), "/", "").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            byte[] status = new byte[12];
            assertThat(s.getInputStream().readNBytes(status, 0, 12)).isEqualTo(12);
            assertThat(new String(status, java.nio.charset.StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 101");
            s.startHandshake();      // renegotiate
            int read;
            try {
                InputStream in = s.getInputStream();
                do {
                    read = in.read();
                } while (read >= 0);
            } catch (java.net.SocketTimeoutException stillOpen) {
                throw new AssertionError("the server kept the renegotiated connection open", stillOpen);
            } catch (java.io.IOException refused) {
                read = -1;
            }
            assertThat(read).as("the server ended the connection").isEqualTo(-1);
        }
    }

    @Test
    void aServerNeverEnablesTlsBelow12() throws Exception {
        SSLContext context = Tls.serverContext(certs.chain(certs.goodCert), certs.goodKey);
        javax.net.ssl.SSLEngine probe = context.createSSLEngine();
        java.util.List<String> supported = java.util.List.of(probe.getSupportedProtocols());
        assertThat(supported).as("the JDK can speak old TLS").contains("TLSv1.1");
        SSLContext permissive = new SSLContextWith(context, new String[] {"TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"});
        javax.net.ssl.SSLEngine engine = WebSocketServer.serverEngine(permissive);
        assertThat(engine.getEnabledProtocols()).containsExactlyInAnyOrder("TLSv1.2", "TLSv1.3");
        assertThat(engine.getUseClientMode()).isFalse();
    }

    /** A context whose engines start with {@code protocols} enabled, as a misconfigured application's might. */
    private static final class SSLContextWith extends SSLContext {
        SSLContextWith(SSLContext inner, String[] protocols) {
            super(new javax.net.ssl.SSLContextSpi() {
                @Override
                protected void engineInit(javax.net.ssl.KeyManager[] km, javax.net.ssl.TrustManager[] tm,
                                          java.security.SecureRandom sr) {
                }

                @Override
                protected javax.net.ssl.SSLSocketFactory engineGetSocketFactory() {
                    return inner.getSocketFactory();
                }

                @Override
                protected javax.net.ssl.SSLServerSocketFactory engineGetServerSocketFactory() {
                    return inner.getServerSocketFactory();
                }

                @Override
                protected javax.net.ssl.SSLEngine engineCreateSSLEngine() {
                    javax.net.ssl.SSLEngine e = inner.createSSLEngine();
                    e.setEnabledProtocols(protocols);
                    return e;
                }

                @Override
                protected javax.net.ssl.SSLEngine engineCreateSSLEngine(String host, int port) {
                    javax.net.ssl.SSLEngine e = inner.createSSLEngine(host, port);
                    e.setEnabledProtocols(protocols);
                    return e;
                }

                @Override
                protected javax.net.ssl.SSLSessionContext engineGetServerSessionContext() {
                    return inner.getServerSessionContext();
                }

                @Override
                protected javax.net.ssl.SSLSessionContext engineGetClientSessionContext() {
                    return inner.getClientSessionContext();
                }
            }, inner.getProvider(), inner.getProtocol());
        }
    }
}
