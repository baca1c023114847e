package org.voxkd.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `voxkd` command line. */
@Command(name = "voxkd", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Speaker verification with knowledge distillation: reproducible, pure Java, cpu and opencl backends.",
        subcommands = {DevicesCommand.class, DataCommand.class, TrainCommand.class, EvalCommand.class, EmbedCommand.class, VerifyCommand.class,
                ReproduceCommand.class, LedgerCommand.class, ReportCommand.class, ParamsCommand.class, BenchCommand.class, KernelsCommand.class,
                ExportCommand.class, ImportCommand.class, DeployStudyCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line (tests call it without exiting the JVM). */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            // Bad input is reported as one clear line; a stack trace only when asked for.
            line.getErr().println("voxkd: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            if (System.getenv("VOXKD_DEBUG") != null) ex.printStackTrace(line.getErr());
            return 2;
        });
        return cl;
    }
}
