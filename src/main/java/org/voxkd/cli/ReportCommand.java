package org.voxkd.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import org.voxkd.report.Report;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `voxkd report`: every table, figure and CSV export of the report, from the results only. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Build the report (Markdown and LaTeX tables, SVG figures, CSV exports) from a results directory.")
public final class ReportCommand implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--results", defaultValue = "results", description = "Results directory (ledger.jsonl, runs/) (default: ${DEFAULT-VALUE}).") Path results;
    @Option(names = "--out", defaultValue = "paper/generated", description = "Output directory (default: ${DEFAULT-VALUE}).") Path out;
    @Option(names = "--profile", description = "Profile to report (default: the profile of the last ledger record).") String profile;

    @Override public Integer call() throws IOException {
        build(results, out, profile, System.out);
        return 0;
    }

    /** Builds the report for the profile of the last ledger record (used by {@code voxkd reproduce}). */
    public static void build(Path results, Path out, PrintStream log) throws IOException {
        build(results, out, null, log);
    }

    public static void build(Path results, Path out, String profile, PrintStream log) throws IOException {
        Report.Built b = Report.build(results, out, profile);
        log.printf("report: profile %s, %d runs, %d files in %s%n", b.profile(), b.runs(), b.files().size(), out);
    }
}
