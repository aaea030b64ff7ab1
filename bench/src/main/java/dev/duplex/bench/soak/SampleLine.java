package dev.duplex.bench.soak;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The lines both processes print on stdout, which {@link SoakReport} reads back: a keyword,
 * then {@code key=value} fields separated by spaces (values never contain spaces; error kinds
 * have theirs replaced by underscores). One {@code println} per line, so lines from different
 * threads never interleave.
 */
final class SampleLine {
    private final StringBuilder sb;

    SampleLine(String keyword) {
        sb = new StringBuilder(keyword);
    }

    SampleLine add(String key, Object value) {
        sb.append(' ').append(key).append('=').append(String.valueOf(value).replace(' ', '_'));
        return this;
    }

    void print() {
        System.out.println(sb);
        System.out.flush();
    }

    /** A {@code KINDS role=... kind=count ...} line from a tally of errors or close codes. */
    static void printKinds(String keyword, String role, Map<String, LongAdder> tally) {
        SampleLine line = new SampleLine(keyword).add("role", role);
        new TreeMap<>(tally).forEach((kind, n) -> line.add(kind.replace('=', ':'), n.sum()));
        line.print();
    }

    /** Counts one more of {@code kind}. */
    static void count(ConcurrentHashMap<String, LongAdder> tally, String kind) {
        tally.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    /**
     * A short, stable name for what went wrong: the exception's class and its message with
     * numbers blanked (ports, sizes and times differ from one occurrence to the next).
     */
    static String kindOf(Throwable error, String fallbackMessage) {
        if (error == null) {
            return squeeze(fallbackMessage == null ? "error" : fallbackMessage);
        }
        String message = error.getMessage() == null ? "" : ":" + error.getMessage();
        return squeeze(error.getClass().getSimpleName() + message);
    }

    private static String squeeze(String s) {
        String t = s.replaceAll("[0-9]+", "N").replaceAll("\\s+", "_");
        return t.length() > 80 ? t.substring(0, 80) : t;
    }
}
