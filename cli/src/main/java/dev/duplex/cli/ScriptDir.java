package dev.duplex.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code serve --dir DIR}: a program per URL path, as websocketd's {@code --dir}. The path is
 * percent-decoded and walked segment by segment from DIR; the first segment that is an
 * executable regular file is the script, and what follows it is {@code PATH_INFO}
 * ({@code /chat/room1} runs {@code DIR/chat} with {@code PATH_INFO=/room1}). Hidden names
 * (starting with a dot), {@code ..}, and links out of DIR never match: such requests, and paths
 * without a script, get 404.
 */
final class ScriptDir {
    /** A script found for a path. */
    static final class Script {
        final Path file;
        final String scriptName;
        final String pathInfo;

        Script(Path file, String scriptName, String pathInfo) {
            this.file = file;
            this.scriptName = scriptName;
            this.pathInfo = pathInfo;
        }
    }

    private final Path root;
    private final Path realRoot;

    ScriptDir(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.realRoot = this.root.toRealPath();
    }

    Path root() {
        return root;
    }

    /** The script for a raw request path, or null (404). */
    Script find(String rawPath) {
        String path = StaticFiles.decode(rawPath);
        if (path == null || !StaticFiles.isSafe(path)) {
            return null;
        }
        String[] segments = path.substring(1).split("/", -1);
        Path at = root;
        StringBuilder scriptName = new StringBuilder();
        for (int i = 0; i < segments.length; i++) {
            String s = segments[i];
            if (s.isEmpty() || s.startsWith(".")) {
                return null;
            }
            at = at.resolve(s);
            scriptName.append('/').append(s);
            if (Files.isDirectory(at)) {
                continue;
            }
            if (!Files.isRegularFile(at) || !Files.isExecutable(at)) {
                return null;
            }
            try {
                if (!at.toRealPath().startsWith(realRoot)) {
                    return null;
                }
            } catch (IOException e) {
                return null;
            }
            StringBuilder info = new StringBuilder();
            for (int j = i + 1; j < segments.length; j++) {
                info.append('/').append(segments[j]);
            }
            return new Script(at, scriptName.toString(), info.toString());
        }
        return null;
    }
}
