package org.rawstream.job;

import java.util.Arrays;
import org.rawstream.job.echo.SendEchoCommand;
import org.rawstream.job.msgpack.SendMsgpackCommand;
import org.rawstream.job.odin.SendOdinCommand;
import org.rawstream.job.spead.SendSpeadCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * RawStream's entry point. {@code run} is the default command (so {@code flink run rawstream-job.jar
 * --config ...} and {@code ... RawStreamJob --local} both run the job); {@code inspect} prints
 * files. Later subcommands ({@code send-spead}, {@code send-odin}, {@code send-echo},
 * {@code send-msgpack}: test senders of each protocol) are registered in {@link #commandLine()}.
 */
@Command(name = "rawstream", mixinStandardHelpOptions = true, version = "RawStream 0.1",
        description = "Capture binary instrument streams into exactly-once raw-HDF5 files (Apache Flink).",
        footer = "Without a command, 'run' is assumed: rawstream [run] [--local] [options]")
public final class RawStreamJob implements Runnable {
    private RawStreamJob() {}

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new RawStreamJob());
        cl.addSubcommand(new RunCommand());
        cl.addSubcommand(new InspectCommand());
        // Protocol senders: send-spead, send-odin, send-echo, send-msgpack.
        cl.addSubcommand(new SendSpeadCommand());
        cl.addSubcommand(new SendOdinCommand());
        cl.addSubcommand(new SendEchoCommand());
        cl.addSubcommand(new SendMsgpackCommand());
        cl.setParameterExceptionHandler(RawStreamJob::commandLineMistake); // for every subcommand too
        return cl;
    }

    /**
     * A command line that does not parse is one line on stderr (exit code 2), as a wrong setting
     * is: what is wrong, picocli's suggestion if it has one, and where the options are listed —
     * not picocli's default of the whole usage after it.
     */
    private static int commandLineMistake(CommandLine.ParameterException ex, String[] args) {
        CommandLine command = ex.getCommandLine();
        StringBuilder line = new StringBuilder("rawstream: ").append(ex.getMessage());
        if (ex instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()) {
            line.append(" (did you mean ").append(String.join(" or ", unmatched.getSuggestions())).append("?)");
        }
        line.append("; options: ").append(command.getCommandSpec().qualifiedName()).append(" --help");
        command.getErr().println(line);
        return command.getCommandSpec().exitCodeOnInvalidInput();
    }

    /**
     * Runs the command line; a failure of the command itself is rethrown (not only turned into an
     * exit code), so that under 'flink run' / REST submission the real cause reaches Flink.
     */
    static int execute(CommandLine cl, String[] args) throws Exception {
        Exception[] failure = new Exception[1];
        cl.setExecutionExceptionHandler((ex, command, parseResult) -> {
            failure[0] = ex;
            return command.getCommandSpec().exitCodeOnExecutionException();
        });
        int code = cl.execute(args);
        if (failure[0] != null) {
            throw failure[0];
        }
        return code;
    }

    /** Prepends {@code run} unless the first argument names a command. */
    static String[] withDefaultCommand(CommandLine cl, String[] args) {
        if (args.length > 0 && (cl.getSubcommands().containsKey(args[0])
                || args[0].equals("-h") || args[0].equals("--help") || args[0].equals("-V") || args[0].equals("--version"))) {
            return args;
        }
        String[] withRun = new String[args.length + 1];
        withRun[0] = "run";
        System.arraycopy(args, 0, withRun, 1, args.length);
        return withRun;
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) throws Exception {
        CommandLine cl = commandLine();
        String[] effective = withDefaultCommand(cl, args);
        boolean underFlinkClient = effective[0].equals("run") && !Arrays.asList(effective).contains("--local")
                && !FlinkSetup.embedded();
        if (underFlinkClient) {
            // Inside 'flink run' or a JobManager (REST submission): never System.exit; the
            // exception's message is the one line Flink reports.
            int code = execute(cl, effective);
            if (code != 0) {
                throw new IllegalArgumentException("rawstream: invalid arguments (exit code " + code + ", see above)");
            }
            return;
        }
        // The local MiniCluster leaves non-daemon threads behind: end the JVM explicitly.
        System.exit(run(cl, effective, System.err));
    }

    /**
     * Runs the command line as {@link #main} does in an embedded run and returns the exit code
     * (see {@link StartupChecks}): a failed start-up check or a rejected setting prints one line
     * to {@code err}, without a stack trace.
     */
    static int run(CommandLine cl, String[] args, java.io.PrintStream err) {
        try {
            return execute(cl, args);
        } catch (StartupChecks.StartupException e) {
            err.println("rawstream: " + e.getMessage());
            return e.exitCode();
        } catch (Exception e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            err.println("rawstream: job failed: " + root + (root == e ? "" : " (in " + e + "); details in the log"));
            return StartupChecks.EXIT_JOB_FAILED;
        }
    }
}
