package dev.duplex.cli;

import dev.duplex.Duplex;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * The {@code duplex} command. Without arguments it runs the MDN WebSocket example against an
 * embedded echo server; {@code connect}, {@code serve} and {@code bench} are the everyday
 * commands. Arguments are parsed with picocli. The exit status is the same for every command
 * (see {@link #EXIT_CODES}, listed by every {@code --help}).
 */
@Command(name = "duplex",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {
                "The browser WebSocket API for Java, and its command-line tool.",
                "Without a command: runs MDN's WebSocket example against an embedded echo server."},
        subcommands = {ConnectCommand.class, ServeCommand.class, BenchCommand.class, Main.DemoCommand.class,
                HelpCommands.Completion.class, HelpCommands.Man.class},
        synopsisSubcommandLabel = "[COMMAND]")
public final class Main implements Callable<Integer> {
    /** Exit status: the session ended with a clean close (or help/version was printed). */
    public static final int OK = 0;
    /** Exit status: any other failure (cannot listen, I/O error, internal error). */
    public static final int FAILURE = 1;
    /** Exit status: the command line was wrong. */
    public static final int USAGE = 2;
    /** Exit status: the connection could not be made (refused, DNS, timeout, TLS, proxy). */
    public static final int CONNECTION_FAILED = 3;
    /** Exit status: the server answered the opening handshake with something other than 101. */
    public static final int HANDSHAKE_REJECTED = 4;
    /** Exit status: closed abnormally (1006) after opening, or by the peer with an error code. */
    public static final int ABNORMAL_CLOSE = 5;
    /** Exit status: interrupted by Ctrl-C (SIGINT). */
    public static final int INTERRUPTED = 130;

    /** Shared exit-code list for every command's help. */
    static final String[] EXIT_CODES = {
            "0:clean close (closing handshake completed with 1000, 1001 or 1005); help, version",
            "1:other failure (e.g. serve cannot listen on its port, I/O error)",
            "2:bad argument or usage",
            "3:connection failed before the handshake (refused, unknown host, timeout, TLS, proxy)",
            "4:handshake rejected: the server answered without 101, or its answer was invalid",
            "5:closed abnormally after opening (1006), or the peer closed with any other code",
            "130:interrupted (Ctrl-C)"};

    static PrintStream out = System.out;
    static PrintStream err = System.err;

    public static void main(String[] args) {
        // UTF-8 whatever the platform's locale says: messages are Unicode.
        out = new PrintStream(new java.io.BufferedOutputStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), 1 << 16), false,
                java.nio.charset.StandardCharsets.UTF_8);
        err = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true,
                java.nio.charset.StandardCharsets.UTF_8);
        int status = run(args);
        out.flush();
        err.flush();
        System.exit(status);
    }

    /** Runs the command line and returns the exit status (never throws). */
    static int run(String... args) {
        CommandLine cl = commandLine();
        return cl.execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        java.util.Map<String, String> codes = new java.util.LinkedHashMap<>();
        for (String line : EXIT_CODES) {
            int colon = line.indexOf(':');
            codes.put(line.substring(0, colon), line.substring(colon + 1));
        }
        addExitCodes(cl, codes);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            String name = c.getCommandSpec().qualifiedName();
            String message = ex.getMessage();
            if (ex instanceof CommandLine.UnmatchedArgumentException && c.getParent() == null) {
                java.util.List<String> unmatched = ((CommandLine.UnmatchedArgumentException) ex).getUnmatched();
                if (!unmatched.isEmpty() && !unmatched.get(0).startsWith("-")) {
                    message = "unknown command '" + unmatched.get(0) + "'";
                }
            }
            err.println(name + ": " + message + " (see '" + name + " --help')");
            return USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> {
            String name = c.getCommandSpec().qualifiedName();
            if (ex instanceof CliException) {
                CliException e = (CliException) ex;
                err.println(name + ": " + e.getMessage());
                if (e.getCause() != null && verbose) {
                    e.getCause().printStackTrace(err);
                }
                return e.status();
            }
            err.println(name + ": internal error: " + ex);
            if (verbose) {
                ex.printStackTrace(err);
            }
            return FAILURE;
        });
        return cl;
    }

    private static void addExitCodes(CommandLine cl, java.util.Map<String, String> codes) {
        if (cl.getCommandSpec().usageMessage().exitCodeList().isEmpty()) {
            cl.getCommandSpec().usageMessage().exitCodeListHeading("%nExit status:%n").exitCodeList(codes);
        }
        for (CommandLine sub : cl.getSubcommands().values()) {
            addExitCodes(sub, codes);
        }
    }

    /** Whether the running command was given --verbose (for stack traces). */
    static volatile boolean verbose;

    @Override
    public Integer call() {
        return new Demo(out, err).run();
    }

    /** {@code duplex demo}: the same as no arguments. */
    @Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Run MDN's WebSocket example against an embedded echo server (same as no command).",
            exitCodeListHeading = "%nExit status:%n",
            exitCodeList = {"0:the example ran and closed cleanly", "3:it could not connect",
                    "5:it closed abnormally"})
    static final class DemoCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            return new Demo(out, err).run();
        }
    }

    /** {@code --version}: the library's version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"duplex " + Duplex.version()};
        }
    }

    /** A failure reported as one line on stderr, with an exit status. */
    static final class CliException extends RuntimeException {
        private final int status;

        CliException(int status, String message) {
            this(status, message, null);
        }

        CliException(int status, String message, Throwable cause) {
            super(message, cause);
            this.status = status;
        }

        int status() {
            return status;
        }
    }

    /** A command-line mistake that picocli could not catch (exit status 2). */
    static CliException usage(String message) {
        return new CliException(USAGE, message);
    }
}
