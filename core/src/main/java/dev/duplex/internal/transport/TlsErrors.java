package dev.duplex.internal.transport;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;

/**
 * Turns the JDK's TLS exceptions into one sentence a user can act on: expired, not yet valid,
 * untrusted, or issued for another host. The original exception stays as the cause.
 */
final class TlsErrors {
    private TlsErrors() {}

    static SSLException describe(SSLException e, String host) {
        String peer = host == null ? "the peer" : host;
        String why = reason(e, peer);
        SSLException out = e instanceof SSLHandshakeException
                ? new SSLHandshakeException("TLS handshake with " + peer + " failed: " + why)
                : new SSLException("TLS failure with " + peer + ": " + why);
        out.initCause(e);
        return out;
    }

    private static String reason(Throwable e, String peer) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertificateExpiredException) {
                return "the certificate has expired (" + t.getMessage() + ")";
            }
            if (t instanceof CertificateNotYetValidException) {
                return "the certificate is not yet valid (" + t.getMessage() + ")";
            }
            if (t instanceof CertPathValidatorException
                    && ((CertPathValidatorException) t).getReason() == CertPathValidatorException.BasicReason.EXPIRED) {
                return "the certificate has expired";
            }
            String m = String.valueOf(t.getMessage());
            if (t.getClass().getName().endsWith("SunCertPathBuilderException")
                    || m.contains("unable to find valid certification path")) {
                return "the certificate is not trusted (no path to a trusted root; pass an SSLContext that trusts it)";
            }
            if (m.startsWith("No subject alternative") || m.startsWith("No name matching")) {
                return "the certificate does not match the host name " + peer + " (" + m + ")";
            }
        }
        return String.valueOf(e.getMessage());
    }
}
