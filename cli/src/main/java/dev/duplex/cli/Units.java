package dev.duplex.cli;

import picocli.CommandLine;

import java.time.Duration;
import java.util.Locale;

/** Parsers for command-line values: byte sizes with suffixes, and seconds. */
final class Units {
    private Units() {}

    /**
     * Parses a byte count: a whole number, optionally followed by {@code k}, {@code m} or
     * {@code g} (powers of 1024; {@code kb}, {@code KiB}... are accepted too).
     *
     * @throws IllegalArgumentException with a message for a human
     */
    static long parseSize(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.endsWith("ib")) {
            s = s.substring(0, s.length() - 2);
        } else if (s.endsWith("b")) {
            s = s.substring(0, s.length() - 1);
        }
        int shift = 0;
        if (!s.isEmpty()) {
            switch (s.charAt(s.length() - 1)) {
                case 'k': shift = 10; break;
                case 'm': shift = 20; break;
                case 'g': shift = 30; break;
                default: break;
            }
        }
        if (shift != 0) {
            s = s.substring(0, s.length() - 1);
        }
        long n;
        try {
            n = Long.parseLong(s);
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 0 || (shift > 0 && n > (Long.MAX_VALUE >> shift))) {
            throw new IllegalArgumentException("'" + text + "' is not a size in bytes (e.g. 4096, 64k, 16m, 2g)");
        }
        return n << shift;
    }

    /** Parses a non-negative number of seconds (fractions allowed) into a duration. */
    static Duration parseSeconds(String text) {
        double d;
        try {
            d = Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            d = Double.NaN;
        }
        if (!(d >= 0) || d > 1e9) {
            throw new IllegalArgumentException("'" + text + "' is not a number of seconds (e.g. 5 or 0.5)");
        }
        return Duration.ofNanos(Math.round(d * 1e9));
    }

    /** "Wait until the peer closes": {@code --wait -1} or {@code --wait inf}. */
    static final Duration FOREVER = Duration.ofSeconds(Long.MAX_VALUE);

    /** Parses seconds as {@link #parseSeconds}, or {@code -1}, {@code inf}, {@code infinity} as {@link #FOREVER}. */
    static Duration parseWait(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.equals("-1") || s.equals("inf") || s.equals("infinity")) {
            return FOREVER;
        }
        try {
            return parseSeconds(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "' is not a number of seconds (e.g. 5 or 0.5), "
                    + "nor -1 or inf (stay open until the server closes)");
        }
    }

    /** picocli converter for {@link #parseWait(String)}. */
    static final class Wait implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return parseWait(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** picocli converter for {@link #parseSize(String)}. */
    static final class Size implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return parseSize(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** picocli converter for {@link #parseSeconds(String)}. */
    static final class Seconds implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return parseSeconds(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** Formats a duration as seconds for messages, e.g. "1.5 s". */
    static String seconds(Duration d) {
        double s = d.toNanos() / 1e9;
        return (s == Math.rint(s) ? String.valueOf((long) s) : String.valueOf(s)) + " s";
    }
}
