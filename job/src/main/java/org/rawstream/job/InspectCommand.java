package org.rawstream.job;

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
        RawFileInspector.inspect(files, System.out);
        return 0;
    }
}
