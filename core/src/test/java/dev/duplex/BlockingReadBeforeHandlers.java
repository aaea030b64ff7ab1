package dev.duplex;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A program from the delivery-model issue: it makes a socket, then blocks in a read on another
 * (plain TCP) socket that answers after a while, and only then registers its handlers. On a
 * virtual thread that read parks the thread, which the earlier delivery rule took for "done
 * registering"; the events must wait for the handlers either way.
 */
final class BlockingReadBeforeHandlers {
    private BlockingReadBeforeHandlers() {}

    /** Runs the program on a thread from {@code threads} against {@code url}; returns the events its handlers saw. */
    static List<String> run(String url, Function<Runnable, Thread> threads) throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        CountDownLatch message = new CountDownLatch(1);
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        try (ServerSocket slow = new ServerSocket()) {
            slow.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread answerer = new Thread(() -> {
                try (Socket s = slow.accept(); OutputStream out = s.getOutputStream()) {
                    Thread.sleep(200);      // the open event and the greeting arrive meanwhile
                    out.write('!');
                    out.flush();
                    s.getInputStream().read();
                } catch (IOException | InterruptedException e) {
                    failures.add(e);
                }
            }, "slow-answerer");
            answerer.start();
            Thread program = threads.apply(() -> {
                WebSocket ws = new WebSocket(url);
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), slow.getLocalPort())) {
                    InputStream in = s.getInputStream();
                    if (in.read() != '!') {
                        failures.add(new IOException("unexpected answer"));
                    }
                } catch (IOException e) {
                    failures.add(e);
                }
                ws.onopen(e -> seen.add("open"));
                ws.onmessage(e -> {
                    seen.add("message:" + ((MessageEvent) e).data());
                    message.countDown();
                });
                if (!await(message)) {
                    failures.add(new AssertionError("no message within 5 s; seen " + seen));
                }
                ws.close();
            });
            program.start();
            program.join(10_000);
            answerer.join(5_000);
        }
        if (!failures.isEmpty()) {
            AssertionError e = new AssertionError("the program failed; seen " + seen);
            failures.forEach(e::addSuppressed);
            throw e;
        }
        return seen;
    }

    private static boolean await(CountDownLatch latch) {
        try {
            return latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
