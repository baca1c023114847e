package org.voxkd.report;

import java.util.ArrayList;
import java.util.List;
import org.voxkd.stats.Interval;
import org.voxkd.stats.Verdict;

/**
 * Claim sentences in plain words, each built from one paired comparison: what was compared, at which budget (the epochs
 * each arm trained), the effect with both intervals, in how many seeds A was lower, which interval excludes 0, and what
 * the declared rule concludes. No number is typed here; every one comes from the comparison or the runs.
 */
public final class Claims {
    private Claims() {}

    /** "the speaker interval [..] excludes 0, the seed interval [..] does not" — which intervals decide, in words. */
    static String intervals(Compare.Comparison c, double margin) {
        boolean sp = excludes0(c.speakers95()), se = excludes0(c.seeds95());
        String s = "speaker interval " + Fmt.pointsCi(c.speakers95()), d = "seed interval " + Fmt.pointsCi(c.seeds95());
        if (sp && se) return "the " + s + " and the " + d + " both exclude 0";
        if (sp) return "the " + s + " excludes 0, the " + d + " does not";
        if (se) return "the " + d + " excludes 0, the " + s + " does not";
        return "neither the " + s + " nor the " + d + " excludes 0" + (margin > 0 ? ", and they are not both inside ±" + Fmt.fixed(100 * margin, 2) : "");
    }

    static boolean excludes0(Interval i) {
        return i != null && i.defined() && (i.high() < 0 || i.low() > 0);
    }

    /** The declared rule's outcome in words. */
    static String outcome(Compare.Comparison c, double margin) {
        return switch (c.decision().verdict()) {
            case BETTER -> "A is lower under the declared rule";
            case WORSE -> "A is higher under the declared rule";
            case EQUIVALENT -> "equivalent within ±" + Fmt.fixed(100 * margin, 2) + " points under the declared rule (both 90% intervals inside)";
            case INCONCLUSIVE -> "inconclusive under the declared rule";
        };
    }

    /** Seeds in which A's test EER is on the side of the mean difference: "A lower in 3/3 seeds". */
    static String seedsLower(Results res, Compare.Comparison c) {
        Arm a = res.get(c.a()).orElseThrow(), b = res.get(c.b()).orElseThrow();
        boolean higher = c.difference() > 0;
        int k = 0, n = 0;
        for (long s : c.seeds()) {
            Run x = a.run(s), y = b.run(s);
            if (x == null || y == null || x.testBest() == null || y.testBest() == null) continue;
            n++;
            if (higher ? x.testBest().eer() > y.testBest().eer() : x.testBest().eer() < y.testBest().eer()) k++;
        }
        return (higher ? "A higher in " : "A lower in ") + k + "/" + n + " seeds";
    }

    /** "each trained 7 epochs" or "A trained 7 epochs, B 18". */
    static String budget(Results res, String a, String b) {
        String ea = res.get(a).map(Tables::epochs).orElse(Fmt.NA), eb = res.get(b).map(Tables::epochs).orElse(Fmt.NA);
        return ea.equals(eb) ? "each trained " + ea + " epochs" : a + " trained " + ea + " epochs, " + b + " " + eb;
    }

    /**
     * One comparison as a sentence: "v2-cosine vs v2-nokd (each trained 7 epochs, 3 seeds): A − B = −3.19 EER points, A lower in
     * 3/3 seeds; the speaker interval [..] excludes 0, the seed interval [..] does not: inconclusive under the declared rule."
     */
    public static String compared(Results res, Compare.Comparison c) {
        if (!c.ok()) return c.a() + " vs " + c.b() + ": " + c.problem() + ".";
        return c.a() + " vs " + c.b() + " (" + budget(res, c.a(), c.b()) + ", " + c.seeds().size() + " seeds): A − B = " + Fmt.points(c.difference())
                + " EER points, " + seedsLower(res, c) + "; " + intervals(c, res.margin()) + ": " + outcome(c, res.margin()) + ".";
    }

    /** The sentence on two identical arms: no comparison, an identity. */
    static String identical(Results res, String a, String b) {
        return a + " and " + b + " give the same test scores to the bit at every seed (" + res.get(a).map(x -> x.runs().size()).orElse(0)
                + " seeds): one computation, shown as one row (≡); the identity is arithmetic, so no interval or verdict is needed.";
    }

    /** Every hypothesis of {@link Hypotheses#ALL} as one paragraph: the statement, the claim sentence, the original's claim, and why they may differ. */
    public static List<String> hypotheses(Results res, Original orig, Compare cmp) {
        List<String> out = new ArrayList<>();
        for (Hypotheses.Hypothesis h : Hypotheses.ALL) {
            Compare.Comparison c = cmp.compare(h.a(), h.b());
            StringBuilder b = new StringBuilder("\"").append(h.statement()).append("\": ");
            if (c.ok() && cmp.identical(h.a(), h.b())) {
                b.append(identical(res, h.a(), h.b())).append(" The original: ").append(orig.claim(h.key())).append(". ").append(orig.context(h.key()));
                out.add(b.toString().strip());
                continue;
            }
            b.append(compared(res, c));
            if (!c.ok()) {
                out.add(b.toString());
                continue;
            }
            String verdict = Hypotheses.verdict(h.kind(), c, res.margin());
            String mine = verdict.startsWith("supported") ? "supported" : verdict.startsWith("not supported") ? "not supported" : "inconclusive";
            b.append(" The statement is ").append(mine.equals("inconclusive") ? "neither supported nor refuted" : mine).append('.');
            if (h.a().equals(Experiments.AUG) || h.b().equals(Experiments.AUG)) b.append(' ').append(augmentationCaveat(res));
            b.append(" The original: ").append(orig.claim(h.key())).append("; ");
            String theirs = orig.claimVerdict(h.key());
            if (theirs.equals(mine)) b.append("this reproduction agrees.");
            else if (theirs.equals("not tested")) b.append("it did not test this. ").append(orig.context(h.key()));
            else b.append(mine.equals("inconclusive") ? "this reproduction can neither confirm nor refute it at this budget. " : "this reproduction disagrees. ")
                    .append(orig.context(h.key()));
            out.add(b.toString().strip());
        }
        return out;
    }

    /** What an augmentation verdict is worth: its budget in epochs and optimiser steps, and the teacher's input. */
    static String augmentationCaveat(Results res) {
        String steps = Setup.of(res).steps(Experiments.AUG);
        return "This is a verdict at " + res.get(Experiments.AUG).map(Tables::epochs).orElse(Fmt.NA) + " epochs" + (steps.isEmpty() ? "" : " (" + steps + ")")
                + ", with the teacher fed the same augmented crops; whether augmentation helps with a longer schedule or a clean-audio teacher target "
                + "was not tested.";
    }

    /** The premise: the teacher against the students trained without it, with both budgets. */
    static String premise(Results res, Compare cmp) {
        Compare.Comparison t = cmp.compare(Experiments.NOKD, Experiments.TEACHER), tl = cmp.compare(Experiments.LARGE_NOKD, Experiments.TEACHER);
        if (!t.ok() || !tl.ok()) return null;
        return "The premise, a teacher better than the students trained without it, holds only at unequal budgets: " + compared(res, t) + " "
                + compared(res, tl) + " The teacher trained " + res.get(Experiments.TEACHER).map(Tables::epochs).orElse(Fmt.NA)
                + " epochs and the students " + res.get(Experiments.NOKD).map(Tables::epochs).orElse(Fmt.NA)
                + ", so this says the teacher at its budget is better than the students at theirs, not that the architecture is.";
    }

    static boolean decided(Compare.Comparison c) {
        return c.ok() && c.decision().verdict() != Verdict.INCONCLUSIVE;
    }
}
