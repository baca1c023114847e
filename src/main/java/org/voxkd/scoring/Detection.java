package org.voxkd.scoring;

import java.util.Arrays;

/**
 * Detection figures of a list of trial scores and labels (1 = target): operating points, minimum and actual DCF,
 * error rates at a threshold, Cllr and minCllr. A trial is accepted when its score is ≥ the threshold. Scores are
 * sorted once; every sweep visits distinct scores in descending order with integer counts, so the figures are exact
 * functions of the counts.
 */
public final class Detection {
    private final double[] sorted; // descending
    private final int[] sortedLabels;
    private final int targets, nonTargets;

    public Detection(double[] scores, int[] labels) {
        if (scores.length != labels.length) throw new IllegalArgumentException(scores.length + " scores but " + labels.length + " labels");
        int t = 0;
        for (int i = 0; i < scores.length; i++) {
            if (labels[i] != 0 && labels[i] != 1) throw new IllegalArgumentException("labels must be 0 or 1, got " + labels[i] + " at trial " + (i + 1));
            if (!Double.isFinite(scores[i])) throw new IllegalArgumentException("score of trial " + (i + 1) + " is " + scores[i] + ": scores must be finite");
            t += labels[i];
        }
        targets = t;
        nonTargets = scores.length - t;
        if (targets == 0 || nonTargets == 0) throw new IllegalArgumentException("need both target and non-target trials (" + targets + " / " + nonTargets + ")");
        Integer[] idx = new Integer[scores.length];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        Arrays.sort(idx, (a, b) -> Double.compare(scores[b], scores[a]));
        sorted = new double[scores.length];
        sortedLabels = new int[scores.length];
        for (int i = 0; i < idx.length; i++) { sorted[i] = scores[idx[i]]; sortedLabels[i] = labels[idx[i]]; }
    }

    public int targets() { return targets; }

    public int nonTargets() { return nonTargets; }

    /**
     * Operating points from "accept nothing" (threshold +∞) down through every distinct score: {@code threshold[k]},
     * {@code acceptedTargets[k]}, {@code acceptedNonTargets[k]}.
     */
    public record Points(double[] threshold, int[] acceptedTargets, int[] acceptedNonTargets) {}

    public Points points() {
        int n = sorted.length, m = 1;
        for (int i = 1; i < n; i++) if (sorted[i] != sorted[i - 1]) m++;
        double[] th = new double[m + 1];
        int[] at = new int[m + 1], an = new int[m + 1];
        th[0] = Double.POSITIVE_INFINITY;
        int k = 0, a = 0, b = 0;
        for (int i = 0; i < n; ) {
            double s = sorted[i];
            for (; i < n && sorted[i] == s; i++) { if (sortedLabels[i] == 1) a++; else b++; }
            k++;
            th[k] = s;
            at[k] = a;
            an[k] = b;
        }
        return new Points(th, at, an);
    }

    /** The minimum normalised DCF over all operating points, and the threshold that reaches it (the highest such). */
    public record MinDcf(double value, double threshold) {}

    public MinDcf minDcf(Cost c) {
        Points p = points();
        double best = Double.POSITIVE_INFINITY, at = Double.NaN;
        for (int k = 0; k < p.threshold().length; k++) {
            double d = c.dcf(1 - p.acceptedTargets()[k] / (double) targets, p.acceptedNonTargets()[k] / (double) nonTargets);
            if (d < best) { best = d; at = p.threshold()[k]; }
        }
        return new MinDcf(best, at);
    }

    /** False-acceptance and false-rejection rates (fractions) when trials scoring ≥ {@code threshold} are accepted. */
    public record Rates(double far, double frr, int falseAccepts, int falseRejects) {}

    public Rates ratesAt(double threshold) {
        int fa = 0, fr = 0;
        for (int i = 0; i < sorted.length; i++) {
            boolean accept = sorted[i] >= threshold;
            if (accept && sortedLabels[i] == 0) fa++;
            if (!accept && sortedLabels[i] == 1) fr++;
        }
        return new Rates(fa / (double) nonTargets, fr / (double) targets, fa, fr);
    }

    /** The actual DCF of scores that are log-likelihood ratios: decisions at the Bayes threshold of {@code c}. */
    public double actualDcf(Cost c) {
        Rates r = ratesAt(c.llrThreshold());
        return c.dcf(r.frr(), r.far());
    }

    /**
     * Cllr in bits of scores that are log-likelihood ratios (Brümmer and du Preez 2006):
     * ½·(mean over targets of log2(1 + e^−llr) + mean over non-targets of log2(1 + e^llr)). 0 is perfect; 1 is the
     * system that always says llr 0.
     */
    public double cllr() {
        return cllr(sorted, sortedLabels, targets, nonTargets);
    }

    static double cllr(double[] llr, int[] labels, int targets, int nonTargets) {
        double t = 0, n = 0;
        for (int i = 0; i < llr.length; i++) {
            if (labels[i] == 1) t += softplus(-llr[i]);
            else n += softplus(llr[i]);
        }
        return 0.5 * (t / targets + n / nonTargets) / Math.log(2);
    }

    /**
     * minCllr: the Cllr after the best monotone calibration — the pool-adjacent-violators (PAV) isotonic regression of
     * the labels on the scores (tied scores pooled first, so equal scores get equal LLRs, as scikit-learn's
     * IsotonicRegression does), each pooled posterior p turned into llr = logit(p) − log(targets / non-targets).
     */
    public double minCllr() {
        return cllr(pavLlr(), sortedLabels, targets, nonTargets);
    }

    /** The PAV log-likelihood ratios, one per trial in descending score order (±∞ where a pool holds one class only). */
    double[] pavLlr() {
        int n = sorted.length;
        // blocks in ascending score order: tied scores first pooled
        double[] sum = new double[n];
        int[] cnt = new int[n];
        int blocks = 0;
        for (int i = n - 1; i >= 0; ) {
            double s = sorted[i];
            int ones = 0, c = 0;
            for (; i >= 0 && sorted[i] == s; i--) { ones += sortedLabels[i]; c++; }
            sum[blocks] = ones;
            cnt[blocks] = c;
            blocks++;
            // pool while the previous block's mean exceeds this one's (non-decreasing means required)
            while (blocks > 1 && sum[blocks - 2] * cnt[blocks - 1] > sum[blocks - 1] * cnt[blocks - 2]) {
                sum[blocks - 2] += sum[blocks - 1];
                cnt[blocks - 2] += cnt[blocks - 1];
                blocks--;
            }
        }
        double[] llr = new double[n];
        double priorLogOdds = Math.log(targets / (double) nonTargets);
        int at = n - 1; // walking ascending = descending index from n-1 down
        for (int b = 0; b < blocks; b++) {
            double p = sum[b] / cnt[b];
            double v = p == 0 ? Double.NEGATIVE_INFINITY : p == 1 ? Double.POSITIVE_INFINITY : Math.log(p / (1 - p)) - priorLogOdds;
            for (int j = 0; j < cnt[b]; j++) llr[at--] = v;
        }
        return llr;
    }

    /** log(1 + e^x), without overflow; 0 at −∞ and +∞ at +∞. */
    static double softplus(double x) {
        if (x == Double.NEGATIVE_INFINITY) return 0;
        return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    }

    /** The scores in descending order (with {@link #sortedLabels}). */
    double[] sortedScores() { return sorted.clone(); }

    int[] sortedLabels() { return sortedLabels.clone(); }
}
