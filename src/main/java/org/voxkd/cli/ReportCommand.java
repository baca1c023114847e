package org.voxkd.cli;

import java.io.IOException;
import java.io.PrintStream;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.voxkd.ledger.Ledger;
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
        checkResults(results, profile);
        Report.Built b = Report.build(results, out, profile);
        log.printf("report: profile %s, %d runs, %d files in %s%n", b.profile(), b.runs(), b.files().size(), out);
    }

    /**
     * Refuses, before anything is written or removed, a results folder that is missing or holds no finished run, and a
     * profile with no finished run in it (a typo would otherwise replace the report with an empty one).
     */
    static void checkResults(Path results, String profile) throws IOException {
        if (!Files.isDirectory(results))
            throw new IOException(results + ": no such results folder (it should hold ledger.jsonl and runs/); nothing was written");
        Path ledger = results.resolve("ledger.jsonl");
        if (!Files.isRegularFile(ledger))
            throw new IOException(results + " holds no ledger.jsonl: there are no results to report (train with voxkd reproduce first); nothing was written");
        Set<String> profiles = new TreeSet<>();
        for (ObjectNode r : new Ledger(results).records())
            if ("complete".equals(r.path("status").asText())) profiles.add(r.path("profile").asText("none"));
        if (profiles.isEmpty()) throw new IOException(ledger + " holds no finished run: there is nothing to report; nothing was written");
        if (profile != null && !profiles.contains(profile))
            throw new IOException("no finished run of profile '" + profile + "' in " + ledger + " (it holds " + String.join(", ", profiles)
                    + "); nothing was written");
    }
}
