package dev.duplex.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.ResourceLock;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code duplex completion} and {@code duplex man}: the script and the pages exist and name
 * every command and every option of each, and both work where they are used (bash completes
 * an option, man renders a page).
 */
@Timeout(60)
@ResourceLock(Cli.STREAMS)
class HelpCommandsTest {
    private static List<CommandSpec> commands() {
        List<CommandSpec> all = new ArrayList<>();
        CommandLine root = Main.commandLine();
        all.add(root.getCommandSpec());
        for (CommandLine sub : root.getSubcommands().values()) {
            all.add(sub.getCommandSpec());
        }
        return all;
    }

    @Test
    void theSubcommandsAreAllThere() {
        assertThat(Main.commandLine().getSubcommands().keySet())
                .contains("connect", "serve", "bench", "demo", "completion", "man");
    }

    @Test
    void theCompletionScriptNamesEveryCommandAndOption() {
        for (String shell : List.of("bash", "zsh")) {
            Cli.Result r = Cli.inProcess("completion", shell);
            assertThat(r.exit).as("%s", r).isEqualTo(Main.OK);
            for (CommandSpec c : commands()) {
                if (c.parent() != null) {
                    assertThat(r.out).as("%s script: function of %s", shell, c.name())
                            .contains("function _picocli_duplex_" + c.name() + "()");
                }
                for (OptionSpec o : c.options()) {
                    for (String name : o.names()) {
                        assertThat(r.out).as("%s script: %s of %s", shell, name, c.qualifiedName()).contains(name);
                    }
                }
            }
        }
        assertThat(Cli.inProcess("completion", "fish").exit).isEqualTo(Main.USAGE);
    }

    @Test
    void bashCompletesAnOptionWithTheScript(@TempDir Path dir) throws Exception {
        Path script = dir.resolve("duplex.bash");
        Files.writeString(script, Cli.inProcess("completion", "bash").out);
        Process p = new ProcessBuilder("bash", "-c", "source '" + script + "' 2>/dev/null; "
                + "COMP_WORDS=(duplex connect --sla); COMP_CWORD=2; COMP_LINE='duplex connect --sla'; "
                + "COMP_POINT=${#COMP_LINE}; _complete_duplex 2>/dev/null; echo \"${COMPREPLY[@]}\"")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(out.strip()).isEqualTo("--slash");
    }

    @Test
    void manWritesAPagePerCommandWithEveryOption(@TempDir Path dir) throws Exception {
        Cli.Result r = Cli.inProcess("man", "--dir", dir.toString());
        assertThat(r.exit).as("%s", r).isEqualTo(Main.OK);
        for (CommandSpec c : commands()) {
            Path page = dir.resolve(HelpCommands.fileName(c));
            assertThat(page).as("page of %s", c.qualifiedName()).exists();
            String troff = Files.readString(page);
            assertThat(troff).startsWith(".TH " + c.qualifiedName("-").toUpperCase() + " 1");
            for (OptionSpec o : c.options()) {
                for (String name : o.names()) {
                    assertThat(troff).as("%s in %s", name, page.getFileName()).contains("\\fB" + name.replace("-", "\\-") + "\\fR");
                }
            }
        }
        assertThat(Files.readString(dir.resolve("duplex.1"))).contains(".SH COMMANDS").contains("duplex\\-connect\\fR(1)");
        assertThat(Files.readString(dir.resolve("duplex-connect.1"))).contains(".SH EXIT STATUS");

        // man renders it: the option and its description, as a reader sees them
        Process p = new ProcessBuilder("man", "-l", dir.resolve("duplex-connect.1").toString())
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        String shown = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(shown.replaceAll(".\b", "")).contains("duplex-connect - Connect to a WebSocket server.")
                .contains("--slash");
    }

    @Test
    void manPrintsOnePageAndRefusesAnUnknownCommand() {
        Cli.Result r = Cli.inProcess("man", "serve");
        assertThat(r.out).startsWith(".TH DUPLEX-SERVE 1");
        Cli.Result bad = Cli.inProcess("man", "frobnicate");
        assertThat(bad.exit).isEqualTo(Main.USAGE);
        assertThat(bad.err.strip()).isEqualTo("duplex man: no command 'frobnicate' (commands: connect, serve, bench, demo, completion, man)");
    }
}
