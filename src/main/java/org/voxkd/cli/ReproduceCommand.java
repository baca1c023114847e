package org.voxkd.cli;

import java.nio.file.Path;
import org.voxkd.pipeline.InProcessExecutor;
import org.voxkd.pipeline.Profile;
import org.voxkd.pipeline.Reproducer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `voxkd reproduce`: every experiment of the report under one profile, then the report. */
@Command(name = "reproduce", mixinStandardHelpOptions = true,
        description = "Generate the corpus if needed, train the teacher and every student (skipping runs already in the ledger), then build the report.")
public final class ReproduceCommand implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--profile", defaultValue = "default", description = "smoke, default or paper (default: ${DEFAULT-VALUE}).") String profile;
    @Option(names = "--results", defaultValue = "results", description = "Results directory (ledger.jsonl, runs/) (default: ${DEFAULT-VALUE}).") Path results;
    @Option(names = "--out", defaultValue = "paper/generated", description = "Where the report goes (default: ${DEFAULT-VALUE}).") Path out;
    @Option(names = "--root", defaultValue = ".", description = "Project root (experiments/, data/) (default: ${DEFAULT-VALUE}).") Path root;
    @Option(names = "--data", description = "Directory of your lists and audio (profile paper).") Path data;
    @Option(names = "--force", description = "Re-run runs that the ledger already holds.") boolean force;
    @Option(names = "--backend", description = "cpu or opencl (overrides the experiments).") String backend;
    @Option(names = "--device") String device;
    @picocli.CommandLine.Mixin NumericsOption numerics = new NumericsOption();
    @Option(names = "--no-report", description = "Skip building the report.") boolean noReport;

    @Override public Integer call() throws Exception {
        Profile p = Profile.load(root.resolve("experiments"), profile);
        new Reproducer(root, results, p, new InProcessExecutor(System.out), backend, device, numerics.mode, force, data, System.out).run();
        if (!noReport) ReportCommand.build(results, out, System.out);
        return 0;
    }
}
