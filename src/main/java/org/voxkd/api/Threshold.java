package org.voxkd.api;

import org.voxkd.scoring.Cost;
import org.voxkd.scoring.LinearCalibration;

/**
 * A decision threshold on the score and where it came from. Two recordings are the same speaker when their score is
 * ≥ the threshold.
 *
 * @param value  the threshold on the raw score
 * @param source in words: "--threshold", "validation EER threshold stored in the checkpoint", "calibrated …"
 */
public record Threshold(double value, String source) {
    public Threshold {
        if (!Double.isFinite(value)) throw new IllegalArgumentException("the threshold must be a finite number, got " + value);
    }

    /** A threshold given by the user. */
    public static Threshold of(double value) {
        return new Threshold(value, "given");
    }

    /**
     * The calibrated threshold: the raw score at which the calibrated log-likelihood ratio reaches the Bayes threshold of
     * {@code cost} (fit the calibration with {@link LinearCalibration#fit} on a validation list's scores and labels).
     */
    public static Threshold calibrated(LinearCalibration calibration, Cost cost) {
        if (!(calibration.scale() > 0))
            throw new IllegalArgumentException("the calibration's scale is " + calibration.scale() + ": higher scores are not more likely targets, no threshold decides");
        return new Threshold(calibration.scoreThreshold(cost), "calibrated: Bayes decision at " + cost + ", " + calibration);
    }
}
