package org.voxkd.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Brings a reproduction's planned runs to the ledger. The planning — configurations, run ids, run references,
 * what is already complete — is {@link Reproducer#plan()}'s alone; an executor only decides where and when each
 * run's {@link RunJob} happens: in this JVM ({@link InProcessExecutor}) or as cluster jobs
 * ({@code org.voxkd.slurm.SlurmExecutor}).
 */
public interface Executor {
    /**
     * Handles every run not complete yet ({@link RunPlan#complete} null; its plan.json is written). Runs come in plan
     * order, each after the runs it needs. Returns when this executor's part is over: for an in-process executor
     * every run is then in the ledger (or was skipped as claimed elsewhere, when asked to); a cluster executor may
     * return once the jobs are submitted.
     */
    void execute(List<RunPlan> runs, Path root, Path results) throws IOException;
}
