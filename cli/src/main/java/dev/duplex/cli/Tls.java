package dev.duplex.cli;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** SSLContexts from PEM files, and the deliberately insecure one behind {@code --insecure}. */
final class Tls {
    private Tls() {}

    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)\\s*-----END \\1-----");

    /**
     * A context that trusts every server certificate, whoever signed it and whatever its dates.
     * Combined with turning off host name verification, it gives up all of TLS's protection
     * against a man in the middle; {@code --insecure} exists for testing against self-signed
     * servers only.
     */
    static SSLContext trustingEverything() {
        TrustManager trustAll = new X509ExtendedTrustManager() {
            @Override public void checkClientTrusted(X509Certificate[] chain, String authType) {}
            @Override public void checkServerTrusted(X509Certificate[] chain, String authType) {}
            @Override public void checkClientTrusted(X509Certificate[] chain, String authType, Socket s) {}
            @Override public void checkServerTrusted(X509Certificate[] chain, String authType, Socket s) {}
            @Override public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine e) {}
            @Override public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine e) {}
            @Override public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {trustAll}, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS is not available: " + e.getMessage(), e);
        }
    }

    /** A context that trusts exactly the certificates (authorities or self-signed) in a PEM file. */
    static SSLContext trusting(Path pemFile) throws IOException, GeneralSecurityException {
        List<X509Certificate> certs = certificates(pemFile);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        for (int i = 0; i < certs.size(); i++) {
            ks.setCertificateEntry("ca" + i, certs.get(i));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    /** A server context presenting the certificate chain of {@code certFile} with the key of {@code keyFile}. */
    static SSLContext server(Path certFile, Path keyFile) throws IOException, GeneralSecurityException {
        List<X509Certificate> chain = certificates(certFile);
        PrivateKey key = privateKey(keyFile);
        char[] password = "duplex".toCharArray();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", key, password, chain.toArray(new Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    static List<X509Certificate> certificates(Path pemFile) throws IOException, GeneralSecurityException {
        byte[] bytes = Files.readAllBytes(pemFile);
        Collection<? extends Certificate> read = CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(bytes));
        List<X509Certificate> certs = new ArrayList<>();
        for (Certificate c : read) {
            certs.add((X509Certificate) c);
        }
        if (certs.isEmpty()) {
            throw new GeneralSecurityException("no certificate in " + pemFile);
        }
        return certs;
    }

    /**
     * Reads a PEM private key: PKCS#8 ({@code BEGIN PRIVATE KEY}, RSA, EC, Ed25519...), PKCS#1
     * ({@code BEGIN RSA PRIVATE KEY}) or SEC 1 ({@code BEGIN EC PRIVATE KEY}); not encrypted.
     */
    static PrivateKey privateKey(Path pemFile) throws IOException, GeneralSecurityException {
        String text = new String(Files.readAllBytes(pemFile), StandardCharsets.US_ASCII);
        Matcher m = PEM.matcher(text);
        while (m.find()) {
            String type = m.group(1);
            byte[] der = Base64.getMimeDecoder().decode(m.group(2));
            switch (type) {
                case "PRIVATE KEY":
                    return pkcs8(der);
                case "RSA PRIVATE KEY":
                    return pkcs8(wrap(RSA_ALGORITHM, der));
                case "EC PRIVATE KEY":
                    return pkcs8(wrap(ecAlgorithm(der), der));
                case "ENCRYPTED PRIVATE KEY":
                    throw new GeneralSecurityException(pemFile + " holds an encrypted key; decrypt it first "
                            + "(openssl pkey -in KEY -out plain.pem)");
                default:
                    break;
            }
        }
        throw new GeneralSecurityException("no PEM private key in " + pemFile);
    }

    private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        GeneralSecurityException last = null;
        for (String alg : new String[] {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS", "DSA"}) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw new GeneralSecurityException("unsupported private key: " + last.getMessage(), last);
    }

    // AlgorithmIdentifier { rsaEncryption, NULL }
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
            (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};

    // AlgorithmIdentifier { id-ecPublicKey, namedCurve } with the curve taken from the SEC 1 key's [0] field.
    private static byte[] ecAlgorithm(byte[] sec1) throws GeneralSecurityException {
        Der seq = new Der(sec1, 0);
        if (seq.tag != 0x30) {
            throw new GeneralSecurityException("malformed EC private key");
        }
        int p = seq.contentStart;
        while (p < seq.end) {
            Der field = new Der(sec1, p);
            if (field.tag == (byte) 0xa0) {
                Der oid = new Der(sec1, field.contentStart);
                byte[] ecPublicKey = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};
                ByteArrayOutputStream body = new ByteArrayOutputStream();
                body.writeBytes(ecPublicKey);
                body.write(sec1, oid.start, oid.end - oid.start);
                return tlv(0x30, body.toByteArray());
            }
            p = field.end;
        }
        throw new GeneralSecurityException("the EC private key does not name its curve");
    }

    // PrivateKeyInfo { version 0, algorithm, OCTET STRING key }
    private static byte[] wrap(byte[] algorithm, byte[] key) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0x02, 0x01, 0x00});
        body.writeBytes(algorithm);
        body.writeBytes(tlv(0x04, key));
        return tlv(0x30, body.toByteArray());
    }

    private static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else if (n < 0x100) {
            out.write(0x81);
            out.write(n);
        } else if (n < 0x10000) {
            out.write(0x82);
            out.write(n >> 8);
            out.write(n);
        } else {
            out.write(0x83);
            out.write(n >> 16);
            out.write(n >> 8);
            out.write(n);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    /** One DER element's position: tag, where its content starts, where it ends. */
    private static final class Der {
        final byte tag;
        final int start;
        final int contentStart;
        final int end;

        Der(byte[] b, int at) throws GeneralSecurityException {
            try {
                start = at;
                tag = b[at];
                int len = b[at + 1] & 0xff;
                int p = at + 2;
                if (len >= 0x80) {
                    int n = len & 0x7f;
                    if (n == 0 || n > 3) {
                        throw new GeneralSecurityException("malformed key encoding");
                    }
                    len = 0;
                    for (int i = 0; i < n; i++) {
                        len = (len << 8) | (b[p++] & 0xff);
                    }
                }
                contentStart = p;
                end = p + len;
                if (end > b.length) {
                    throw new GeneralSecurityException("truncated key encoding");
                }
            } catch (ArrayIndexOutOfBoundsException e) {
                throw new GeneralSecurityException("truncated key encoding");
            }
        }
    }
}
