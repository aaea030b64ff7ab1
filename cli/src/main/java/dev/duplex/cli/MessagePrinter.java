package dev.duplex.cli;

import java.io.PrintStream;
import java.nio.ByteBuffer;
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
        byte[] bytes = bytes((ByteBuffer) data);
        return stamp + "< [binary, " + bytes.length + " bytes] " + (binaryEncoding == Encoding.HEX
                ? HexFormat.of().formatHex(bytes) : Base64.getEncoder().encodeToString(bytes));
    }

    /** Writes the message as one line of {@code out} (pipe mode). */
    void print(PrintStream out, Object data) {
        if (jsonl) {
            out.println(json(data));
        } else {
            if (timestamps) {
                out.print(Instant.now() + " ");
            }
            if (data instanceof String) {
                String s = (String) data;
                out.println(escape ? Terminal.printable(s) : s);
            } else {
                byte[] bytes = bytes((ByteBuffer) data);
                if (binaryEncoding == Encoding.RAW && !escape) {
                    out.write(bytes, 0, bytes.length);
                    out.println();
                } else if (binaryEncoding == Encoding.RAW) {
                    out.println(Terminal.printable(new String(bytes, StandardCharsets.UTF_8)));
                } else {
                    out.println(encode(bytes));
                }
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
        byte[] bytes = bytes((ByteBuffer) data);
        boolean hex = binaryEncoding == Encoding.HEX;
        return "{\"type\":\"binary\",\"size\":" + bytes.length + ",\"timestamp\":\"" + timestamp
                + "\",\"encoding\":\"" + (hex ? "hex" : "base64") + "\",\"data\":\""
                + (hex ? HexFormat.of().formatHex(bytes) : Base64.getEncoder().encodeToString(bytes)) + "\"}";
    }

    private String encode(byte[] bytes) {
        return binaryEncoding == Encoding.HEX ? HexFormat.of().formatHex(bytes) : Base64.getEncoder().encodeToString(bytes);
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] bytes = new byte[b.remaining()];
        b.duplicate().get(bytes);
        return bytes;
    }
}
