package dev.duplex.cli;

import dev.duplex.Blob;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;

/**
 * How {@code connect} shows a message it received: a line on stdout (pipe mode), or a line
 * above the prompt (interactive), as text, base64, hex, raw bytes ({@code --binary}) or a JSON
 * line ({@code --jsonl}), with an ISO-8601 time in front when {@code --timestamps}.
 *
 * <p>A message is the peer's text, and control characters in it would drive the terminal
 * (clear the screen, retitle the window, fake a prompt): on a terminal they are shown as
 * {@code ^X} ({@link Terminal#printable}); into a pipe or file the bytes pass unchanged.
 *
 * <p>Binary messages are {@link Blob}s. Into a pipe or file they are streamed (raw, base64 or
 * hex, in JSON too), so a message kept in a temporary file is never copied whole onto the
 * heap; a prompt line needs the bytes in memory. The caller closes the blob afterwards.
 */
final class MessagePrinter {
    enum Encoding { BASE64, HEX, RAW }

    private final Encoding binaryEncoding;
    private final boolean jsonl;
    private final boolean timestamps;
    private final boolean escape;

    /**
     * @param binaryEncoding how binary messages are shown outside --jsonl
     * @param escape whether the output is a terminal (control characters escaped)
     */
    MessagePrinter(Encoding binaryEncoding, boolean jsonl, boolean timestamps, boolean escape) {
        this.binaryEncoding = binaryEncoding;
        this.jsonl = jsonl;
        this.timestamps = timestamps;
        this.escape = escape;
    }

    /** The line for the interactive prompt, e.g. {@code < hello} or {@code < [binary, 3 bytes] AQID}. */
    String promptLine(Object data) {
        if (jsonl) {
            return json(data);
        }
        String stamp = timestamps ? Instant.now() + " " : "";
        if (data instanceof String) {
            return stamp + "< " + Terminal.printable((String) data);
        }
        Blob blob = (Blob) data;
        if (blob.size() > MAX_SHOWN) {
            return stamp + "< [binary, " + blob.size() + " bytes, too long to show here; use pipe mode]";
        }
        byte[] bytes = blob.bytes();
        return stamp + "< [binary, " + bytes.length + " bytes] " + encode(bytes);
    }

    /** Binary messages longer than this are summarized on the prompt (a terminal line of megabytes helps nobody). */
    static final long MAX_SHOWN = 1 << 20;

    /** Writes the message as one line of {@code out} (pipe mode). */
    void print(PrintStream out, Object data) {
        if (timestamps && !jsonl) {
            out.print(Instant.now() + " ");
        }
        if (data instanceof String) {
            String s = (String) data;
            if (jsonl) {
                out.println("{\"type\":\"text\",\"size\":" + s.getBytes(StandardCharsets.UTF_8).length
                        + ",\"timestamp\":\"" + Instant.now() + "\",\"data\":" + Json.quote(s) + "}");
            } else {
                out.println(escape ? Terminal.printable(s) : s);
            }
        } else {
            Blob blob = (Blob) data;
            if (jsonl) {
                boolean hex = binaryEncoding == Encoding.HEX;
                out.print("{\"type\":\"binary\",\"size\":" + blob.size() + ",\"timestamp\":\"" + Instant.now()
                        + "\",\"encoding\":\"" + (hex ? "hex" : "base64") + "\",\"data\":\"");
                encode(blob, out, hex ? Encoding.HEX : Encoding.BASE64);
                out.println("\"}");
            } else if (binaryEncoding == Encoding.RAW && escape) {
                out.println(Terminal.printable(blob.size() > MAX_SHOWN
                        ? "[binary, " + blob.size() + " bytes, too long to show on a terminal]"
                        : new String(blob.bytes(), StandardCharsets.UTF_8)));
            } else {
                encode(blob, out, binaryEncoding);
                out.println();
            }
        }
        out.flush();
    }

    private String json(Object data) {
        String timestamp = Instant.now().toString();
        if (data instanceof String) {
            String s = (String) data;
            return "{\"type\":\"text\",\"size\":" + s.getBytes(StandardCharsets.UTF_8).length
                    + ",\"timestamp\":\"" + timestamp + "\",\"data\":" + Json.quote(s) + "}";
        }
        Blob blob = (Blob) data;
        boolean hex = binaryEncoding == Encoding.HEX;
        String head = "{\"type\":\"binary\",\"size\":" + blob.size() + ",\"timestamp\":\"" + timestamp
                + "\",\"encoding\":\"" + (hex ? "hex" : "base64") + "\",\"data\":";
        if (blob.size() > MAX_SHOWN) {
            return head + "null,\"truncated\":true}";
        }
        byte[] bytes = blob.bytes();
        return head + "\"" + (hex ? HexFormat.of().formatHex(bytes) : Base64.getEncoder().encodeToString(bytes)) + "\"}";
    }

    private String encode(byte[] bytes) {
        return binaryEncoding == Encoding.HEX ? HexFormat.of().formatHex(bytes) : Base64.getEncoder().encodeToString(bytes);
    }

    /** Streams the blob's bytes to {@code out} as they are, in base64 or in hex, in 64 KiB reads. */
    private static void encode(Blob blob, PrintStream out, Encoding encoding) {
        OutputStream target = encoding == Encoding.BASE64 ? Base64.getEncoder().wrap(new Unclosed(out)) : out;
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = blob.stream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                if (encoding == Encoding.HEX) {
                    out.print(HexFormat.of().formatHex(buf, 0, n));
                } else {
                    target.write(buf, 0, n);
                }
            }
            if (encoding == Encoding.BASE64) {
                target.close();     // writes the last group and its padding; out stays open
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code out} with a close() that only flushes (the base64 encoder closes what it wraps). */
    private static final class Unclosed extends FilterOutputStream {
        Unclosed(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
