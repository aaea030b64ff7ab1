package dev.duplex.interop;


import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;

/**
 * Where the peers of the interop tests are: Node and the {@code node_modules} of {@code npm ci},
 * Debian's python3 with python3-websockets, Debian's chromium. {@code ./run-tests} installs them.
 * A missing one fails the test (never a skip): ./run-tests installs every peer.
 */
final class Env {
    static final Path DIR = Path.of(System.getProperty("interop.dir", ".")).toAbsolutePath().normalize();
    static final Path NODE_DIR = DIR.resolve("src/test/node");
    static final Path PYTHON_DIR = DIR.resolve("src/test/python");
    static final Path NODE_MODULES = DIR.resolve("node_modules");
    /** Debian's python: python3-websockets is a Debian package, other pythons on PATH lack it. */
    static final Path PYTHON = Path.of("/usr/bin/python3");
    static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("DUPLEX_CHROMIUM", "/usr/bin/chromium"));

    static {
        String path = System.getProperty("interop.report");
        if (path != null) {
            try {
                Files.deleteIfExists(Path.of(path));
            } catch (IOException e) {
                // the report is informative only
            }
        }
    }

    private Env() {
    }

    static String node() {
        String node = which("node");
        require(node != null, "node is not on PATH");
        require(Files.isDirectory(NODE_MODULES.resolve("ws")), "no " + NODE_MODULES + "/ws: run `npm ci` in interop/ (./run-tests does)");
        return node;
    }

    static String python() {
        require(Files.isExecutable(PYTHON), PYTHON + " is missing");
        require(Files.isDirectory(Path.of("/usr/lib/python3/dist-packages/websockets")),
                "Debian's python3-websockets is not installed (./run-tests installs it)");
        return PYTHON.toString();
    }

    static String chromium() {
        node();
        require(Files.isExecutable(CHROMIUM), CHROMIUM + " is missing (./run-tests installs Debian's chromium)");
        require(Files.isDirectory(NODE_MODULES.resolve("playwright-core")), "no playwright-core in " + NODE_MODULES);
        return CHROMIUM.toString();
    }

    private static void require(boolean ok, String why) {
        if (ok) {
            return;
        }
        // Never skipped: a missing peer fails the test (./run-tests installs every peer).
        throw new IllegalStateException("interop peer missing: " + why);
    }

    private static String which(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, command);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    /** Appends a line to target/interop-report.txt: what was negotiated, with which versions. */
    static synchronized void report(String line) {
        String path = System.getProperty("interop.report");
        if (path == null) {
            return;
        }
        try {
            Files.writeString(Path.of(path), LocalDateTime.now() + " " + line + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            // the report is informative only
        }
    }
}
