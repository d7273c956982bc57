package org.rawstream.bench;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
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
import org.rawstream.sources.echo.EchoBuilder;
import org.rawstream.sources.echo.EchoClient;
import org.rawstream.sources.echo.EchoFramer;
import org.rawstream.sources.echo.EchoParser;
import org.rawstream.sources.echo.EchoRequest;
import org.rawstream.sources.echo.EchoRequestView;

/**
 * Echo parsing throughput on one core: pipelined requests (about 8 MiB per operation) fed in
 * socket-read-sized chunks (direct buffers by default, as the transport's socket reads deliver). The {@code bytes} counter is bytes parsed per second; {@code frames}
 * frames per second. {@code copyBaseline} touches the same bytes once with a plain array copy
 * (memory bandwidth, measured in the same run).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class EchoParseBenchmark {
    private static final int STREAM_BYTES = 8 * 1024 * 1024;

    /** Body size of each request: small frames stress per-frame work, large ones bytes. */
    @Param({"64", "1024", "16384"})
    public int bodyBytes;

    /** Bytes per read, as a socket would deliver them. */
    @Param({"65536"})
    public int chunkBytes;

    private ByteBuffer[] chunks;
    private long streamBytes;
    private int frameCount;
    private final EchoFramer framer = new EchoFramer();
    private final EchoRequestView view = new EchoRequestView();
    private final EchoParser<EchoRequest> parser = EchoParser.forRequests(EchoFramer.DEFAULT_MAX_FRAME_SIZE);
    private final byte[] copyTarget = new byte[1 << 20];
    private ByteBuffer responses = ByteBuffer.allocate(1 << 20);
    private long checksum;
    private int ordinal;
    private Consumer<ByteBuffer> validate;
    private Consumer<ByteBuffer> validateAndRespond;

    /** "direct" (as the transport's socket read buffer) or "heap". */
    @Param({"direct"})
    public String buffers;

    /** Per-second rates reported next to the score. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Rates {
        public long bytes;
        public long frames;

        @Setup(Level.Iteration)
        public void reset() {
            bytes = 0;
            frames = 0;
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        EchoClient.RequestFactory factory = EchoClient.defaultFactory(bodyBytes, 42);
        ByteBuffer wire = ByteBuffer.allocate(STREAM_BYTES + 2 * bodyBytes + 4096);
        int n = 0;
        while (wire.position() < STREAM_BYTES) {
            wire = EchoBuilder.appendRequest(wire, factory.request(n % 4, n));
            n++;
        }
        frameCount = n;
        streamBytes = wire.position();
        byte[] bytes = java.util.Arrays.copyOf(wire.array(), wire.position());
        chunks = ReadChunks.of(bytes, chunkBytes, buffers);
        validate = payload -> {
            if (view.wrap(payload) == null) {
                checksum += view.sequence() + view.bodyLength();
            }
        };
        validateAndRespond = payload -> {
            if (view.wrap(payload) == null) {
                responses = EchoBuilder.appendResponse(responses, view, ordinal++);
                if (responses.position() > (1 << 19)) {
                    responses.clear(); // as if written to the socket
                }
            }
        };
    }

    /** The server's hot path: framing plus full validation of every request, no objects. */
    @Benchmark
    public long frameAndValidate(Rates rates) {
        for (ByteBuffer chunk : chunks) {
            chunk.clear();
            framer.feed(chunk, validate);
        }
        rates.bytes += streamBytes;
        rates.frames += frameCount;
        return checksum;
    }

    /** Same, plus building each response (id = ordinal) into an output buffer. */
    @Benchmark
    public long frameValidateAndRespond(Rates rates) {
        for (ByteBuffer chunk : chunks) {
            chunk.clear();
            framer.feed(chunk, validateAndRespond);
        }
        rates.bytes += streamBytes;
        rates.frames += frameCount;
        return responses.position();
    }

    /** Decoding every request into an {@link EchoRequest} object (clients, tests). */
    @Benchmark
    public void decodeToObjects(Rates rates, Blackhole bh) {
        for (ByteBuffer chunk : chunks) {
            chunk.clear();
            List<EchoRequest> requests = parser.feed(chunk);
            bh.consume(requests);
        }
        rates.bytes += streamBytes;
        rates.frames += frameCount;
    }

    /** Baseline: one plain copy of the same bytes (what touching each byte once costs). */
    @Benchmark
    public int copyBaseline(Rates rates) {
        int x = 0;
        for (ByteBuffer chunk : chunks) {
            chunk.clear();
            int n = chunk.remaining();
            chunk.get(0, copyTarget, 0, n);
            x += copyTarget[n - 1];
        }
        rates.bytes += streamBytes;
        rates.frames += frameCount;
        return x;
    }
}
