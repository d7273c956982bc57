package org.rawstream.sources.transport;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Test helper: drive a poller until a condition holds, failing at the deadline. */
final class PollUntil {
    static final Duration DEADLINE = Duration.ofSeconds(10);

    private PollUntil() {
    }

    static void pollUntil(SocketPoller poller, BooleanSupplier condition, String what) throws IOException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            poller.poll(20);
        }
    }
}
