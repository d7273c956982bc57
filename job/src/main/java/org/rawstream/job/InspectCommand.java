package org.rawstream.job;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.rawstream.sinks.rawhdf5.RawFileInspector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code inspect FILE...}: print the metadata and a summary of raw-HDF5 files. */
@Command(name = "inspect", mixinStandardHelpOptions = true, description = "Print metadata and a summary of raw-HDF5 files.")
public final class InspectCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Raw-HDF5 files.")
    List<Path> files;

    @Override
    public Integer call() throws Exception {
        for (Path file : files) {
            if (!Files.isRegularFile(file)) {
                // Typically a shell glob that matched nothing (the shell passes it on unexpanded).
                System.err.println("rawstream inspect: no such file: " + file);
                return 1;
            }
        }
        RawFileInspector.inspect(files, System.out);
        return 0;
    }
}
