package org.voxkd.bench;

import java.util.function.Function;

/**
 * One performance peer of {@code voxkd bench compare}: another stack running the same V2 student (and, where it
 * can, the same KD training step) at the same shapes and thread count. {@code run} never throws for a peer that
 * is missing or fails: its {@link Result} carries the reason, and the table prints it instead of figures.
 *
 * <p>The peers are listed in {@link Peers#all}. A peer that runs in this JVM is one entry there, e.g. ONNX Runtime
 * over voxkd's own export (inference only):
 * <pre>
 *   new Peer("ONNX Runtime", s -&gt; Peer.Result.inference("onnxruntime " + OrtBench.version(),
 *           OrtBench.samplesPerSecond(model, s.batch(), s.frames(), s.threads(), s.reps())))
 * </pre>
 * (wrapped in try/catch → {@link Result#failed} for a missing model); one that is a separate process is a
 * {@link ProcessPeer}.
 */
public record Peer(String name, Function<Shapes, Result> run) {
    /** What every peer is asked to run: voxkd's own benchmark shapes. */
    public record Shapes(int batch, int frames, int classes, int threads, int reps) {}

    /** A peer's figures (samples/s, NaN where it has none) and what ran, or why it did not. */
    public record Result(String version, double trainSamplesPerSecond, double inferSamplesPerSecond, String error) {
        public boolean ok() { return error == null; }

        public static Result failed(String why) { return new Result(null, Double.NaN, Double.NaN, why); }

        /** A peer that only runs inference. */
        public static Result inference(String version, double samplesPerSecond) { return new Result(version, Double.NaN, samplesPerSecond, null); }
    }

    public Result measure(Shapes s) {
        try {
            return run.apply(s);
        } catch (RuntimeException e) {
            return Result.failed(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }
}
