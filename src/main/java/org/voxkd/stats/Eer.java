package org.voxkd.stats;

import java.util.Arrays;

/**
 * Equal error rate and minimum detection cost from trial scores and labels (spec "Data and evaluation").
 *
 * <p>Operating points: accept a trial when its score ≥ θ, for θ at every distinct score plus "accept
 * nothing"; FRR = rejected targets / targets, FAR = accepted non-targets / non-targets. The EER is taken
 * as voxceleb_trainer does (sklearn ROC, {@code max(FAR, FRR)} at the point minimising |FRR − FAR|), so on a
 * list with n non-targets it is a multiple of 1/n or 1/targets — the reason the report's EERs are multiples
 * of 1/465. Every operating point counts (sklearn roc_curve with drop_intermediate=False; voxceleb_trainer keeps
 * sklearn's default, which drops collinear points and can land one trial coarser). minDCF = min over θ of (C_miss·P_miss·P_target + C_fa·P_fa·(1 − P_target)) /
 * min(C_miss·P_target, C_fa·(1 − P_target)), C_miss = C_fa = 1.
 *
 * <p>Trials may carry integer weights (a weight k counts the trial k times, 0 leaves it out): the resampling
 * bootstraps of {@code org.voxkd.stats} rank the scores once ({@link #rank}) and sweep each resample's weights
 * in linear time.
 */
public final class Eer {
    private Eer() {}

    /** EER, minDCF at P_target 0.05 and 0.01, and the EER threshold. Rates are fractions, not percent. */
    public record Result(double eer, double threshold, double minDcf05, double minDcf01, int targets, int nonTargets) {}

    public static Result compute(double[] scores, int[] labels) {
        return rank(scores, labels).metrics(null);
    }

    public static Result compute(float[] scores, int[] labels) {
        double[] d = new double[scores.length];
        for (int i = 0; i < d.length; i++) d[i] = scores[i];
        return compute(d, labels);
    }

    /**
     * Scores sorted once, highest first, with labels checked: non-finite scores and labels other than 0/1 are
     * errors (a NaN would otherwise compare unordered and give a silently wrong operating point).
     */
    public static Ranked rank(double[] scores, int[] labels) {
        int n = scores.length;
        if (labels.length != n) throw new IllegalArgumentException(n + " scores but " + labels.length + " labels");
        for (int i = 0; i < n; i++) {
            if (labels[i] != 0 && labels[i] != 1) throw new IllegalArgumentException("labels must be 0 or 1, got " + labels[i] + " at trial " + (i + 1));
            if (!Double.isFinite(scores[i])) throw new IllegalArgumentException("score of trial " + (i + 1) + " is " + scores[i] + ": scores must be finite");
        }
        Integer[] boxed = new Integer[n];
        for (int i = 0; i < n; i++) boxed[i] = i;
        Arrays.sort(boxed, (a, b) -> Double.compare(scores[b], scores[a]));
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = boxed[i];
        return new Ranked(scores, labels, order);
    }

    /** Trials in descending score order: the sweep of any weighting is one pass. */
    public static final class Ranked {
        private final double[] scores;
        private final int[] labels, order;

        private Ranked(double[] scores, int[] labels, int[] order) {
            this.scores = scores;
            this.labels = labels;
            this.order = order;
        }

        public int size() { return order.length; }

        /** The metrics with each trial counted {@code weights[i]} times ({@code null}: once each). */
        public Result metrics(int[] weights) {
            int n = order.length;
            if (weights != null && weights.length != n) throw new IllegalArgumentException(n + " trials but " + weights.length + " weights");
            long targets = 0, nonTargets = 0;
            for (int i = 0; i < n; i++) {
                long w = weights == null ? 1 : weights[i];
                if (w < 0) throw new IllegalArgumentException("negative weight " + w + " at trial " + (i + 1));
                if (labels[i] == 1) targets += w; else nonTargets += w;
            }
            if (targets == 0 || nonTargets == 0)
                throw new IllegalArgumentException("need both target and non-target trials (" + targets + " / " + nonTargets + ")");
            // operating points: "accept nothing", then one after each group of equal scores
            Sweep sw = new Sweep(targets, nonTargets);
            sw.point(Double.POSITIVE_INFINITY, 0, 0);
            long acceptedTargets = 0, acceptedNon = 0;
            for (int i = 0; i < n; ) {
                double s = scores[order[i]];
                for (; i < n && scores[order[i]] == s; i++) {
                    int t = order[i];
                    long w = weights == null ? 1 : weights[t];
                    if (labels[t] == 1) acceptedTargets += w; else acceptedNon += w;
                }
                sw.point(s, acceptedTargets, acceptedNon);
            }
            return new Result(sw.eer, sw.eerThreshold, sw.dcf05, sw.dcf01, Math.toIntExact(targets), Math.toIntExact(nonTargets));
        }
    }

    private static final class Sweep {
        final long targets, nonTargets;
        double bestGap = Double.POSITIVE_INFINITY, eer = 1, eerThreshold, dcf05 = Double.POSITIVE_INFINITY, dcf01 = Double.POSITIVE_INFINITY;

        Sweep(long targets, long nonTargets) {
            this.targets = targets;
            this.nonTargets = nonTargets;
        }

        void point(double threshold, long acceptedTargets, long acceptedNon) {
            double frr = (targets - acceptedTargets) / (double) targets, far = acceptedNon / (double) nonTargets;
            double gap = Math.abs(frr - far);
            if (gap < bestGap) { bestGap = gap; eer = Math.max(frr, far); eerThreshold = threshold; }
            dcf05 = Math.min(dcf05, dcf(frr, far, 0.05));
            dcf01 = Math.min(dcf01, dcf(frr, far, 0.01));
        }
    }

    static double dcf(double pMiss, double pFa, double pTarget) {
        return (pMiss * pTarget + pFa * (1 - pTarget)) / Math.min(pTarget, 1 - pTarget);
    }
}
