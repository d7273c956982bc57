package org.rawstream.sources.odin;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Test handler of an {@link OdinFrameDecoder}: keeps copies of the packets and the reasons of dropped frames. */
final class CollectingFrameHandler implements OdinFrameDecoder.Handler {

    final List<byte[]> packets = new ArrayList<>();
    final List<OdinInvalidReason> errors = new ArrayList<>();

    @Override
    public void packet(ByteBuffer packet) {
        byte[] copy = new byte[packet.remaining()];
        packet.get(copy);
        packets.add(copy);
    }

    @Override
    public void invalid(OdinInvalidReason reason) {
        errors.add(reason);
    }
}
