package org.voxkd.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.voxkd.export.DeployStudy;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `voxkd deploy-study`: fp32, fp16, int8-static and int8-dynamic ONNX exports of a checkpoint — size, trial scores, ONNX Runtime speed. */
@Command(name = "deploy-study", mixinStandardHelpOptions = true,
        description = {"The quantization study of a checkpoint: each ONNX variant (fp32, fp16, int8-static, int8-dynamic) with its file size, "
                + "its scores on a trial list (voxkd's evaluation protocol, ONNX Runtime as the embedder) and its ONNX Runtime samples/s; "
                + "then size and speed of the paper-sized V2 and large students on random weights.",
                "Writes VARIANT.onnx, scores-VARIANT.txt, scores-voxkd.txt (label score enroll test) and deploy-study.json into --out."})
public final class DeployStudyCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "Model checkpoint to study (e.g. a run's best.ckpt).") Path checkpoint;
    @Option(names = "--trials", required = true, description = "Trial list: label path1 path2.") Path trials;
    @Option(names = "--root", description = "Directory the trial paths are relative to (default: the list's directory).") Path root;
    @Option(names = "--train-list", required = true, description = "Training list the int8-static calibration crops come from.") Path trainList;
    @Option(names = "--train-root", description = "Directory the training paths are relative to (default: the list's directory).") Path trainRoot;
    @Option(names = "--out", required = true, description = "Output directory.") Path out;
    @Option(names = "--calibration", defaultValue = "256", description = "Calibration crops (default: ${DEFAULT-VALUE}).") int calibration;
    @Option(names = "--calibration-frames", defaultValue = "200", description = "Frames per calibration crop (default: ${DEFAULT-VALUE}).")
    int calibrationFrames;
    @Option(names = "--seed", defaultValue = "1", description = "Seed of the calibration crops (default: ${DEFAULT-VALUE}).") long seed;
    @Option(names = "--crops", defaultValue = "10", description = "Evaluation crops per utterance (default: ${DEFAULT-VALUE}).") int crops;
    @Option(names = "--frames", defaultValue = "200", description = "Frames per evaluation crop (default: ${DEFAULT-VALUE}).") int frames;
    @Option(names = "--threads", defaultValue = "2", description = "Feature threads and ONNX Runtime threads for scoring (default: ${DEFAULT-VALUE}).")
    int threads;
    @Option(names = "--bench-batch", defaultValue = "64", description = "Speed: batch (default: ${DEFAULT-VALUE}).") int benchBatch;
    @Option(names = "--bench-frames", defaultValue = "200", description = "Speed: frames (default: ${DEFAULT-VALUE}).") int benchFrames;
    @Option(names = "--bench-threads", defaultValue = "2", description = "Speed: ONNX Runtime intra-op threads (default: ${DEFAULT-VALUE}).")
    int benchThreads;
    @Option(names = "--warmup", defaultValue = "2", description = "Speed: untimed runs (default: ${DEFAULT-VALUE}).") int warmup;
    @Option(names = "--reps", defaultValue = "5", description = "Speed: timed runs, median reported (default: ${DEFAULT-VALUE}).") int reps;
    @Option(names = "--no-paper-models", description = "Skip the paper-sized V2 and large students on random weights.") boolean noPaper;

    @Override public Integer call() throws Exception {
        EmbedCommand.checkCrops(crops, frames);
        Path tr = root != null ? root : trials.toAbsolutePath().getParent();
        Path lr = trainRoot != null ? trainRoot : trainList.toAbsolutePath().getParent();
        DeployStudy.run(new DeployStudy.Options(checkpoint, trials, tr, trainList, lr, calibration, calibrationFrames, seed, crops, frames, threads,
                threads, benchBatch, benchFrames, benchThreads, warmup, reps, !noPaper), out, System.out);
        System.out.println("wrote " + out.resolve(DeployStudy.SUMMARY));
        return 0;
    }
}
