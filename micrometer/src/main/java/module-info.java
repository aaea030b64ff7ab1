/**
 * Duplex for Micrometer: {@link dev.duplex.micrometer.DuplexServerMetrics} binds a Duplex
 * server's metrics to a {@code MeterRegistry}.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"}) // Micrometer has no module-info, only a module name
module dev.duplex.micrometer {
    requires transitive dev.duplex;
    requires transitive micrometer.core;
    exports dev.duplex.micrometer;
}
