package org.rawstream.sources.net.reader;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SheddingLogTest {
    private static final long MIB = 1L << 20;
    private static final long INTERVAL = TimeUnit.SECONDS.toNanos(60);

    private final List<String> warnings = new ArrayList<>();
    private final List<String> infos = new ArrayList<>();
    private final SheddingLog log = new SheddingLog("s1", 128 * MIB, 0.5, INTERVAL, warnings::add, infos::add);

    @Test
    void anEpisodeIsOneLineWhenItStartsAndOneWhenTheTaskThreadCaughtUp() {
        log.afterFetch(0, 0, false, 10 * MIB, 3, 0);
        assertThat(warnings).isEmpty();

        log.afterFetch(3, 27_000, true, 70 * MIB, 3, ms(100));
        log.afterFetch(5, 45_000, true, 66 * MIB, 3, ms(200));
        assertThat(warnings).singleElement().asString()
                .contains("s1: shedding whole new heaps/units")
                .contains("70 MiB in 3 batches behind")
                .contains("hand-over 128 MiB, shedding from 64 MiB")
                .doesNotContain("Since the last");
        assertThat(infos).isEmpty();

        log.afterFetch(0, 0, false, 20 * MIB, 3, ms(350));
        assertThat(infos).singleElement().asString()
                .isEqualTo("s1: caught up after 250 ms; shed 8 packets (0.1 MB) meanwhile");
        assertThat(warnings).hasSize(1);
    }

    @Test
    void episodesWithinTheIntervalAreSummedIntoTheNextLoggedOne() {
        log.afterFetch(1, 9_000, false, 65 * MIB, 3, ms(0));
        assertThat(warnings).hasSize(1);
        assertThat(infos).hasSize(1);

        // Two more episodes within the minute: nothing logged.
        log.afterFetch(2, 18_000, true, 65 * MIB, 3, ms(1_000));
        log.afterFetch(0, 0, false, 1 * MIB, 3, ms(1_100));
        log.afterFetch(4, 36_000, false, 65 * MIB, 3, ms(30_000));
        assertThat(warnings).hasSize(1);
        assertThat(infos).hasSize(1);

        // The next one after the interval names them.
        log.afterFetch(1, 9_000, true, 64 * MIB, 3, ms(61_000));
        assertThat(warnings).hasSize(2);
        assertThat(warnings.get(1)).endsWith("Since the last such line: 2 more episodes, 6 packets (0.1 MB) shed.");
        log.afterFetch(0, 0, false, 0, 3, ms(61_500));
        assertThat(infos).hasSize(2);
        assertThat(infos.get(1)).isEqualTo("s1: caught up after 500 ms; shed 1 packets (0.0 MB) meanwhile");
    }

    private static long ms(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }
}
