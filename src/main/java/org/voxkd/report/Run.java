package org.voxkd.report;

import java.util.List;
import java.util.Optional;

/**
 * One complete ledger record (one arm at one seed), as much of it as the report needs. Rates (EER, shares)
 * are fractions; training accuracy is a percentage, as in {@code epochs.csv}. {@code scores} is the run's
 * test score file, when its directory holds one.
 */
public record Run(String id, String experiment, String profile, long seed, String fingerprint, String commit, String model, long parameters,
                  String kdLoss, double alpha, double tau, int epochs, double seconds, double samplesPerSecond, String selection,
                  Metrics valBest, Metrics valLast, Metrics testBest, Metrics testLast, boolean sameList, List<Epoch> history, TestScores scores,
                  Distillation distillation) {

    /**
     * How the run distilled: its method in words ("cosine α 0.7", "cosine α 0.4 + stages 0.3 (…)"), the number of teachers,
     * and the runs it read (JSON path in its configuration → run id: "teacher", "teachers[1]").
     */
    public record Distillation(String method, int teachers, java.util.Map<String, String> dependsOn) {}

    /** Figures of one scoring of a trial list (validation at an epoch, or the test list). */
    public record Metrics(int epoch, double eer, double eerLow, double eerHigh, double minDcf05, double minDcf01, int targets, int nonTargets) {}

    /** One row of {@code epochs.csv}; {@code validation} is empty on epochs without validation. */
    public record Epoch(int epoch, double lr, double loss, double lossCls, double lossKd, double kdLossShare, double kdGradShare,
                        double accuracy, double samplesPerSecond, double seconds, Optional<Metrics> validation, java.util.Map<String, Double> columns) {
        /** Any recorded column by name (NaN when this run did not record it). */
        public double column(String name) {
            Double v = columns.get(name);
            return v == null ? Double.NaN : v;
        }
    }

    /** Whether this run was trained with a teacher. */
    public boolean distills() {
        return !"none".equals(distillation.method());
    }

    /** The epoch row with this number, if recorded. */
    public Optional<Epoch> epoch(int n) {
        return history.stream().filter(e -> e.epoch() == n).findFirst();
    }

    /** Seconds of training up to and including epoch {@code n}. */
    public double secondsThrough(int n) {
        return history.stream().filter(e -> e.epoch() <= n).mapToDouble(Epoch::seconds).sum();
    }

    /** The last recorded epoch number (0 without history). */
    public int lastEpoch() {
        return history.isEmpty() ? 0 : history.get(history.size() - 1).epoch();
    }
}
