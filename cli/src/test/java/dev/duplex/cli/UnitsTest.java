package dev.duplex.cli;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UnitsTest {
    @Test
    void sizesWithSuffixes() {
        assertThat(Units.parseSize("0")).isZero();
        assertThat(Units.parseSize("4096")).isEqualTo(4096);
        assertThat(Units.parseSize("64k")).isEqualTo(64 * 1024);
        assertThat(Units.parseSize("16M")).isEqualTo(16L << 20);
        assertThat(Units.parseSize("2g")).isEqualTo(2L << 30);
        assertThat(Units.parseSize("1KiB")).isEqualTo(1024);
        assertThat(Units.parseSize("3mb")).isEqualTo(3L << 20);
        for (String bad : new String[] {"", "k", "-1", "1.5m", "12q", "99999999999999g"}) {
            assertThatThrownBy(() -> Units.parseSize(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void seconds() {
        assertThat(Units.parseSeconds("1")).isEqualTo(Duration.ofSeconds(1));
        assertThat(Units.parseSeconds("0.25")).isEqualTo(Duration.ofMillis(250));
        assertThat(Units.parseSeconds("0")).isEqualTo(Duration.ZERO);
        for (String bad : new String[] {"", "-1", "abc", "NaN", "Infinity"}) {
            assertThatThrownBy(() -> Units.parseSeconds(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
