package org.voxkd.stats;

import static java.lang.StrictMath.abs;
import static java.lang.StrictMath.exp;
import static java.lang.StrictMath.log;

/**
 * Student's t distribution: CDF through the regularised incomplete beta function (continued fraction,
 * modified Lentz) and quantiles by bisection on it. StrictMath throughout, so every machine gets the same
 * bits; accurate to ~1e-12, far beyond what an interval needs.
 */
public final class StudentT {
    private StudentT() {}

    /** P(T ≤ t) with {@code df} degrees of freedom. */
    public static double cdf(double t, double df) {
        if (!(df > 0)) throw new IllegalArgumentException("degrees of freedom must be positive, got " + df);
        double x = df / (df + t * t);
        double tail = 0.5 * incompleteBeta(x, df / 2, 0.5);
        return t >= 0 ? 1 - tail : tail;
    }

    /** The p-quantile (0 &lt; p &lt; 1). */
    public static double quantile(double p, double df) {
        if (!(p > 0 && p < 1)) throw new IllegalArgumentException("probability must be in (0, 1), got " + p);
        if (p == 0.5) return 0;
        if (p < 0.5) return -quantile(1 - p, df);
        double lo = 0, hi = 1;
        while (cdf(hi, df) < p) hi *= 2;
        for (int i = 0; i < 200 && hi - lo > 1e-14 * hi; i++) {
            double mid = 0.5 * (lo + hi);
            if (cdf(mid, df) < p) lo = mid; else hi = mid;
        }
        return 0.5 * (lo + hi);
    }

    /** I_x(a, b), the regularised incomplete beta function. */
    static double incompleteBeta(double x, double a, double b) {
        if (x <= 0) return 0;
        if (x >= 1) return 1;
        double front = exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * log(x) + b * log(1 - x));
        if (x < (a + 1) / (a + b + 2)) return front * betaFraction(x, a, b) / a;
        return 1 - front * betaFraction(1 - x, b, a) / b;
    }

    private static double betaFraction(double x, double a, double b) {
        final double tiny = 1e-300;
        double c = 1, d = 1 - (a + b) * x / (a + 1);
        if (abs(d) < tiny) d = tiny;
        d = 1 / d;
        double h = d;
        for (int m = 1; m <= 300; m++) {
            int m2 = 2 * m;
            double num = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
            d = 1 + num * d; if (abs(d) < tiny) d = tiny;
            c = 1 + num / c; if (abs(c) < tiny) c = tiny;
            d = 1 / d;
            h *= d * c;
            num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
            d = 1 + num * d; if (abs(d) < tiny) d = tiny;
            c = 1 + num / c; if (abs(c) < tiny) c = tiny;
            d = 1 / d;
            double del = d * c;
            h *= del;
            if (abs(del - 1) < 1e-15) break;
        }
        return h;
    }

    /** ln Γ(x), Lanczos (g = 7, 9 terms), x &gt; 0. */
    static double logGamma(double x) {
        final double[] c = {0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
                12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7};
        if (x < 0.5) return log(StrictMath.PI / StrictMath.abs(StrictMath.sin(StrictMath.PI * x))) - logGamma(1 - x);
        x -= 1;
        double s = c[0];
        for (int i = 1; i < 9; i++) s += c[i] / (x + i);
        double t = x + 7.5;
        return 0.5 * log(2 * StrictMath.PI) + (x + 0.5) * log(t) - t + log(s);
    }
}
