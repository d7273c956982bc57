package org.rawstream.sinks.sink;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import org.rawstream.sinks.rawhdf5.RawFileOptions;

/**
 * Where and how one configured source's files are written by one writer subtask: its index among
 * the writer's sources, directory (created here), file store, file options and counters. Immutable:
 * the task thread routes messages to it and the append thread writes to it.
 */
final class SourceTarget {
    final int index;
    final String source;
    final Path dir;
    /** Looked up once: finding a path's file store reads the mount table. */
    final FileStore store;
    final RawFileOptions options;
    final SinkWriterMetrics.SourceMetrics metrics;

    private SourceTarget(int index, String source, Path dir, FileStore store, RawFileOptions options,
            SinkWriterMetrics.SourceMetrics metrics) {
        this.index = index;
        this.source = source;
        this.dir = dir;
        this.store = store;
        this.options = options;
        this.metrics = metrics;
    }

    /** Creates {@code <output>/<source>/} (see {@link OutputFaults#createDirectory}) and the target. */
    static SourceTarget create(int index, SourceOutput source, RawHdf5Sink sink, SinkWriterMetrics metrics)
            throws IOException {
        Path dir = sink.outputDirectory().resolve(source.name());
        OutputFaults.createDirectory(dir);
        RawFileOptions options = RawFileOptions.builder()
                .version(sink.fileVersion())
                .ioVersion(source.ioVersion())
                .attribute("protocol", source.protocol())
                .directWrites(sink.directWrites())
                .build();
        return new SourceTarget(index, source.name(), dir, Files.getFileStore(dir), options,
                metrics.source(source.name()));
    }
}
