package org.rawstream.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessageUnpacker;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.rawstream.sources.msgpack.MsgpackLimits;
import org.rawstream.sources.msgpack.MsgpackSender;
import org.rawstream.sources.msgpack.MsgpackStreamSplitter;
import org.rawstream.sources.msgpack.MsgpackValues;

/**
 * MessagePack values per second on one core, RawStream's bounded pre-scan next to msgpack-core's
 * own unpacker on the same bytes in the same run. The stream (about 4 MiB per operation) is
 * instrument-like records (a map of sequence, timestamp, name, float array, small binary).
 * RawStream's splitter gets socket-read-sized chunks (direct buffers by default, as the
 * transport's socket reads deliver); msgpack-core gets the whole array (its
 * best case). The {@code values} counter is values per second, {@code bytes} bytes per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class MsgpackSplitBenchmark {
    private static final int STREAM_BYTES = 4 * 1024 * 1024;

    /** Bytes per read, as a socket would deliver them. */
    @Param({"65536"})
    public int chunkBytes;

    private byte[] stream;
    private ByteBuffer[] chunks;
    private int valueCount;
    private final MsgpackStreamSplitter splitter = new MsgpackStreamSplitter(MsgpackLimits.defaults());
    private long checksum;
    private Blackhole blackhole;
    private Consumer<ByteBuffer> count;
    private Consumer<ByteBuffer> decode;

    /** "direct" (as the transport's socket read buffer) or "heap". */
    @Param({"direct"})
    public String buffers;

    /** Per-second rates reported next to the score. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Rates {
        public long values;
        public long bytes;

        @Setup(Level.Iteration)
        public void reset() {
            values = 0;
            bytes = 0;
        }
    }

    @Setup(Level.Trial)
    public void setUp(Blackhole bh) {
        List<byte[]> sample = MsgpackSender.sampleValues(1000, 42);
        ByteBuffer all = ByteBuffer.allocate(STREAM_BYTES + 65536);
        int n = 0;
        while (all.position() < STREAM_BYTES) {
            all.put(sample.get(n % sample.size()));
            n++;
        }
        valueCount = n;
        stream = java.util.Arrays.copyOf(all.array(), all.position());
        chunks = ReadChunks.of(stream, chunkBytes, buffers);
        blackhole = bh;
        this.count = value -> checksum += value.remaining();
        this.decode = value -> blackhole.consume(MsgpackValues.decode(value));
    }

    /** RawStream: find each value's exact bytes with every receiver check (what is stored). */
    @Benchmark
    public long rawstreamSplit(Rates rates) {
        for (ByteBuffer chunk : chunks) {
            chunk.clear();
            splitter.feed(chunk, count);
        }
        rates.values += valueCount;
        rates.bytes += stream.length;
        return checksum;
    }

    /** RawStream: pre-scan, then msgpack-core decodes each checked value. */
    @Benchmark
    public void rawstreamSplitAndDecode(Rates rates) {
        for (ByteBuffer chunk : chunks) {
            chunk.clear();
            splitter.feed(chunk, decode);
        }
        rates.values += valueCount;
        rates.bytes += stream.length;
    }

    /** Baseline: msgpack-core finding value boundaries by skipping (no checks). */
    @Benchmark
    public long msgpackCoreSkipValue(Rates rates) throws IOException {
        long end = 0;
        try (MessageUnpacker unpacker = MessagePack.newDefaultUnpacker(stream)) {
            while (unpacker.hasNext()) {
                unpacker.skipValue();
                end = unpacker.getTotalReadBytes();
            }
        }
        rates.values += valueCount;
        rates.bytes += stream.length;
        return end;
    }

    /** Baseline: msgpack-core decoding every value (no checks). */
    @Benchmark
    public void msgpackCoreUnpackValue(Rates rates, Blackhole bh) throws IOException {
        try (MessageUnpacker unpacker = MessagePack.newDefaultUnpacker(stream)) {
            while (unpacker.hasNext()) {
                bh.consume(unpacker.unpackValue());
            }
        }
        rates.values += valueCount;
        rates.bytes += stream.length;
    }
}
