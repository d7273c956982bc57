package org.rawstream.sources.spead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rawstream.sources.spead.SpeadTestPackets.packet;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An attached live heap (payload in pooled chunks) written in the detached form of keyed state
 * — bookkeeping plus immutable pieces — at one checkpoint after another, and read back attached.
 */
class LiveHeapStateFormTest {

    private static final SpeadAssemblyConfig CONFIG = SpeadAssemblyConfig.builder().build();
    private static final int HEAP = 300_000;
    private static final int PACKET = 8972;

    /** Pieces in "state", offset → array, and how many puts each checkpoint made. */
    private final Map<Long, byte[]> state = new HashMap<>();
    private int puts;

    private LiveHeap.PieceWriter writer() {
        return new LiveHeap.PieceWriter() {
            @Override
            public boolean has(long offset, int length) {
                byte[] p = state.get(offset);
                return p != null && p.length == length;
            }

            @Override
            public void put(long offset, byte[] piece) {
                state.put(offset, piece);
                puts++;
            }
        };
    }

    private static SpeadPacket decoded(byte[] raw) {
        SpeadPacket p = new SpeadPacket();
        assertThat(p.decodeDatagram(ByteBuffer.wrap(raw), 0, raw.length)).isTrue();
        return p;
    }

    private static void add(LiveHeap heap, long offset) {
        int len = (int) Math.min(PACKET, HEAP - offset);
        assertThat(heap.add(decoded(packet(5, HEAP, offset, len)), 0, CONFIG)).isEqualTo(LiveHeap.AddResult.ADDED);
    }

    @Test
    void checkpointsWriteOnlyGrownPiecesAndARestoredHeapCompletesIdentically() throws Exception {
        LiveHeap heap = LiveHeap.open(decoded(packet(5, HEAP, 0, PACKET)), 0);
        long[] offsets = new long[(HEAP + PACKET - 1) / PACKET];
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = (long) i * PACKET;
        }
        // Every other packet first: many ranges, then the gaps fill.
        for (int i = 0; i < offsets.length; i += 2) {
            add(heap, offsets[i]);
        }
        LiveHeap first = heap.detachedCopy(writer());
        assertThat(puts).isEqualTo(first.pieceOffsets().length);
        for (long o : first.pieceOffsets()) {
            assertThat(state.get(o).length).isLessThanOrEqualTo(LiveHeap.PIECE_SPAN);
        }
        // Nothing changed: the next checkpoint writes no piece.
        puts = 0;
        heap.detachedCopy(writer());
        assertThat(puts).isZero();
        // Fill the gaps in the first 64 KiB only: only pieces there are written again.
        for (int i = 1; i < offsets.length && offsets[i] < LiveHeap.PIECE_SPAN - PACKET; i += 2) {
            add(heap, offsets[i]);
        }
        puts = 0;
        LiveHeap second = heap.detachedCopy(writer());
        assertThat(puts).isEqualTo(1);
        // Restore the detached form (through its serialised bookkeeping, the state format), attach
        // it from the pieces listed, fill the rest: the payload is the uninterrupted one.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        second.writeDetached(new DataOutputStream(bytes));
        LiveHeap restored = LiveHeap.readDetached(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertThat(restored.isDetached()).isTrue();
        restored.attach(state::get);
        assertThat(restored.isDetached()).isFalse();
        for (int i = 1; i < offsets.length; i += 2) {
            if (offsets[i] >= LiveHeap.PIECE_SPAN - PACKET) {
                add(restored, offsets[i]);
            }
        }
        assertThat(restored.isComplete()).isTrue();
        ReceivedHeap done = restored.freeze();
        ByteBuffer payload = done.payload();
        for (int k = 0; k < HEAP; k++) {
            assertThat(payload.get(payload.position() + k)).as("byte %d", k).isEqualTo((byte) k);
        }
        done.release();
    }
}
