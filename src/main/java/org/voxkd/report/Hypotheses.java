package org.voxkd.report;

import java.util.List;

/**
 * The original's findings as testable statements about two runs A and B (lower EER is better), and the
 * verdict rule. With only one run per arm, the 95% EER intervals are the measure of noise:
 * <ul>
 * <li>"A better than B": supported when A's EER is lower and the intervals are disjoint; not supported when
 *     A's EER is higher and the intervals are disjoint; within noise when they overlap.</li>
 * <li>"A ≈ B": supported when the intervals overlap (the runs cannot be told apart); not supported otherwise.</li>
 * </ul>
 */
public final class Hypotheses {
    private Hypotheses() {}

    public enum Kind { BETTER, SIMILAR }

    public static final String SUPPORTED = "supported", NOT_SUPPORTED = "not supported", WITHIN_NOISE = "within noise (intervals overlap)",
            SIMILAR_SUPPORTED = "supported (within noise, intervals overlap)";

    /** One statement: {@code a} compared with {@code b}. */
    public record Hypothesis(String key, String statement, Kind kind, String a, String b) {}

    public static final List<Hypothesis> ALL = List.of(
            new Hypothesis("cosine-vs-mse", "cosine KD ≫ mse KD (small student)", Kind.BETTER, Experiments.V2, Experiments.V1),
            new Hypothesis("lowalpha-vs-alpha", "α 0.4 better than α 0.7 for the large student", Kind.BETTER, Experiments.LOWALPHA, Experiments.LARGE),
            new Hypothesis("large-vs-small", "large ≈ small student (cosine, α 0.7)", Kind.SIMILAR, Experiments.LARGE, Experiments.V2),
            new Hypothesis("lowalpha-vs-small", "large student at α 0.4 ≈ small student at α 0.7", Kind.SIMILAR, Experiments.LOWALPHA, Experiments.V2),
            new Hypothesis("large-surpasses-small", "large student (α 0.4) better than small student", Kind.BETTER, Experiments.LOWALPHA, Experiments.V2),
            new Hypothesis("beyond-teacher", "large student (α 0.4) better than the teacher", Kind.BETTER, Experiments.LOWALPHA, Experiments.TEACHER),
            new Hypothesis("kd-helps-small", "distillation helps the small student (vs no teacher)", Kind.BETTER, Experiments.V2, Experiments.NOKD),
            new Hypothesis("kd-helps-large", "distillation helps the large student (α 0.4, vs no teacher)", Kind.BETTER, Experiments.LOWALPHA, Experiments.LARGE_NOKD));

    /** The verdict on "A better than B" or "A ≈ B"; {@link Fmt#NOT_RUN} when either run is missing. */
    public static String verdict(Kind kind, Run.Metrics a, Run.Metrics b) {
        if (a == null || b == null) return Fmt.NOT_RUN;
        boolean overlap = a.overlaps(b);
        if (kind == Kind.SIMILAR) return overlap ? SIMILAR_SUPPORTED : NOT_SUPPORTED;
        if (overlap) return WITHIN_NOISE;
        return a.eer() < b.eer() ? SUPPORTED : NOT_SUPPORTED;
    }
}
