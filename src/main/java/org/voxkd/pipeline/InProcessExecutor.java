package org.voxkd.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.voxkd.train.TrainConfig;
import org.voxkd.train.Trainer;

/** Runs in this JVM, on the configuration's backend. */
public final class InProcessExecutor implements Executor {
    private final PrintStream log;

    public InProcessExecutor(PrintStream log) { this.log = log; }

    @Override public ObjectNode run(TrainConfig config, Path runDir) throws IOException {
        boolean resume = Files.exists(runDir.resolve("last.ckpt"));
        return new Trainer(config, runDir, log).run(resume).record();
    }
}
