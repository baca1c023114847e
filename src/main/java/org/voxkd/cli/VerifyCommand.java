package org.voxkd.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.voxkd.data.EvalLoader;
import org.voxkd.engine.Backend;
import org.voxkd.engine.Backends;
import org.voxkd.eval.Embedder;
import org.voxkd.eval.Scoring;
import org.voxkd.eval.UtteranceEmbeddings;
import org.voxkd.train.ModelFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `voxkd verify`: are two recordings the same speaker? */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Score two WAV files with a checkpoint (mean cosine over crop pairs, as `voxkd eval` scores a trial) and decide "
                + "same/different speaker: same when score ≥ threshold.",
                "The threshold is --threshold, else the validation EER threshold stored in the checkpoint."})
public final class VerifyCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "Model checkpoint (e.g. a run's best.ckpt).") Path checkpoint;
    @Parameters(index = "0", paramLabel = "A.wav", description = "First recording (16 kHz WAV).") Path first;
    @Parameters(index = "1", paramLabel = "B.wav", description = "Second recording (16 kHz WAV).") Path second;
    @Option(names = "--threshold", description = "Decision threshold (default: the checkpoint's validation EER threshold).") Double threshold;
    @Option(names = "--crops", defaultValue = "10", description = "Evenly spaced crops per utterance; 0 = whole utterances (default: ${DEFAULT-VALUE}).") int crops;
    @Option(names = "--frames", defaultValue = "200", description = "Frames per crop (default: ${DEFAULT-VALUE}).") int frames;
    @Option(names = "--backend", defaultValue = "cpu", description = "cpu or opencl (default: ${DEFAULT-VALUE}).") String backend;
    @Option(names = "--device", description = "Device index or name substring.") String device;
    @picocli.CommandLine.Mixin NumericsOption numerics = new NumericsOption();
    @Spec CommandSpec spec;

    @Override public Integer call() throws Exception { return numerics.with(this::run); }

    private Integer run() throws Exception {
        EmbedCommand.checkCrops(crops, frames);
        ModelFiles.Loaded m = ModelFiles.load(checkpoint);
        Double stored = m.threshold();
        if (threshold == null && stored == null) {
            String from = m.meta().path("provenance").path("imported_from").asText(null);
            throw new IllegalArgumentException(checkpoint + " stores no decision threshold and no --threshold was given: " + (from != null
                    ? "it was imported from " + from + " (voxkd import keeps the threshold only of a voxkd export whose weights are unchanged; "
                            + "this file is not one, or its weights were changed)" : "its provenance has no eer_threshold (it was saved without validation on a trial list)")
                    + "; measure one with voxkd eval on a trial list and pass --threshold T");
        }
        double t = threshold != null ? threshold : stored;
        if (!Double.isFinite(t)) throw new IllegalArgumentException("the threshold must be a finite number, got " + t);
        EvalLoader loader = crops == 0 ? EvalLoader.wholeUtterance(Path.of("")) : new EvalLoader(Path.of(""), frames, crops);
        float[][] a, b;
        try (Backend be = Backends.create(backend, device); Embedder e = new Embedder(m.model(), be, m.weights()[0], m.weights()[1])) {
            a = UtteranceEmbeddings.unitCrops(e, loader.features(first.toString()), first.toString());
            b = UtteranceEmbeddings.unitCrops(e, loader.features(second.toString()), second.toString());
        }
        double score = Scoring.score(a, b);
        boolean same = score >= t;
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "score %.6f (mean cosine over %d×%d crop pairs, %s)%n", score, a.length, b.length, EmbedCommand.cropsDescription(crops, frames));
        out.printf(Locale.ROOT, "threshold %.6f (%s)%n", t, threshold != null ? "--threshold" : "validation EER threshold stored in the checkpoint");
        out.println("decision: " + (same ? "same speaker" : "different speakers"));
        out.flush();
        return 0;
    }
}
