package org.voxkd.export;

import ai.onnxruntime.OrtException;
import java.util.Arrays;
import java.util.Locale;

/**
 * Throughput of an ONNX model under ONNX Runtime (CPU): {@code warmup} untimed runs, then {@code reps} timed runs of one
 * batch of random features {@code [batch, mels, frames]}; the figure is the median. The machine's other load shows in
 * single runs, so compare only figures measured in the same session, as ratios.
 */
public final class OrtBench {
    private OrtBench() {}

    /** Seconds of every timed run, their median and the samples/s it gives. */
    public record Result(int batch, int frames, int threads, int warmup, int reps, double[] seconds, double medianSeconds, double samplesPerSecond) {
        @Override public String toString() {
            return String.format(Locale.ROOT, "%.1f samples/s (batch %d × %d frames, %d threads, median of %d after %d warm-up)",
                    samplesPerSecond, batch, frames, threads, reps, warmup);
        }
    }

    /** Times {@code model} (serialised ONNX; {@code name} for messages). */
    public static Result run(byte[] model, String name, int batch, int frames, int threads, int warmup, int reps) throws OrtException {
        if (batch < 1 || frames < 1 || warmup < 0 || reps < 1)
            throw new IllegalArgumentException("bench needs batch, frames, reps ≥ 1 and warmup ≥ 0: " + batch + ", " + frames + ", " + reps + ", " + warmup);
        try (OrtModel m = new OrtModel(model, name, threads)) {
            float[] x = OrtModel.channelFirst(Agreement.randomCrops(batch, frames, m.mels(), 1), m.mels());
            for (int i = 0; i < warmup; i++) m.run(x, batch, frames);
            double[] s = new double[reps];
            for (int i = 0; i < reps; i++) {
                long t0 = System.nanoTime();
                m.run(x, batch, frames);
                s[i] = (System.nanoTime() - t0) / 1e9;
            }
            double[] sorted = s.clone();
            Arrays.sort(sorted);
            double median = reps % 2 == 1 ? sorted[reps / 2] : (sorted[reps / 2 - 1] + sorted[reps / 2]) / 2;
            return new Result(batch, frames, threads, warmup, reps, s, median, batch / median);
        }
    }

    /** Times an ONNX file. */
    public static Result run(java.nio.file.Path file, int batch, int frames, int threads, int warmup, int reps) throws OrtException, java.io.IOException {
        return run(java.nio.file.Files.readAllBytes(file), file.toString(), batch, frames, threads, warmup, reps);
    }
}
