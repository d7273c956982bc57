package org.rawstream.sources.net.enumerator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.rawstream.sources.net.split.NetworkSplit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Static assignment: the splits are fixed by the configuration, created once, and each goes to
 * one subtask — endpoint {@code i} to subtask {@code i % parallelism}, replica {@code r} of a
 * SO_REUSEPORT endpoint to subtask {@code r}. Nothing can be replayed, so a split handed back after
 * a failure is simply assigned again (its socket reopened) when its subtask comes back.
 */
public final class NetworkSplitEnumerator implements SplitEnumerator<NetworkSplit, NetworkEnumeratorState> {
    private static final Logger LOG = LoggerFactory.getLogger(NetworkSplitEnumerator.class);

    /** Creates the splits for a parallelism: subtask -> splits. */
    @FunctionalInterface
    public interface SplitPlanner extends java.io.Serializable {
        Map<Integer, List<NetworkSplit>> plan(int parallelism);
    }

    private final SplitEnumeratorContext<NetworkSplit> context;
    private final SplitPlanner planner;
    private final boolean bounded;
    private final Map<Integer, List<NetworkSplit>> unassigned = new TreeMap<>();
    private boolean splitsCreated;

    public NetworkSplitEnumerator(SplitEnumeratorContext<NetworkSplit> context, SplitPlanner planner,
            boolean bounded, NetworkEnumeratorState restored) {
        this.context = context;
        this.planner = planner;
        this.bounded = bounded;
        this.splitsCreated = restored.splitsCreated();
        restored.unassigned().forEach((subtask, splits) -> unassigned.put(subtask, new ArrayList<>(splits)));
    }

    @Override
    public void start() {
        if (!splitsCreated) {
            planner.plan(context.currentParallelism())
                    .forEach((subtask, splits) -> unassigned.computeIfAbsent(subtask, s -> new ArrayList<>()).addAll(splits));
            splitsCreated = true;
            LOG.info("network source splits by subtask: {}", unassigned);
        }
        for (Integer subtask : context.registeredReaders().keySet()) {
            assignTo(subtask);
        }
    }

    @Override
    public void handleSplitRequest(int subtaskId, String requesterHostname) {
        // Static assignment: splits are pushed when a reader registers.
    }

    @Override
    public void addSplitsBack(List<NetworkSplit> splits, int subtaskId) {
        unassigned.computeIfAbsent(subtaskId, s -> new ArrayList<>()).addAll(splits);
        if (context.registeredReaders().containsKey(subtaskId)) {
            assignTo(subtaskId);
        }
    }

    @Override
    public void addReader(int subtaskId) {
        assignTo(subtaskId);
    }

    private void assignTo(int subtaskId) {
        List<NetworkSplit> splits = unassigned.remove(subtaskId);
        if (splits != null && !splits.isEmpty()) {
            Map<Integer, List<NetworkSplit>> assignment = new HashMap<>();
            assignment.put(subtaskId, splits);
            context.assignSplits(new SplitsAssignment<>(assignment));
        }
        if (bounded) {
            // Bounded (idle-stop) mode: a reader finishes once its splits have; readers without
            // splits finish at once. Unbounded readers without splits just stay idle.
            context.signalNoMoreSplits(subtaskId);
        }
    }

    @Override
    public NetworkEnumeratorState snapshotState(long checkpointId) {
        return new NetworkEnumeratorState(splitsCreated, unassigned);
    }

    @Override
    public void close() {
        // nothing held
    }
}
