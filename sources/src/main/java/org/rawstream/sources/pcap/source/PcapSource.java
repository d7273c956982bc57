package org.rawstream.sources.pcap.source;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.rawstream.sources.net.NetworkProtocol;
import org.rawstream.sources.net.ProtocolSource;
import org.rawstream.sources.net.ProtocolSourceBuilder;
import org.rawstream.sources.pcap.ReplayPosition;
import org.rawstream.sources.pcap.ReplaySettings;

/**
 * A bounded FLIP-27 source that replays pcap/pcapng capture files through a
 * {@link NetworkProtocol}'s decoders ({@link org.rawstream.sources.pcap.CaptureReplay}), so a
 * file gives the records its sockets would have given. Splits are files, handed to readers one
 * at a time; a split's checkpointed position lets a restarted job continue inside a file without
 * emitting a record twice or losing one. The job ends when every file is replayed.
 *
 * <pre>{@code
 * PcapSource<SpeadPacketRecord> source = PcapSource.<SpeadPacketRecord>builder()
 *     .name("capture").protocol(new SpeadProtocol(1, 65536)).typeInfo(SpeadProtocol.PACKET_TYPE)
 *     .paths(List.of("/data/run42/*.pcap"))
 *     .settings(ReplaySettings.builder().destinationPort(7148).build())
 *     .build();
 * }</pre>
 */
public final class PcapSource<T> extends ProtocolSource<T, PcapSourceConfig>
        implements Source<T, PcapSplit, List<PcapSplit>> {
    private static final long serialVersionUID = 1L;

    private PcapSource(PcapSourceConfig config, NetworkProtocol<T> protocol, TypeInformation<T> typeInfo) {
        super(config, protocol, typeInfo);
    }

    public static <T> Builder<T> builder() {
        return new Builder<>();
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.BOUNDED;
    }

    @Override
    public SourceReader<T, PcapSplit> createReader(SourceReaderContext readerContext) {
        return PcapSourceReader.create(config(), protocol(), readerContext);
    }

    /** Lists the files where the enumerator runs (the JobManager: on a cluster, a shared path). */
    @Override
    public SplitEnumerator<PcapSplit, List<PcapSplit>> createEnumerator(SplitEnumeratorContext<PcapSplit> enumContext) {
        List<PcapSplit> splits = new ArrayList<>();
        for (String file : CaptureFiles.expand(config().paths())) {
            splits.add(new PcapSplit(file, ReplayPosition.START));
        }
        return new PcapSplitEnumerator(enumContext, splits);
    }

    @Override
    public SplitEnumerator<PcapSplit, List<PcapSplit>> restoreEnumerator(SplitEnumeratorContext<PcapSplit> enumContext,
            List<PcapSplit> checkpoint) {
        return new PcapSplitEnumerator(enumContext, checkpoint);
    }

    @Override
    public SimpleVersionedSerializer<PcapSplit> getSplitSerializer() {
        return PcapSplitSerializer.INSTANCE;
    }

    @Override
    public SimpleVersionedSerializer<List<PcapSplit>> getEnumeratorCheckpointSerializer() {
        return PcapEnumeratorStateSerializer.INSTANCE;
    }

    /** Builds a {@link PcapSource}; protocol, type information and at least one path are required. */
    public static final class Builder<T> extends ProtocolSourceBuilder<T, Builder<T>> {
        public static final int DEFAULT_MAX_RECORDS_PER_FETCH = 4096;
        public static final long DEFAULT_MAX_BYTES_PER_FETCH = 8L << 20;

        private final List<String> paths = new ArrayList<>();
        private ReplaySettings settings = ReplaySettings.builder().build();
        private int maxRecordsPerFetch = DEFAULT_MAX_RECORDS_PER_FETCH;
        private long maxBytesPerFetch = DEFAULT_MAX_BYTES_PER_FETCH;

        private Builder() {
        }

        @Override
        protected Builder<T> self() {
            return this;
        }

        /** Capture files, directories (their files) or globs; replayed in the order given. */
        public Builder<T> paths(List<String> filesDirectoriesOrGlobs) {
            paths.addAll(filesDirectoriesOrGlobs);
            return this;
        }

        public Builder<T> settings(ReplaySettings replaySettings) {
            this.settings = Objects.requireNonNull(replaySettings, "settings");
            return this;
        }

        /**
         * Bounds of one hand-over batch from the fetcher to the task thread (Flink queues a few):
         * records and captured bytes read.
         */
        public Builder<T> maxPerFetch(int records, long bytes) {
            if (records < 1 || bytes < 1) {
                throw new IllegalArgumentException("maxPerFetch must be > 0");
            }
            this.maxRecordsPerFetch = records;
            this.maxBytesPerFetch = bytes;
            return this;
        }

        public PcapSource<T> build() {
            NetworkProtocol<T> protocol = requiredProtocol();
            if (paths.isEmpty()) {
                throw new IllegalStateException("at least one capture path is required");
            }
            return new PcapSource<>(new PcapSourceConfig(sourceName(), paths, settings,
                    maxRecordsPerFetch, maxBytesPerFetch), protocol, requiredTypeInfo());
        }
    }
}
