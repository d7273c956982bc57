package org.rawstream.job.spead;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.rawstream.sinks.sink.RawMessage;
import org.rawstream.sources.spead.SpeadAssemblyConfig;
import org.rawstream.sources.spead.source.SpeadPacketRecord;

/**
 * The job's two SPEAD keyed operators ({@link HeapAssemblyFunction} → {@link HeapOrderingFunction})
 * in operator test harnesses, one stream, processing time fixed: what the job stores for a list
 * of datagrams, computed by the job's own operators without sockets or sinks. The job tests take
 * their expected output from here; the spead2 vectors check these operators
 * ({@code SpeadOperatorVectorsTest}).
 */
public final class SpeadOperatorRun {

    private SpeadOperatorRun() {
    }

    /** The stored messages of one stream's datagrams (substream 0, ended after the last). */
    public static List<byte[]> stored(List<byte[]> datagrams, SpeadAssemblyConfig config) throws Exception {
        List<SpeadPacketRecord> records = new ArrayList<>();
        for (byte[] d : datagrams) {
            records.add(SpeadPacketRecord.packet("s", 0, d));
        }
        records.add(SpeadPacketRecord.endOfStream("s", 0));
        KeyedOneInputStreamOperatorTestHarness<String, SpeadPacketRecord, SpeadHeapRecord> assembly = assembly("sp", config);
        KeyedOneInputStreamOperatorTestHarness<String, SpeadHeapRecord, RawMessage> ordering = ordering("sp", 1, config);
        try {
            assembly.open();
            ordering.open();
            return run(assembly, ordering, records);
        } finally {
            assembly.close();
            ordering.close();
        }
    }

    static KeyedOneInputStreamOperatorTestHarness<String, SpeadPacketRecord, SpeadHeapRecord> assembly(String source,
            SpeadAssemblyConfig config) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(assemblyOperator(source, config),
                SpeadPacketRecord::assemblyKey, Types.STRING);
    }

    /** The job's assembly operator. */
    static WriteBackKeyedOperator<SpeadPacketRecord, SpeadHeapRecord, HeapAssemblyFunction> assemblyOperator(String source,
            SpeadAssemblyConfig config) {
        return new WriteBackKeyedOperator<>(new HeapAssemblyFunction(source, config));
    }

    /** The job's ordering operator. */
    static WriteBackKeyedOperator<SpeadHeapRecord, RawMessage, HeapOrderingFunction> orderingOperator(String source,
            int substreams, SpeadAssemblyConfig config) {
        return new WriteBackKeyedOperator<>(new HeapOrderingFunction(source, 0, substreams, config));
    }

    static KeyedOneInputStreamOperatorTestHarness<String, SpeadHeapRecord, RawMessage> ordering(String source, int substreams,
            SpeadAssemblyConfig config) throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                orderingOperator(source, substreams, config), SpeadHeapRecord::stream, Types.STRING);
    }

    /**
     * Feeds {@code packets} through both (opened) harnesses; returns copies of the stored messages
     * emitted, taken as each is emitted (the ordering operator recycles a message's array once
     * it has been collected).
     */
    static List<byte[]> run(KeyedOneInputStreamOperatorTestHarness<String, SpeadPacketRecord, SpeadHeapRecord> assembly,
            KeyedOneInputStreamOperatorTestHarness<String, SpeadHeapRecord, RawMessage> ordering,
            List<SpeadPacketRecord> packets) throws Exception {
        List<byte[]> out = new ArrayList<>();
        for (SpeadPacketRecord p : packets) {
            assembly.processElement(p, 0);
            for (SpeadHeapRecord h : assembly.extractOutputValues()) {
                ordering.processElement(h, 0);
                for (RawMessage m : ordering.extractOutputValues()) {
                    out.add(m.bytes().clone());
                }
                ordering.getOutput().clear();
            }
            assembly.getOutput().clear();
        }
        return out;
    }
}
