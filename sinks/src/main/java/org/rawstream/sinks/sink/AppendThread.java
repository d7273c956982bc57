package org.rawstream.sinks.sink;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.rawstream.sinks.rawhdf5.MessageBatch;

/**
 * Runs the sink writer's file commands (append a batch, roll, close for a checkpoint, discard) in
 * submission order on one thread, {@code rawhdf5-append-<subtask>}: the only thread that touches
 * the writer's native file handles. The task thread only submits commands and waits for them.
 *
 * <p>Bounded: at most {@code maxQueuedBytes} of batches wait (a lone batch is always taken); a
 * batch beyond it waits on the task thread (backpressure, counted in {@code appendWaits}). With
 * {@code maxQueuedBytes} 0 there is no thread: commands run on the calling (task) thread, which is
 * then the only one touching the files. The first failure of a command is kept and rethrown to
 * the task thread by the next submit or drain; later commands are skipped (the task fails and
 * restarts from the last checkpoint).
 */
final class AppendThread {
    /** A file operation; runs on the append thread. */
    interface Command {
        void run() throws Exception;
    }

    private final long maxQueuedBytes;
    /** Null: commands run on the caller's thread. */
    private final ExecutorService thread;
    private final SinkWriterMetrics metrics;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Emptied batches for the task thread to fill again (guarded by lock). */
    private final ArrayDeque<MessageBatch> free = new ArrayDeque<>();
    /** Payload bytes submitted and not yet appended; volatile for the metric gauge. */
    private volatile long queuedBytes;
    /** Commands submitted and not yet done (guarded by lock). */
    private int queued;
    /** First failure (guarded by lock); nothing runs after it but the shutdown command. */
    private Throwable failure;

    AppendThread(long maxQueuedBytes, int subtask, SinkWriterMetrics metrics) {
        this.maxQueuedBytes = maxQueuedBytes;
        this.metrics = metrics;
        this.thread = maxQueuedBytes == 0 ? null : Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "rawhdf5-append-" + subtask);
            t.setDaemon(true);
            return t;
        });
    }

    /** Payload bytes of batches waiting for the append thread. */
    long queuedBytes() {
        return queuedBytes;
    }

    /**
     * Submits {@code append}, which writes the full batch {@code full}; returns an empty batch to
     * fill next ({@code full} itself once it has been appended and cleared). Waits while the queue
     * holds {@code maxQueuedBytes}.
     */
    MessageBatch submitBatch(MessageBatch full, Command append) throws IOException {
        if (thread == null) {
            runHere(append);
            full.clear();
            return full;
        }
        MessageBatch next = enqueue(full.payloadBytes(), full, append);
        return next != null ? next : new MessageBatch();
    }

    /** Submits a command that carries no batch. */
    void submit(Command command) throws IOException {
        if (thread == null) {
            runHere(command);
        } else {
            enqueue(0, null, command);
        }
    }

    /** Runs {@code command} after everything submitted before it and returns its result. */
    <T> T call(Callable<T> command) throws IOException {
        Object[] result = new Object[1];
        submit(() -> result[0] = command.call());
        drain();
        @SuppressWarnings("unchecked")
        T value = (T) result[0]; // written before the append thread's unlock, read after drain's lock
        return value;
    }

    /** Waits until every submitted command has run; rethrows the first failure. */
    void drain() throws IOException {
        lock.lock();
        try {
            while (queued > 0) {
                await();
            }
            throwIfFailed();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops: commands still queued are skipped (nothing after the last checkpoint is committed
     * anyway), {@code last} runs on the append thread after the command it is running, and this
     * waits for that at most {@code waitMillis}. Returns whether {@code last} ran; if not, the
     * append thread is still inside a command (in libhdf5 or the kernel) and runs {@code last}
     * when that returns. Never frees anything itself.
     */
    boolean shutdown(Runnable last, long waitMillis) {
        if (thread == null) {
            last.run();
            return true;
        }
        lock.lock();
        try {
            if (failure == null) {
                failure = new IOException("writer closed");
            }
        } finally {
            lock.unlock();
        }
        try {
            thread.execute(last);
        } catch (RejectedExecutionException alreadyShutDown) {
            // shut down before: that call queued the last command
        }
        thread.shutdown();
        // Cancelling interrupts the task thread, often while the append thread merely finishes a
        // batch: keep waiting through interrupts (to the same deadline) so its files are closed
        // rather than left behind, and pass the interrupt on afterwards.
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return thread.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private MessageBatch enqueue(long bytes, MessageBatch batch, Command command) throws IOException {
        MessageBatch next;
        lock.lock();
        try {
            throwIfFailed();
            if (bytes > 0 && queued > 0 && queuedBytes + bytes > maxQueuedBytes) {
                metrics.appendWaited();
                while (queued > 0 && queuedBytes + bytes > maxQueuedBytes && failure == null) {
                    await();
                }
                throwIfFailed();
            }
            queued++;
            queuedBytes += bytes;
            next = batch == null ? null : free.poll();
        } finally {
            lock.unlock();
        }
        thread.execute(() -> runQueued(command, bytes, batch));
        return next;
    }

    private void runQueued(Command command, long bytes, MessageBatch batch) {
        boolean skip;
        lock.lock();
        try {
            skip = failure != null;
        } finally {
            lock.unlock();
        }
        Throwable failed = null;
        if (!skip) {
            try {
                command.run();
            } catch (Throwable t) {
                failed = t;
            }
        }
        if (batch != null) {
            batch.clear();
        }
        lock.lock();
        try {
            if (failed != null && failure == null) {
                failure = failed;
            }
            queued--;
            queuedBytes -= bytes;
            if (batch != null) {
                free.push(batch);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Inline mode: the caller is the append thread. */
    private void runHere(Command command) throws IOException {
        lock.lock();
        try {
            throwIfFailed();
        } finally {
            lock.unlock();
        }
        try {
            command.run();
        } catch (Throwable t) {
            lock.lock();
            try {
                failure = t;
                throwIfFailed();
            } finally {
                lock.unlock();
            }
        }
    }

    private void await() throws InterruptedIOException {
        try {
            changed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the raw-HDF5 append thread");
        }
    }

    private void throwIfFailed() throws IOException {
        Throwable t = failure;
        if (t == null) {
            return;
        }
        if (t instanceof OutputFaults.OutputFailedException output) {
            throw new OutputFaults.OutputFailedException(output.getMessage(), output);
        }
        if (t instanceof IOException io) {
            throw new IOException("raw-HDF5 append failed: " + io.getMessage(), io);
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IOException("raw-HDF5 append failed", t);
    }
}
