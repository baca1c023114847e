package org.voxkd.stats;

import static java.lang.StrictMath.sqrt;

/**
 * Figures over training seeds: mean, sample standard deviation, and Student-t intervals for a mean — of one
 * arm, or of the difference between two arms paired by seed (the same seed gives both arms the same data
 * order, crops and, for students, the same teacher), which removes the variation the arms share.
 */
public final class SeedStats {
    private SeedStats() {}

    /** n values: mean and sample standard deviation (NaN for n = 1). */
    public record Summary(int n, double mean, double sd) {}

    public static Summary summary(double[] x) {
        if (x.length == 0) throw new IllegalArgumentException("no values");
        double m = 0;
        for (double v : x) m += v;
        m /= x.length;
        if (x.length == 1) return new Summary(1, m, Double.NaN);
        double ss = 0;
        for (double v : x) ss += (v - m) * (v - m);
        return new Summary(x.length, m, sqrt(ss / (x.length - 1)));
    }

    /** The t interval of the mean at {@code level}; undefined below two values. */
    public static Interval meanInterval(double[] x, double level) {
        Summary s = summary(x);
        if (s.n() < 2) return Interval.none(s.mean(), level);
        double half = StudentT.quantile(1 - (1 - level) / 2, s.n() - 1) * s.sd() / sqrt(s.n());
        return new Interval(s.mean(), s.mean() - half, s.mean() + half, level, s.n());
    }

    /** The t interval of the mean of a[i] − b[i] (arms paired by seed). */
    public static Interval pairedDifference(double[] a, double[] b, double level) {
        if (a.length != b.length) throw new IllegalArgumentException("paired arms need the same seeds: " + a.length + " vs " + b.length + " values");
        double[] d = new double[a.length];
        for (int i = 0; i < d.length; i++) d[i] = a[i] - b[i];
        return meanInterval(d, level);
    }
}
