package org.rawstream.job;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.rawstream.job.spead.SpeadHeapPrinter;
import org.rawstream.sinks.rawhdf5.RawFileInspector;
import org.rawstream.sinks.rawhdf5.RawFileReader;
import org.rawstream.sources.spead.DescriptorTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code inspect [--decode] FILE...}: print the metadata and a summary of raw-HDF5 files; with
 * {@code --decode}, also every SPEAD heap's item values decoded with their descriptors.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true, description = "Print metadata and a summary of raw-HDF5 files.")
public final class InspectCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Raw-HDF5 files.")
    List<Path> files;

    @Option(names = "--decode", description = "Also print every SPEAD heap of each file with its items decoded by their"
            + " descriptors: name, description, type, shape, value (large arrays summarised).")
    boolean decode;

    private final PrintStream out;

    public InspectCommand() {
        this(System.out);
    }

    /** Prints to {@code out} (tests). */
    InspectCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        for (Path file : files) {
            if (!Files.isRegularFile(file)) {
                // Typically a shell glob that matched nothing (the shell passes it on unexpanded).
                System.err.println("rawstream inspect: no such file: " + file);
                return 1;
            }
        }
        DescriptorTable descriptors = new DescriptorTable(); // carried from file to file, in the order given
        for (Path file : files) {
            RawFileInspector.inspect(List.of(file), out);
            if (decode) {
                try (RawFileReader reader = RawFileReader.open(file)) {
                    SpeadHeapPrinter.print(reader, descriptors, out);
                }
            }
        }
        return 0;
    }
}
