package dev.duplex.cli;

import dev.duplex.CloseEvent;
import dev.duplex.WebSocketHandshakeException;

import javax.net.ssl.SSLException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;

/** Turns how a connection ended into an exit status and one line for humans. */
final class Outcome {
    private Outcome() {}

    /** Whether a close is a clean, normal one: closing handshake done, code 1000, 1001 or 1005. */
    static boolean normal(CloseEvent c) {
        return c.wasClean() && (c.code() == 1000 || c.code() == 1001 || c.code() == 1005);
    }

    /** The failure of a connection that never opened. */
    static Main.CliException notOpened(String url, Throwable error) {
        return notOpened(url, error, null);
    }

    /**
     * The failure of a connection that never opened; {@code clientCertificate} is the
     * {@code --cert} file, if any, named when the server refused the certificate.
     */
    static Main.CliException notOpened(String url, Throwable error, java.nio.file.Path clientCertificate) {
        url = Redact.url(url);
        Throwable root = rootOf(error);
        String certificate = clientCertificateProblem(url, error, clientCertificate);
        if (certificate != null) {
            return new Main.CliException(Main.CONNECTION_FAILED, "cannot connect to " + url + ": " + certificate, error);
        }
        if (isHandshake(error)) {
            return new Main.CliException(Main.HANDSHAKE_REJECTED,
                    "handshake with " + url + " failed: " + Terminal.oneLine(message(root)), error);
        }
        Throwable tls = firstTls(error);
        return new Main.CliException(Main.CONNECTION_FAILED, "cannot connect to " + url + ": "
                + describe(tls != null ? tls : root), error);
    }

    /**
     * What to say when a TLS server refused a client certificate, or wanted one: the JDK
     * reports the server's alert ({@code bad_certificate}, {@code certificate_required},
     * {@code unknown_ca}...) or, in TLS 1.3, where the server checks the client's certificate
     * after the client has finished its side, just a connection closed during the upgrade.
     */
    static String clientCertificateProblem(String url, Throwable error, java.nio.file.Path certificate) {
        if (!(url.regionMatches(true, 0, "wss:", 0, 4) || url.regionMatches(true, 0, "https:", 0, 6))) {
            return null;
        }
        StringBuilder all = new StringBuilder();
        for (Throwable e = error; e != null; e = e.getCause()) {
            all.append(' ').append(e.getMessage());
        }
        String m = all.toString();
        // Our own refusal of the server's certificate also names an alert ("(certificate_unknown)
        // PKIX path building failed"), but that is a trust problem on our side: --cacert, not --cert.
        if (m.contains("not trusted") || m.contains("PKIX") || m.contains("certification path")
                || m.contains("does not match the host")) {
            return null;
        }
        boolean alert = m.contains("certificate_required") || m.contains("bad_certificate")
                || m.contains("unknown_ca") || m.contains("certificate_unknown") || m.contains("access_denied")
                || m.contains("unsupported_certificate") || m.contains("certificate_revoked")
                || m.contains("certificate_expired");
        boolean closedEarly = m.contains("closed the connection during the opening handshake")
                || m.contains("during the TLS handshake") || m.contains("Connection reset");
        if (!alert && !closedEarly) {
            return null;
        }
        String detail = alert ? "the server's TLS alert: " + alertName(m) : "the server closed the connection";
        if (certificate == null) {
            return alert || m.contains("certificate")
                    ? "the server requires a client certificate (" + detail + "); give one with --cert FILE --key FILE"
                    : null;
        }
        return "the server refused the client certificate " + subjectOf(certificate) + " from " + certificate + " ("
                + detail + "); check that a CA it trusts signed it";
    }

    private static String alertName(String m) {
        for (String a : new String[] {"certificate_required", "bad_certificate", "unknown_ca", "certificate_unknown",
                "access_denied", "unsupported_certificate", "certificate_revoked", "certificate_expired"}) {
            if (m.contains(a)) {
                return a;
            }
        }
        return "unknown";
    }

    private static String subjectOf(java.nio.file.Path pem) {
        try {
            java.util.List<java.security.cert.X509Certificate> certs = dev.duplex.Tls.readCertificates(pem);
            return certs.isEmpty() ? "(none found)" : "'" + certs.get(0).getSubjectX500Principal().getName() + "'";
        } catch (Exception e) {
            return "(unreadable)";
        }
    }

    /** The status for a socket that was open and then closed as {@code c}, with {@code error} if any. */
    static Main.CliException closed(CloseEvent c, Throwable error) {
        if (normal(c)) {
            return null;
        }
        if (!c.wasClean()) {
            return new Main.CliException(Main.ABNORMAL_CLOSE, "connection closed abnormally (code " + c.code() + ")"
                    + (error != null ? ": " + describe(rootOf(error)) : ""), error);
        }
        return new Main.CliException(Main.ABNORMAL_CLOSE, "the peer closed the connection with code " + c.code()
                + (c.reason().isEmpty() ? "" : " (" + Terminal.oneLine(c.reason()) + ")"), error);
    }

    // The outermost TLS exception: Duplex's own, whose message already says what went wrong.
    private static Throwable firstTls(Throwable t) {
        for (Throwable e = t; e != null; e = e.getCause()) {
            if (e instanceof SSLException) {
                return e;
            }
        }
        return null;
    }

    static boolean isHandshake(Throwable t) {
        for (Throwable e = t; e != null; e = e.getCause()) {
            if (e instanceof WebSocketHandshakeException) {
                return true;
            }
        }
        return false;
    }

    static Throwable rootOf(Throwable t) {
        Throwable e = t;
        while (e != null && e.getCause() != null && e.getCause() != e && !(e instanceof WebSocketHandshakeException)) {
            e = e.getCause();
        }
        return e;
    }

    static String describe(Throwable t) {
        if (t == null) {
            return "unknown error";
        }
        String m = Terminal.oneLine(message(t));
        if (t instanceof UnknownHostException) {
            return m.startsWith("Unknown host") ? m : "unknown host " + m;
        }
        if (t instanceof ConnectException || t instanceof NoRouteToHostException) {
            return m;
        }
        if (t instanceof SSLException || t.getClass().getName().startsWith("javax.net.ssl")
                || t instanceof java.security.cert.CertificateException) {
            String hint = "";
            if (m.contains("PKIX") || m.contains("certification path") || m.contains("not trusted")
                    || m.contains("trust anchors")) {
                hint = " (use --cacert FILE to trust it, or --insecure for testing)";
            } else if (m.contains("No subject alternative") || m.contains("No name matching")
                    || m.contains("does not match the host")) {
                hint = " (use a URL with the certificate's host name, or --insecure for testing)";
            }
            return (m.startsWith("TLS") ? m : "TLS: " + m) + hint;
        }
        return m;
    }

    private static String message(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isEmpty() ? t.getClass().getSimpleName() : m;
    }
}
