package org.rawstream.sources.net.enumerator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.rawstream.sources.net.split.NetworkSplit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Static assignment with placement. The splits are fixed by the configuration and created once;
 * each has a preferred subtask (endpoint {@code i} -> subtask {@code i % parallelism}, replica
 * {@code r} of a SO_REUSEPORT endpoint -> subtask {@code r}) and the hosts it can be received on.
 *
 * <ul>
 *   <li>A split receivable anywhere (wildcard or loopback address) goes to its preferred subtask,
 *       when that reader registers.
 *   <li>A split bound to hosts goes to its preferred subtask if that reader runs on one of them;
 *       otherwise, once every reader has registered, to the reader on one of those hosts holding
 *       the fewest splits — so replicas and multicast groups spread over the subtasks of the hosts
 *       that may receive them. A reader's host is its location as Flink reports it (the
 *       TaskManager's {@code taskmanager.host}).
 *   <li>If every reader has registered and none runs on a split's hosts, the enumerator logs it
 *       and, when that still holds after the placement timeout, fails the job with an
 *       {@link EndpointPlacementException} (no restart: the same subtasks would come back on the
 *       same hosts).
 * </ul>
 *
 * Nothing can be replayed, so a split handed back after a failure is simply assigned again (its
 * socket reopened) by the same rules when readers come back. That includes the splits a reader
 * restores from a checkpoint: the source declares {@code SupportsSplitReassignmentOnRecovery}, so
 * a recovered reader reports them on registration instead of reopening them itself — after a
 * TaskManager is lost, a subtask may come back on another host, where its old endpoints cannot be
 * bound.
 */
public final class NetworkSplitEnumerator implements SplitEnumerator<NetworkSplit, NetworkEnumeratorState> {
    private static final Logger LOG = LoggerFactory.getLogger(NetworkSplitEnumerator.class);
    /** How often an unplaceable split is looked at again (the timeout's resolution). */
    static final long CHECK_INTERVAL_MILLIS = 1_000;

    /** Creates the splits for a parallelism: preferred subtask -> splits. */
    @FunctionalInterface
    public interface SplitPlanner extends java.io.Serializable {
        Map<Integer, List<NetworkSplit>> plan(int parallelism);
    }

    /** The hosts a split can be received on; empty = any. */
    @FunctionalInterface
    public interface Placement extends java.io.Serializable {
        Set<String> receivingHosts(NetworkSplit split);
    }

    private final SplitEnumeratorContext<NetworkSplit> context;
    private final String sourceName;
    private final SplitPlanner planner;
    private final Placement placement;
    private final long placementTimeoutMillis;
    private final boolean bounded;
    private final Map<Integer, List<NetworkSplit>> unassigned = new TreeMap<>();
    /** Splits each subtask holds now (as far as this enumerator knows: not restored from a checkpoint). */
    private final Map<Integer, Integer> load = new HashMap<>();
    private final Set<Integer> signalledNoMoreSplits = new HashSet<>();
    private final HostMatcher hosts = new HostMatcher();
    private boolean splitsCreated;
    /** When every reader was registered and some split still had no reader on its hosts; -1 = not so. */
    private long unplaceableSinceMillis = -1;

    public NetworkSplitEnumerator(SplitEnumeratorContext<NetworkSplit> context, String sourceName, SplitPlanner planner,
            Placement placement, long placementTimeoutMillis, boolean bounded, NetworkEnumeratorState restored) {
        this.context = context;
        this.sourceName = sourceName;
        this.planner = planner;
        this.placement = placement;
        this.placementTimeoutMillis = placementTimeoutMillis;
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
            LOG.info("source {}: splits by preferred subtask: {}", sourceName, unassigned);
        }
        context.callAsync(() -> null, (ignored, error) -> checkPlacement(System.currentTimeMillis()),
                CHECK_INTERVAL_MILLIS, CHECK_INTERVAL_MILLIS);
        assignPending();
    }

    @Override
    public void handleSplitRequest(int subtaskId, String requesterHostname) {
        // Static assignment: splits are pushed when readers register.
    }

    @Override
    public void addSplitsBack(List<NetworkSplit> splits, int subtaskId) {
        unassigned.computeIfAbsent(subtaskId, s -> new ArrayList<>()).addAll(splits);
        load.merge(subtaskId, -splits.size(), (a, b) -> Math.max(0, a + b));
        assignPending();
    }

    @Override
    public void addReader(int subtaskId) {
        signalledNoMoreSplits.remove(subtaskId); // a new attempt of the subtask, holding nothing yet
        load.remove(subtaskId);
        ReaderInfo reader = context.registeredReaders().get(subtaskId);
        List<NetworkSplit> restored = reader == null ? List.of() : reader.getReportedSplitsOnRegistration();
        if (!restored.isEmpty()) {
            List<NetworkSplit> pending = unassigned.computeIfAbsent(subtaskId, s -> new ArrayList<>());
            for (NetworkSplit split : restored) {
                if (!pending.contains(split)) {
                    pending.add(split);
                }
            }
            LOG.info("source {}: subtask {} recovered with {}: placing them again", sourceName, subtaskId, restored);
        }
        assignPending();
    }

    private void assignPending() {
        Map<Integer, ReaderInfo> readers = context.registeredReaders();
        boolean allRegistered = readers.size() >= context.currentParallelism();
        Map<Integer, List<NetworkSplit>> assignment = new TreeMap<>();
        for (Iterator<Map.Entry<Integer, List<NetworkSplit>>> e = unassigned.entrySet().iterator(); e.hasNext(); ) {
            Map.Entry<Integer, List<NetworkSplit>> preferred = e.next();
            for (Iterator<NetworkSplit> i = preferred.getValue().iterator(); i.hasNext(); ) {
                NetworkSplit split = i.next();
                Integer target = choose(preferred.getKey(), placement.receivingHosts(split), readers, allRegistered);
                if (target != null) {
                    i.remove();
                    assignment.computeIfAbsent(target, s -> new ArrayList<>()).add(split);
                    load.merge(target, 1, Integer::sum);
                    // A local MiniCluster's readers have no location: say so rather than print "on ".
                    String location = readers.get(target).getLocation();
                    LOG.info("source {}: endpoint {} to subtask {} on {}", sourceName, split, target,
                            location == null || location.isEmpty() ? "this machine" : location);
                }
            }
            if (preferred.getValue().isEmpty()) {
                e.remove();
            }
        }
        if (!assignment.isEmpty()) {
            context.assignSplits(new SplitsAssignment<>(assignment));
        }
        if (bounded && unassigned.isEmpty()) {
            // Bounded (idle-stop) mode: a reader finishes once its splits have; readers without
            // splits finish at once. Unbounded readers without splits just stay idle.
            for (Integer subtask : readers.keySet()) {
                if (signalledNoMoreSplits.add(subtask)) {
                    context.signalNoMoreSplits(subtask);
                }
            }
        }
        checkPlacement(System.currentTimeMillis());
    }

    /** The subtask to take a split now, or null to wait. */
    private Integer choose(int preferredSubtask, Set<String> receivingHosts, Map<Integer, ReaderInfo> readers,
            boolean allRegistered) {
        // Restored at a lower parallelism, a split may name a subtask that no longer exists.
        int preferred = preferredSubtask % Math.max(1, context.currentParallelism());
        ReaderInfo preferredReader = readers.get(preferred);
        if (receivingHosts.isEmpty()) {
            return preferredReader != null ? preferred : null;
        }
        if (preferredReader != null && hosts.matches(preferredReader.getLocation(), receivingHosts)) {
            return preferred;
        }
        if (!allRegistered) {
            return null; // wait: the best-spread choice needs every reader's host
        }
        Integer best = null;
        for (ReaderInfo r : readers.values()) {
            if (hosts.matches(r.getLocation(), receivingHosts)) {
                int id = r.getSubtaskId();
                if (best == null || load.getOrDefault(id, 0) < load.getOrDefault(best, 0)
                        || (load.getOrDefault(id, 0).equals(load.getOrDefault(best, 0)) && id < best)) {
                    best = id;
                }
            }
        }
        return best;
    }

    /**
     * Runs on every change and every {@link #CHECK_INTERVAL_MILLIS}: with every reader registered,
     * a split still unassigned has no reader on its hosts. Logged at once; the job fails when it
     * lasts the placement timeout.
     */
    void checkPlacement(long nowMillis) {
        Map<Integer, ReaderInfo> readers = context.registeredReaders();
        if (unassigned.isEmpty() || readers.size() < context.currentParallelism()) {
            unplaceableSinceMillis = -1;
            return;
        }
        String problem = unplaceable(readers);
        if (problem == null) {
            unplaceableSinceMillis = -1;
        } else if (unplaceableSinceMillis < 0) {
            unplaceableSinceMillis = nowMillis;
            LOG.error("{} (failing the job in {} ms unless such a TaskManager appears)", problem, placementTimeoutMillis);
        } else if (nowMillis - unplaceableSinceMillis >= placementTimeoutMillis) {
            throw new EndpointPlacementException(problem);
        }
    }

    private String unplaceable(Map<Integer, ReaderInfo> readers) {
        List<String> stuck = new ArrayList<>();
        Set<String> wanted = new java.util.TreeSet<>();
        for (List<NetworkSplit> splits : unassigned.values()) {
            for (NetworkSplit split : splits) {
                Set<String> receiving = placement.receivingHosts(split);
                if (!receiving.isEmpty()) {
                    stuck.add(split.endpointKey() + " (host " + String.join(" or ", new java.util.TreeSet<>(receiving)) + ")");
                    wanted.addAll(receiving);
                }
            }
        }
        if (stuck.isEmpty()) {
            return null;
        }
        Map<Integer, String> where = new TreeMap<>();
        readers.forEach((id, r) -> where.put(id, r.getLocation() == null || r.getLocation().isEmpty() ? "(unknown)" : r.getLocation()));
        return "source " + sourceName + ": no TaskManager running this source owns the address of endpoint(s) "
                + String.join(", ", stuck) + "; its readers run on " + where + " (subtask=host). Run a TaskManager with "
                + "taskmanager.host: " + String.join(" / ", wanted) + " on the host that owns that address, or bind the "
                + "endpoint to 0.0.0.0";
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
