package org.voxkd.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.voxkd.api.Decision;
import org.voxkd.api.Embedding;
import org.voxkd.api.Threshold;
import org.voxkd.api.Verifier;
import org.voxkd.train.ModelFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `voxkd verify`: are two recordings the same speaker? (Through the Java API, {@link Verifier}.) */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Score two WAV files with a checkpoint (mean cosine over crop pairs, as `voxkd eval` scores a trial) and decide "
                + "same/different speaker: same when score ≥ threshold.",
                "The threshold is --threshold, else the validation EER threshold stored in the checkpoint."})
public final class VerifyCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "Model checkpoint (e.g. a run's best.ckpt) or ONNX export (.onnx).") Path checkpoint;
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
        Threshold t = threshold != null ? new Threshold(threshold, "--threshold") : null;
        Decision d;
        Embedding a;
        try (Verifier v = Verifier.load(checkpoint, Verifier.Options.defaults().crops(crops, frames).backend(backend, device))) {
            if (t == null && v.storedThreshold().isEmpty())
                throw new IllegalArgumentException(checkpoint + " stores no decision threshold and no --threshold was given: " + whyNoThreshold()
                        + "; measure one with voxkd eval on a trial list and pass --threshold T");
            if (t == null) t = v.threshold();
            a = v.embed(first);
            d = v.verify(a, v.embed(second), t);
        }
        PrintWriter out = spec.commandLine().getOut();
        int n = crops == 0 ? 1 : crops;
        out.printf(Locale.ROOT, "score %.6f (mean cosine over %d×%d crop pairs, %s)%n", d.score(), n, n, EmbedCommand.cropsDescription(crops, frames));
        out.printf(Locale.ROOT, "threshold %.6f (%s)%n", d.threshold().value(), d.threshold().source());
        out.println("decision: " + (d.sameSpeaker() ? "same speaker" : "different speakers"));
        out.flush();
        return 0;
    }

    /** Why a model has no stored threshold: imported (and from what), or saved without validation. */
    private String whyNoThreshold() {
        String from = null;
        if (!checkpoint.toString().endsWith(".onnx")) {
            try {
                from = ModelFiles.load(checkpoint).meta().path("provenance").path("imported_from").asText(null);
            } catch (Exception e) {
                // the Verifier loaded it already; a second read failing leaves only the generic reason
            }
        }
        return from != null
                ? "it was imported from " + from + " (voxkd import keeps the threshold only of a voxkd export whose weights are unchanged; "
                        + "this file is not one, or its weights were changed)"
                : "its provenance has no eer_threshold (it was saved without validation on a trial list)";
    }
}
