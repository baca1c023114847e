package org.voxkd.export;

import java.util.List;
import org.voxkd.engine.Backend;
import org.voxkd.engine.Backends;
import org.voxkd.engine.Philox;
import org.voxkd.eval.Embedder;
import org.voxkd.eval.Scoring;
import org.voxkd.nn.SpeakerModel;

/**
 * How closely an exported model's embeddings follow voxkd's own on the same crops: the largest absolute difference
 * after L2 normalisation (the unit embeddings the scores are made of) and the smallest cosine.
 */
public record Agreement(double maxAbs, double minCosine) {
    /** Compares two sets of embeddings [n][D] (copies are normalised; the inputs are left alone). */
    public static Agreement of(float[][] reference, float[][] other) {
        if (reference.length != other.length) throw new IllegalArgumentException(reference.length + " vs " + other.length + " embeddings");
        float[][] a = Scoring.normalise(copy(reference)), b = Scoring.normalise(copy(other));
        double max = 0, minCos = 1;
        for (int i = 0; i < a.length; i++) {
            double dot = 0;
            for (int j = 0; j < a[i].length; j++) {
                max = Math.max(max, Math.abs(a[i][j] - b[i][j]));
                dot += (double) a[i][j] * b[i][j];
            }
            minCos = Math.min(minCos, dot);
        }
        return new Agreement(max, minCos);
    }

    private static float[][] copy(float[][] x) {
        float[][] c = new float[x.length][];
        for (int i = 0; i < x.length; i++) c[i] = x[i].clone();
        return c;
    }

    /** voxkd's embeddings (cpu backend) of {@code crops}. */
    public static float[][] voxkd(SpeakerModel model, float[][] weights, List<float[]> crops) {
        try (Backend b = Backends.create("cpu", null); Embedder e = new Embedder(model, b, weights[0], weights[1])) {
            return e.embed(crops);
        }
    }

    /** ONNX model {@code onnx} under ONNX Runtime against voxkd on {@code crops}. */
    public static Agreement check(SpeakerModel model, float[][] weights, byte[] onnx, List<float[]> crops, int threads)
            throws ai.onnxruntime.OrtException {
        try (OrtModel m = new OrtModel(onnx, "exported model", threads)) {
            return of(voxkd(model, weights, crops), m.embed(crops));
        }
    }

    /** {@code n} crops [frames·mels] of standard normal values (normalised features have mean 0, variance 1), seeded. */
    public static List<float[]> randomCrops(int n, int frames, int mels, long seed) {
        Philox.Stream r = new Philox.Stream(seed, 5);
        List<float[]> out = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] c = new float[frames * mels];
            for (int j = 0; j < c.length; j++) c[j] = (float) r.nextGaussian();
            out.add(c);
        }
        return out;
    }

    @Override public String toString() {
        return String.format(java.util.Locale.ROOT, "max |Δ| %.2e after L2 normalisation, min cosine %.6f", maxAbs, minCosine);
    }
}
