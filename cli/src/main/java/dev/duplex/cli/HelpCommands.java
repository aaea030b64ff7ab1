package dev.duplex.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Help outside {@code --help}, both generated from the picocli model of the commands (so they
 * never drift from the options): {@code duplex completion bash|zsh} prints a completion script
 * (picocli's {@link AutoComplete}; zsh runs the same script through {@code bashcompinit}), and
 * {@code duplex man} writes a man page (troff) per command. The README gives the install lines.
 */
final class HelpCommands {
    private HelpCommands() {
    }

    /** The root command line, the one {@link Main} runs, for both generators. */
    static CommandLine root() {
        return Main.commandLine();
    }

    @Command(name = "completion", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = {"Print a shell completion script for duplex (commands, options, enum values).",
                    "Install: duplex completion bash > ~/.local/share/bash-completion/completions/duplex",
                    "zsh: duplex completion zsh > ~/.duplex-completion.zsh, and 'source ~/.duplex-completion.zsh' "
                            + "in ~/.zshrc (it loads bashcompinit)."})
    static final class Completion implements Callable<Integer> {
        enum Shell { bash, zsh }

        @Parameters(index = "0", paramLabel = "SHELL", description = "bash or zsh.")
        Shell shell;

        @Override
        public Integer call() {
            String script = AutoComplete.bash("duplex", root());
            if (shell == Shell.zsh) {
                // The same script: sourced by zsh, it loads bashcompinit (zsh's emulation of
                // bash's completion API) and registers itself through it.
                script = "# duplex completion for zsh: source this file from ~/.zshrc\n" + script;
            }
            Main.out.print(script);
            Main.out.flush();
            return Main.OK;
        }
    }

    @Command(name = "man", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = {"Write the manual pages: duplex(1) and one per command, duplex-connect(1) and so on.",
                    "Install: duplex man --dir ~/.local/share/man/man1 (then 'man duplex-connect'). Without --dir, "
                            + "prints the page of COMMAND (default: duplex) on standard output."})
    static final class Man implements Callable<Integer> {
        @Option(names = "--dir", paramLabel = "DIR", description = "Write every page into DIR (created if missing).")
        Path dir;

        @Parameters(index = "0", arity = "0..1", paramLabel = "COMMAND", description = "The command whose page to print.")
        String command;

        @Override
        public Integer call() {
            CommandLine root = root();
            if (dir == null) {
                CommandLine target = command == null ? root : root.getSubcommands().get(command);
                if (target == null) {
                    throw Main.usage("no command '" + command + "' (commands: " + String.join(", ", root.getSubcommands().keySet()) + ")");
                }
                Main.out.print(page(target.getCommandSpec()));
                Main.out.flush();
                return Main.OK;
            }
            try {
                Files.createDirectories(dir);
                List<String> written = new ArrayList<>();
                written.add(write(root.getCommandSpec()));
                for (CommandLine sub : root.getSubcommands().values()) {
                    written.add(write(sub.getCommandSpec()));
                }
                Main.err.println("duplex man: wrote " + String.join(", ", written) + " in " + dir);
            } catch (IOException e) {
                throw new Main.CliException(Main.FAILURE, "cannot write the pages in " + dir + ": " + e.getMessage(), e);
            }
            return Main.OK;
        }

        private String write(CommandSpec c) throws IOException {
            String name = fileName(c);
            Files.writeString(dir.resolve(name), page(c), StandardCharsets.UTF_8);
            return name;
        }
    }

    /** {@code duplex.1}, {@code duplex-connect.1}. */
    static String fileName(CommandSpec c) {
        return c.qualifiedName("-") + ".1";
    }

    /** The troff source (man(7) macros) of the page of {@code c}. */
    static String page(CommandSpec c) {
        String name = c.qualifiedName("-");
        String[] description = c.usageMessage().description();
        StringBuilder b = new StringBuilder();
        b.append(".TH ").append(name.toUpperCase(java.util.Locale.ROOT)).append(" 1 \"\" \"")
                .append(esc(new Main.Version().getVersion()[0])).append("\" \"Duplex manual\"\n");
        b.append(".SH NAME\n").append(esc(name)).append(" \\- ")
                .append(description.length > 0 ? esc(description[0]) : "").append('\n');
        b.append(".SH SYNOPSIS\n.B ").append(esc(c.qualifiedName())).append('\n');
        if (!c.options().isEmpty()) {
            b.append("[\\fIOPTIONS\\fR]\n");
        }
        for (PositionalParamSpec p : c.positionalParameters()) {
            boolean optional = p.arity().min == 0;
            b.append(optional ? "[" : "").append("\\fI").append(esc(p.paramLabel())).append("\\fR")
                    .append(optional ? "]" : "").append('\n');
        }
        if (!c.subcommands().isEmpty()) {
            b.append("[\\fICOMMAND\\fR]\n");
        }
        if (description.length > 0) {
            b.append(".SH DESCRIPTION\n");
            for (String line : description) {
                b.append(".PP\n").append(esc(line)).append('\n');
            }
        }
        if (!c.positionalParameters().isEmpty()) {
            b.append(".SH ARGUMENTS\n");
            for (PositionalParamSpec p : c.positionalParameters()) {
                b.append(".TP\n.I ").append(esc(p.paramLabel())).append('\n').append(esc(String.join(" ", p.description())))
                        .append('\n');
            }
        }
        if (!c.options().isEmpty()) {
            b.append(".SH OPTIONS\n");
            for (OptionSpec o : c.options()) {
                if (o.hidden()) {
                    continue;
                }
                b.append(".TP\n");
                List<String> names = new ArrayList<>();
                for (String n : o.names()) {
                    names.add("\\fB" + esc(n) + "\\fR");
                }
                b.append(String.join(", ", names));
                if (o.arity().max > 0 && !o.paramLabel().isEmpty()) {
                    b.append(" \\fI").append(esc(o.paramLabel())).append("\\fR");
                }
                b.append('\n').append(esc(String.join(" ", o.description()))).append('\n');
            }
        }
        if (!c.subcommands().isEmpty()) {
            b.append(".SH COMMANDS\n");
            for (Map.Entry<String, CommandLine> e : c.subcommands().entrySet()) {
                String[] d = e.getValue().getCommandSpec().usageMessage().description();
                b.append(".TP\n.B ").append(esc(e.getKey())).append('\n').append(d.length > 0 ? esc(d[0]) : "")
                        .append(" See \\fB").append(esc(e.getValue().getCommandSpec().qualifiedName("-"))).append("\\fR(1).\n");
            }
        }
        Map<String, String> codes = c.usageMessage().exitCodeList();
        if (!codes.isEmpty()) {
            b.append(".SH EXIT STATUS\n");
            codes.forEach((code, meaning) -> b.append(".TP\n.B ").append(esc(code.trim())).append('\n')
                    .append(esc(meaning)).append('\n'));
        }
        b.append(".SH SEE ALSO\n");
        List<String> see = new ArrayList<>();
        CommandSpec root = c;
        while (root.parent() != null) {
            root = root.parent();
        }
        see.add(root.qualifiedName("-"));
        for (CommandLine sub : root.subcommands().values()) {
            see.add(sub.getCommandSpec().qualifiedName("-"));
        }
        see.remove(name);
        List<String> refs = new ArrayList<>();
        for (String s : see) {
            refs.add("\\fB" + esc(s) + "\\fR(1)");
        }
        b.append(String.join(", ", refs)).append('\n');
        return b.toString();
    }

    /**
     * Text as troff reads it: backslashes doubled, hyphens as {@code \-} (so option names copy
     * and search as typed), and a line that would start with a control character made literal.
     */
    static String esc(String s) {
        String t = s.replace("\\", "\\e").replace("-", "\\-").replace("%n", " ").replace("\n", " ");
        if (t.startsWith(".") || t.startsWith("'")) {
            t = "\\&" + t;
        }
        return t;
    }
}
