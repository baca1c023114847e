package org.voxkd.stats;

import java.util.Arrays;

/**
 * Holm's step-down correction (Holm 1979) for a family of m hypotheses: sort the p-values, multiply the i-th
 * smallest by (m − i + 1), make the sequence non-decreasing and cap it at 1. Rejecting where the adjusted p is
 * below α controls the family-wise error rate at α under any dependence between the tests — the comparisons
 * of one study share arms, seeds and speakers, so no independence may be assumed.
 */
public final class Holm {
    private Holm() {}

    /** Adjusted p-values, in the order given. NaN (a test that could not be made) stays NaN and does not count in m. */
    public static double[] adjust(double[] p) {
        int n = p.length;
        Integer[] order = new Integer[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            order[i] = i;
            if (!Double.isNaN(p[i])) {
                if (p[i] < 0 || p[i] > 1) throw new IllegalArgumentException("p-value " + (i + 1) + " is " + p[i] + ": not in [0, 1]");
                m++;
            }
        }
        Arrays.sort(order, (a, b) -> {
            boolean na = Double.isNaN(p[a]), nb = Double.isNaN(p[b]);
            if (na || nb) return na == nb ? Integer.compare(a, b) : na ? 1 : -1;
            int c = Double.compare(p[a], p[b]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        double[] adj = new double[n];
        double running = 0;
        for (int k = 0; k < n; k++) {
            int i = order[k];
            if (Double.isNaN(p[i])) { adj[i] = Double.NaN; continue; }
            running = Math.max(running, Math.min(1, (m - k) * p[i]));
            adj[i] = running;
        }
        return adj;
    }

    /**
     * The two-sided bootstrap p-value of "the statistic is 0": twice the smaller share of replicates on either
     * side of 0 (replicates equal to 0 count on both sides), with the +1 of Davison &amp; Hinkley (1997, eq. 4.11)
     * so it is never 0 from a finite number of resamples; NaN without replicates.
     */
    public static double bootstrapP(double[] sorted) {
        int n = sorted.length;
        if (n == 0) return Double.NaN;
        int atMost = 0, atLeast = 0;
        for (double v : sorted) {
            if (v <= 0) atMost++;
            if (v >= 0) atLeast++;
        }
        return Math.min(1, 2.0 * (Math.min(atMost, atLeast) + 1) / (n + 1));
    }
}
