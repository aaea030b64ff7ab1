package dev.duplex.bench.peers.server;

/**
 * The command line every benchmark echo server takes: {@code PORT [--deflate]}. Each server
 * listens on 127.0.0.1:PORT, echoes every text and binary message back unchanged, and prints
 * {@code READY <port>} on stdout once it accepts connections (bench/bench-servers waits for it).
 */
record ServerArgs(int port, boolean deflate) {

    static ServerArgs parse(String name, String[] args) {
        int port = -1;
        boolean deflate = false;
        for (String a : args) {
            if (a.equals("--deflate")) {
                deflate = true;
            } else if (a.matches("\\d+") && port < 0) {
                port = Integer.parseInt(a);
            } else {
                usage(name, "unexpected argument: " + a);
            }
        }
        if (port < 0) {
            usage(name, "missing PORT");
        }
        return new ServerArgs(port, deflate);
    }

    private static void usage(String name, String problem) {
        System.err.println(name + ": " + problem);
        System.err.println("usage: java ... " + name + " PORT [--deflate]");
        System.exit(2);
    }

    /** Tells the driver script that the server listens; flushed at once since stdout is a pipe. */
    static void ready(int port) {
        System.out.println("READY " + port);
        System.out.flush();
    }

    /** Keeps main alive: the servers' threads may be daemons, and the script kills us by PID. */
    static void park() throws InterruptedException {
        Thread.currentThread().join();
    }
}
