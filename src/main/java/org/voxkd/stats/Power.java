package org.voxkd.stats;

import static java.lang.StrictMath.sqrt;

/**
 * How many seeds a comparison needs, from the spreads a pilot measured. A paired difference of two arms over n
 * seeds has standard error √(σ²_seed / n + se²_speaker): the seed part shrinks with more seeds, the speaker
 * part (the speaker-bootstrap standard error of the seed-mean difference, fixed by the test list) does not —
 * past the point where it dominates, only more test speakers narrow the interval. The normal-theory sizes
 * below use Student-t quantiles with n − 1 degrees of freedom (conservative for the speaker part, which has
 * many more), the usual approximation to the noncentral t (Julious 2004); {@code PowerTest} checks the
 * resulting rejection rates by simulation.
 */
public final class Power {
    private Power() {}

    /** Standard error of a seed-mean difference over {@code n} seeds. */
    public static double standardError(double sdSeed, double seSpeaker, int n) {
        if (n < 1) throw new IllegalArgumentException("seeds must be ≥ 1, got " + n);
        if (!(sdSeed >= 0) || !(seSpeaker >= 0)) throw new IllegalArgumentException("spreads must be finite and ≥ 0: seed sd " + sdSeed + ", speaker se " + seSpeaker);
        return sqrt(sdSeed * sdSeed / n + seSpeaker * seSpeaker);
    }

    /**
     * The minimum detectable effect: the smallest true difference that a two-sided test at level α rejects with
     * probability {@code power}, over n ≥ 2 seeds.
     */
    public static double minimumDetectable(double sdSeed, double seSpeaker, int n, double alpha, double power) {
        checkLevels(alpha, power, n);
        return (StudentT.quantile(1 - alpha / 2, n - 1) + StudentT.quantile(power, n - 1)) * standardError(sdSeed, seSpeaker, n);
    }

    /**
     * The largest equivalence margin that a TOST at level α fails to establish with probability above 1 − power
     * when the true difference is 0: the margin the study can hope to show "no difference" within.
     */
    public static double equivalenceMargin(double sdSeed, double seSpeaker, int n, double alpha, double power) {
        checkLevels(alpha, power, n);
        return (StudentT.quantile(1 - alpha, n - 1) + StudentT.quantile(1 - (1 - power) / 2, n - 1)) * standardError(sdSeed, seSpeaker, n);
    }

    /** The fewest seeds (2 ≤ n ≤ max) with a minimum detectable effect ≤ {@code effect}; −1 when even {@code max} is not enough. */
    public static int seedsToDetect(double effect, double sdSeed, double seSpeaker, double alpha, double power, int max) {
        for (int n = 2; n <= max; n++) if (minimumDetectable(sdSeed, seSpeaker, n, alpha, power) <= Math.abs(effect)) return n;
        return -1;
    }

    /** The fewest seeds (2 ≤ n ≤ max) that can show equivalence within ±margin; −1 when even {@code max} is not enough. */
    public static int seedsForEquivalence(double margin, double sdSeed, double seSpeaker, double alpha, double power, int max) {
        for (int n = 2; n <= max; n++) if (equivalenceMargin(sdSeed, seSpeaker, n, alpha, power) <= margin) return n;
        return -1;
    }

    private static void checkLevels(double alpha, double power, int n) {
        if (!(alpha > 0 && alpha < 1)) throw new IllegalArgumentException("alpha must be in (0, 1), got " + alpha);
        if (!(power > 0 && power < 1)) throw new IllegalArgumentException("power must be in (0, 1), got " + power);
        if (n < 2) throw new IllegalArgumentException("a seed spread needs at least 2 seeds, got " + n);
    }
}
