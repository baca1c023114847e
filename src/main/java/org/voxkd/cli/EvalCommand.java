package org.voxkd.cli;

import java.nio.file.Path;
import java.util.List;
import org.voxkd.data.DataCheck;
import org.voxkd.data.Lists;
import org.voxkd.engine.Backend;
import org.voxkd.engine.Backends;
import org.voxkd.eval.Embedder;
import org.voxkd.eval.Verification;
import org.voxkd.io.AtomicFiles;
import org.voxkd.io.OutputGuard;
import org.voxkd.train.ModelFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `voxkd eval`: a checkpoint on a trial list — score file, EER, minDCF, interval, counts. */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Score a trial list with a checkpoint: EER, minDCF (0.05, 0.01), 95%% bootstrap interval.")
public final class EvalCommand implements java.util.concurrent.Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "Model checkpoint (e.g. a run's best.ckpt).") Path checkpoint;
    @Option(names = "--trials", required = true, description = "Trial list: label path1 path2.") Path trials;
    @Option(names = "--root", description = "Directory the trial paths are relative to (default: the list's directory).") Path root;
    @Option(names = "--crops", defaultValue = "10", description = "Evenly spaced crops per utterance; 0 = whole utterances (default: ${DEFAULT-VALUE}).") int crops;
    @Option(names = "--frames", defaultValue = "200", description = "Frames per crop (default: ${DEFAULT-VALUE}).") int frames;
    @Option(names = "--scores", description = "Write the score file here (label score path1 path2).") Path scores;
    @Option(names = "--backend", defaultValue = "cpu", description = "cpu or opencl (default: ${DEFAULT-VALUE}).") String backend;
    @Option(names = "--device", description = "Device index or name substring.") String device;
    @picocli.CommandLine.Mixin NumericsOption numerics = new NumericsOption();
    @Option(names = "--threads", defaultValue = "2", description = "Feature threads (default: ${DEFAULT-VALUE}).") int threads;
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override public Integer call() throws Exception { return numerics.with(this::run); }

    private Integer run() throws Exception {
        Bounds.crops(crops, frames);
        Bounds.threads(threads);
        Path base = root != null ? root : trials.toAbsolutePath().getParent();
        List<Lists.Trial> list = Lists.readTrialList(trials);
        DataCheck.checkTrialList(base, list);
        OutputGuard.refuseInputs("--scores", scores, OutputGuard.input("--trials", trials), OutputGuard.input("--checkpoint", checkpoint));
        OutputGuard.refuseListed("--scores", scores, "a file listed in " + trials + ":", base, Lists.trialPaths(list));
        ModelFiles.Loaded m = ModelFiles.load(checkpoint);
        java.io.PrintWriter log = spec.commandLine().getErr();
        int utterances = Lists.trialPaths(list).size();
        Verification v = new Verification(base, list, frames, crops, threads, new Progress(log, "features", utterances, "utterances", 10));
        try (Backend b = Backends.create(backend, device); Embedder e = new Embedder(m.model(), b, m.weights()[0], m.weights()[1])) {
            Verification.Result r = v.score(e, 1, new Progress(log, "embeddings", v.utteranceCount(), "utterances", 10));
            System.out.println(checkpoint + " on " + trials + " (" + v.utteranceCount() + " utterances, "
                    + (crops == 0 ? "whole utterances" : crops + " crops of " + frames + " frames") + ", backend " + b.name() + "):");
            System.out.println(r.summary());
            if (scores != null) AtomicFiles.writeString(scores, v.scoreFile(r));
        }
        return 0;
    }
}
