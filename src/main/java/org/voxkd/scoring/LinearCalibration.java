package org.voxkd.scoring;

import java.util.Locale;

/**
 * Linear logistic-regression calibration (Brümmer's FoCal/BOSARIS recipe): raw scores s become log-likelihood ratios
 * llr = a·s + b, with a, b minimising the prior-weighted cross-entropy of the validation trials
 *
 * <pre>  π/N_tar · Σ_tar log(1 + e^−(a·s + b + logit π)) + (1 − π)/N_non · Σ_non log(1 + e^(a·s + b + logit π))</pre>
 *
 * at the training prior π (default 0.5). That is scikit-learn's unpenalised LogisticRegression with sample weights π/N_tar
 * and (1 − π)/N_non, whose intercept is b + logit π (the test compares the two). Solved by Newton's method on the two
 * parameters (exact Hessian, step halving), to a gradient below 1e-13. Scores that separate targets from non-targets
 * perfectly have no finite solution: an error says so.
 */
public record LinearCalibration(double scale, double offset, double prior) {
    /** Fits on validation scores and labels (1 = target) at prior {@code prior}. */
    public static LinearCalibration fit(double[] scores, int[] labels, double prior) {
        if (!(prior > 0 && prior < 1)) throw new IllegalArgumentException("calibration prior must be in (0, 1), got " + prior);
        Detection d = new Detection(scores, labels); // checks labels, finiteness, both classes
        double minTar = Double.POSITIVE_INFINITY, maxTar = Double.NEGATIVE_INFINITY, minNon = Double.POSITIVE_INFINITY, maxNon = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < scores.length; i++) {
            if (labels[i] == 1) { minTar = Math.min(minTar, scores[i]); maxTar = Math.max(maxTar, scores[i]); }
            else { minNon = Math.min(minNon, scores[i]); maxNon = Math.max(maxNon, scores[i]); }
        }
        if (maxNon <= minTar || maxTar <= minNon)
            throw new IllegalArgumentException("the calibration trials' scores separate targets from non-targets completely (" + d.targets() + " targets, "
                    + d.nonTargets() + " non-targets): logistic calibration has no finite solution; use a larger validation list");
        double wt = prior / d.targets(), wn = (1 - prior) / d.nonTargets(), logit = Math.log(prior / (1 - prior));
        double a = 0, c = 0; // c = b + logit π
        double f = objective(scores, labels, a, c, wt, wn);
        for (int it = 0; it < 200; it++) {
            double ga = 0, gc = 0, haa = 0, hac = 0, hcc = 0;
            for (int i = 0; i < scores.length; i++) {
                double z = a * scores[i] + c, w = labels[i] == 1 ? wt : wn;
                double p = sigmoid(z); // model probability of target
                double r = w * (p - labels[i]);
                ga += r * scores[i];
                gc += r;
                double h = w * p * (1 - p);
                haa += h * scores[i] * scores[i];
                hac += h * scores[i];
                hcc += h;
            }
            if (Math.abs(ga) < 1e-13 && Math.abs(gc) < 1e-13) break;
            double det = haa * hcc - hac * hac;
            if (!(det > 0)) throw new IllegalArgumentException("calibration: singular Hessian (all calibration scores equal?)");
            double da = (hcc * ga - hac * gc) / det, dc = (haa * gc - hac * ga) / det;
            double step = 1;
            for (int h = 0; h < 60; h++, step /= 2) {
                double fn = objective(scores, labels, a - step * da, c - step * dc, wt, wn);
                if (fn <= f) { f = fn; break; }
            }
            a -= step * da;
            c -= step * dc;
        }
        return new LinearCalibration(a, c - logit, prior);
    }

    static double objective(double[] s, int[] y, double a, double c, double wt, double wn) {
        double f = 0;
        for (int i = 0; i < s.length; i++) {
            double z = a * s[i] + c;
            f += y[i] == 1 ? wt * Detection.softplus(-z) : wn * Detection.softplus(z);
        }
        return f;
    }

    static double sigmoid(double z) {
        return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
    }

    /** The log-likelihood ratio of a raw score. */
    public double llr(double score) { return scale * score + offset; }

    public double[] llr(double[] scores) {
        double[] out = new double[scores.length];
        for (int i = 0; i < out.length; i++) out[i] = llr(scores[i]);
        return out;
    }

    /** The raw score at which the calibrated LLR reaches the Bayes threshold of {@code c} (the calibrated threshold). */
    public double scoreThreshold(Cost c) {
        return (c.llrThreshold() - offset) / scale;
    }

    @Override public String toString() {
        return String.format(Locale.ROOT, "llr = %.6g·score %+.6g (linear logistic regression, prior %s)", scale, offset, prior);
    }
}
