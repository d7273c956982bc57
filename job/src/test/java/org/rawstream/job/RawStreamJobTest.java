package org.rawstream.job;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.rawstream.job.config.JobSettings;
import org.rawstream.job.config.Setting;
import picocli.CommandLine;

class RawStreamJobTest {
    @Test
    void runIsTheDefaultCommand() {
        CommandLine cl = RawStreamJob.commandLine();
        assertThat(RawStreamJob.withDefaultCommand(cl, new String[0])).containsExactly("run");
        assertThat(RawStreamJob.withDefaultCommand(cl, new String[] {"--local"})).containsExactly("run", "--local");
        assertThat(RawStreamJob.withDefaultCommand(cl, new String[] {"inspect", "f.h5"})).containsExactly("inspect", "f.h5");
        assertThat(RawStreamJob.withDefaultCommand(cl, new String[] {"--help"})).containsExactly("--help");
    }

    /** The help lists every job setting whole: a key broken over two lines cannot be copied. */
    @Test
    void runHelpNamesEveryJobSettingOnOneLine() {
        String help = RawStreamJob.commandLine().getSubcommands().get("run").getUsageMessage();
        for (Setting<?> s : JobSettings.job()) {
            assertThat(help).as(s.key()).containsPattern("[ ,]" + java.util.regex.Pattern.quote(s.key()) + "[,. ]");
        }
    }

    /** A flag that does not exist is one line and exit code 2, not the whole usage. */
    @Test
    void aMistakeOnTheCommandLineIsOneLine() throws Exception {
        CommandLine cl = RawStreamJob.commandLine();
        java.io.StringWriter err = new java.io.StringWriter();
        cl.getSubcommands().get("run").setErr(new java.io.PrintWriter(err, true));
        assertThat(RawStreamJob.execute(cl, new String[] {"run", "--local", "--checkpoint-intervall", "10s"})).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("rawstream: Unknown options: '--checkpoint-intervall', '10s' (did you mean "
                + "--checkpoint-interval?); options: rawstream run --help" + System.lineSeparator());
    }

    @Test
    void flagsBecomeSettings() throws Exception {
        CommandLine cl = RawStreamJob.commandLine();
        CommandLine.ParseResult parsed = cl.parseArgs("run", "--local", "-o", "/tmp/x", "--duration", "30s",
                "--set", "source.gen.rate=5", "-D", "rest.port=0", "-p", "2");
        RunCommand run = parsed.subcommand().commandSpec().commandLine().getCommand();
        var settings = run.settings();
        assertThat(settings.get("output.dir")).contains("/tmp/x");
        assertThat(settings.get("duration")).contains("30s");
        assertThat(settings.get("parallelism")).contains("2");
        assertThat(settings.get("source.gen.rate")).contains("5");
        assertThat(run.flinkProperties).containsEntry("rest.port", "0");
        assertThat(run.local).isTrue();
    }

    @Test
    void demoWritesItsOwnOutputDirectoryUnlessOneIsGiven() throws Exception {
        RunCommand demo = RawStreamJob.commandLine().parseArgs("run", "--local", "--demo")
                .subcommand().commandSpec().commandLine().getCommand();
        assertThat(demo.settings().get("output.dir")).contains(RunCommand.DEMO_OUTPUT_DIR);
        RunCommand given = RawStreamJob.commandLine().parseArgs("run", "--local", "--demo", "-o", "mine")
                .subcommand().commandSpec().commandLine().getCommand();
        assertThat(given.settings().get("output.dir")).contains("mine");
        RunCommand capture = RawStreamJob.commandLine().parseArgs("run", "--local")
                .subcommand().commandSpec().commandLine().getCommand();
        assertThat(capture.settings().get("output.dir")).contains("out");
        assertThat(capture.demo).isFalse();
    }

    @Test
    void helpFitsAnEightyColumnTerminalAndSaysEachCommandInWholeSentences() {
        CommandLine cl = RawStreamJob.commandLine();
        String top = cl.getUsageMessage(CommandLine.Help.Ansi.OFF);
        assertThat(top.lines()).allMatch(l -> l.length() <= 80, "at most 80 columns");
        for (CommandLine sub : cl.getSubcommands().values()) {
            String[] description = sub.getCommandSpec().usageMessage().description();
            assertThat(description[0]).as("first line of %s", sub.getCommandName()).endsWith(".");
            assertThat(sub.getUsageMessage(CommandLine.Help.Ansi.OFF).lines())
                    .as("%s --help", sub.getCommandName()).allMatch(l -> l.length() <= 80, "at most 80 columns");
        }
    }

    @Test
    void commandFailuresPropagateWithTheirCause() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RawStreamJob.execute(RawStreamJob.commandLine(),
                        new String[] {"run", "--set", "source.gen.rate=fast"}))
                .isInstanceOf(StartupChecks.StartupException.class).hasMessageContaining("source.gen.rate");
    }

    @Test
    void badFlagsGiveAUsageExitCode() throws Exception {
        assertThat(RawStreamJob.execute(RawStreamJob.commandLine(), new String[] {"run", "--no-such-flag"})).isEqualTo(2);
    }

    @Test
    void listsSourceTypes() {
        assertThat(RawStreamJob.commandLine().execute("run", "--list-source-types")).isZero();
    }
}
