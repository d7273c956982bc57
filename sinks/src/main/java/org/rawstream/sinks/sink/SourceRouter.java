package org.rawstream.sinks.sink;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.rawstream.sinks.rawhdf5.MessageBatch;

/**
 * Routes a message to its source's {@link Buffer}: the target it is written to and the batch being
 * filled for it. Task thread only.
 */
final class SourceRouter {
    private final Map<String, Buffer> bySource = new HashMap<>();
    private final Buffer[] buffers;
    /** The last routed buffer: streams usually carry long runs of one source. */
    private Buffer last;

    SourceRouter(List<SourceTarget> targets) {
        this.buffers = new Buffer[targets.size()];
        for (SourceTarget target : targets) {
            Buffer buffer = new Buffer(target);
            buffers[target.index] = buffer;
            bySource.put(target.source, buffer);
        }
    }

    /** The buffer of {@code source}; a source the sink was not configured with is a programming error. */
    Buffer route(String source) {
        Buffer buffer = last;
        if (buffer == null || !buffer.target.source.equals(source)) {
            buffer = bySource.get(source);
            if (buffer == null) {
                throw new IllegalStateException("RawMessage from unconfigured source '" + source
                        + "'; configured: " + bySource.keySet());
            }
            last = buffer;
        }
        return buffer;
    }

    /** Every source's buffer, in source order. */
    Buffer[] all() {
        return buffers;
    }

    /** One source's batch being filled on the task thread; to a {@link RollingPolicy}, a part not yet appended. */
    static final class Buffer implements RollingPolicy.PartFileInfo {
        final SourceTarget target;
        /** Replaced by an empty one when the full batch goes to the append thread. */
        MessageBatch batch = new MessageBatch();
        /** When the batch's first message arrived (epoch ms); meaningful while it is not empty. */
        long firstMessageMillis;

        private Buffer(SourceTarget target) {
            this.target = target;
        }

        @Override
        public long firstMessageMillis() {
            return firstMessageMillis;
        }

        @Override
        public long messageCount() {
            return batch.size();
        }

        @Override
        public long payloadBytes() {
            return batch.payloadBytes();
        }
    }
}
