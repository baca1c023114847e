package org.voxkd.eval;

import java.util.Arrays;
import org.voxkd.engine.Philox;

/** Cosine scoring of crop embeddings and a bootstrap interval for the EER. */
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

    /** A percentile bootstrap interval for the EER: trials resampled with replacement, seeded. */
    public record Interval(double low, double high, int resamples) {}

    public static Interval eerInterval(double[] scores, int[] labels, int resamples, long seed) {
        int n = scores.length;
        double[] eers = new double[resamples];
        double[] s = new double[n];
        int[] l = new int[n];
        Philox.Stream rnd = new Philox.Stream(seed, 0xB00757L);
        int done = 0;
        for (int r = 0; r < resamples; r++) {
            int t = 0;
            for (int i = 0; i < n; i++) {
                int k = rnd.nextInt(n);
                s[i] = scores[k];
                l[i] = labels[k];
                t += l[i];
            }
            if (t == 0 || t == n) continue; // a resample with one class has no EER
            eers[done++] = Eer.compute(s, l).eer();
        }
        double[] ok = Arrays.copyOf(eers, done);
        Arrays.sort(ok);
        return new Interval(percentile(ok, 0.025), percentile(ok, 0.975), done);
    }

    static double percentile(double[] sorted, double q) {
        if (sorted.length == 0) return Double.NaN;
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos), hi = (int) Math.ceil(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }
}
