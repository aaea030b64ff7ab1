package dev.duplex.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The program line of {@code serve --exec CMD}, turned into what to start. A command that is
 * just words separated by blanks ({@code tr a-z A-Z}, {@code ./script.py --flag}) runs directly,
 * as websocketd runs it, saving the exec of a shell per connection; anything a shell would
 * interpret (quotes, {@code $}, pipes, redirections, globs, {@code ;}, {@code &}, a leading
 * {@code NAME=value}...) runs with {@code sh -c CMD}, so it means what it means in a shell.
 */
final class ExecCommand {
    /** Characters that make a command need a shell: quoting, expansion, operators, globbing, comments. */
    private static final String SHELL_SYNTAX = "|&;<>()$`\\\"'*?[]#~=%{}!\n\r";

    private ExecCommand() {}

    /** Whether {@code command} uses any shell syntax. */
    static boolean needsShell(String command) {
        for (int i = 0; i < command.length(); i++) {
            if (SHELL_SYNTAX.indexOf(command.charAt(i)) >= 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * The argument vector: the words of {@code command}, or {@code sh -c command}.
     *
     * @throws IllegalArgumentException if the command is blank
     */
    static List<String> argv(String command) {
        if (command.isBlank()) {
            throw new IllegalArgumentException("--exec needs a command, e.g. --exec 'tr a-z A-Z'");
        }
        if (needsShell(command)) {
            return List.of("sh", "-c", command);
        }
        List<String> words = new ArrayList<>();
        for (String w : command.trim().split("[ \t]+")) {
            words.add(w);
        }
        return words;
    }
}
