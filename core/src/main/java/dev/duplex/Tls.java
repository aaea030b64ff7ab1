package dev.duplex;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
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
 * store or from PEM files, a client that trusts given CA certificates, and — spelled out on
 * purpose — a client that trusts every certificate.
 *
 * <pre>{@code
 * ServerOptions.builder().sslContext(Tls.serverContext(Path.of("cert.pem"), Path.of("key.pem")))
 * WebSocketOptions.builder().sslContext(Tls.trusting(Path.of("ca.pem")))
 * }</pre>
 */
public final class Tls {
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
        try {
            KeyStore ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            int i = 0;
            for (X509Certificate c : certificates) {
                ts.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ts);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
    }

    /**
     * INSECURE: a client context that accepts any certificate, from anyone. Use it only for tests
     * against a server you control; also set {@code hostnameVerification(false)}, since an
     * untrusted certificate usually names another host too. Anyone on the path can read and change
     * the traffic.
     */
    public static SSLContext insecureTrustingAllCertificates() {
        TrustManager trustAll = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
                // Trusts everything, by request.
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
                // Trusts everything, by request.
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {trustAll}, null);
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

    /** The private key in a PEM file (PKCS#8, or PKCS#1 RSA). */
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
        if (text.contains("ENCRYPTED PRIVATE KEY")) {
            throw new IOException("Encrypted private keys are not supported: decrypt " + pem
                    + " first (openssl pkcs8 -nocrypt) or use a PKCS#12 key store");
        }
        throw new IOException("No private key (BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY) in " + pem);
    }

    private static PrivateKey decodePkcs8(byte[] der, Path pem) throws GeneralSecurityException {
        GeneralSecurityException last = null;
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "RSASSA-PSS"}) {
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

    // PKCS#1 RSAPrivateKey inside a PKCS#8 PrivateKeyInfo: SEQUENCE { INTEGER 0, AlgorithmIdentifier rsaEncryption, OCTET STRING }.
    private static byte[] wrapPkcs1(byte[] pkcs1) {
        byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
        byte[] version = {0x02, 0x01, 0x00};
        byte[] octets = derTagged(0x04, pkcs1);
        byte[] body = new byte[version.length + algorithm.length + octets.length];
        System.arraycopy(version, 0, body, 0, version.length);
        System.arraycopy(algorithm, 0, body, version.length, algorithm.length);
        System.arraycopy(octets, 0, body, version.length + algorithm.length, octets.length);
        return derTagged(0x30, body);
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
