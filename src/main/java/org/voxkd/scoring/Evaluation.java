package org.voxkd.scoring;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.voxkd.stats.Eer;

/**
 * The scoring back-end's figures for one system on a test list, as a library call: from test scores and labels, and
 * optionally the same system's validation scores and labels (the list that selects: calibration is fitted and the
 * decision threshold chosen there, never on the test list).
 *
 * <ul>
 *   <li>always: EER, minDCF at each cost (parameters printed with it), minCllr (PAV);</li>
 *   <li>with validation: the linear logistic-regression calibration fitted on it, the test list's Cllr and actual DCF at
 *       the calibrated (Bayes) threshold of each cost, and FAR/FRR on the test list at the validation EER threshold.</li>
 * </ul>
 *
 * Scores may be raw or AS-normalised ({@link AsNorm}); {@code normalisation} says which, for the text.
 */
public record Evaluation(String normalisation, Eer.Result eer, List<Cost> costs, double[] minDcf, double minCllr, LinearCalibration calibration,
                         double cllr, double[] actualDcf, double validationThreshold, Detection.Rates atValidationThreshold, Det.Curve det) {
    /** Test scores only: EER, minDCF, minCllr, the DET curve. */
    public static Evaluation of(String normalisation, double[] scores, int[] labels, List<Cost> costs) {
        return of(normalisation, scores, labels, null, null, costs, 0.5);
    }

    /**
     * Test scores with the validation scores of the same system: calibration fitted on validation at {@code prior}
     * (0.5 is the usual), thresholds chosen on validation. {@code valScores} null: as {@link #of(String, double[], int[], List)}.
     */
    public static Evaluation of(String normalisation, double[] scores, int[] labels, double[] valScores, int[] valLabels, List<Cost> costs, double prior) {
        Detection d = new Detection(scores, labels);
        Eer.Result e = Eer.compute(scores, labels);
        double[] min = new double[costs.size()], act = null;
        for (int i = 0; i < min.length; i++) min[i] = d.minDcf(costs.get(i)).value();
        LinearCalibration cal = null;
        double cllr = Double.NaN, vt = Double.NaN;
        Detection.Rates rates = null;
        if (valScores != null) {
            cal = LinearCalibration.fit(valScores, valLabels, prior);
            Detection calibrated = new Detection(cal.llr(scores), labels);
            cllr = calibrated.cllr();
            act = new double[costs.size()];
            for (int i = 0; i < act.length; i++) act[i] = calibrated.actualDcf(costs.get(i));
            vt = Eer.compute(valScores, valLabels).threshold();
            rates = d.ratesAt(vt);
        }
        return new Evaluation(normalisation, e, List.copyOf(costs), min, d.minCllr(), cal, cllr, act, vt, rates, Det.of(normalisation, d));
    }

    /** The figures as lines of text: every DCF with its cost parameters, counts with the EER. */
    public List<String> lines() {
        List<String> l = new ArrayList<>();
        l.add(String.format(Locale.ROOT, "%s scores: EER %.2f%% on %d target / %d non-target trials", normalisation, 100 * eer.eer(), eer.targets(), eer.nonTargets()));
        for (int i = 0; i < costs.size(); i++)
            l.add(String.format(Locale.ROOT, "  minDCF %.4f%s  (%s)", minDcf[i], actualDcf == null ? "" : String.format(Locale.ROOT, ", actual DCF %.4f at the calibrated threshold", actualDcf[i]),
                    costs.get(i)));
        l.add(String.format(Locale.ROOT, "  minCllr %.4f bits (PAV)%s", minCllr, calibration == null ? "" : String.format(Locale.ROOT, ", Cllr %.4f bits after calibration", cllr)));
        if (calibration != null) {
            l.add("  calibration (fitted on the validation list): " + calibration);
            l.add(String.format(Locale.ROOT, "  at the validation EER threshold %.6f: FAR %.2f%% (%d false accepts), FRR %.2f%% (%d false rejects)", validationThreshold,
                    100 * atValidationThreshold.far(), atValidationThreshold.falseAccepts(), 100 * atValidationThreshold.frr(), atValidationThreshold.falseRejects()));
        }
        return l;
    }
}
