package org.voxkd.scoring;

import java.util.List;
import java.util.Locale;

/**
 * The detection cost parameters: prior of a target trial and the costs of a miss and a false alarm. Every DCF voxkd
 * prints names them ({@link #toString}), since a minDCF without them cannot be compared with anyone's.
 */
public record Cost(double pTarget, double cMiss, double cFa) {
    /** VoxSRC's setting (P_target 0.05) and NIST SRE's (0.01), both with unit costs. */
    public static final List<Cost> DEFAULTS = List.of(new Cost(0.05, 1, 1), new Cost(0.01, 1, 1));

    public Cost {
        if (!(pTarget > 0 && pTarget < 1)) throw new IllegalArgumentException("P_target must be in (0, 1), got " + pTarget);
        if (!(cMiss > 0) || !(cFa > 0) || !Double.isFinite(cMiss) || !Double.isFinite(cFa))
            throw new IllegalArgumentException("C_miss and C_fa must be positive and finite, got " + cMiss + ", " + cFa);
    }

    /** The normalised detection cost of a miss rate and a false-alarm rate (1 = the best trivial system). */
    public double dcf(double pMiss, double pFa) {
        return (cMiss * pTarget * pMiss + cFa * (1 - pTarget) * pFa) / Math.min(cMiss * pTarget, cFa * (1 - pTarget));
    }

    /** The Bayes decision threshold on a log-likelihood ratio: accept when llr ≥ log(C_fa·(1 − P_target) / (C_miss·P_target)). */
    public double llrThreshold() {
        return Math.log(cFa * (1 - pTarget) / (cMiss * pTarget));
    }

    @Override public String toString() {
        return String.format(Locale.ROOT, "P_target %s, C_miss %s, C_fa %s", num(pTarget), num(cMiss), num(cFa));
    }

    private static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e9 ? Long.toString((long) v) : Double.toString(v);
    }
}
