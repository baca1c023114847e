package org.voxkd.stats;

import java.util.List;

/**
 * The verdict on a comparison of A with B on a lower-is-better figure (EER, minDCF), from the intervals of the
 * difference A − B that a reviewer accepts — each interval covers one source of noise (the speakers of the
 * test list, the training seeds), so every one of them must agree:
 * <ul>
 * <li><b>A better</b> only when every 95% interval lies below 0, <b>A worse</b> only when every one lies above 0;</li>
 * <li><b>equivalent</b> only by an equivalence test (two one-sided tests at 5%: every 90% interval inside
 * ±margin, the margin declared before the runs, in the profile);</li>
 * <li>otherwise <b>inconclusive</b>: absence of evidence of a difference is not evidence of equality.</li>
 * </ul>
 * With fewer than two seeds the training noise is unmeasured and nothing is decided.
 */
public enum Verdict {
    BETTER("A better"), WORSE("A worse"), EQUIVALENT("equivalent"), INCONCLUSIVE("inconclusive");

    public final String label;

    Verdict(String label) { this.label = label; }

    /** One source of noise: its interval of A − B at 95% (difference test) and at 90% (equivalence test). */
    public record Evidence(String source, Interval at95, Interval at90) {}

    /** The verdict with the reason it was reached. */
    public record Decision(Verdict verdict, String reason) {}

    public static Decision decide(List<Evidence> evidence, double margin, int seeds) {
        if (seeds < 2) return new Decision(INCONCLUSIVE, "one seed: training noise not measured");
        if (evidence.isEmpty() || evidence.stream().anyMatch(e -> !e.at95().defined() || !e.at90().defined()))
            return new Decision(INCONCLUSIVE, "an interval could not be formed");
        if (evidence.stream().allMatch(e -> e.at95().high() < 0)) return new Decision(BETTER, "every 95% interval of A − B is below 0");
        if (evidence.stream().allMatch(e -> e.at95().low() > 0)) return new Decision(WORSE, "every 95% interval of A − B is above 0");
        if (margin > 0 && evidence.stream().allMatch(e -> e.at90().within(margin)))
            return new Decision(EQUIVALENT, "every 90% interval of A − B is inside ±margin (TOST, 5%)");
        return new Decision(INCONCLUSIVE, "an interval includes 0" + (margin > 0 ? " and one reaches beyond ±margin" : " (no equivalence margin declared)"));
    }
}
