package org.rawstream.sources.odin;

import java.nio.ByteBuffer;
import java.util.Map;

/** Where an ODIN-Stream receiver puts what it accepts. Buffers are views valid only during the call. */
public interface OdinOutput {

    /**
     * A valid packet's exact bytes (any type), in arrival order per identifier: what the raw
     * file stores. Data held for its schema comes out when the schema arrives, still before it.
     */
    void packet(OdinPacketType type, int identifier, ByteBuffer packet);

    /**
     * A valid data packet, released in sequence order per identifier; build an
     * {@link OdinDataValues} from it to read the values.
     */
    void data(OdinSchema schema, Map<Integer, OdinTypeDescriptor> types, ByteBuffer packet);

    /** An event packet. */
    void event(OdinEvent event);
}
