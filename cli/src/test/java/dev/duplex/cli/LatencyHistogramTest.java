package dev.duplex.cli;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class LatencyHistogramTest {

    @Test
    void emptyHistogramReportsZeros() {
        LatencyHistogram h = new LatencyHistogram();
        assertThat(h.count()).isZero();
        assertThat(h.percentile(50)).isZero();
        assertThat(h.max()).isZero();
        assertThat(h.min()).isZero();
        assertThat(h.mean()).isZero();
    }

    @Test
    void smallValuesAreExact() {
        LatencyHistogram h = new LatencyHistogram();
        for (int v = 1; v <= 100; v++) {
            h.record(v);
        }
        assertThat(h.percentile(50)).isEqualTo(50);
        assertThat(h.percentile(99)).isEqualTo(99);
        assertThat(h.percentile(100)).isEqualTo(100);
        assertThat(h.percentile(0)).isEqualTo(1);
        assertThat(h.min()).isEqualTo(1);
        assertThat(h.max()).isEqualTo(100);
        assertThat(h.mean()).isEqualTo(50.5);
    }

    @Test
    void bucketsAreContiguousAndCoverEveryLong() {
        long expectedLow = 0;
        int index = 0;
        while (true) {
            assertThat(LatencyHistogram.lowestOf(index)).isEqualTo(expectedLow);
            long high = LatencyHistogram.highestOf(index);
            assertThat(LatencyHistogram.indexOf(expectedLow)).isEqualTo(index);
            assertThat(LatencyHistogram.indexOf(high)).isEqualTo(index);
            if (high == Long.MAX_VALUE) {
                break;
            }
            expectedLow = high + 1;
            index++;
        }
        assertThat(LatencyHistogram.indexOf(Long.MAX_VALUE)).isEqualTo(index);
    }

    @Test
    void relativeErrorIsBelowOnePercent() {
        Random r = new Random(7);
        for (int i = 0; i < 100_000; i++) {
            long v = (long) Math.exp(r.nextDouble() * 40);
            int b = LatencyHistogram.indexOf(v);
            long low = LatencyHistogram.lowestOf(b);
            long high = LatencyHistogram.highestOf(b);
            assertThat(v).isBetween(low, high);
            assertThat((double) (high - low)).isLessThanOrEqualTo(Math.max(0, v / 128.0));
        }
    }

    @Test
    void percentilesMatchSortedDataWithinPrecision() {
        Random r = new Random(42);
        LatencyHistogram h = new LatencyHistogram();
        long[] values = new long[50_000];
        for (int i = 0; i < values.length; i++) {
            values[i] = 20_000 + (long) (Math.abs(r.nextGaussian()) * 300_000);
            h.record(values[i]);
        }
        Arrays.sort(values);
        for (double p : new double[] {50, 90, 99, 99.9}) {
            long exact = values[(int) Math.ceil(p / 100 * values.length) - 1];
            assertThat((double) h.percentile(p)).as("p%s", p).isCloseTo(exact, within(exact / 100.0));
        }
        assertThat(h.percentile(50)).isLessThanOrEqualTo(h.percentile(99));
        assertThat(h.percentile(99)).isLessThanOrEqualTo(h.percentile(99.9));
        assertThat(h.percentile(99.9)).isLessThanOrEqualTo(h.max());
        assertThat(h.percentile(100)).isEqualTo(values[values.length - 1]);
        assertThat(h.count()).isEqualTo(values.length);
    }

    @Test
    void addMergesAndNegativeValuesCountAsZero() {
        LatencyHistogram a = new LatencyHistogram();
        LatencyHistogram b = new LatencyHistogram();
        a.record(10);
        b.record(1_000_000);
        b.record(-5);
        a.add(b);
        assertThat(a.count()).isEqualTo(3);
        assertThat(a.min()).isZero();
        assertThat(a.max()).isEqualTo(1_000_000);
        assertThat(a.percentile(100)).isEqualTo(1_000_000);
        assertThatThrownBy(() -> a.percentile(101)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void recordingFromManyThreadsLosesNothing() throws Exception {
        LatencyHistogram h = new LatencyHistogram();
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 25_000; i++) {
                    h.record(i);
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertThat(h.count()).isEqualTo(100_000);
        assertThat(h.max()).isEqualTo(24_999);
    }
}
