package org.rawstream.sources.net.reader;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;

/**
 * What one fetch hands to the reader: records grouped by split, the splits that finished, and the
 * receive time the fetch progressed to (see {@link org.rawstream.sources.net.ReceiveTimeWatermarks}).
 */
final class ReceivedBatch<T> implements RecordsWithSplitIds<Received<T>> {
    private final List<SplitBuffer<T>> splits = new ArrayList<>();
    private final Consumer<SplitBuffer<T>> recycler;
    private final HandoverBudget budget;
    private boolean released;
    private final long bytes;
    private final long progressMillis;
    private final LongConsumer progress;
    private final Set<String> finished = new HashSet<>();
    private final Received<T> cursor = new Received<>();
    private int splitIndex = -1;
    private int recordIndex;

    /**
     * @param recycler takes the split buffers back once the task thread has emitted them all
     * @param budget the hand-over budget the batch's {@code bytes} were taken from (given back then)
     * @param progressMillis every record received later is stamped no earlier than this (or NONE)
     * @param progress told {@code progressMillis} once the task thread has emitted the batch
     */
    ReceivedBatch(Consumer<SplitBuffer<T>> recycler, HandoverBudget budget, long bytes, long progressMillis,
            LongConsumer progress) {
        this.recycler = recycler;
        this.budget = budget;
        this.bytes = bytes;
        this.progressMillis = progressMillis;
        this.progress = progress;
    }

    void add(SplitBuffer<T> buffer) {
        splits.add(buffer);
    }

    void finished(String splitId) {
        finished.add(splitId);
    }

    boolean isEmpty() {
        return splits.isEmpty() && finished.isEmpty();
    }

    @Override
    public String nextSplit() {
        splitIndex++;
        recordIndex = 0;
        return splitIndex < splits.size() ? splits.get(splitIndex).splitId() : null;
    }

    @Override
    public Received<T> nextRecordFromSplit() {
        SplitBuffer<T> split = splits.get(splitIndex);
        if (recordIndex >= split.size()) {
            return null;
        }
        split.read(recordIndex++, cursor);
        return cursor;
    }

    @Override
    public Set<String> finishedSplits() {
        return finished;
    }

    @Override
    public void recycle() {
        for (SplitBuffer<T> s : splits) {
            recycler.accept(s);
        }
        splits.clear();
        if (!released) {
            released = true;
            budget.release(bytes);
            progress.accept(progressMillis);
        }
    }
}
