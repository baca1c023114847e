package org.voxkd.eval;

/** Cosine scoring of crop embeddings (intervals: {@code org.voxkd.stats.SpeakerBootstrap}). */
public final class Scoring {
    private Scoring() {}

    /** Each crop embedding scaled to unit length (in place), as the spec's evaluation does. */
    public static float[][] normalise(float[][] crops) {
        for (float[] e : crops) {
            double s = 0;
            for (float v : e) s += (double) v * v;
            double inv = 1 / Math.max(Math.sqrt(s), 1e-12);
            for (int i = 0; i < e.length; i++) e[i] = (float) (e[i] * inv);
        }
        return crops;
    }

    /** The mean cosine over all crop pairs of two utterances (crops already unit length). */
    public static double score(float[][] a, float[][] b) {
        double sum = 0;
        for (float[] x : a)
            for (float[] y : b) {
                double dot = 0;
                for (int i = 0; i < x.length; i++) dot += (double) x[i] * y[i];
                sum += dot;
            }
        return sum / ((double) a.length * b.length);
    }
}
