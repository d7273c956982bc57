package org.rawstream.job.spead;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.rawstream.sinks.sink.RawMessage;
import org.rawstream.sources.spead.OutgoingHeap;
import org.rawstream.sources.spead.SpeadAssemblyConfig;
import org.rawstream.sources.spead.SpeadDescriptor;
import org.rawstream.sources.spead.SpeadFlavour;
import org.rawstream.sources.spead.SpeadHeapPacketizer;
import org.rawstream.sources.spead.source.SpeadPacketRecord;

/**
 * The packets of the SPEAD state-migration test, in two phases: after {@link #before()} stream
 * {@code s} has live heaps mid-assembly on both substreams (heap 1 on substream 1, heap 4 on
 * substream 0) and its sequencer holds complete heaps 2 and 3, out of order behind heap 1;
 * {@link #after()} completes them, adds heaps 5 and 6, a late duplicate of heap 2, and ends both
 * substreams. The golden snapshots under {@code src/test/resources/migration/spead} were taken
 * after {@link #before()} (see the README there). Processing time stays at {@link #NOW}: no
 * timer fires, so the output depends on the packets only.
 */
final class SpeadStateScenario {
    static final String SOURCE = "sp";
    static final String STREAM = "s";
    static final int SUBSTREAMS = 2;
    static final long NOW = 1_000;
    static final SpeadAssemblyConfig CONFIG = SpeadAssemblyConfig.defaults();

    private SpeadStateScenario() {
    }

    /** Packets of heap {@code cnt} (substream {@code cnt % 2}), 1024-byte packets; heap 2 carries a descriptor. */
    static List<SpeadPacketRecord> heap(long cnt) {
        OutgoingHeap.Builder b = OutgoingHeap.builder();
        if (cnt == 2) {
            b.descriptor(SpeadDescriptor.builder(0x1000, "samples").description("test item").shape(1500)
                    .formatField('i', 16).build());
        }
        byte[] value = new byte[3000];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) (cnt * 31 + i);
        }
        b.item(0x1000, value).immediate(0x1001, cnt);
        List<SpeadPacketRecord> out = new ArrayList<>();
        try {
            new SpeadHeapPacketizer(1024).packetize(b.build().layout(SpeadFlavour.SPEAD_64_48), cnt, (h, p) -> {
                ByteBuffer all = ByteBuffer.allocate(h.remaining() + p.remaining());
                all.put(h).put(p);
                out.add(SpeadPacketRecord.packet(STREAM, (int) (cnt % 2), all.array()));
            });
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    static List<SpeadPacketRecord> before() {
        List<SpeadPacketRecord> h1 = heap(1);
        List<SpeadPacketRecord> h4 = heap(4);
        List<SpeadPacketRecord> out = new ArrayList<>(h1.subList(0, 2));
        out.addAll(heap(2));
        out.addAll(heap(3));
        out.add(h4.get(0));
        return out;
    }

    static List<SpeadPacketRecord> after() {
        List<SpeadPacketRecord> h1 = heap(1);
        List<SpeadPacketRecord> h4 = heap(4);
        List<SpeadPacketRecord> out = new ArrayList<>(h4.subList(1, h4.size()));
        out.add(heap(2).get(0)); // a late duplicate of a completed heap
        out.addAll(heap(5));
        out.addAll(h1.subList(2, h1.size()));
        out.addAll(heap(6));
        out.add(SpeadPacketRecord.endOfStream(STREAM, 0));
        out.add(SpeadPacketRecord.endOfStream(STREAM, 1));
        return out;
    }

    static KeyedOneInputStreamOperatorTestHarness<String, SpeadPacketRecord, SpeadHeapRecord> assemblyHarness()
            throws Exception {
        return SpeadOperatorRun.assembly(SOURCE, CONFIG);
    }

    static KeyedOneInputStreamOperatorTestHarness<String, SpeadHeapRecord, RawMessage> orderingHarness() throws Exception {
        return SpeadOperatorRun.ordering(SOURCE, SUBSTREAMS, CONFIG);
    }

    /** Feeds {@code packets} through both harnesses; returns the stored messages emitted. */
    static List<byte[]> run(KeyedOneInputStreamOperatorTestHarness<String, SpeadPacketRecord, SpeadHeapRecord> assembly,
            KeyedOneInputStreamOperatorTestHarness<String, SpeadHeapRecord, RawMessage> ordering,
            List<SpeadPacketRecord> packets) throws Exception {
        return SpeadOperatorRun.run(assembly, ordering, packets);
    }
}
