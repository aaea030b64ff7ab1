package dev.duplex.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code duplex bench} as a separate process. */
@Timeout(60)
class BenchProcessTest {

    @SuppressWarnings("unchecked")
    private static void assertPlausible(Map<String, Object> result, double messages) {
        assertThat((Double) result.get("messages")).isEqualTo(messages);
        assertThat((Double) result.get("msgs_per_sec")).isPositive();
        assertThat((Double) result.get("mb_per_sec")).isPositive();
        assertThat((Double) result.get("seconds")).isPositive();
        Map<String, Object> latency = (Map<String, Object>) result.get("latency_ms");
        double min = (Double) latency.get("min");
        double p50 = (Double) latency.get("p50");
        double p99 = (Double) latency.get("p99");
        double p999 = (Double) latency.get("p99_9");
        double max = (Double) latency.get("max");
        assertThat(min).isPositive();
        assertThat(min).isLessThanOrEqualTo(p50);
        assertThat(p50).isLessThanOrEqualTo(p99);
        assertThat(p99).isLessThanOrEqualTo(p999);
        assertThat(p999).isLessThanOrEqualTo(max);
        assertThat(max).isLessThan(30_000);
    }

    @Test
    void embeddedServerCountJson() throws Exception {
        Cli.Result r = Cli.run("", "bench", "--count", "3000", "--connections", "3", "--window", "4",
                "--size", "100", "--json");
        assertThat(r.exit).as("%s", r).isEqualTo(Main.OK);
        Map<String, Object> result = MiniJson.object(r.out);
        assertPlausible(result, 3000);
        assertThat(result).containsEntry("embedded", true).containsEntry("connections", 3.0)
                .containsEntry("size", 100.0).containsEntry("window", 4.0).containsEntry("binary", false);
    }

    @Test
    void binaryDurationAndRateAgainstServe() throws Exception {
        try (Cli.Server server = new Cli.Server("--quiet")) {
            Cli.Result r = Cli.run("", "bench", server.url, "--binary", "--size", "1k", "--duration", "1.5",
                    "--rate", "400", "--json");
            assertThat(r.exit).as("%s", r).isEqualTo(Main.OK);
            Map<String, Object> result = MiniJson.object(r.out);
            double messages = (Double) result.get("messages");
            assertThat(messages).isBetween(400.0, 800.0);          // ~600 at 400/s for 1.5 s
            assertPlausible(result, messages);
            assertThat(result).containsEntry("binary", true).containsEntry("size", 1024.0)
                    .containsEntry("embedded", false);
            assertThat(r.err).contains("round trips");               // the progress line
        }
    }

    @Test
    void textReport() throws Exception {
        Cli.Result r = Cli.run("", "bench", "--count", "500", "--quiet");
        assertThat(r.exit).as("%s", r).isEqualTo(Main.OK);
        assertThat(r.out).contains("duplex bench: ws://127.0.0.1:").contains("(embedded echo server)")
                .contains("round trips: 500").contains("msgs/s").contains("MB/s").contains("p50").contains("p99.9");
        assertThat(r.err).isEmpty();
    }

    @Test
    void refusedBenchExitsWith3() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Cli.Result r = Cli.run("", "bench", "ws://127.0.0.1:" + port + "/", "--count", "10");
        assertThat(r.exit).as("%s", r).isEqualTo(Main.CONNECTION_FAILED);
        assertThat(r.err.strip()).startsWith("duplex bench: cannot connect").doesNotContain("\n");
    }
}
