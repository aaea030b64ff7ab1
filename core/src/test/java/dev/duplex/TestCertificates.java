package dev.duplex;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates made for a test with the openssl command: a test CA, and server certificates
 * signed by it that are good, expired, or issued for another host, plus a self-signed one.
 * Public for the tests of internal packages ({@code TlsCodecTest}).
 */
public final class TestCertificates {
    public final Path dir;
    public final Path caCert;
    public final Path goodCert;
    public final Path goodKey;
    public final Path expiredCert;
    public final Path otherHostCert;
    public final Path selfSignedCert;
    public final Path selfSignedKey;
    public final Path rsaPkcs1Key;
    public final Path rsaCert;
    /** All leaf certificates above share {@link #goodKey}. */
    public final Path leafKey;

    private TestCertificates(Path dir) throws IOException, InterruptedException {
        this.dir = dir;
        caCert = dir.resolve("ca.pem");
        Path caKey = dir.resolve("ca.key");
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", caKey.toString(), "-out", caCert.toString(), "-subj", "/CN=Duplex Test CA", "-days", "2",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign");
        leafKey = dir.resolve("leaf.key");
        goodKey = leafKey;
        Path csr = dir.resolve("leaf.csr");
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", leafKey.toString(), "-out", csr.toString(), "-subj", "/CN=localhost");
        goodCert = sign(csr, caKey, "good.pem", "DNS:localhost,IP:127.0.0.1", "2");
        expiredCert = sign(csr, caKey, "expired.pem", "DNS:localhost,IP:127.0.0.1", "-1");
        otherHostCert = sign(csr, caKey, "other.pem", "DNS:other.example", "2");
        selfSignedKey = dir.resolve("self.key");
        selfSignedCert = dir.resolve("self.pem");
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", selfSignedKey.toString(), "-out", selfSignedCert.toString(), "-subj", "/CN=localhost",
                "-days", "2", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1");
        Path rsaKey = dir.resolve("rsa8.key");
        rsaCert = dir.resolve("rsa.pem");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", rsaKey.toString(),
                "-out", rsaCert.toString(), "-subj", "/CN=localhost", "-days", "2",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1");
        rsaPkcs1Key = dir.resolve("rsa1.key");
        openssl("rsa", "-in", rsaKey.toString(), "-traditional", "-out", rsaPkcs1Key.toString());
    }

    public static TestCertificates create(Path dir) throws IOException, InterruptedException {
        return new TestCertificates(dir);
    }

    private Path sign(Path csr, Path caKey, String name, String san, String days) throws IOException, InterruptedException {
        Path ext = dir.resolve(name + ".ext");
        Files.writeString(ext, "subjectAltName=" + san + "\n");
        Path out = dir.resolve(name);
        openssl("x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-out", out.toString(), "-days", days, "-extfile", ext.toString());
        return out;
    }

    private void openssl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("openssl");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("openssl " + String.join(" ", args) + " failed: " + output);
        }
    }

    /** A PEM file with the leaf certificate followed by the CA's: a full chain. */
    public Path chain(Path leaf) throws IOException {
        Path out = dir.resolve("chain-" + leaf.getFileName());
        Files.writeString(out, Files.readString(leaf) + Files.readString(caCert));
        return out;
    }
}
