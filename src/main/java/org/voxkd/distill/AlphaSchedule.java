package org.voxkd.distill;

import java.util.List;

/**
 * A curriculum for the weight α of the final-embedding distillation term, epoch by epoch ({@code distill.alpha_schedule}):
 * <ul>
 * <li>{@code {kind: piecewise, until: [0.4, 0.8, 1.0], values: [0.5, 0.7, 0.5]}} — epoch e (1-based) of E takes the value
 *     of the first phase with e/E ≤ until: the seed's 0.5 → 0.7 → 0.5 (epochs 1–40, 41–80, 81–100 of 100);</li>
 * <li>{@code {kind: linear, values: [0.2, 0.9]}} — from the first value at the first epoch to the second at the last.</li>
 * </ul>
 * Phases are fractions of the schedule, so a profile that shortens training keeps the shape.
 */
public record AlphaSchedule(String kind, List<Double> until, List<Double> values) {
    /** Checks the schedule; problems go to {@code errors}. */
    void check(List<String> errors) {
        String at = "distill.alpha_schedule";
        if (kind == null || !List.of("piecewise", "linear").contains(kind)) {
            errors.add(at + ".kind must be piecewise or linear, got " + kind);
            return;
        }
        if (values == null || values.isEmpty()) {
            errors.add(at + ".values is required");
            return;
        }
        for (Double v : values) if (v == null || !(v >= 0 && v <= 1)) errors.add(at + ".values must lie in [0, 1], got " + values);
        if (kind.equals("linear")) {
            if (values.size() != 2) errors.add(at + ": a linear schedule has two values (first and last epoch), got " + values);
            if (until != null) errors.add(at + ": a linear schedule takes no 'until'");
            return;
        }
        if (until == null || until.size() != values.size()) {
            errors.add(at + ": a piecewise schedule has one 'until' per value, got until " + until + " for values " + values);
            return;
        }
        for (int i = 0; i < until.size(); i++) {
            Double u = until.get(i);
            if (u == null || !(u > 0 && u <= 1) || (i > 0 && !(u > until.get(i - 1))))
                errors.add(at + ".until must rise strictly within (0, 1], got " + until);
        }
        if (!until.isEmpty() && until.get(until.size() - 1) != 1.0) errors.add(at + ".until must end at 1.0 (the last epoch), got " + until);
    }

    /** α at 0-based epoch {@code epoch} of {@code epochs}. */
    public double alpha(int epoch, int epochs) {
        if (kind.equals("linear")) return epochs <= 1 ? values.get(0) : values.get(0) + (values.get(1) - values.get(0)) * epoch / (epochs - 1.0);
        double f = (epoch + 1) / (double) epochs;
        for (int i = 0; i < until.size(); i++) if (f <= until.get(i) + 1e-12) return values.get(i);
        return values.get(values.size() - 1);
    }

    /** The mean of α over the schedule: what a single α column shows for a curriculum run. */
    public double mean(int epochs) {
        double s = 0;
        for (int e = 0; e < epochs; e++) s += alpha(e, epochs);
        return s / epochs;
    }

    /** "piecewise 0.5→0.7→0.5" or "linear 0.2→0.9". */
    public String describe() {
        return kind + " " + String.join("→", values.stream().map(v -> v == Math.rint(v) ? String.valueOf(v.intValue()) : String.valueOf(v)).toList());
    }
}
