package dev.duplex.cli;

import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.TerminalBuilder;

import java.io.IOException;

/**
 * The interactive prompt of {@code connect}, on JLine: line editing (cursor keys, Home/End,
 * Ctrl-A/E/K/U/W, Alt-B/F), history with Up/Down and Ctrl-R, and messages printed above the line
 * being typed without disturbing it. Escape sequences the key map does not know are dropped by
 * JLine rather than typed, so a stray arrow key never becomes a message.
 *
 * <p>History stays in memory for the session: messages may hold secrets, so nothing is written
 * to a history file. {@code !} is plain text (no history expansion) and a line is sent as typed.
 * Only this class refers to JLine, so pipe mode never loads it.
 */
final class Prompt implements AutoCloseable {
    static final String PROMPT = "> ";

    /** Ctrl-C at the prompt. */
    static final class Interrupted extends Exception {
        Interrupted() {
            super("interrupted");
        }
    }

    private final org.jline.terminal.Terminal terminal;
    private final LineReader reader;

    private Prompt(org.jline.terminal.Terminal terminal) {
        this.terminal = terminal;
        this.reader = LineReaderBuilder.builder().terminal(terminal).appName("duplex")
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                .option(LineReader.Option.HISTORY_IGNORE_SPACE, false)
                .variable(LineReader.HISTORY_SIZE, 1000)
                .build();
    }

    /** Opens the terminal in character mode; throws if it is not a terminal JLine can drive. */
    static Prompt open() throws IOException {
        org.jline.terminal.Terminal t = TerminalBuilder.builder().system(true).name("duplex")
                .nativeSignals(true).dumb(false).build();
        return new Prompt(t);
    }

    /**
     * Reads one line.
     *
     * @return the line, or null at the end of input (Ctrl-D on an empty line)
     * @throws Interrupted on Ctrl-C
     */
    String readLine() throws Interrupted {
        try {
            return reader.readLine(PROMPT);
        } catch (EndOfFileException e) {
            return null;
        } catch (UserInterruptException e) {
            throw new Interrupted();
        }
    }

    /** Prints text (possibly several lines) above the line being typed. */
    void printAbove(String text) {
        reader.printAbove(text);
    }

    @Override
    public void close() {
        try {
            terminal.close();
        } catch (IOException e) {
            // the terminal is gone: nothing to restore
        }
    }
}
