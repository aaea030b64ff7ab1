package dev.duplex.cli;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * A log-linear histogram of non-negative long values (latencies in nanoseconds), in the style of
 * HdrHistogram: values below 2<sup>{@value #SUB_BITS}</sup> are counted exactly; above, each
 * power-of-two range is split into 2<sup>{@value #SUB_BITS}-1</sup> equal buckets, so a reported
 * value is within 1/2<sup>{@value #SUB_BITS}-1</sup> (under 0.8%) of the recorded one. Fixed
 * size (about 57 KB), lock-free, safe to record from several threads.
 */
final class LatencyHistogram {
    static final int SUB_BITS = 8;
    private static final int SUB = 1 << SUB_BITS;          // exact values: 0 .. SUB-1
    private static final int HALF = SUB >> 1;               // buckets per power of two above that
    private static final int BUCKETS = SUB + (63 - SUB_BITS) * HALF;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
    private final LongAdder total = new LongAdder();
    private final LongAdder sum = new LongAdder();
    private final LongAccumulator max = new LongAccumulator(Math::max, 0);
    private final LongAccumulator min = new LongAccumulator(Math::min, Long.MAX_VALUE);

    /** The bucket of a value. */
    static int indexOf(long value) {
        if (value < SUB) {
            return (int) value;
        }
        int msb = 63 - Long.numberOfLeadingZeros(value);       // >= SUB_BITS
        int shift = msb - (SUB_BITS - 1);                        // >= 1
        int mantissa = (int) (value >>> shift);                  // HALF .. SUB-1
        return SUB + (shift - 1) * HALF + (mantissa - HALF);
    }

    /** The smallest value that falls in bucket {@code index}. */
    static long lowestOf(int index) {
        if (index < SUB) {
            return index;
        }
        int shift = (index - SUB) / HALF + 1;
        long mantissa = (index - SUB) % HALF + HALF;
        return mantissa << shift;
    }

    /** The largest value that falls in bucket {@code index}. */
    static long highestOf(int index) {
        if (index < SUB) {
            return index;
        }
        int shift = (index - SUB) / HALF + 1;
        long mantissa = (index - SUB) % HALF + HALF;
        long next = (mantissa + 1) << shift;
        return next <= 0 ? Long.MAX_VALUE : next - 1;
    }

    /** Records one value (negative values count as 0). */
    void record(long value) {
        long v = Math.max(0, value);
        counts.incrementAndGet(indexOf(v));
        total.increment();
        sum.add(v);
        max.accumulate(v);
        min.accumulate(v);
    }

    /** Adds every count of {@code other} to this one. */
    void add(LatencyHistogram other) {
        for (int i = 0; i < BUCKETS; i++) {
            long c = other.counts.get(i);
            if (c != 0) {
                counts.addAndGet(i, c);
            }
        }
        total.add(other.count());
        sum.add(other.sum.sum());
        if (other.count() > 0) {
            max.accumulate(other.max());
            min.accumulate(other.min());
        }
    }

    long count() {
        return total.sum();
    }

    long max() {
        return count() == 0 ? 0 : max.get();
    }

    long min() {
        return count() == 0 ? 0 : min.get();
    }

    double mean() {
        long n = count();
        return n == 0 ? 0 : (double) sum.sum() / n;
    }

    /**
     * The value at a percentile: the highest value of the bucket holding the recorded value of
     * rank ceil(p% of count), capped by the largest value recorded; 0 if nothing was recorded.
     *
     * @param percentile from 0 to 100
     */
    long percentile(double percentile) {
        if (!(percentile >= 0 && percentile <= 100)) {
            throw new IllegalArgumentException("percentile must be from 0 to 100: " + percentile);
        }
        long n = count();
        if (n == 0) {
            return 0;
        }
        long rank = Math.max(1, (long) Math.ceil(percentile / 100.0 * n));
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts.get(i);
            if (seen >= rank) {
                return Math.max(min(), Math.min(highestOf(i), max()));
            }
        }
        return max();
    }
}
