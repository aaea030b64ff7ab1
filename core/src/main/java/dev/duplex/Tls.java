package dev.duplex;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.net.Socket;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyManagementException;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;

/**
 * Ready-made {@link SSLContext}s for the usual cases: a server certificate from a PKCS#12 key
 * store or from PEM files, a server that requires client certificates, a client that trusts
 * given CA certificates, a client that presents a certificate of its own, and — spelled out on
 * purpose — a client that trusts every certificate.
 *
 * <pre>{@code
 * ServerOptions.builder().sslContext(Tls.serverContext(Path.of("cert.pem"), Path.of("key.pem")))
 * WebSocketOptions.builder().sslContext(Tls.trusting(Path.of("ca.pem")))
 * WebSocketOptions.builder().sslContext(Tls.clientContext(Path.of("me.pem"), Path.of("me.key"), Path.of("ca.pem")))
 * }</pre>
 *
 * <p>PEM private keys may be PKCS#8 ({@code BEGIN PRIVATE KEY}: RSA, EC, Ed25519, Ed448,
 * RSASSA-PSS, DSA), PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) or SEC 1 ({@code BEGIN EC PRIVATE
 * KEY}, what {@code openssl ecparam -genkey} writes), unencrypted.
 */
public final class Tls {
    private static final System.Logger LOG = System.getLogger("dev.duplex.tls");
    private static final AtomicBoolean INSECURE_WARNED = new AtomicBoolean();

    private Tls() {}

    /**
     * A server context from a PKCS#12 key store holding the private key and its certificate chain.
     *
     * @throws IOException if the file cannot be read or the password is wrong
     * @throws GeneralSecurityException if the key store holds no usable key
     */
    public static SSLContext serverContext(Path pkcs12, char[] password) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(pkcs12)) {
            ks.load(in, password);
        }
        return serverContext(ks, password);
    }

    /**
     * A server context from PEM files: the certificate chain (server certificate first) and its
     * private key, unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}, RSA or EC) or PKCS#1
     * ({@code BEGIN RSA PRIVATE KEY}).
     *
     * @throws IOException if a file cannot be read or holds no certificate or key
     * @throws GeneralSecurityException if the key cannot be decoded
     */
    public static SSLContext serverContext(Path certificateChainPem, Path privateKeyPem)
            throws IOException, GeneralSecurityException {
        List<X509Certificate> chain = readCertificates(certificateChainPem);
        if (chain.isEmpty()) {
            throw new IOException("No certificate (BEGIN CERTIFICATE) in " + certificateChainPem);
        }
        PrivateKey key = readPrivateKey(privateKeyPem);
        char[] password = new char[0];
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", key, password, chain.toArray(new Certificate[0]));
        return serverContext(ks, password);
    }

    private static SSLContext serverContext(KeyStore ks, char[] password) throws GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    /**
     * A client context that trusts the CA (or self-signed) certificates in a PEM file, instead of
     * the JVM's default trust store. Host names are still verified.
     */
    public static SSLContext trusting(Path caCertificatesPem) throws IOException, GeneralSecurityException {
        List<X509Certificate> certs = readCertificates(caCertificatesPem);
        if (certs.isEmpty()) {
            throw new IOException("No certificate (BEGIN CERTIFICATE) in " + caCertificatesPem);
        }
        return trusting(certs);
    }

    /** A client context that trusts exactly {@code certificates}. */
    public static SSLContext trusting(Collection<X509Certificate> certificates) throws GeneralSecurityException {
        return context(null, trustManagers(certificates));
    }

    /**
     * INSECURE: a client context that accepts any certificate, from anyone. Use it only for tests
     * against a server you control; also set {@code hostnameVerification(false)}, since an
     * untrusted certificate usually names another host too. Anyone on the path can read and change
     * the traffic. The first call in a JVM logs a warning on the {@code dev.duplex.tls}
     * {@link System.Logger} (with java.util.logging, the default backend, it is printed on stderr),
     * so that a forgotten test setting shows up in production logs.
     */
    public static SSLContext insecureTrustingAllCertificates() {
        return context(null, insecureTrustManagers());
    }

    /**
     * INSECURE, as {@link #insecureTrustingAllCertificates()}, but presenting a client
     * certificate: for testing against a server that requires one and whose own certificate
     * is not trusted.
     *
     * @throws IOException if a file cannot be read or holds no certificate or key
     * @throws GeneralSecurityException if the key cannot be decoded
     */
    public static SSLContext insecureTrustingAllCertificates(Path certificateChainPem, Path privateKeyPem)
            throws IOException, GeneralSecurityException {
        return context(keyManagers(certificateChainPem, privateKeyPem), insecureTrustManagers());
    }

    private static TrustManager[] insecureTrustManagers() {
        if (INSECURE_WARNED.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, "Tls.insecureTrustingAllCertificates(): this JVM accepts any "
                    + "TLS certificate on the connections that use it; anyone on the path can read and change them");
        }
        // X509ExtendedTrustManager, not X509TrustManager: the JDK wraps the latter in checks of
        // its own (algorithm constraints, the host name), which would defeat the purpose here.
        TrustManager trustAll = new X509ExtendedTrustManager() {
            @Override public void checkClientTrusted(X509Certificate[] chain, String authType) { }
            @Override public void checkServerTrusted(X509Certificate[] chain, String authType) { }
            @Override public void checkClientTrusted(X509Certificate[] chain, String authType, Socket s) { }
            @Override public void checkServerTrusted(X509Certificate[] chain, String authType, Socket s) { }
            @Override public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine e) { }
            @Override public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine e) { }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        return new TrustManager[] {trustAll};
    }

    /**
     * A client context that presents a certificate (mutual TLS) and trusts the CA certificates in
     * {@code caCertificatesPem}, or the JVM's default trust store when it is null. Host names are
     * still verified.
     *
     * @param certificateChainPem the client certificate first, then its intermediates
     * @param privateKeyPem the certificate's private key
     * @param caCertificatesPem the authorities that sign the server's certificate, or null
     * @throws IOException if a file cannot be read or holds no certificate or key
     * @throws GeneralSecurityException if the key cannot be decoded
     */
    public static SSLContext clientContext(Path certificateChainPem, Path privateKeyPem, Path caCertificatesPem)
            throws IOException, GeneralSecurityException {
        TrustManager[] trust = null;
        if (caCertificatesPem != null) {
            List<X509Certificate> cas = readCertificates(caCertificatesPem);
            if (cas.isEmpty()) {
                throw new IOException("No certificate (BEGIN CERTIFICATE) in " + caCertificatesPem);
            }
            trust = trustManagers(cas);
        }
        return context(keyManagers(certificateChainPem, privateKeyPem), trust);
    }

    /**
     * A server context that, like {@link #serverContext(Path, Path)}, presents a certificate, and
     * requires every client to present one signed by an authority in {@code clientCasPem}: a
     * client without one, or with another, fails the TLS handshake (the JDK's alert is
     * {@code bad_certificate} or {@code certificate_required}). The requirement is set on every
     * {@link SSLEngine} the context creates ({@code setNeedClientAuth(true)}).
     *
     * @throws IOException if a file cannot be read or holds no certificate or key
     * @throws GeneralSecurityException if the key cannot be decoded
     */
    public static SSLContext serverContextRequiringClientCertificates(Path certificateChainPem, Path privateKeyPem,
                                                                      Path clientCasPem)
            throws IOException, GeneralSecurityException {
        List<X509Certificate> cas = readCertificates(clientCasPem);
        if (cas.isEmpty()) {
            throw new IOException("No certificate (BEGIN CERTIFICATE) in " + clientCasPem);
        }
        SSLContext inner = context(keyManagers(certificateChainPem, privateKeyPem), trustManagers(cas));
        return new SSLContext(new NeedClientAuth(inner), inner.getProvider(), inner.getProtocol()) { };
    }

    /** The SSLContext behind {@link #serverContextRequiringClientCertificates}: engines that need client auth. */
    private static final class NeedClientAuth extends SSLContextSpi {
        private final SSLContext inner;

        NeedClientAuth(SSLContext inner) {
            this.inner = inner;
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr) throws KeyManagementException {
            throw new KeyManagementException("Already initialized");
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            SSLEngine e = inner.createSSLEngine();
            e.setNeedClientAuth(true);
            return e;
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            SSLEngine e = inner.createSSLEngine(host, port);
            e.setNeedClientAuth(true);
            return e;
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            return inner.getSocketFactory();
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            return inner.getServerSocketFactory();
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return inner.getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return inner.getClientSessionContext();
        }
    }

    private static KeyManager[] keyManagers(Path certificateChainPem, Path privateKeyPem)
            throws IOException, GeneralSecurityException {
        List<X509Certificate> chain = readCertificates(certificateChainPem);
        if (chain.isEmpty()) {
            throw new IOException("No certificate (BEGIN CERTIFICATE) in " + certificateChainPem);
        }
        PrivateKey key = readPrivateKey(privateKeyPem);
        char[] password = new char[0];
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("key", key, password, chain.toArray(new Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        return kmf.getKeyManagers();
    }

    private static TrustManager[] trustManagers(Collection<X509Certificate> certificates) throws GeneralSecurityException {
        try {
            KeyStore ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            int i = 0;
            for (X509Certificate c : certificates) {
                ts.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ts);
            return tmf.getTrustManagers();
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static SSLContext context(KeyManager[] keys, TrustManager[] trust) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(keys, trust, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS is not available in this JVM", e);
        }
    }

    /** The certificates in a PEM file, in order. */
    public static List<X509Certificate> readCertificates(Path pem) throws IOException, GeneralSecurityException {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        List<X509Certificate> out = new ArrayList<>();
        for (byte[] der : pemBlocks(Files.readString(pem, StandardCharsets.US_ASCII), "CERTIFICATE")) {
            out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(der)));
        }
        return out;
    }

    /** The private key in a PEM file (PKCS#8, PKCS#1 RSA or SEC 1 EC; see the class comment). */
    public static PrivateKey readPrivateKey(Path pem) throws IOException, GeneralSecurityException {
        String text = Files.readString(pem, StandardCharsets.US_ASCII);
        List<byte[]> pkcs8 = pemBlocks(text, "PRIVATE KEY");
        if (!pkcs8.isEmpty()) {
            return decodePkcs8(pkcs8.get(0), pem);
        }
        List<byte[]> pkcs1 = pemBlocks(text, "RSA PRIVATE KEY");
        if (!pkcs1.isEmpty()) {
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(wrapPkcs1(pkcs1.get(0))));
        }
        List<byte[]> sec1 = pemBlocks(text, "EC PRIVATE KEY");
        if (!sec1.isEmpty()) {
            byte[] der = sec1.get(0);
            return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(
                    privateKeyInfo(ecAlgorithm(der, pem), der)));
        }
        if (text.contains("ENCRYPTED PRIVATE KEY")) {
            throw new IOException("Encrypted private keys are not supported: decrypt " + pem
                    + " first (openssl pkcs8 -nocrypt) or use a PKCS#12 key store");
        }
        throw new IOException("No private key (BEGIN PRIVATE KEY, BEGIN RSA PRIVATE KEY or BEGIN EC PRIVATE KEY) in " + pem);
    }

    private static PrivateKey decodePkcs8(byte[] der, Path pem) throws GeneralSecurityException {
        GeneralSecurityException last = null;
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS", "DSA"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw new GeneralSecurityException("Cannot decode the private key in " + pem, last);
    }

    private static List<byte[]> pemBlocks(String text, String label) {
        List<byte[]> blocks = new ArrayList<>();
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int from = 0;
        while (true) {
            int b = text.indexOf(begin, from);
            if (b < 0) {
                return blocks;
            }
            int e = text.indexOf(end, b);
            if (e < 0) {
                return blocks;
            }
            String body = text.substring(b + begin.length(), e).replaceAll("\\s", "");
            blocks.add(Base64.getDecoder().decode(body));
            from = e + end.length();
        }
    }

    // PKCS#1 RSAPrivateKey inside a PKCS#8 PrivateKeyInfo, algorithm rsaEncryption with NULL parameters.
    private static byte[] wrapPkcs1(byte[] pkcs1) {
        byte[] rsa = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
        return privateKeyInfo(rsa, pkcs1);
    }

    // PrivateKeyInfo (RFC 5208): SEQUENCE { INTEGER 0, AlgorithmIdentifier, OCTET STRING key }.
    private static byte[] privateKeyInfo(byte[] algorithm, byte[] key) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0x02, 0x01, 0x00});
        body.writeBytes(algorithm);
        body.writeBytes(derTagged(0x04, key));
        return derTagged(0x30, body.toByteArray());
    }

    // AlgorithmIdentifier { id-ecPublicKey, namedCurve } for a SEC 1 ECPrivateKey (RFC 5915):
    // SEQUENCE { version, privateKey, [0] parameters (the curve's OID), [1] publicKey }. The
    // curve comes from the [0] field; a key without it cannot be used.
    private static byte[] ecAlgorithm(byte[] sec1, Path pem) throws GeneralSecurityException {
        try {
            if (sec1[0] != 0x30) {
                throw new GeneralSecurityException("Malformed EC private key in " + pem);
            }
            int[] seq = lengthAt(sec1, 1);
            int p = seq[0];
            int end = p + seq[1];
            while (p < end) {
                byte tag = sec1[p];
                int[] len = lengthAt(sec1, p + 1);
                if (tag == (byte) 0xa0) {
                    int oidStart = len[0];
                    int[] oidLen = lengthAt(sec1, oidStart + 1);
                    int oidEnd = oidLen[0] + oidLen[1];
                    ByteArrayOutputStream alg = new ByteArrayOutputStream();
                    alg.writeBytes(new byte[] {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01});
                    alg.write(sec1, oidStart, oidEnd - oidStart);
                    return derTagged(0x30, alg.toByteArray());
                }
                p = len[0] + len[1];
            }
        } catch (ArrayIndexOutOfBoundsException e) {
            throw new GeneralSecurityException("Truncated EC private key in " + pem);
        }
        throw new GeneralSecurityException("The EC private key in " + pem + " does not name its curve");
    }

    // The DER length at {@code at}: {where the content starts, its length}.
    private static int[] lengthAt(byte[] b, int at) throws GeneralSecurityException {
        int len = b[at] & 0xff;
        int p = at + 1;
        if (len >= 0x80) {
            int n = len & 0x7f;
            if (n == 0 || n > 3) {
                throw new GeneralSecurityException("Malformed DER length");
            }
            len = 0;
            for (int i = 0; i < n; i++) {
                len = (len << 8) | (b[p++] & 0xff);
            }
        }
        if (p + len > b.length) {
            throw new ArrayIndexOutOfBoundsException();
        }
        return new int[] {p, len};
    }

    private static byte[] derTagged(int tag, byte[] content) {
        int n = content.length;
        byte[] len;
        if (n < 0x80) {
            len = new byte[] {(byte) n};
        } else if (n < 0x100) {
            len = new byte[] {(byte) 0x81, (byte) n};
        } else if (n < 0x10000) {
            len = new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n};
        } else {
            len = new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
        }
        byte[] out = new byte[1 + len.length + n];
        out[0] = (byte) tag;
        System.arraycopy(len, 0, out, 1, len.length);
        System.arraycopy(content, 0, out, 1 + len.length, n);
        return out;
    }
}
