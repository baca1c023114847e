package org.voxkd.cli;

import org.voxkd.io.IoErrors;
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
            line.getErr().println("voxkd: " + message(ex));
            if (System.getenv("VOXKD_DEBUG") != null) ex.printStackTrace(line.getErr());
            return 2;
        });
        return cl;
    }

    /**
     * An error as one line: wrappers without a message of their own (an unchecked I/O error from a loader thread)
     * give their cause's, and a message listing several problems on several lines is joined into one.
     */
    static String message(Throwable ex) {
        Throwable t = ex;
        while (t.getCause() != null && (t instanceof java.io.UncheckedIOException || t instanceof java.util.concurrent.ExecutionException
                || t.getMessage() == null || t.getMessage().equals(t.getCause().toString())))
            t = t.getCause();
        String msg = t instanceof java.nio.file.FileSystemException f ? IoErrors.describe(f)
                : t.getMessage() == null || t.getMessage().isBlank() ? t.toString() : t.getMessage();
        // a wrapper that kept only the path of a file-system failure (permission denied, no space…) gets the reason back
        for (Throwable c = t.getCause(); c != null; c = c.getCause())
            if (c instanceof java.nio.file.FileSystemException f) {
                String reason = IoErrors.reason(f);
                if (!msg.contains(reason)) msg = msg + " (" + reason + ")";
                break;
            }
        StringBuilder one = new StringBuilder();
        for (String l : msg.strip().split("\\R")) {
            String part = l.strip();
            if (part.isEmpty()) continue;
            if (one.length() > 0) one.append(one.charAt(one.length() - 1) == ':' ? " " : "; ");
            one.append(part);
        }
        return one.toString();
    }
}
