package org.voxkd.kernels;

/** Float64 helpers for reference implementations in tests. */
public final class Ref {
    private Ref() {}

    /** erf to ~1e-15: Taylor series near zero, continued fraction for erfc in the tails. */
    public static double erf(double x) {
        double ax = Math.abs(x);
        if (ax < 2.5) {
            double term = x, sum = x, x2 = x * x;
            for (int n = 1; n < 200; n++) {
                term *= -x2 / n;
                double add = term / (2 * n + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
            }
            return 2 / Math.sqrt(Math.PI) * sum;
        }
        // Lentz's continued fraction for erfc(ax) = exp(-ax²)/√π · 1/(ax + 1/2/(ax + 1/(ax + 3/2/(ax + ...))))
        double f = ax, c = ax, d = 0, tiny = 1e-300;
        for (int n = 1; n < 500; n++) {
            double an = n / 2.0;
            d = ax + an * d;
            d = Math.abs(d) < tiny ? tiny : d;
            c = ax + an / c;
            c = Math.abs(c) < tiny ? tiny : c;
            d = 1 / d;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-16) break;
        }
        double erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
        return Math.signum(x) * (1 - erfc);
    }

    public static double gelu(double x) { return 0.5 * x * (1 + erf(x / Math.sqrt(2))); }
}
