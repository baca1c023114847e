package org.voxkd.cli;

import java.nio.file.Path;
import org.voxkd.train.TrainConfig;
import org.voxkd.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `voxkd train`: one configuration into one run directory. */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train a teacher or a student from a YAML configuration.")
public final class TrainCommand implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--config", required = true, description = "Experiment YAML.") Path config;
    @Option(names = "--out", required = true, description = "Run directory (config, epochs.csv, checkpoints, scores).") Path out;
    @Option(names = "--resume", description = "Continue an interrupted run in --out from its last checkpoint.") boolean resume;
    @Option(names = "--backend", description = "cpu or opencl (overrides the configuration).") String backend;
    @Option(names = "--device", description = "Device index or name substring.") String device;
    @picocli.CommandLine.Mixin NumericsOption numerics = new NumericsOption();
    @Option(names = "--stop-after", description = "Stop after this epoch of the schedule (resumable), e.g. to train in time-boxed chunks.")
    Integer stopAfter;
    @Option(names = "--profile", description = "Print the slowest kernels of the step after each epoch.") boolean profile;

    @Override public Integer call() throws Exception {
        TrainConfig cfg = TrainConfig.load(config).onBackend(backend, device).onNumerics(numerics.mode);
        Trainer.Outcome o = new Trainer(cfg, out, System.out).profiled(profile).run(resume, stopAfter == null ? Integer.MAX_VALUE : stopAfter);
        if (o == null) return 0;
        System.out.println("done: " + o.best() + (o.record().has("best_eer")
                ? String.format(" (best validation EER %.2f%% at epoch %d)", 100 * o.record().get("best_eer").asDouble(), o.record().get("best_epoch").asInt()) : ""));
        return 0;
    }
}
