package dev.duplex.cli;

import dev.duplex.WebSocket;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@code connect --verbose}: a line with the round-trip time, latest and smoothed, each time
 * the pong to a keep-alive ping ({@code --ping-interval}) arrives.
 *
 * <p>The library has no pong event; it keeps the latest round trip ({@link
 * WebSocket#roundTripTime()}), which changes with every answered ping. This class reads it
 * every {@value #PERIOD_MILLIS} ms on a daemon thread and reports each new value, so a line
 * appears within that time of its pong. Keep-alive pings are seconds apart; two pongs within
 * one period would show as one line. The answer to a {@code --slash} {@code /ping} counts too:
 * it shows here besides the command's own line with its data.
 */
final class RoundTripReporter {
    static final long PERIOD_MILLIS = 20;

    private final WebSocket ws;
    private final Consumer<String> notice;
    private final ScheduledExecutorService timer;
    private long lastSeen = -1;

    RoundTripReporter(WebSocket ws, Consumer<String> notice) {
        this.ws = ws;
        this.notice = notice;
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "duplex-round-trips");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::check, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void check() {
        Optional<Duration> latest = ws.roundTripTime();
        if (latest.isEmpty()) {
            return;
        }
        long nanos = latest.get().toNanos();
        if (nanos == lastSeen) {
            return;
        }
        lastSeen = nanos;
        notice.accept("pong: round trip " + millis(latest.get())
                + ws.smoothedRoundTripTime().map(s -> ", smoothed " + millis(s)).orElse(""));
    }

    void stop() {
        timer.shutdownNow();
    }

    /** A duration in milliseconds with three decimals, e.g. {@code 0.412 ms}. */
    static String millis(Duration d) {
        return String.format(Locale.ROOT, "%.3f ms", d.toNanos() / 1e6);
    }
}
