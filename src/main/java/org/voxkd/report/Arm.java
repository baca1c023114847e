package org.voxkd.report;

import java.util.List;
import java.util.function.ToDoubleFunction;
import org.voxkd.stats.SeedStats;

/** One experiment of a profile: its runs, one per training seed, in seed order. */
public record Arm(String experiment, List<Run> runs) {
    public Run first() { return runs.get(0); }

    public List<Long> seeds() { return runs.stream().map(Run::seed).toList(); }

    /** The run of a seed, or null. */
    public Run run(long seed) {
        for (Run r : runs) if (r.seed() == seed) return r;
        return null;
    }

    /** A figure over the seeds (runs lacking it give NaN, which the summary skips). */
    public double[] values(ToDoubleFunction<Run> f) {
        return runs.stream().mapToDouble(f).filter(v -> !Double.isNaN(v)).toArray();
    }

    /** Mean and sample standard deviation of a figure over the seeds; null when no run has it. */
    public SeedStats.Summary summary(ToDoubleFunction<Run> f) {
        double[] v = values(f);
        return v.length == 0 ? null : SeedStats.summary(v);
    }

    /** Whether every run was trained with a teacher (the arms are homogeneous by construction). */
    public boolean distills() { return first().distills(); }
}
