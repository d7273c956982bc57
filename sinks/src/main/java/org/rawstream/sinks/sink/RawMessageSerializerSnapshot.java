package org.rawstream.sinks.sink;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;

/** Snapshot of the stateless {@link RawMessageSerializer}; public no-arg constructor for restore. */
public final class RawMessageSerializerSnapshot extends SimpleTypeSerializerSnapshot<RawMessage> {
    public RawMessageSerializerSnapshot() {
        super(() -> RawMessageSerializer.INSTANCE);
    }
}
