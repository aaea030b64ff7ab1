package dev.duplex.bench.soak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads the soak's two logs (the {@code SAMPLE}, {@code ERRORS}, {@code CLOSES}, {@code CONFIG}
 * and {@code END} lines of {@link SoakServer} and {@link SoakClient}), writes the markdown report
 * (one table with both processes' samples, the error tallies, the verdict and the rule behind
 * it) and exits with 0 for PASS, 1 for FAIL.
 *
 * <h2>The rule</h2>
 * PASS needs all of:
 * <ol>
 *   <li><b>Integrity</b>: no message lost, corrupt, duplicated, reordered or misrouted (client),
 *       none corrupt on arrival at the server; every message sent was echoed and received.</li>
 *   <li><b>No failures</b>: every connection ended with a clean 1000 close on both sides (no
 *       connect failure, no error event, no echo timeout), and none was left open at the end.</li>
 *   <li><b>No growth under load</b>, for threads, descriptors, heap after GC and live zlib
 *       streams, in each process: among the periodic samples taken at full load (at least 90 %
 *       of the connections open), the last is at most the median of the middle half times
 *       (1 + r) plus a: threads r = 10 %, a = 8; descriptors and zlib streams r = 10 %, a = 20;
 *       heap r = 25 %, a = 16 MiB. It needs at least 4 such samples; with fewer it is reported
 *       as not judged (short trial runs).</li>
 *   <li><b>Back to the baseline</b> once every connection is closed and Duplex's idle threads
 *       are gone, compared with the sample taken before the first connection: descriptors at
 *       most baseline + 4, threads at most baseline + 2, heap after GC at most baseline + 16 MiB,
 *       live zlib streams at most the baseline, no socket left open or registered. This is the
 *       strict leak test: hundreds of thousands of connections have come and gone, so a leak of
 *       one descriptor, thread or zlib stream, or of about 100 bytes, per connection fails it.</li>
 * </ol>
 */
public final class SoakReport {
    private static final long MIB = 1 << 20;

    /** Tolerances of the growth rule: relative, absolute. */
    private static final Map<String, double[]> GROWTH = new LinkedHashMap<>();
    /** Slack of the back-to-baseline rule. */
    private static final Map<String, Long> DRAIN_SLACK = new LinkedHashMap<>();
    static {
        // Threads: Duplex's resolver pool alone may hold up to 64 short-lived threads at a moment,
        // so a few more at the last sample than at the median means nothing; a leak shows in the
        // back-to-baseline check, which allows 2.
        GROWTH.put("threads", new double[] {0.10, 8});
        GROWTH.put("fds", new double[] {0.10, 20});
        GROWTH.put("heap", new double[] {0.25, 16 * MIB});
        GROWTH.put("zlib", new double[] {0.10, 20});
        DRAIN_SLACK.put("threads", 2L);
        DRAIN_SLACK.put("fds", 4L);
        DRAIN_SLACK.put("heap", 16 * MIB);
        DRAIN_SLACK.put("zlib", 0L);
    }

    private final Map<String, List<Map<String, String>>> samples = new HashMap<>();
    private final Map<String, Map<String, String>> lines = new HashMap<>();   // "CONFIG client" -> fields
    private final List<String> failures = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    public static void main(String[] argv) throws IOException {
        Args args = new Args(argv, Set.of("server-log", "client-log", "out", "command", "note"));
        SoakReport r = new SoakReport();
        r.read(Path.of(args.string("server-log", "server.log")));
        r.read(Path.of(args.string("client-log", "client.log")));
        String markdown = r.judgeAndWrite(args.string("command", "bench/soak"), args.string("note", ""));
        Path out = Path.of(args.string("out", "bench/results/soak-latest.md"));
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Files.writeString(out, markdown);
        System.out.println((r.failures.isEmpty() ? "PASS" : "FAIL") + " (report: " + out + ")");
        r.failures.forEach(f -> System.out.println("  - " + f));
        System.exit(r.failures.isEmpty() ? 0 : 1);
    }

    private void read(Path log) throws IOException {
        if (!Files.exists(log)) {
            failures.add("missing log " + log);
            return;
        }
        for (String line : Files.readAllLines(log)) {
            String[] parts = line.split(" ");
            String keyword = parts[0];
            if (!Set.of("SAMPLE", "ERRORS", "CLOSES", "CONFIG", "END", "FDS").contains(keyword)) {
                continue;       // Java warnings, stack traces: they stay in the log
            }
            Map<String, String> f = new LinkedHashMap<>();
            for (int i = 1; i < parts.length; i++) {
                int eq = parts[i].lastIndexOf('=');
                if (eq > 0) {
                    f.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
                }
            }
            String role = f.getOrDefault("role", "?");
            if (keyword.equals("FDS") && !"none".equals(f.get("new_since_baseline"))) {
                notes.add(role + ": descriptors not there at the baseline: " + f.get("new_since_baseline"));
            }
            if (keyword.equals("SAMPLE")) {
                samples.computeIfAbsent(role, k -> new ArrayList<>()).add(f);
            } else {
                lines.put(keyword + " " + role, f);
            }
        }
    }

    private List<Map<String, String>> phase(String role, String phase) {
        List<Map<String, String>> out = new ArrayList<>();
        for (Map<String, String> s : samples.getOrDefault(role, List.of())) {
            if (phase.equals(s.get("phase"))) {
                out.add(s);
            }
        }
        return out;
    }

    private Map<String, String> only(String role, String phase) {
        List<Map<String, String>> l = phase(role, phase);
        return l.isEmpty() ? null : l.get(l.size() - 1);
    }

    private static long num(Map<String, String> s, String key) {
        if (s == null || !s.containsKey(key)) {
            return -1;
        }
        return Long.parseLong(s.get(key));
    }

    private String judgeAndWrite(String command, String note) {
        Map<String, String> cEnd = only("client", "end");
        Map<String, String> sEnd = only("server", "end");
        if (cEnd == null || sEnd == null) {
            failures.add("the run did not finish: no final sample from " + (cEnd == null ? "the client" : "the server"));
        } else {
            judgeIntegrity(cEnd, sEnd);
        }
        for (String role : List.of("server", "client")) {
            judgeGrowth(role);
            judgeDrain(role);
        }
        return markdown(command, note);
    }

    private void judgeIntegrity(Map<String, String> c, Map<String, String> s) {
        for (String k : List.of("lost", "corrupt", "duplicated", "reordered", "misrouted")) {
            if (num(c, k) != 0) {
                failures.add("client: " + num(c, k) + " messages " + k);
            }
        }
        if (num(s, "corrupt") != 0) {
            failures.add("server: " + num(s, "corrupt") + " messages arrived corrupt");
        }
        if (num(c, "sent") != num(c, "received") || num(c, "sent") != num(s, "echoed")) {
            failures.add("counts disagree: client sent " + num(c, "sent") + ", server echoed " + num(s, "echoed")
                    + ", client received " + num(c, "received"));
        }
        if (num(c, "failures") != 0) {
            failures.add("client: " + num(c, "failures") + " connections did not end with a clean 1000 close"
                    + " (" + num(c, "echo_timeouts") + " echo timeouts)");
        }
        if (num(s, "errors") != 0) {
            failures.add("server: " + num(s, "errors") + " connections did not end with a clean 1000 close");
        }
        if (num(c, "connects") != num(s, "accepted")) {
            failures.add("client opened " + num(c, "connects") + " connections, server accepted " + num(s, "accepted"));
        }
        Map<String, String> end = lines.get("END client");
        if (end == null || num(end, "stuck") != 0) {
            failures.add("client: " + (end == null ? "no END line" : num(end, "stuck") + " connections still open after the wind-down"));
        }
        for (String role : List.of("client", "server")) {
            Map<String, String> errors = lines.get("ERRORS " + role);
            if (errors != null && errors.size() > 1) {
                failures.add(role + ": error events " + errors.entrySet().stream().filter(e -> !e.getKey().equals("role"))
                        .map(e -> e.getKey() + " x" + e.getValue()).toList());
            }
        }
    }

    private void judgeGrowth(String role) {
        // Periodic samples at full load: the server's first one may come before the client's
        // ramp-up, its last one during the wind-down.
        long target = num(lines.get("CONFIG client"), "connections");
        List<Map<String, String>> load = new ArrayList<>();
        for (Map<String, String> s : phase(role, "load")) {
            if (num(s, "open") >= 0.9 * target) {
                load.add(s);
            }
        }
        if (load.size() < 4) {
            notes.add(role + ": only " + load.size() + " periodic samples at full load; growth not judged (needs 4)");
            return;
        }
        int n = load.size();
        for (Map.Entry<String, double[]> g : GROWTH.entrySet()) {
            String metric = g.getKey();
            List<Long> middle = new ArrayList<>();
            for (int i = n / 4; i < (3 * n + 3) / 4; i++) {
                middle.add(num(load.get(i), metric));
            }
            middle.sort(null);
            double median = middle.size() % 2 == 1 ? middle.get(middle.size() / 2)
                    : (middle.get(middle.size() / 2 - 1) + middle.get(middle.size() / 2)) / 2.0;
            long last = num(load.get(n - 1), metric);
            double bound = median * (1 + g.getValue()[0]) + g.getValue()[1];
            String line = String.format(Locale.ROOT, "%s %s: last periodic sample %s, median of the middle samples %s, bound %s",
                    role, metric, show(metric, last), show(metric, (long) median), show(metric, (long) bound));
            if (last > bound) {
                failures.add("grew under load: " + line);
            } else {
                notes.add("bounded: " + line);
            }
        }
    }

    private void judgeDrain(String role) {
        Map<String, String> base = only(role, "baseline");
        Map<String, String> drain = only(role, "drain");
        if (base == null || drain == null) {
            failures.add(role + ": no " + (base == null ? "baseline" : "drain") + " sample");
            return;
        }
        for (Map.Entry<String, Long> d : DRAIN_SLACK.entrySet()) {
            String metric = d.getKey();
            long b = num(base, metric);
            long after = num(drain, metric);
            String line = String.format(Locale.ROOT, "%s %s: baseline %s, after the run %s (allowed %s)",
                    role, metric, show(metric, b), show(metric, after), show(metric, b + d.getValue()));
            if (after > b + d.getValue()) {
                failures.add("not back to the baseline: " + line);
            } else {
                notes.add("back to the baseline: " + line);
            }
        }
        for (String k : List.of("open", "registered", "active")) {
            if (drain.containsKey(k) && num(drain, k) != 0) {
                failures.add(role + ": " + num(drain, k) + " sockets still " + k + " after the run");
            }
        }
    }

    private static String show(String metric, long v) {
        return metric.equals("heap") || metric.equals("rss")
                ? String.format(Locale.ROOT, "%.1f MiB", v / (double) MIB) : Long.toString(v);
    }

    // ------------------------------------------------------------------ markdown

    private String markdown(String command, String note) {
        StringBuilder md = new StringBuilder();
        Map<String, String> cc = lines.getOrDefault("CONFIG client", Map.of());
        Map<String, String> sc = lines.getOrDefault("CONFIG server", Map.of());
        List<Map<String, String>> client = samples.getOrDefault("client", List.of());
        long t0 = client.isEmpty() ? 0 : num(client.get(0), "t");

        md.append("# Soak: latest run\n\n");
        md.append("Written by `bench/soak` (").append(SoakReport.class.getName()).append("); see bench/SOAK.md.\n\n");
        md.append("- Date: ").append(t0 > 0 ? DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(
                Instant.ofEpochMilli(t0).atOffset(ZoneOffset.UTC).withNano(0)) + " UTC" : "?").append('\n');
        md.append("- Command: `").append(command).append("`\n");
        md.append("- Client: ").append(cc.getOrDefault("connections", "?")).append(" connections for ")
                .append(cc.getOrDefault("seconds", "?")).append(" s to ").append(cc.getOrDefault("url", "?"))
                .append("; rounds per connection ").append(cc.getOrDefault("rounds", "?"))
                .append(", messages per round ").append(cc.getOrDefault("burst", "?"))
                .append(", think time ").append(cc.getOrDefault("think_ms", "?")).append(" ms")
                .append(", at most ").append(cc.getOrDefault("max_pending", "?")).append(" handshakes at once")
                .append(", permessage-deflate ").append(cc.getOrDefault("deflate", "?")).append('\n');
        md.append("- Server: permessage-deflate ").append(sc.getOrDefault("deflate", "?"))
                .append("; sample every ").append(sc.getOrDefault("sample_seconds", "?")).append(" s\n");
        md.append("- JVMs: Java ").append(cc.getOrDefault("java", "?")).append(", ")
                .append(cc.getOrDefault("cpus", "?")).append(" CPUs, max heap ")
                .append(show("heap", num(cc, "max_heap"))).append(" (client) / ")
                .append(show("heap", num(sc, "max_heap"))).append(" (server)\n");
        if (!note.isBlank()) {
            md.append("- Note: ").append(note).append('\n');
        }

        Map<String, String> cEnd = only("client", "end");
        Map<String, String> first = client.isEmpty() ? null : client.get(0);
        if (cEnd != null && first != null) {
            double seconds = (num(cEnd, "t") - num(first, "t")) / 1000.0;
            md.append(String.format(Locale.ROOT, "- Totals: %,d connections opened and closed (%.0f per second), "
                            + "%,d messages sent and %,d echoes received (%.0f per second each way)%n",
                    num(cEnd, "connects"), num(cEnd, "connects") / seconds,
                    num(cEnd, "sent"), num(cEnd, "received"), num(cEnd, "sent") / seconds));
        }

        md.append("\n## Verdict: ").append(failures.isEmpty() ? "PASS" : "FAIL").append("\n\n");
        for (String f : failures) {
            md.append("- FAIL: ").append(f).append('\n');
        }
        for (String n : notes) {
            md.append("- ").append(n).append('\n');
        }

        md.append("\n## Samples\n\n");
        md.append("Cumulative counters since the start; `heap` is the heap in use after `System.gc()`; ");
        md.append("`fds` counts /proc/self/fd; `zlib` counts Duplex's live Deflater/Inflater objects; ");
        md.append("`TW` counts loopback sockets in TIME_WAIT whose local port is the server's ");
        md.append("(server side) or whose remote port is (client side: those would hold ephemeral ports). ");
        md.append("`baseline` is before the first connection, `end` after the client closed everything, ");
        md.append("`drain` once Duplex's idle threads have ended. `CPU`: process CPU time (user + system) since the ");
        md.append("previous row, in % of one core, on the periodic rows (the machine has ").append(cc.getOrDefault("cpus", "?")).append(").\n\n");
        md.append("| time | phase | C open | C connects | C sent | C received | C lost | C corrupt | C failures "
                + "| C threads | C fds | C zlib | C heap MiB | C RSS MiB | C CPU | S open | S accepted | S echoed | S errors "
                + "| S threads | S fds | S zlib | S heap MiB | S RSS MiB | S CPU | TW server side | TW client side |\n");
        md.append("|---|---|").append("---:|".repeat(25)).append('\n');
        Map<String, String> previousClient = null;
        Map<String, String> previousServer = null;
        for (Map<String, String> c : client) {
            Map<String, String> s = matching(c);
            long seconds = Math.max(0, (num(c, "t") - t0) / 1000);
            md.append(String.format(Locale.ROOT, "| %d:%02d | %s ", seconds / 60, seconds % 60, c.get("phase")));
            for (String k : List.of("open", "connects", "sent", "received", "lost", "corrupt", "failures", "threads", "fds", "zlib")) {
                md.append("| ").append(String.format(Locale.ROOT, "%,d", num(c, k))).append(' ');
            }
            md.append(String.format(Locale.ROOT, "| %.1f | %.0f | %s ", num(c, "heap") / (double) MIB,
                    num(c, "rss") / (double) MIB, cpu(previousClient, c)));
            previousClient = c;
            if (s == null) {
                md.append("| ".repeat(10));
            } else {
                for (String k : List.of("open", "accepted", "echoed", "errors", "threads", "fds", "zlib")) {
                    md.append("| ").append(String.format(Locale.ROOT, "%,d", num(s, k))).append(' ');
                }
                md.append(String.format(Locale.ROOT, "| %.1f | %.0f | %s ", num(s, "heap") / (double) MIB,
                        num(s, "rss") / (double) MIB, cpu(previousServer, s)));
                previousServer = s;
            }
            md.append(String.format(Locale.ROOT, "| %,d | %,d |%n", num(c, "tw_server_side"), num(c, "tw_client_side")));
        }

        md.append("\n## Errors and close codes\n\n");
        for (String key : List.of("ERRORS client", "CLOSES client", "ERRORS server", "CLOSES server")) {
            Map<String, String> f = lines.get(key);
            StringBuilder items = new StringBuilder();
            if (f != null) {
                f.forEach((k, v) -> {
                    if (!k.equals("role")) {
                        items.append(items.length() == 0 ? "" : ", ").append('`').append(k).append("` ")
                                .append(String.format(Locale.ROOT, "%,d", Long.parseLong(v)));
                    }
                });
            }
            md.append("- ").append(key.toLowerCase(Locale.ROOT).replace(' ', ' ')).append(": ")
                    .append(f == null ? "(missing)" : items.length() == 0 ? "none" : items).append('\n');
        }

        md.append("\n## The rule\n\n");
        md.append("PASS needs all of: (1) no message lost, corrupt, duplicated, reordered or misrouted, and "
                + "sent = echoed = received; (2) every connection ended with a clean 1000 close on both sides "
                + "(no connect failure, error event or echo timeout) and client connects = server accepts; "
                + "(3) no growth under load, per process: the last periodic sample at full load (at least 90 % of "
                + "the connections open) of threads, fds, heap after GC and zlib streams is at most the median of the middle "
                + "half of those samples times (1 + r) "
                + "plus a (threads 10 % + 8, fds and zlib streams 10 % + 20, heap 25 % + 16 MiB; judged with at "
                + "least 4 such samples); (4) back to the baseline after the run: fds at most baseline + 4, "
                + "threads at most baseline + 2, heap after GC at most baseline + 16 MiB, live zlib streams at "
                + "most the baseline, no socket left open or registered. RSS is reported, not judged.\n");
        return md.toString();
    }

    /** CPU used between two samples of a process, in % of one core. */
    private static String cpu(Map<String, String> before, Map<String, String> now) {
        if (before == null || !"load".equals(now.get("phase")) || num(before, "cpu_ms") < 0
                || num(now, "t") <= num(before, "t")) {
            return "";
        }
        return String.format(Locale.ROOT, "%.0f %%", 100.0 * (num(now, "cpu_ms") - num(before, "cpu_ms"))
                / (num(now, "t") - num(before, "t")));
    }

    /** The server sample of the same phase nearest in time to a client sample. */
    private Map<String, String> matching(Map<String, String> c) {
        Map<String, String> best = null;
        for (Map<String, String> s : phase("server", c.get("phase"))) {
            if (best == null || Math.abs(num(s, "t") - num(c, "t")) < Math.abs(num(best, "t") - num(c, "t"))) {
                best = s;
            }
        }
        return best;
    }
}
