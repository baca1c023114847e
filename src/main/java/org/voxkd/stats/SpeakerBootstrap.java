package org.voxkd.stats;

import java.util.Arrays;
import org.voxkd.engine.Philox;

/**
 * A bootstrap over speakers, for figures measured on a trial list. Each resample draws as many speakers as the
 * list has, with replacement (counts c_s); a trial then enters with weight c_e·c_t when its two sides are
 * different speakers e ≠ t, and c_s when both sides are speaker s — the trials the resampled population of
 * speakers would have (each drawn copy of a speaker brings its own recordings; pairs across two copies of one
 * speaker are neither targets nor impostors of that population, so they are left out). This is the crossed
 * ("pigeonhole", Owen 2007) form of the cluster bootstrap: it keeps every trial's correlation with the other
 * trials of both its speakers, which a trial-level bootstrap ignores — its intervals are too narrow when
 * trials share speakers, as every verification list's do.
 *
 * <p>Paired comparisons evaluate both systems on the same resamples (the same weights), so the interval of a
 * difference reflects how the systems differ on the same speakers, not the spread of each. Resample r is a
 * pure function of (seed, r): any statistic, system or machine sees the same resamples.
 */
public final class SpeakerBootstrap {
    public static final int DEFAULT_RESAMPLES = 1000;
    private static final long STREAM = 0x5BEA_C000_0000_0000L;

    /** A statistic of the trial list under weights (null weights: the list as it is). */
    @FunctionalInterface
    public interface Statistic {
        double apply(int[] weights);
    }

    private final TrialSet trials;
    private final int resamples;
    private final long seed;

    public SpeakerBootstrap(TrialSet trials, int resamples, long seed) {
        if (resamples < 1) throw new IllegalArgumentException("resamples must be positive, got " + resamples);
        this.trials = trials;
        this.resamples = resamples;
        this.seed = seed;
    }

    public TrialSet trials() { return trials; }

    public int resamples() { return resamples; }

    /** The trial weights of resample r (0 ≤ r &lt; resamples). */
    public int[] weights(int r) {
        int s = trials.speakerCount();
        int[] counts = new int[s];
        Philox.Stream rnd = new Philox.Stream(seed, STREAM | r);
        for (int i = 0; i < s; i++) counts[rnd.nextInt(s)]++;
        int n = trials.size();
        int[] w = new int[n];
        int[] e = trials.enrollSpeaker(), t = trials.testSpeaker();
        for (int i = 0; i < n; i++) w[i] = e[i] == t[i] ? counts[e[i]] : Math.multiplyExact(counts[e[i]], counts[t[i]]);
        return w;
    }

    /** Whether a weighting keeps both classes (a resample without targets or without impostors has no EER). */
    boolean usable(int[] w) {
        boolean target = false, non = false;
        int[] l = trials.labels();
        for (int i = 0; i < w.length && !(target && non); i++) {
            if (w[i] == 0) continue;
            if (l[i] == 1) target = true; else non = true;
        }
        return target && non;
    }

    /** The statistic on the list itself and on every usable resample. */
    public Distribution distribution(Statistic stat) {
        double estimate = stat.apply(null);
        double[] v = new double[resamples];
        int used = 0;
        for (int r = 0; r < resamples; r++) {
            int[] w = weights(r);
            if (usable(w)) v[used++] = stat.apply(w);
        }
        double[] sorted = Arrays.copyOf(v, used);
        Arrays.sort(sorted);
        return new Distribution(estimate, sorted);
    }

    /**
     * A vector statistic on every usable resample, one row each (rows in resample order, unsorted): for figures computed
     * together under the same resample, such as the best setting of several arms and a line fitted through them.
     */
    public double[][] replicates(java.util.function.Function<int[], double[]> stat) {
        java.util.List<double[]> rows = new java.util.ArrayList<>();
        for (int r = 0; r < resamples; r++) {
            int[] w = weights(r);
            if (usable(w)) rows.add(stat.apply(w));
        }
        return rows.toArray(double[][]::new);
    }

    /** Bootstrap replicates of a statistic, sorted; percentile intervals at any level. */
    public record Distribution(double estimate, double[] sorted) {
        public Interval interval(double level) {
            if (sorted.length == 0) return Interval.none(estimate, level);
            double a = (1 - level) / 2;
            return new Interval(estimate, percentile(sorted, a), percentile(sorted, 1 - a), level, sorted.length);
        }

        /**
         * The Monte-Carlo error of the interval's endpoints at {@code level}: the larger half-width, over the two
         * endpoints, of the 95% order-statistic band of a quantile estimated from this many resamples (the rank of
         * the q-quantile is binomial: R·q ± 1.96·√(R·q·(1 − q))). Resampling again with another seed moves an endpoint
         * by about this much; NaN without replicates.
         */
        public double monteCarloError(double level) {
            int n = sorted.length;
            if (n == 0) return Double.NaN;
            double a = (1 - level) / 2, worst = 0;
            for (double q : new double[] {a, 1 - a}) {
                double spread = 1.959963984540054 * StrictMath.sqrt(n * q * (1 - q));
                double lo = percentile(sorted, Math.max(0, (n * q - spread) / n)), hi = percentile(sorted, Math.min(1, (n * q + spread) / n));
                worst = Math.max(worst, (hi - lo) / 2);
            }
            return worst;
        }
    }

    /** The q-quantile of sorted values, interpolating linearly between order statistics (numpy's default). */
    public static double percentile(double[] sorted, double q) {
        if (sorted.length == 0) return Double.NaN;
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos), hi = (int) Math.ceil(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }
}
