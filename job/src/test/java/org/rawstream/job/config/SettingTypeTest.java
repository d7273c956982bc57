package org.rawstream.job.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** One parser for every size, count, duration and number: bounds inclusive, the key and the range in every refusal. */
class SettingTypeTest {
    @Test
    void parsesWithinTheRangeAndRefusesOutsideIt() {
        SettingType<Long> size = SettingType.bytes(4096, Integer.MAX_VALUE);
        assertThat(size.parse("k", "4kb")).isEqualTo(4096L);
        assertThat(size.parse("k", " 64mb ")).isEqualTo(64L << 20);
        assertThatThrownBy(() -> size.parse("source.s.receive-buffer", "100tb"))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("source.s.receive-buffer = 100tb: not a size in 4 kb .. 2147483647 b (e.g. 64mb)");
        assertThatThrownBy(() -> size.parse("k", "-1mb")).hasMessageStartingWith("k = -1mb: not a size in");
        assertThatThrownBy(() -> size.parse("k", "")).hasMessageStartingWith("k = <empty>: not a size");

        SettingType<Long> count = SettingType.count(0, 255);
        assertThat(count.parse("k", "255")).isEqualTo(255L);
        assertThat(count.parse("k", "1_0")).isEqualTo(10L);
        assertThatThrownBy(() -> count.parse("k", "256")).hasMessage("k = 256: not a whole number in 0 .. 255 (e.g. 255)");
        assertThatThrownBy(() -> count.parse("k", "1.5")).hasMessageStartingWith("k = 1.5: not a whole number");

        SettingType<Duration> duration = SettingType.duration(Duration.ofMillis(10), Duration.ofDays(7));
        assertThat(duration.parse("k", "10ms")).isEqualTo(Duration.ofMillis(10));
        assertThatThrownBy(() -> duration.parse("k", "-1s")).hasMessage("k = -1s: not a duration in 10 ms .. 7 d (e.g. 10s)");
        assertThatThrownBy(() -> duration.parse("k", "5")).isInstanceOf(InvalidSettingException.class);
        // A number without a unit would be milliseconds to Flink, never what "10" was meant as.
        assertThatThrownBy(() -> duration.parse("k", "10")).hasMessage("k = 10: not a duration in 10 ms .. 7 d (e.g. 10s)");
        assertThat(SettingType.duration(Duration.ZERO, Duration.ofDays(1)).parse("k", "0")).isEqualTo(Duration.ZERO);

        SettingType<Double> number = SettingType.number(0, Double.MAX_VALUE);
        assertThat(number.parse("k", "0.05")).isEqualTo(0.05);
        assertThatThrownBy(() -> number.parse("k", "NaN")).hasMessage("k = NaN: not a number in 0 .. unlimited (e.g. 1.5)");
        assertThatThrownBy(() -> number.parse("k", "-1")).isInstanceOf(InvalidSettingException.class);
    }
}
