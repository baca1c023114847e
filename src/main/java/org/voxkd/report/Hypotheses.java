package org.voxkd.report;

import java.util.List;
import org.voxkd.stats.Verdict;

/**
 * The original's findings as testable statements about two arms A and B (lower EER is better), judged only by
 * the rules of {@link Verdict} on the paired test-EER difference A − B (intervals over test speakers and over
 * seeds):
 * <ul>
 * <li>"A better than B": supported when A is better; not supported when A is worse or shown equivalent;
 *     inconclusive otherwise.</li>
 * <li>"A ≈ B": supported only when shown equivalent within the profile's margin; not supported when one is
 *     better; inconclusive otherwise (overlapping intervals are not evidence of equality).</li>
 * </ul>
 */
public final class Hypotheses {
    private Hypotheses() {}

    public enum Kind { BETTER, SIMILAR }

    /** One statement: {@code a} compared with {@code b}. */
    public record Hypothesis(String key, String statement, Kind kind, String a, String b) {}

    public static final List<Hypothesis> ALL = List.of(
            new Hypothesis("cosine-vs-mse", "cosine KD ≫ mse KD (small student)", Kind.BETTER, Experiments.V2, Experiments.V1),
            new Hypothesis("lowalpha-vs-alpha", "α 0.4 better than α 0.7 for the large student", Kind.BETTER, Experiments.LOWALPHA, Experiments.LARGE),
            new Hypothesis("large-vs-small", "large ≈ small student (cosine, α 0.7)", Kind.SIMILAR, Experiments.LARGE, Experiments.V2),
            // one comparison, one test: the original's "same EER as V2" and "not better than V2" are both about this pair
            new Hypothesis("lowalpha-vs-small", "large student at α 0.4 ≈ small student at α 0.7", Kind.SIMILAR, Experiments.LOWALPHA, Experiments.V2),
            new Hypothesis("beyond-teacher", "large student (α 0.4) better than the teacher", Kind.BETTER, Experiments.LOWALPHA, Experiments.TEACHER),
            new Hypothesis("kd-helps-small", "distillation helps the small student (vs no teacher)", Kind.BETTER, Experiments.V2, Experiments.NOKD),
            new Hypothesis("kd-helps-large", "distillation helps the large student (α 0.4, vs no teacher)", Kind.BETTER, Experiments.LOWALPHA, Experiments.LARGE_NOKD),
            new Hypothesis("mse-inert", "mse KD (V1) trains like no teacher at all", Kind.SIMILAR, Experiments.V1, Experiments.NOKD),
            new Hypothesis("mse-rescaled-is-cosine", "mse × D·τ²/2 ≈ cosine KD (the identity)", Kind.SIMILAR, Experiments.RESCALED, Experiments.V2),
            new Hypothesis("aug-helps-small", "augmentation helps the small cosine student", Kind.BETTER, Experiments.AUG, Experiments.V2));


    /** The verdict on a statement about two arms that are one computation (identical scores at every seed). */
    public static final String IDENTICAL = "identical (the same scores to the bit at every seed: an arithmetic identity, not a test)";

    /** A verdict without its reason, for narrow table columns ("inconclusive", "supported"); the claim sentences give the reason. */
    public static String shortVerdict(String verdict) {
        return verdict.startsWith("inconclusive (one seed") ? verdict : verdict.replaceFirst(" \\(.*\\)$", "");
    }

    /** The verdict on the statement from a comparison of A with B. */
    public static String verdict(Kind kind, Compare.Comparison c, double margin) {
        if (!c.ok()) return c.problem();
        String eq = "equivalent within ±" + Fmt.fixed(100 * margin, 2) + " points";
        return switch (c.decision().verdict()) {
            case BETTER -> kind == Kind.BETTER ? "supported (A better)" : "not supported (A better)";
            case WORSE -> "not supported (A worse)";
            case EQUIVALENT -> kind == Kind.SIMILAR ? "supported (" + eq + ")" : "not supported (" + eq + ")";
            case INCONCLUSIVE -> c.seeds().size() < 2 ? "inconclusive (" + c.decision().reason() + ")" : "inconclusive (" + Claims.intervals(c, margin) + ")";
        };
    }
}
