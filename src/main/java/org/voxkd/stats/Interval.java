package org.voxkd.stats;

/**
 * A point estimate with a two-sided interval at {@code level} (e.g. 0.95); {@code n} is what stands behind
 * it (bootstrap resamples used, or seeds). An interval that could not be formed has NaN bounds.
 */
public record Interval(double estimate, double low, double high, double level, int n) {
    public static Interval none(double estimate, double level) {
        return new Interval(estimate, Double.NaN, Double.NaN, level, 0);
    }

    public boolean defined() { return Double.isFinite(low) && Double.isFinite(high); }

    /** Whether 0 lies strictly outside the interval. */
    public boolean excludesZero() { return defined() && (high < 0 || low > 0); }

    /** Whether the interval lies strictly inside (−margin, +margin). */
    public boolean within(double margin) { return defined() && low > -margin && high < margin; }

    public Interval scaled(double k) {
        return k >= 0 ? new Interval(estimate * k, low * k, high * k, level, n) : new Interval(estimate * k, high * k, low * k, level, n);
    }
}
