package dev.duplex.micrometer;

import dev.duplex.ServerMetrics;
import dev.duplex.WebSocketServer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Binds a {@link WebSocketServer}'s {@link WebSocketServer#metrics() metrics} to a Micrometer
 * {@link MeterRegistry}. Every meter reads the server when the registry reads the meter (a
 * scrape, a publish): nothing is copied on a timer, and no thread is started. Each reading calls
 * {@code server.metrics()}, which sums a few striped counters; see {@link ServerMetrics} for what
 * each number counts.
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>Name</th><th>Type</th><th>Tags</th><th>From</th></tr>
 *   <tr><td>{@code duplex.connections.open}</td><td>gauge</td><td></td>
 *       <td>{@link ServerMetrics#connectionsOpen()}</td></tr>
 *   <tr><td>{@code duplex.connections}</td><td>counter</td><td></td>
 *       <td>{@link ServerMetrics#connectionsTotal()}</td></tr>
 *   <tr><td>{@code duplex.messages}</td><td>counter</td><td>{@code direction=received|sent}</td>
 *       <td>{@link ServerMetrics#messagesReceived()}, {@link ServerMetrics#messagesSent()}</td></tr>
 *   <tr><td>{@code duplex.bytes}</td><td>counter, base unit bytes</td><td>{@code direction=received|sent}</td>
 *       <td>{@link ServerMetrics#bytesReceived()}, {@link ServerMetrics#bytesSent()}</td></tr>
 *   <tr><td>{@code duplex.closes}</td><td>counter</td><td>{@code code=1000}...{@code 1015|other}</td>
 *       <td>{@link ServerMetrics#closesByCode()}</td></tr>
 *   <tr><td>{@code duplex.closes.abnormal}</td><td>counter</td><td></td>
 *       <td>{@link ServerMetrics#abnormalCloses()}</td></tr>
 *   <tr><td>{@code duplex.handshake.failures}</td><td>counter</td><td>{@code status=400|...|503|other}</td>
 *       <td>{@link ServerMetrics#handshakeFailuresByStatus()}</td></tr>
 * </table>
 *
 * <p>Closes and refused handshakes come as maps whose keys appear as traffic brings them, while
 * a registry wants its meters up front and a bounded set of tag values. So the binder registers
 * a fixed set: one {@code duplex.closes} counter per code from 1000 to 1015, the codes RFC 6455
 * and its IANA registry define (1004 too, reserved; 1006 is what the server reports for every
 * close without a closing handshake), and {@code code=other} for the sum of all other codes
 * (in practice 3000-4999: the registered library codes and the applications' private ones).
 * Likewise {@code duplex.handshake.failures} has one counter per status of
 * {@link #HANDSHAKE_STATUSES} and {@code status=other} for the rest, 0 (never answered: the
 * client went away or sent no complete request in time) included. All of them exist, at 0, from
 * the moment the binder is bound.
 *
 * <pre>{@code
 * WebSocketServer server = new WebSocketServer(ServerOptions.builder().port(8080).build());
 * server.start();
 * new DuplexServerMetrics(server, Tags.of("server", "chat")).bindTo(registry);
 * // duplex.connections.open{server=chat}, duplex.bytes{direction=sent,server=chat}, ...
 * }</pre>
 *
 * <p>The meters hold the server weakly, as Micrometer's function meters do: once the server is
 * unreachable they read {@code NaN}. Bind one binder per server, with a tag telling them apart
 * if a registry holds several. Thread-safe.
 */
public final class DuplexServerMetrics implements MeterBinder {
    /** The HTTP statuses that get a {@code duplex.handshake.failures} counter of their own. */
    public static final Set<Integer> HANDSHAKE_STATUSES = Set.of(400, 401, 403, 404, 409, 413, 421, 426, 429, 431,
            500, 503);
    /** The close codes that get a {@code duplex.closes} counter of their own: 1000 to 1015. */
    public static final Set<Integer> CLOSE_CODES = IntStream.rangeClosed(1000, 1015).boxed()
            .collect(Collectors.toUnmodifiableSet());

    private final WebSocketServer server;
    private final Tags tags;

    /**
     * A binder for {@code server}'s meters, without extra tags.
     *
     * @param server the server to read; started or not (its totals are 0 until it is)
     */
    public DuplexServerMetrics(WebSocketServer server) {
        this(server, Tags.empty());
    }

    /**
     * A binder for {@code server}'s meters, each with {@code tags} added.
     *
     * @param server the server to read; started or not (its totals are 0 until it is)
     * @param tags added to every meter, e.g. {@code Tags.of("server", "chat")}
     */
    public DuplexServerMetrics(WebSocketServer server, Iterable<Tag> tags) {
        this.server = Objects.requireNonNull(server, "server");
        this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("duplex.connections.open", server, s -> s.metrics().connectionsOpen())
                .description("Connections open now").tags(tags).register(registry);
        counter(registry, "duplex.connections", "Connections opened (handshake succeeded)", Tags.empty(),
                ServerMetrics::connectionsTotal);
        String messages = "Data messages received from clients, and queued for them";
        counter(registry, "duplex.messages", messages, Tags.of("direction", "received"), ServerMetrics::messagesReceived);
        counter(registry, "duplex.messages", messages, Tags.of("direction", "sent"), ServerMetrics::messagesSent);
        String bytes = "Frame bytes received from clients and sent to them, after the opening handshake";
        counter(registry, "duplex.bytes", bytes, Tags.of("direction", "received"), ServerMetrics::bytesReceived);
        counter(registry, "duplex.bytes", bytes, Tags.of("direction", "sent"), ServerMetrics::bytesSent);
        counter(registry, "duplex.closes.abnormal", "Connections ended without a closing handshake", Tags.empty(),
                ServerMetrics::abnormalCloses);
        bucketed(registry, "duplex.closes", "Connections ended, by close code", "code", CLOSE_CODES,
                ServerMetrics::closesByCode);
        bucketed(registry, "duplex.handshake.failures", "Upgrades refused or never finished, by HTTP status",
                "status", HANDSHAKE_STATUSES, ServerMetrics::handshakeFailuresByStatus);
    }

    /** One counter per key of {@code keys}, in order, and {@code other} for the sum of the rest. */
    private void bucketed(MeterRegistry registry, String name, String description, String tag, Set<Integer> keys,
                          Function<ServerMetrics, Map<Integer, Long>> counts) {
        for (int key : keys.stream().sorted().toList()) {
            counter(registry, name, description, Tags.of(tag, Integer.toString(key)),
                    m -> counts.apply(m).getOrDefault(key, 0L));
        }
        counter(registry, name, description, Tags.of(tag, "other"), m -> counts.apply(m).entrySet().stream()
                .filter(e -> !keys.contains(e.getKey())).mapToLong(Map.Entry::getValue).sum());
    }

    private void counter(MeterRegistry registry, String name, String description, Tags extra,
                         ToLongFunction<ServerMetrics> value) {
        FunctionCounter.builder(name, server, s -> value.applyAsLong(s.metrics()))
                .baseUnit(name.equals("duplex.bytes") ? BaseUnits.BYTES : null)
                .description(description).tags(tags.and(extra)).register(registry);
    }
}
