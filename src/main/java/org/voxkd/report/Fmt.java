package org.voxkd.report;

import java.util.Locale;
import org.voxkd.stats.Interval;
import org.voxkd.stats.SeedStats;

/** The report's number formats (fixed, Locale.ROOT). Missing values print as "n/a". */
public final class Fmt {
    private Fmt() {}

    public static final String NA = "n/a", NOT_RUN = "not run";

    /** A fraction as a percentage with two decimals, no sign: 0.39 → "39.00". */
    public static String pct(double fraction) {
        return Double.isNaN(fraction) ? NA : String.format(Locale.ROOT, "%.2f", 100 * fraction);
    }

    /** A percentage-point difference with its sign: "+1.25". */
    public static String points(double fractionDiff) {
        return Double.isNaN(fractionDiff) ? NA : String.format(Locale.ROOT, "%+.2f", 100 * fractionDiff);
    }

    /** A 95% interval of fractions as percentages: "[31.31, 45.84]". */
    public static String ci(Run.Metrics m) {
        return m == null || Double.isNaN(m.eerLow()) ? NA : "[" + pct(m.eerLow()) + ", " + pct(m.eerHigh()) + "]";
    }

    /** An interval of fractions as percentages: "[31.31, 45.84]". */
    public static String ci(Interval i) {
        return i == null || !i.defined() ? NA : "[" + pct(i.low()) + ", " + pct(i.high()) + "]";
    }

    /** An interval of a difference of fractions, in signed points: "[-1.20, +0.35]". */
    public static String pointsCi(Interval i) {
        return i == null || !i.defined() ? NA : "[" + points(i.low()) + ", " + points(i.high()) + "]";
    }

    /** Mean ± standard deviation over seeds, as percentages: "12.34 ± 0.56" (one seed: "12.34"). */
    public static String pctMeanSd(SeedStats.Summary s) {
        if (s == null) return NA;
        return s.n() < 2 ? pct(s.mean()) : pct(s.mean()) + " ± " + pct(s.sd());
    }

    /** Mean ± standard deviation with fixed decimals (minDCF, losses). */
    public static String meanSd(SeedStats.Summary s, int decimals) {
        if (s == null) return NA;
        return s.n() < 2 ? fixed(s.mean(), decimals) : fixed(s.mean(), decimals) + " ± " + fixed(s.sd(), decimals);
    }

    public static String fixed(double v, int decimals) {
        return Double.isNaN(v) || Double.isInfinite(v) ? NA : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** Significant digits for losses spanning many magnitudes: 0.000122 → "0.000122". */
    public static String sig(double v) {
        if (Double.isNaN(v)) return NA;
        if (v == 0) return "0";
        String s = String.format(Locale.ROOT, "%.4g", v);
        return s.contains("e") ? String.format(Locale.ROOT, "%.3e", v) : s;
    }

    /** An integer with thousands separators: 2,663,296. */
    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** Parameters in millions with three decimals (smoke models are tiny): 0.007M. */
    public static String millions(long n) {
        return String.format(Locale.ROOT, "%.3fM", n / 1e6);
    }

    public static String yesNo(boolean b) {
        return b ? "yes" : "no";
    }
}
