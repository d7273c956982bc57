package org.rawstream.job.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GeneratedMessagesTest {
    @Test
    void deterministicDistinctAndIndexed() {
        Set<String> seen = new HashSet<>();
        for (long i = 0; i < 10_000; i++) {
            byte[] m = GeneratedMessages.message(i, 64);
            assertThat(m).hasSize(64).isEqualTo(GeneratedMessages.message(i, 64));
            assertThat(GeneratedMessages.indexOf(m)).isEqualTo(i);
            assertThat(seen.add(Arrays.toString(Arrays.copyOfRange(m, 8, 64)))).as("payload of %d is new", i).isTrue();
        }
        assertThat(GeneratedMessages.indexOf(GeneratedMessages.message(Long.MAX_VALUE, 8))).isEqualTo(Long.MAX_VALUE);
        assertThatThrownBy(() -> GeneratedMessages.message(0, 7)).isInstanceOf(IllegalArgumentException.class);
    }
}
