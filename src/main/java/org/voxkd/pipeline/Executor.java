package org.voxkd.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import org.voxkd.train.TrainConfig;

/**
 * Runs one resolved configuration and reports its ledger record. Experiment logic knows only this, so a
 * cluster executor (e.g. Slurm job arrays) can replace the in-process one without touching it.
 */
public interface Executor {
    /** Trains {@code config} in {@code runDir} (resuming an interrupted run there) and returns the finished run's record fields. */
    ObjectNode run(TrainConfig config, Path runDir) throws IOException;
}
