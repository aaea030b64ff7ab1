package dev.duplex.cli;

import dev.duplex.CloseEvent;
import dev.duplex.protocol.HandshakeException;

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
        Throwable root = rootOf(error);
        if (isHandshake(error)) {
            return new Main.CliException(Main.HANDSHAKE_REJECTED,
                    "handshake with " + url + " failed: " + message(root), error);
        }
        Throwable tls = firstTls(error);
        return new Main.CliException(Main.CONNECTION_FAILED, "cannot connect to " + url + ": "
                + describe(tls != null ? tls : root), error);
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
                + (c.reason().isEmpty() ? "" : " (" + c.reason() + ")"), error);
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
            if (e instanceof HandshakeException) {
                return true;
            }
        }
        return false;
    }

    static Throwable rootOf(Throwable t) {
        Throwable e = t;
        while (e != null && e.getCause() != null && e.getCause() != e && !(e instanceof HandshakeException)) {
            e = e.getCause();
        }
        return e;
    }

    static String describe(Throwable t) {
        if (t == null) {
            return "unknown error";
        }
        String m = message(t);
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
