package org.rawstream.sources.net.reader;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HandoverBudgetTest {

    @Test
    void theFetcherWaitsOnlyWhileTheBudgetIsSpent() throws Exception {
        HandoverBudget budget = new HandoverBudget(100);
        assertThat(budget.awaitRoom(1)).isTrue();
        budget.acquire(60);
        assertThat(budget.awaitRoom(1)).isTrue();
        budget.acquire(60); // a fetch may overshoot: the check is before it
        assertThat(budget.awaitRoom(1)).isFalse();
        assertThat(budget.waits()).isEqualTo(1);
        budget.release(60);
        assertThat(budget.awaitRoom(1)).isTrue();
        assertThat(budget.inFlight()).isEqualTo(60);
        assertThat(budget.maxInFlight()).isEqualTo(120);
    }

    @Test
    void newUnitsAreShedFromTheSheddingShareOfBytesOrBatches() {
        HandoverBudget budget = new HandoverBudget(100, 0.5, 4);
        assertThat(budget.overloaded()).isFalse();
        budget.acquire(49);
        assertThat(budget.overloaded()).isFalse();
        budget.acquire(1); // 50 bytes: half the budget
        assertThat(budget.overloaded()).isTrue();
        budget.release(49);
        budget.release(1);
        assertThat(budget.overloaded()).isFalse();
        budget.acquire(0);
        budget.acquire(1); // two batches of a queue of four, though few bytes
        assertThat(budget.overloaded()).isTrue();
        assertThat(budget.behind()).isTrue();
        budget.release(0);
        assertThat(budget.overloaded()).isFalse();
        assertThat(budget.behind()).isTrue(); // a batch still waits (a queue of 4: from one on)
        budget.release(1);
        assertThat(budget.behind()).isFalse();
        assertThat(new HandoverBudget(100, 1.0, 4).overloaded()).isFalse();
    }

    @Test
    void aReleaseOnAnotherThreadEndsTheWait() throws Exception {
        HandoverBudget budget = new HandoverBudget(10);
        budget.acquire(10);
        Thread task = new Thread(() -> budget.release(10), "task");
        task.start();
        // Generous deadline: returns as soon as the release arrives.
        assertThat(budget.awaitRoom(30_000)).isTrue();
        task.join(30_000);
        assertThat(budget.inFlight()).isZero();
    }
}
