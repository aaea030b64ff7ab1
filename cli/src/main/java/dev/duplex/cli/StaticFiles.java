package dev.duplex.cli;

import dev.duplex.HandshakeRequest;
import dev.duplex.HttpResponse;
import dev.duplex.PlainHttpHandler;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * {@code duplex serve --static DIR}: answers plain HTTP GET and HEAD requests with the files
 * under one directory, so that a browser page served from there can open its WebSocket to the
 * same origin. Deliberately small: no directory listings, no ranges, no caching headers beyond
 * {@code Cache-Control: no-cache} (the files are usually being edited).
 *
 * <p>Safety: the decoded path must stay inside the directory ({@link #isSafe}: no {@code ..}
 * segment, no empty segment such as {@code //etc/passwd}, no NUL, control character or
 * backslash, and no symbolic link leading out of it). Files are streamed
 * ({@link HttpResponse#ofFile}), never read into memory, whatever their size, and every answer
 * says {@code X-Content-Type-Options: nosniff}, so a browser never runs an uploaded text file
 * as a script or page.
 */
final class StaticFiles implements PlainHttpHandler {
    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("html", "text/html; charset=utf-8"),
            Map.entry("htm", "text/html; charset=utf-8"),
            Map.entry("js", "text/javascript; charset=utf-8"),
            Map.entry("mjs", "text/javascript; charset=utf-8"),
            Map.entry("css", "text/css; charset=utf-8"),
            Map.entry("json", "application/json"),
            Map.entry("txt", "text/plain; charset=utf-8"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("png", "image/png"),
            Map.entry("jpg", "image/jpeg"),
            Map.entry("jpeg", "image/jpeg"),
            Map.entry("gif", "image/gif"),
            Map.entry("webp", "image/webp"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("wasm", "application/wasm"),
            Map.entry("map", "application/json"));

    private final Path root;
    private final Path realRoot;

    /**
     * @param root an existing directory
     * @throws IOException if its real path cannot be resolved
     */
    StaticFiles(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.realRoot = this.root.toRealPath();
    }

    @Override
    public HttpResponse handle(HandshakeRequest request) {
        String method = request.method();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            return HttpResponse.text(405, "Only GET and HEAD are served here\n").withHeader("Allow", "GET, HEAD");
        }
        String path = decode(request.path());
        if (path == null || !isSafe(path)) {
            return nosniff(HttpResponse.text(400, "Bad path\n"));
        }
        Path file = root.resolve(path.substring(1)).normalize();
        try {
            if (Files.isDirectory(file)) {
                if (!path.endsWith("/")) {
                    // relative links in the page must resolve inside the directory
                    return nosniff(HttpResponse.text(301, "Moved\n").withHeader("Location", request.path() + "/"));
                }
                file = file.resolve("index.html");
            }
            if (!Files.isRegularFile(file) || !file.toRealPath().startsWith(realRoot)) {
                return nosniff(HttpResponse.text(404, "Not Found\n"));
            }
            return nosniff(HttpResponse.ofFile(200, contentType(file), file).withHeader("Cache-Control", "no-cache"));
        } catch (IOException | IllegalArgumentException e) {
            return nosniff(HttpResponse.text(404, "Not Found\n"));
        }
    }

    private static HttpResponse nosniff(HttpResponse r) {
        return r.withHeader("X-Content-Type-Options", "nosniff");
    }

    /**
     * Whether a decoded path may be looked up under a root: it starts with one slash and has no
     * empty segment inside ({@code //abs} would make {@code Path.resolve} start again at the
     * file system's root), no {@code .} or {@code ..} segment, no NUL, backslash or control character.
     */
    static boolean isSafe(String path) {
        if (!path.startsWith("/")) {
            return false;
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\\') {
                return false;
            }
        }
        String[] segments = path.substring(1).split("/", -1);
        for (int i = 0; i < segments.length; i++) {
            String s = segments[i];
            boolean last = i == segments.length - 1;
            if (s.equals("..") || s.equals(".") || (s.isEmpty() && !last)) {
                return false;
            }
        }
        return true;
    }

    /** The directory served, for the start-up message. */
    Path root() {
        return root;
    }

    static String contentType(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        return TYPES.getOrDefault(ext, "application/octet-stream");
    }

    /**
     * Percent-decodes a URL path as UTF-8 ({@code +} stays a plus: that rule is for queries).
     *
     * @return the decoded path, or null if it is not a valid encoding
     */
    static String decode(String raw) {
        if (!raw.startsWith("/")) {
            return null;
        }
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    return null;
                }
                int hi = Character.digit(raw.charAt(i + 1), 16);
                int lo = Character.digit(raw.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(out.toByteArray())).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return null;
        }
    }
}
