package dev.duplex;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Facts about this Duplex build. */
public final class Duplex {
    private static final String VERSION = readVersion();

    private Duplex() {}

    /** The library's version, e.g. {@code "0.1.0"}. */
    public static String version() {
        return VERSION;
    }

    private static String readVersion() {
        try (InputStream in = Duplex.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version");
                if (v != null && !v.startsWith("$")) {
                    return v;
                }
            }
        } catch (IOException ignored) {
            // Fall through to "unknown".
        }
        return "unknown";
    }
}
