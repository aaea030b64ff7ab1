package dev.duplex.cli;

import java.io.Console;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Reader;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A minimal interactive line editor on a POSIX terminal, with plain ANSI sequences: it shows a
 * prompt, echoes what is typed, and prints incoming lines above the prompt without breaking the
 * line being typed (carriage return, clear line, the message, then the prompt and the input again).
 *
 * <p>The terminal is switched to non-canonical mode without echo with {@code stty} (signals stay
 * on, so Ctrl-C still interrupts), and restored on {@link #close()} and at JVM exit. Keys:
 * Enter sends, Backspace, Ctrl-U (clear line), Ctrl-W (delete word), Ctrl-L (redraw),
 * Ctrl-D on an empty line ends input; cursor keys are ignored.
 */
final class Terminal implements AutoCloseable {
    static final String PROMPT = "> ";

    private final PrintStream out;
    private final Reader in;
    private final StringBuilder line = new StringBuilder();
    private final String savedMode;
    private final Thread restoreHook;
    private volatile boolean restored;

    private Terminal(String savedMode) {
        this.savedMode = savedMode;
        this.out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        this.in = new InputStreamReader(System.in, StandardCharsets.UTF_8);
        this.restoreHook = new Thread(() -> {
            synchronized (this) {
                out.print("\r\n");
                out.flush();
            }
            restore();
        }, "duplex-terminal-restore");
        Runtime.getRuntime().addShutdownHook(restoreHook);
    }

    /** Whether standard input and output are both a terminal. */
    static boolean isInteractive() {
        Console c = System.console();
        if (c == null) {
            return false;
        }
        try {   // JDK 22+: System.console() is non-null even when redirected; ask isTerminal()
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(c);
        } catch (NoSuchMethodException e) {
            return true;    // JDK 17-21: non-null means both are a terminal
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }

    /** Puts the terminal in character mode; null if that is not possible (no stty, no /dev/tty). */
    static Terminal open() {
        String saved = stty("-g");
        if (saved == null || saved.isBlank() || stty("-icanon -echo min 1 time 0") == null) {
            return null;
        }
        return new Terminal(saved.trim());
    }

    private static String stty(String args) {
        try {
            Process p = new ProcessBuilder("sh", "-c", "stty " + args + " < /dev/tty")
                    .redirectErrorStream(true).start();
            byte[] output = p.getInputStream().readAllBytes();
            if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return null;
            }
            return new String(output, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private void restore() {
        if (!restored) {
            restored = true;
            stty(savedMode);
        }
    }

    /** Shows the prompt (and the input so far). */
    synchronized void prompt() {
        redraw();
    }

    /** Prints a message (possibly several lines) above the line being typed. */
    synchronized void printAbove(String text) {
        out.print("\r\033[K");
        out.print(printable(text).replace("\n", "\r\n"));
        out.print("\r\n");
        redraw();
    }

    /**
     * Reads one line, with echo and editing.
     *
     * @return the line without its end, or null at end of input (Ctrl-D on an empty line)
     */
    String readLine() throws IOException {
        while (true) {
            int c = in.read();
            if (c < 0) {
                return null;
            }
            synchronized (this) {
                switch (c) {
                    case 4:                     // Ctrl-D
                        if (line.length() == 0) {
                            out.print("\r\033[K");
                            out.flush();
                            return null;
                        }
                        break;
                    case '\r':
                    case '\n': {
                        String result = line.toString();
                        line.setLength(0);
                        out.print("\r\n");
                        redraw();
                        return result;
                    }
                    case 127:
                    case 8:                     // Backspace
                        if (line.length() > 0) {
                            int cut = line.offsetByCodePoints(line.length(), -1);
                            line.setLength(cut);
                        }
                        redraw();
                        break;
                    case 21:                    // Ctrl-U
                        line.setLength(0);
                        redraw();
                        break;
                    case 23: {                  // Ctrl-W
                        int i = line.length();
                        while (i > 0 && line.charAt(i - 1) == ' ') {
                            i--;
                        }
                        while (i > 0 && line.charAt(i - 1) != ' ') {
                            i--;
                        }
                        line.setLength(i);
                        redraw();
                        break;
                    }
                    case 12:                    // Ctrl-L
                        out.print("\033[H\033[2J");
                        redraw();
                        break;
                    case 27:                    // an escape sequence (cursor keys...): ignored
                        skipEscape();
                        break;
                    case '\t':
                        line.append('\t');
                        redraw();
                        break;
                    default:
                        if (c >= 32) {
                            line.append((char) c);
                            redraw();
                        }
                        break;
                }
            }
        }
    }

    private void skipEscape() throws IOException {
        int c = in.read();
        if (c == '[' || c == 'O') {
            do {
                c = in.read();
            } while (c >= 0 && (c < 0x40 || c > 0x7e));
        }
    }

    private void redraw() {
        out.print("\r\033[K" + PROMPT + line);
        out.flush();
    }

    // Control characters other than tab and newline would drive the terminal: show them as ^X.
    static String printable(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            boolean control = (ch < 32 && ch != '\t' && ch != '\n') || ch == 127 || (ch >= 0x80 && ch < 0xa0);
            if (control && b == null) {
                b = new StringBuilder(s.substring(0, i));
            }
            if (b != null) {
                if (control) {
                    b.append(ch == 127 ? "^?" : ch < 32 ? "^" + (char) (ch + 64) : "\\u" + Integer.toHexString(ch));
                } else {
                    b.append(ch);
                }
            }
        }
        return b == null ? s : b.toString();
    }

    @Override
    public synchronized void close() {
        out.flush();
        restore();
        try {
            Runtime.getRuntime().removeShutdownHook(restoreHook);
        } catch (IllegalStateException e) {
            // shutting down already: the hook restores
        }
    }
}
