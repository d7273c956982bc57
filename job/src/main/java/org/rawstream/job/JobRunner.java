package org.rawstream.job;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the job and stops it cleanly: after {@code --duration}, or on Ctrl-C/SIGTERM (a shutdown
 * hook), with stop-with-savepoint (no drain). The savepoint is a synchronous final checkpoint: the
 * sink closes and commits its files before the tasks end, so everything received up to the stop is
 * in committed files, and the job can be resumed from the printed savepoint path. If the savepoint
 * fails, the job is cancelled: data since the last completed checkpoint stays uncommitted (hidden
 * files, deleted on a restore from that checkpoint's retained copy).
 */
public final class JobRunner {
    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private JobRunner() {}

    /**
     * What a run reports while it runs: every period, when a stop begins (before the savepoint),
     * and once at its end (after the savepoint).
     */
    public interface Progress {
        Progress NONE = new Progress() {
        };

        default void running() {
        }

        default void stopping() {
        }

        default void ended() {
        }
    }

    /** Submits and waits for the end of the job; stops it after {@code duration} if set (null = never). */
    public static void runUntilDone(StreamExecutionEnvironment env, String jobName, Duration duration,
            boolean stopOnShutdown) throws Exception {
        runUntilDone(env, jobName, duration, stopOnShutdown, Progress.NONE, Duration.ofSeconds(5));
    }

    /**
     * {@link #runUntilDone(StreamExecutionEnvironment, String, Duration, boolean)} that reports
     * {@code progress} every {@code period} and once at the end: on Ctrl-C the shutdown hook
     * reports the end itself, since the JVM halts as soon as the hook returns.
     */
    public static void runUntilDone(StreamExecutionEnvironment env, String jobName, Duration duration,
            boolean stopOnShutdown, Progress progress, Duration period) throws Exception {
        JobClient client = env.executeAsync(jobName);
        LOG.info("Submitted job {} ({})", jobName, client.getJobID());
        AtomicBoolean stopping = new AtomicBoolean();
        AtomicBoolean ended = new AtomicBoolean();
        Runnable end = () -> {
            if (ended.compareAndSet(false, true)) {
                progress.ended();
            }
        };
        CompletableFuture<?> result = client.getJobExecutionResult();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "rawstream-duration");
            t.setDaemon(true);
            return t;
        });
        Thread hook = new Thread(() -> {
            if (!result.isDone()) {
                timer.shutdownNow();
                stop(client, stopping, "shutdown signal", progress);
                awaitQuietly(result);
                end.run();
            }
        }, "rawstream-stop-on-shutdown");
        if (stopOnShutdown) {
            Runtime.getRuntime().addShutdownHook(hook);
        }
        if (duration != null) {
            timer.schedule(() -> stop(client, stopping, "duration " + duration + " elapsed", progress),
                    duration.toMillis(), TimeUnit.MILLISECONDS);
        }
        if (progress != Progress.NONE) {
            timer.scheduleAtFixedRate(() -> {
                if (!stopping.get()) {
                    progress.running();
                }
            }, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
        }
        try {
            result.get();
            LOG.info("Job {} ended", client.getJobID());
        } finally {
            if (stopping.get()) {
                // The job ends as its stop-with-savepoint completes, a moment before the stop task
                // gets the savepoint's path: let that task finish and print it, do not interrupt it.
                timer.shutdown();
                try {
                    timer.awaitTermination(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            timer.shutdownNow();
            if (stopOnShutdown) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                    end.run();
                } catch (IllegalStateException alreadyShuttingDown) {
                    // the hook is running: it waits for the job and reports the end itself
                }
            } else {
                end.run();
            }
        }
    }

    /** Stop-with-savepoint, falling back to cancel. Runs at most once. */
    static void stop(JobClient client, AtomicBoolean stopping, String reason, Progress progress) {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        progress.stopping();
        LOG.info("Stopping job {} with a savepoint ({})", client.getJobID(), reason);
        try {
            String savepoint = client.stopWithSavepoint(false, null, SavepointFormatType.CANONICAL)
                    .get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            LOG.info("Job stopped; all data committed. Resume with: -D execution.state-recovery.path={}", savepoint);
            System.out.println("RawStream stopped cleanly; everything received is committed. Savepoint: " + savepoint);
            System.out.println("Resume with the same arguments and: -D execution.state-recovery.path=" + savepoint);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("Stop with savepoint failed ({}); cancelling the job", e.toString());
            try {
                client.cancel().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception cancelFailure) {
                LOG.error("Cancel failed", cancelFailure);
            }
        }
    }

    private static void awaitQuietly(CompletableFuture<?> result) {
        try {
            result.get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.debug("Job ended with {}", e.toString());
        }
    }
}
