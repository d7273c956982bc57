package org.rawstream.job.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A setting is defined once: key, type with range, default (checked against the range), description. */
class SettingTest {
    @Test
    void parsesPrintsAndChecksItsDefault() {
        Setting<Long> size = Setting.key("max-heap-size").bytes(1, 1L << 30).defaultValue(64L << 20)
                .withDescription("largest heap");
        assertThat(size.defaultText()).isEqualTo("64mb");
        assertThat(size.typeText()).isEqualTo("size in 1 b .. 1 gb");
        assertThat(size.parse("source.s.max-heap-size", "1kb")).isEqualTo(1024L);
        assertThatThrownBy(() -> size.parse("source.s.max-heap-size", "2gb"))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("source.s.max-heap-size = 2gb: not a size in 1 b .. 1 gb (e.g. 64mb)");
        assertThatThrownBy(() -> Setting.key("x").intCount(1, 10).defaultValue(11))
                .as("a default outside its own range is a programming error")
                .isInstanceOf(InvalidSettingException.class);

        Setting<Duration> age = Setting.key("roll.max-age").duration(Duration.ofMillis(1), Duration.ofDays(1))
                .defaultValue(Duration.ofMinutes(15));
        assertThat(age.defaultText()).isEqualTo("15min");
        assertThat(age.withoutDefaultValue().hasDefaultValue()).isFalse();
        assertThat(age.withDefaultValue(Duration.ofSeconds(2)).defaultText()).isEqualTo("2s");
    }

    @Test
    void booleansChoicesAndCheckedText() {
        Setting<Boolean> flag = Setting.key("reuse-port").bool().defaultValue(false);
        assertThat(flag.parse("k", " TRUE ")).isTrue();
        assertThatThrownBy(() -> flag.parse("source.s.reuse-port", "yes"))
                .hasMessage("source.s.reuse-port = yes: not true or false");

        Setting<String> choice = Setting.key("incomplete-heaps").choice("deliver", "drop").defaultValue("deliver");
        assertThat(choice.parse("k", "DROP")).isEqualTo("drop");
        assertThatThrownBy(() -> choice.parse("source.s.incomplete-heaps", "keep"))
                .hasMessage("source.s.incomplete-heaps = keep: not one of deliver | drop");

        Setting<String> text = Setting.key("bind-host").text("an address", v -> {
            if (v.isEmpty()) {
                throw new IllegalArgumentException("give an address");
            }
            return v;
        }).defaultValue("127.0.0.1").withDeprecatedKeys("host");
        assertThat(text.deprecatedKeys()).containsExactly("host");
        assertThatThrownBy(() -> text.parse("source.s.bind-host", " ")).hasMessage("source.s.bind-host = <empty>: give an address");
    }
}
