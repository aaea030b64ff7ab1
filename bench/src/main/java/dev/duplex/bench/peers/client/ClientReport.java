package dev.duplex.bench.peers.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the RESULT lines of a bench/bench-clients run into {@code PREFIX.md} and
 * {@code PREFIX.json}.
 *
 * Usage: {@code ClientReport RAW_FILE PREFIX [key=value...]}; the key=value arguments describe the
 * run (JVM flags, pinning...) and are copied into both files.
 *
 * Per workload and client: the median of the rounds' rates (the middle value; the mean of the two
 * middle values for an even count), and its ratio to the median of the best JVM peer other than
 * Duplex (the peer with the highest median). The target is Duplex / best peer >= 1.2.
 */
public final class ClientReport {
    private ClientReport() {
    }

    static final double TARGET = 1.2;
    static final String DUPLEX = "duplex";

    /** One client process's RESULT line. */
    record Run(Map<String, String> fields) {
        String get(String key) {
            return fields.get(key);
        }

        boolean ok() {
            return !fields.containsKey("error") && fields.containsKey("rate");
        }

        double number(String key) {
            String v = fields.get(key);
            return v == null ? Double.NaN : Double.parseDouble(v);
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: ClientReport RAW_FILE PREFIX [key=value...]");
            System.exit(2);
        }
        Map<String, String> meta = new LinkedHashMap<>();
        for (int i = 2; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            meta.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        // workload -> client -> runs, both in order of first appearance
        Map<String, Map<String, List<Run>>> runs = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8)) {
            if (!line.startsWith("RESULT ")) {
                continue;
            }
            Map<String, String> fields = new LinkedHashMap<>();
            for (String token : line.substring(7).trim().split("\\s+")) {
                int eq = token.indexOf('=');
                if (eq > 0) {
                    fields.put(token.substring(0, eq), token.substring(eq + 1));
                }
            }
            runs.computeIfAbsent(fields.get("workload"), k -> new LinkedHashMap<>())
                    .computeIfAbsent(fields.get("client"), k -> new ArrayList<>())
                    .add(new Run(fields));
        }
        List<Summary> summaries = new ArrayList<>();
        for (var e : runs.entrySet()) {
            summaries.add(new Summary(e.getKey(), e.getValue()));
        }
        String prefix = args[1];
        Files.writeString(Path.of(prefix + ".md"), markdown(meta, summaries), StandardCharsets.UTF_8);
        Files.writeString(Path.of(prefix + ".json"), json(meta, summaries), StandardCharsets.UTF_8);
    }

    /** The numbers of one workload. */
    static final class Summary {
        final String workload;
        final Map<String, List<Run>> byClient;
        final Map<String, Double> median = new LinkedHashMap<>();
        final Map<String, Double> cpuShare = new LinkedHashMap<>();   // client CPU / wall time, median
        String unit = "";
        String size = "";
        String count = "";
        String bestPeer;
        double maxServerShare = Double.NaN;                            // server CPU / wall time, max

        Summary(String workload, Map<String, List<Run>> byClient) {
            this.workload = workload;
            this.byClient = byClient;
            for (var e : byClient.entrySet()) {
                List<Double> rates = new ArrayList<>();
                List<Double> shares = new ArrayList<>();
                for (Run run : e.getValue()) {
                    if (!run.ok()) {
                        continue;
                    }
                    unit = run.get("unit");
                    size = run.get("size");
                    count = run.get("msgs");
                    double seconds = run.number("seconds");
                    rates.add(run.number("rate"));
                    shares.add(run.number("cpu_seconds") / seconds);
                    double server = run.number("server_cpu_seconds") / seconds;
                    if (!Double.isNaN(server) && (Double.isNaN(maxServerShare) || server > maxServerShare)) {
                        maxServerShare = server;
                    }
                }
                if (!rates.isEmpty()) {
                    median.put(e.getKey(), median(rates));
                    cpuShare.put(e.getKey(), median(shares));
                }
            }
            for (var e : median.entrySet()) {
                if (!e.getKey().startsWith(DUPLEX) && (bestPeer == null || e.getValue() > median.get(bestPeer))) {
                    bestPeer = e.getKey();
                }
            }
        }

        double ratio(String client) {
            Double m = median.get(client);
            return m == null || bestPeer == null ? Double.NaN : m / median.get(bestPeer);
        }

        int errors(String client) {
            return (int) byClient.get(client).stream().filter(r -> !r.ok()).count();
        }
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static String rate(double v, String unit) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        return "MB/s".equals(unit) ? String.format(Locale.ROOT, "%,.1f", v) : String.format(Locale.ROOT, "%,.0f", v);
    }

    private static String describe(Summary s) {
        return switch (s.workload) {
            case "pipelined" -> s.count + " text messages of " + s.size + " B on one connection, echoed";
            case "large" -> s.count + " binary messages of " + (Integer.parseInt(s.size) >> 10)
                    + " KiB, echoed (MB/s = 10^6 B of payload received back, one way)";
            case "connects" -> s.count + " sequential connect, open, close handshake, closed";
            default -> s.workload;
        };
    }

    static String markdown(Map<String, String> meta, List<Summary> summaries) {
        List<String> clients = new ArrayList<>();
        for (Summary s : summaries) {
            for (String c : s.byClient.keySet()) {
                if (!clients.contains(c)) {
                    clients.add(c);
                }
            }
        }
        clients.remove(DUPLEX);
        clients.add(0, DUPLEX);
        StringBuilder md = new StringBuilder();
        md.append("# WebSocket clients side by side (bench/bench-clients)\n\n");
        md.append("Medians of ").append(meta.getOrDefault("rounds", "?"))
                .append(" interleaved round(s); in parentheses the ratio to the best JVM peer other than Duplex "
                        + "(its median is the 1.00×). Target of issue 7: Duplex ≥ ")
                .append(TARGET).append("× the best peer. See bench/CLIENTS.md.\n\n");
        md.append("| workload | unit |");
        for (String c : clients) {
            md.append(' ').append(c).append(" |");
        }
        md.append(" best peer | Duplex / best peer |\n|---|---|");
        md.append("---:|".repeat(clients.size())).append("---|---:|\n");
        for (Summary s : summaries) {
            md.append("| ").append(s.workload).append(" | ").append(s.unit).append(" |");
            for (String c : clients) {
                Double m = s.median.get(c);
                md.append(' ');
                if (m == null) {
                    md.append(s.byClient.containsKey(c) ? "failed" : "–");
                } else {
                    md.append(rate(m, s.unit)).append(String.format(Locale.ROOT, " (%.2f×)", s.ratio(c)));
                    if (s.errors(c) > 0) {
                        md.append(" [").append(s.errors(c)).append(" failed]");
                    }
                }
                md.append(" |");
            }
            md.append(' ').append(s.bestPeer == null ? "–" : s.bestPeer).append(" |");
            String sep = " ";
            for (String c : clients) {
                double r = s.ratio(c);
                if (c.startsWith(DUPLEX) && !Double.isNaN(r)) {
                    md.append(sep).append(String.format(Locale.ROOT, "%s %.2f× (%s)", c, r,
                            r >= TARGET ? "meets target" : "misses " + TARGET + "×"));
                    sep = "; ";
                }
            }
            md.append(sep.equals(" ") ? " n/a |\n" : " |\n");
        }
        md.append("\nWorkloads:\n\n");
        for (Summary s : summaries) {
            md.append("- **").append(s.workload).append("**: ").append(describe(s)).append(".\n");
        }
        md.append("\nCPU: each client's CPU time over the measured interval as a share of one core (median; "
                + "the client is pinned to one CPU), and the echo server's highest share in any run of the "
                + "workload (it is pinned to the other CPU: below 100% means it was not the bottleneck).\n\n");
        md.append("| workload |");
        for (String c : clients) {
            md.append(' ').append(c).append(" |");
        }
        md.append(" echo server (max) |\n|---|").append("---:|".repeat(clients.size() + 1)).append('\n');
        for (Summary s : summaries) {
            md.append("| ").append(s.workload).append(" |");
            for (String c : clients) {
                Double share = s.cpuShare.get(c);
                md.append(' ').append(share == null || share.isNaN() ? "–" : percent(share)).append(" |");
            }
            md.append(' ').append(Double.isNaN(s.maxServerShare) ? "–" : percent(s.maxServerShare)).append(" |\n");
        }
        md.append("\nEvery run (rate per round, in the order run):\n\n| workload | client | rounds |\n|---|---|---|\n");
        for (Summary s : summaries) {
            for (var e : s.byClient.entrySet()) {
                md.append("| ").append(s.workload).append(" | ").append(e.getKey()).append(" | ");
                List<String> cells = new ArrayList<>();
                for (Run run : e.getValue()) {
                    cells.add(run.ok() ? rate(run.number("rate"), s.unit) : "error: " + run.get("error"));
                }
                md.append(String.join(", ", cells)).append(" |\n");
            }
        }
        md.append("\nRun:\n\n");
        for (var e : meta.entrySet()) {
            md.append("- ").append(e.getKey()).append(": `").append(e.getValue()).append("`\n");
        }
        return md.toString();
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.0f%%", share * 100);
    }

    static String json(Map<String, String> meta, List<Summary> summaries) {
        StringBuilder js = new StringBuilder("{\n  \"meta\": {");
        int i = 0;
        for (var e : meta.entrySet()) {
            js.append(i++ == 0 ? "\n" : ",\n").append("    ").append(quote(e.getKey())).append(": ")
                    .append(quote(e.getValue()));
        }
        js.append("\n  },\n  \"target_ratio\": ").append(TARGET).append(",\n  \"workloads\": {");
        int w = 0;
        for (Summary s : summaries) {
            js.append(w++ == 0 ? "\n" : ",\n").append("    ").append(quote(s.workload)).append(": {\n");
            js.append("      \"unit\": ").append(quote(s.unit)).append(",\n");
            js.append("      \"messages\": ").append(s.count == null || s.count.isEmpty() ? "null" : s.count).append(",\n");
            js.append("      \"size\": ").append(s.size == null || s.size.isEmpty() ? "null" : s.size).append(",\n");
            js.append("      \"best_peer\": ").append(s.bestPeer == null ? "null" : quote(s.bestPeer)).append(",\n");
            double r = s.ratio(DUPLEX);
            js.append("      \"duplex_ratio\": ").append(num(r)).append(",\n");
            js.append("      \"duplex_meets_target\": ").append(Double.isNaN(r) ? "null" : String.valueOf(r >= TARGET)).append(",\n");
            js.append("      \"server_cpu_share_max\": ").append(num(s.maxServerShare)).append(",\n");
            js.append("      \"clients\": {");
            int c = 0;
            for (var e : s.byClient.entrySet()) {
                String client = e.getKey();
                js.append(c++ == 0 ? "\n" : ",\n").append("        ").append(quote(client)).append(": {");
                js.append("\"median\": ").append(num(s.median.getOrDefault(client, Double.NaN)));
                js.append(", \"ratio_to_best_peer\": ").append(num(s.ratio(client)));
                js.append(", \"cpu_share_median\": ").append(num(s.cpuShare.getOrDefault(client, Double.NaN)));
                js.append(", \"runs\": [");
                int k = 0;
                for (Run run : e.getValue()) {
                    js.append(k++ == 0 ? "" : ", ").append('{');
                    int f = 0;
                    for (var field : run.fields().entrySet()) {
                        if (field.getKey().equals("client") || field.getKey().equals("workload")) {
                            continue;
                        }
                        js.append(f++ == 0 ? "" : ", ").append(quote(field.getKey())).append(": ");
                        String v = field.getValue();
                        js.append(v.matches("-?[0-9]+(\\.[0-9]+)?") ? v : quote(v));
                    }
                    js.append('}');
                }
                js.append("]}");
            }
            js.append("\n      }\n    }");
        }
        js.append("\n  }\n}\n");
        return js.toString();
    }

    private static String num(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "null" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static String quote(String s) {
        StringBuilder q = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                case '\n' -> q.append("\\n");
                case '\t' -> q.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        q.append(String.format("\\u%04x", (int) ch));
                    } else {
                        q.append(ch);
                    }
                }
            }
        }
        return q.append('"').toString();
    }
}
