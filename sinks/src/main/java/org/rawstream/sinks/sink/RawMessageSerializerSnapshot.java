package org.rawstream.sinks.sink;

import org.rawstream.core.state.VersionedSerializerSnapshot;

/**
 * Snapshot of the stateless {@link RawMessageSerializer}; public no-arg constructor for restore.
 * Its class name is in savepoints since the first release (then a SimpleTypeSerializerSnapshot).
 */
public final class RawMessageSerializerSnapshot extends VersionedSerializerSnapshot<RawMessage> {
    public RawMessageSerializerSnapshot() {
        super(() -> RawMessageSerializer.INSTANCE);
    }
}
