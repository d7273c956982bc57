package org.rawstream.job.spead;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.rawstream.sources.spead.DescriptorTable;
import org.rawstream.sources.spead.HeapExpectations;
import org.rawstream.sources.spead.IncompleteHeapPolicy;
import org.rawstream.sources.spead.ReceivedHeap;
import org.rawstream.sources.spead.SpeadAssemblyConfig;
import org.rawstream.sources.spead.SpeadVectors;
import org.rawstream.sources.spead.StoredHeapCodec;

/**
 * The spead2 vectors through the job's keyed operators ({@link SpeadOperatorRun}): every stored
 * message read back is the heap spead2 assembled (contents, items, decoded values with the
 * descriptors known at delivery), in heap-counter order, none missing, none extra. This makes the
 * independent spead2 receiver the oracle of the operators; the job tests compare their committed
 * files with the operators' output.
 */
class SpeadOperatorVectorsTest {

    static Stream<String> vectors() throws IOException {
        return SpeadVectors.names().stream();
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void operatorsStoreWhatSpead2Assembles(String name) throws Exception {
        Map<String, Object> manifest = SpeadVectors.manifest(name);
        Map<Long, Map<String, Object>> expected = HeapExpectations.realExpectedHeaps(manifest);
        // Like the vectors' spead2 receiver: 64 live heaps, incomplete heaps kept, no time expiry.
        SpeadAssemblyConfig config = SpeadAssemblyConfig.builder().maxLiveHeaps(64).heapTimeoutMillis(Long.MAX_VALUE / 4)
                .incompletePolicy(IncompleteHeapPolicy.DELIVER).build();
        List<byte[]> stored = SpeadOperatorRun.stored(SpeadVectors.packets(SpeadVectors.bin(name)), config);
        DescriptorTable descriptors = new DescriptorTable();
        List<Long> cnts = new java.util.ArrayList<>();
        for (byte[] message : stored) {
            ReceivedHeap heap = StoredHeapCodec.decode(message);
            if (heap.isComplete()) {
                descriptors.update(heap);
            }
            HeapExpectations.checkHeap(heap, expected.get(heap.heapCnt()), descriptors);
            cnts.add(heap.heapCnt());
        }
        assertThat(cnts).as(name + " stored heaps").containsExactlyInAnyOrderElementsOf(expected.keySet());
        assertThat(cnts).as(name + " heap-counter order").isSorted();
    }
}
