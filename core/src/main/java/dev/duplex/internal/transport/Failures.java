package dev.duplex.internal.transport;

/**
 * The one way Duplex reports an exception it cannot hand to anyone: a listener that threw, a
 * handshake handler that failed, a crash of an event loop. It goes to the current thread's
 * uncaught-exception handler, else the JVM's default one, else to standard error with the
 * thread's name, so that no failure disappears and none kills the thread that reports it.
 * Errors such as {@link OutOfMemoryError} are not swallowed: the caller gets them back.
 */
public final class Failures {
    private Failures() {}

    /** Reports {@code failure} as an uncaught exception of the current thread would be, and returns. */
    public static void report(Throwable failure) {
        Thread thread = Thread.currentThread();
        try {
            Thread.UncaughtExceptionHandler handler = thread.getUncaughtExceptionHandler();
            if (handler == null) {
                handler = Thread.getDefaultUncaughtExceptionHandler();
            }
            // With no handler of its own, a live thread answers with its ThreadGroup, which passes
            // the failure to the default handler or prints it: the program's choice always wins.
            if (handler != null) {
                handler.uncaughtException(thread, failure);
                return;
            }
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable handlerFailure) {
            failure.addSuppressed(handlerFailure);
        }
        System.err.print("[duplex] exception on thread \"" + thread.getName() + "\" ");
        failure.printStackTrace();
    }
}
