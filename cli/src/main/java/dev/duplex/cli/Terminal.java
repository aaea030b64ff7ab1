package dev.duplex.cli;

import java.io.Console;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the CLI needs to know about its terminal, and how to show untrusted text on one. */
final class Terminal {
    private Terminal() {}

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

    /**
     * Whether file descriptor {@code fd} (1 stdout, 2 stderr) is a terminal. Java has no
     * isatty(); on Linux the descriptor's link names a tty or pts device.
     */
    static boolean isTerminal(int fd) {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return isInteractive();
        }
    }

    /**
     * The text with control characters other than tab and newline shown as {@code ^X}
     * (C1 controls as {@code \\u0085}): received text must not drive the terminal (clear it,
     * move the cursor, set the window title, fake a prompt).
     */
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

    /** {@link #printable} and newlines as {@code \n}: one line for an error message. */
    static String oneLine(String s) {
        return printable(s).replace("\n", "\\n");
    }
}
