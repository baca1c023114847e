package org.voxkd.scoring;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Adaptive symmetric score normalisation (AS-norm; Matějka et al., Interspeech 2017; as WeSpeaker's score_norm.py):
 * each side of a trial is scored against a cohort of training-speaker embeddings, the {@code topN} highest cohort scores of
 * that side give a mean μ and a standard deviation σ (population, ddof 0 as numpy's default), and
 *
 * <pre>  s' = ½ · ((s − μ_enroll) / σ_enroll + (s − μ_test) / σ_test)</pre>
 *
 * Scores are dot products of voxkd's utterance embeddings (the mean of unit crop embeddings, whose dot product is the
 * eval score); a cohort speaker's embedding is the mean of its utterances' embeddings, so an utterance's cohort score is
 * the mean cosine between its crops and all the crops of that speaker. Sums run in a fixed order (double precision):
 * the same inputs give the same bits.
 */
public final class AsNorm {
    private final float[][] cohort;
    private final int topN;

    /** A cohort of at least 2 speaker embeddings, all of one size; {@code topN} from 2 to the cohort size. */
    public AsNorm(float[][] cohort, int topN) {
        if (cohort.length < 2) throw new IllegalArgumentException("AS-norm needs a cohort of at least 2 speakers, got " + cohort.length);
        for (float[] c : cohort) {
            if (c.length != cohort[0].length) throw new IllegalArgumentException("cohort embeddings differ in size: " + c.length + " vs " + cohort[0].length);
            for (float v : c) if (!Float.isFinite(v)) throw new IllegalArgumentException("a cohort embedding holds " + v);
        }
        if (topN < 2 || topN > cohort.length)
            throw new IllegalArgumentException("AS-norm top-N must be from 2 to the cohort size " + cohort.length + ", got " + topN);
        this.cohort = cohort;
        this.topN = topN;
    }

    public int topN() { return topN; }

    public int cohortSize() { return cohort.length; }

    /** The adaptive statistics of one utterance: mean and standard deviation of its top-N cohort scores. */
    public record Stats(double mean, double std) {}

    /** μ and σ of the {@code topN} highest scores of {@code e} against the cohort. */
    public Stats stats(float[] e) {
        double[] s = new double[cohort.length];
        for (int k = 0; k < cohort.length; k++) s[k] = dot(e, cohort[k]);
        return topStats(s, topN);
    }

    /** μ and σ (ddof 0) of the {@code n} highest of {@code scores}. */
    public static Stats topStats(double[] scores, int n) {
        double[] s = scores.clone();
        Arrays.sort(s);
        double sum = 0;
        for (int i = s.length - n; i < s.length; i++) sum += s[i];
        double mean = sum / n, ss = 0;
        for (int i = s.length - n; i < s.length; i++) ss += (s[i] - mean) * (s[i] - mean);
        double std = Math.sqrt(ss / n);
        if (!(std > 0)) throw new IllegalArgumentException("the top-" + n + " cohort scores are all equal (" + mean + "): AS-norm is undefined");
        return new Stats(mean, std);
    }

    /** The normalised score of a raw score {@code s} between utterances with statistics {@code a} and {@code b}. */
    public static double normalise(double s, Stats a, Stats b) {
        return 0.5 * ((s - a.mean()) / a.std() + (s - b.mean()) / b.std());
    }

    /**
     * The AS-normalised scores of trials: {@code raw[i]} is trial i's score between {@code enroll[i]} and {@code test[i]},
     * {@code embeddings} the utterance embedding of every path named; each utterance's statistics are computed once.
     */
    public double[] normalise(List<String> enroll, List<String> test, double[] raw, Map<String, float[]> embeddings) {
        if (enroll.size() != raw.length || test.size() != raw.length) throw new IllegalArgumentException(raw.length + " scores for " + enroll.size() + " trials");
        Map<String, Stats> stats = new HashMap<>();
        double[] out = new double[raw.length];
        for (int i = 0; i < raw.length; i++) {
            Stats a = stats.computeIfAbsent(enroll.get(i), k -> stats(embedding(embeddings, k))), b = stats.computeIfAbsent(test.get(i), k -> stats(embedding(embeddings, k)));
            out[i] = normalise(raw[i], a, b);
        }
        return out;
    }

    private static float[] embedding(Map<String, float[]> embeddings, String path) {
        float[] e = embeddings.get(path);
        if (e == null) throw new IllegalArgumentException("no embedding of " + path);
        return e;
    }

    static double dot(float[] a, float[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("embedding of size " + a.length + " against a cohort of size " + b.length);
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (double) a[i] * b[i];
        return s;
    }

    /**
     * The speaker embeddings of a cohort: the mean of each speaker's utterance embeddings, speakers in the order of their
     * first utterance in {@code speakerOf}.
     */
    public static float[][] speakerMeans(float[][] utterances, String[] speakerOf) {
        java.util.Map<String, double[]> sums = new java.util.LinkedHashMap<>();
        java.util.Map<String, Integer> counts = new java.util.HashMap<>();
        for (int i = 0; i < utterances.length; i++) {
            double[] s = sums.computeIfAbsent(speakerOf[i], k -> new double[utterances[0].length]);
            for (int j = 0; j < s.length; j++) s[j] += utterances[i][j];
            counts.merge(speakerOf[i], 1, Integer::sum);
        }
        float[][] out = new float[sums.size()][];
        int k = 0;
        for (var e : sums.entrySet()) {
            double[] s = e.getValue();
            float[] m = new float[s.length];
            for (int j = 0; j < s.length; j++) m[j] = (float) (s[j] / counts.get(e.getKey()));
            out[k++] = m;
        }
        return out;
    }
}
