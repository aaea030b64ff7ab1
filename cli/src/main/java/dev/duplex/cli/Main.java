package dev.duplex.cli;

import dev.duplex.Duplex;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * The {@code duplex} command. Without arguments it runs the MDN WebSocket example against an
 * embedded echo server; {@code connect} and {@code serve} are the everyday commands.
 */
public final class Main {
    /** Exit status: the session ended with a clean close (or help/version was printed). */
    public static final int OK = 0;
    /** Exit status: the connection failed or closed abnormally (close code 1006). */
    public static final int CONNECTION_FAILED = 1;
    /** Exit status: the command line was wrong. */
    public static final int USAGE = 2;

    private Main() {}

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        System.out.flush();
        System.exit(status);
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            return new Demo(out, err).run();
        }
        String command = args[0];
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            switch (command) {
                case "connect":
                    return ConnectCommand.run(rest, out, err);
                case "serve":
                    return ServeCommand.run(rest, out, err);
                case "demo":
                    return new Demo(out, err).run();
                case "-h":
                case "--help":
                case "help":
                    out.print(usage());
                    return OK;
                case "-V":
                case "--version":
                    out.println("duplex " + Duplex.version());
                    return OK;
                default:
                    err.println("duplex: unknown command '" + command + "' (try 'duplex --help')");
                    return USAGE;
            }
        } catch (UsageException e) {
            err.println("duplex " + command + ": " + e.getMessage());
            return USAGE;
        }
    }

    static String usage() {
        return "Usage: duplex [COMMAND] [OPTIONS]\n"
                + "\n"
                + "Duplex " + Duplex.version() + ": the browser WebSocket API for Java, and its command-line tool.\n"
                + "\n"
                + "Commands:\n"
                + "  (none)                 run the MDN WebSocket example against an embedded echo server\n"
                + "  connect URL [--protocol P]... [--wait SECONDS]\n"
                + "                         connect; each stdin line is sent as a text message, each\n"
                + "                         message received is printed on its own line (binary: base64);\n"
                + "                         after stdin ends, waits until no message came for --wait\n"
                + "                         seconds (default 1), then closes\n"
                + "  serve [--port N] [--host H]\n"
                + "                         run an echo server (default 127.0.0.1, port 8080)\n"
                + "  --help, --version\n"
                + "\n"
                + "Exit status: 0 clean close, 1 connection failed or closed abnormally, 2 bad arguments.\n";
    }

    /** A command-line mistake: reported as one line, exit status 2. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }
}
