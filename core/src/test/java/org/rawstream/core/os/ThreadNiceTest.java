package org.rawstream.core.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ThreadNiceTest {

    @Test
    void raisesTheNiceOfTheCallingThreadOnly() throws Exception {
        assumeTrue(ThreadNice.currentNice().isPresent(), "Linux /proc only");
        int before = ThreadNice.currentNice().getAsInt();
        int target = Math.min(19, before + 3);
        // A fresh thread, so the test's own thread (and the threads it starts later) keep their nice.
        CompletableFuture<int[]> niced = CompletableFuture.supplyAsync(() -> {
            boolean ok = ThreadNice.applyToCurrentThread(target, "test");
            return new int[] {ok ? 1 : 0, ThreadNice.currentNice().orElse(-1)};
        }, r -> new Thread(r, "nice-test").start());
        int[] result = niced.get(30, TimeUnit.SECONDS);
        assertThat(result[0]).as("renice reported success").isEqualTo(1);
        assertThat(result[1]).isEqualTo(target);
        assertThat(ThreadNice.currentNice()).isEqualTo(OptionalInt.of(before));
    }

    @Test
    void zeroDoesNothingAndOutOfRangeIsRejected() {
        assertThat(ThreadNice.applyToCurrentThread(0, "test")).isTrue();
        assertThatThrownBy(() -> ThreadNice.applyToCurrentThread(20, "test")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ThreadNice.applyToCurrentThread(-1, "test")).isInstanceOf(IllegalArgumentException.class);
    }
}
