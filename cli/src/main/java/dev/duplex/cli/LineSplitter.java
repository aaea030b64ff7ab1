package dev.duplex.cli;

import java.nio.ByteBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Cuts a child's output into text messages: a line ends at {@code \n}; a {@code \r\n} ending
 * loses its {@code \r}, while a lone {@code \r} stays in the message (progress bars, old Mac
 * files). Bytes that are not UTF-8 become U+FFFD (use {@code --binary} to pass bytes through).
 *
 * <p>A line may hold at most {@code maxLine} bytes: a child that prints without ever ending a
 * line would otherwise grow the buffer until the heap runs out. Past the cap {@link #feed}
 * throws {@link LineTooLongException} and the caller closes the socket.
 */
final class LineSplitter {
    /** A line longer than the cap. */
    static final class LineTooLongException extends Exception {
        LineTooLongException(String message) {
            super(message);
        }
    }

    private final int maxLine;
    private final Consumer<String> lines;
    private byte[] pending = new byte[256];
    private int length;

    LineSplitter(int maxLine, Consumer<String> lines) {
        this.maxLine = maxLine;
        this.lines = lines;
    }

    /** Takes more output; calls the consumer for every line it completes. */
    void feed(byte[] b, int off, int len) throws LineTooLongException {
        int end = off + len;
        int start = off;
        for (int i = off; i < end; i++) {
            if (b[i] == '\n') {
                append(b, start, i - start);
                emit();
                start = i + 1;
            }
        }
        append(b, start, end - start);
    }

    /** The output ended: an unfinished last line is a message too. */
    void finish() {
        if (length > 0) {
            emit();
        }
    }

    private void append(byte[] b, int off, int len) throws LineTooLongException {
        if (len == 0) {
            return;
        }
        // The \n is not counted: a line of exactly maxLine bytes passes.
        if ((long) length + len > maxLine + 1L || ((long) length + len > maxLine && b[off + len - 1] != '\r')) {
            throw new LineTooLongException("the command printed a line longer than " + maxLine
                    + " bytes (--max-line)");
        }
        if (length + len > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(length + len, Math.min(pending.length * 2, maxLine + 1)));
        }
        System.arraycopy(b, off, pending, length, len);
        length += len;
    }

    private void emit() {
        int n = length;
        if (n > 0 && pending[n - 1] == '\r') {
            n--;
        }
        lines.accept(decode(pending, n));
        length = 0;
        if (pending.length > 64 * 1024) {
            pending = new byte[256];    // one long line does not pin its buffer
        }
    }

    private static String decode(byte[] b, int n) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
        try {
            return d.decode(ByteBuffer.wrap(b, 0, n)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException(e);     // REPLACE never throws
        }
    }
}
