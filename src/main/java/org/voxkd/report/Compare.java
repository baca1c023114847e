package org.voxkd.report;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.voxkd.stats.Eer;
import org.voxkd.stats.Interval;
import org.voxkd.stats.Metric;
import org.voxkd.stats.SeedStats;
import org.voxkd.stats.SpeakerBootstrap;
import org.voxkd.stats.Verdict;

/**
 * The report's statistics on the test list, from the runs' score files: for an arm, its test figure averaged
 * over seeds with a 95% interval from the bootstrap over test speakers; for two arms A and B, the difference
 * A − B paired by seed with two intervals — over test speakers (every seed's difference under the same
 * resamples, averaged) and over seeds (Student t on the per-seed differences) — and the verdict of
 * {@link Verdict} on them, with the profile's equivalence margin. The selected checkpoint is compared unless
 * {@code last} is asked for. Results are cached: each table asks for the same few comparisons.
 */
public final class Compare {
    /** Fixed: every report draws the same speaker resamples. */
    static final long BOOTSTRAP_SEED = 1;

    private final Results res;
    private final Map<String, SpeakerBootstrap> boots = new HashMap<>();
    private final Map<String, Eer.Ranked> ranked = new HashMap<>();
    private final Map<String, Object> cache = new HashMap<>();

    public Compare(Results res) {
        this.res = res;
    }

    /** The results compared. */
    public Results res() { return res; }

    /** An arm's seed-mean test figure with its speaker interval (NaN interval without score files). */
    public record ArmFigure(SeedStats.Summary summary, Interval speakers95) {}

    /** Two arms compared by seed; {@code problem} says why not when they could not be. */
    public record Comparison(String a, String b, Metric metric, List<Long> seeds, double meanA, double meanB, Interval speakers95,
                             Interval speakers90, Interval seeds95, Interval seeds90, Verdict.Decision decision, String problem) {
        public double difference() { return meanA - meanB; }

        public boolean ok() { return problem == null; }
    }

    public ArmFigure test(Arm arm, Metric m) {
        return (ArmFigure) cache.computeIfAbsent("arm|" + arm.experiment() + "|" + m, k -> {
            List<Run> runs = arm.runs().stream().filter(r -> r.testBest() != null).toList();
            if (runs.isEmpty()) return new ArmFigure(null, Interval.none(Double.NaN, 0.95));
            SeedStats.Summary s = SeedStats.summary(runs.stream().mapToDouble(r -> m.of(result(r.testBest()))).toArray());
            String sha = sameList(runs);
            if (sha == null) return new ArmFigure(s, Interval.none(s.mean(), 0.95));
            Interval ci = seedMean(boot(runs.get(0)), runs.stream().map(r -> ranked(r, true)).toList(), m).interval(0.95);
            return new ArmFigure(s, ci);
        });
    }

    /**
     * Whether two arms are the same computation: both ran the same seeds and, seed by seed, their selected checkpoints'
     * test scores are equal to the bit (as v1-mse-rescaled and v2-cosine are when D·τ²/2 is a power of two). Such arms
     * are one result and are shown as one row, one curve and one identity, never compared or ranked against each other.
     */
    public boolean identical(String a, String b) {
        return (Boolean) cache.computeIfAbsent("same|" + a + "|" + b, k -> {
            Arm x = res.get(a).orElse(null), y = res.get(b).orElse(null);
            if (x == null || y == null || a.equals(b) || !x.seeds().equals(y.seeds())) return false;
            for (Run r : x.runs()) {
                Run s = y.run(r.seed());
                if (r.scores() == null || s.scores() == null || !r.scores().listSha256().equals(s.scores().listSha256())
                        || !java.util.Arrays.equals(r.scores().best(), s.scores().best())) return false;
            }
            return true;
        });
    }

    /** A − B on the selected checkpoints' test figure. */
    public Comparison compare(String a, String b, Metric m) {
        return (Comparison) cache.computeIfAbsent("cmp|" + a + "|" + b + "|" + m, k -> compute(a, b, m));
    }

    public Comparison compare(String a, String b) {
        return compare(a, b, Metric.EER);
    }

    private Comparison compute(String a, String b, Metric m) {
        Arm x = res.get(a).orElse(null), y = res.get(b).orElse(null);
        if (x == null || y == null) return failed(a, b, m, Fmt.NOT_RUN + ": " + (x == null ? a : b));
        List<Long> seeds = new ArrayList<>();
        List<Run> ra = new ArrayList<>(), rb = new ArrayList<>();
        for (Run r : x.runs()) {
            Run s = y.run(r.seed());
            if (s == null || r.testBest() == null || s.testBest() == null) continue;
            seeds.add(r.seed());
            ra.add(r);
            rb.add(s);
        }
        if (seeds.isEmpty()) return failed(a, b, m, "no seed run by both with a test figure");
        double[] va = ra.stream().mapToDouble(r -> m.of(result(r.testBest()))).toArray(), vb = rb.stream().mapToDouble(r -> m.of(result(r.testBest()))).toArray();
        double meanA = SeedStats.summary(va).mean(), meanB = SeedStats.summary(vb).mean();
        Interval s95 = SeedStats.pairedDifference(va, vb, 0.95), s90 = SeedStats.pairedDifference(va, vb, 0.90);
        List<Run> all = new ArrayList<>(ra);
        all.addAll(rb);
        String sha = sameList(all);
        if (sha == null)
            return new Comparison(a, b, m, seeds, meanA, meanB, Interval.none(meanA - meanB, 0.95), Interval.none(meanA - meanB, 0.9), s95, s90,
                    new Verdict.Decision(Verdict.INCONCLUSIVE, "no common test score files"), null);
        SpeakerBootstrap.Distribution d = seedMeanDifference(boot(ra.get(0)), ra.stream().map(r -> ranked(r, true)).toList(),
                rb.stream().map(r -> ranked(r, true)).toList(), m);
        Interval p95 = d.interval(0.95), p90 = d.interval(0.90);
        double margin = m == Metric.EER ? res.margin() : 0;
        Verdict.Decision v = Verdict.decide(List.of(new Verdict.Evidence("speakers", p95, p90), new Verdict.Evidence("seeds", s95, s90)), margin, seeds.size());
        return new Comparison(a, b, m, seeds, meanA, meanB, p95, p90, s95, s90, v, null);
    }

    /** Over the speaker resamples: the mean over seeds of a metric of each seed's ranked scores (all on the bootstrap's trials). */
    static SpeakerBootstrap.Distribution seedMean(SpeakerBootstrap boot, List<Eer.Ranked> seeds, Metric m) {
        return boot.distribution(w -> {
            double sum = 0;
            for (Eer.Ranked x : seeds) sum += m.of(x.metrics(w));
            return sum / seeds.size();
        });
    }

    /** Over the speaker resamples: the mean over seeds of A − B, seed i of {@code a} paired with seed i of {@code b}. */
    static SpeakerBootstrap.Distribution seedMeanDifference(SpeakerBootstrap boot, List<Eer.Ranked> a, List<Eer.Ranked> b, Metric m) {
        return boot.distribution(w -> {
            double sum = 0;
            for (int i = 0; i < a.size(); i++) sum += m.of(a.get(i).metrics(w)) - m.of(b.get(i).metrics(w));
            return sum / a.size();
        });
    }

    private static Comparison failed(String a, String b, Metric m, String why) {
        Interval none = Interval.none(Double.NaN, 0.95);
        return new Comparison(a, b, m, List.of(), Double.NaN, Double.NaN, none, none, none, none, new Verdict.Decision(Verdict.INCONCLUSIVE, why), why);
    }

    /** The trial-list hash all these runs were scored on, or null when one lacks scores or they differ. */
    private static String sameList(List<Run> runs) {
        String sha = null;
        for (Run r : runs) {
            if (r.scores() == null) return null;
            if (sha == null) sha = r.scores().listSha256();
            else if (!sha.equals(r.scores().listSha256())) return null;
        }
        return sha;
    }

    /** The speaker bootstrap of the runs' common test list (the report's fixed resamples), or null when one lacks scores or they differ. */
    public SpeakerBootstrap bootstrap(List<Run> runs) {
        return runs.isEmpty() || sameList(runs) == null ? null : boot(runs.get(0));
    }

    /** A run's selected-checkpoint test scores, ranked (for figures under bootstrap weights). */
    public Eer.Ranked ranked(Run r) { return ranked(r, true); }

    private SpeakerBootstrap boot(Run r) {
        return boots.computeIfAbsent(r.scores().listSha256(), k -> new SpeakerBootstrap(r.scores().trials(), res.resamples(), BOOTSTRAP_SEED));
    }

    private Eer.Ranked ranked(Run r, boolean selected) {
        return ranked.computeIfAbsent(r.id() + (selected ? "|best" : "|last"), k -> r.scores().ranked(selected));
    }

    /** The recorded figures as an {@link Eer.Result}, so one {@link Metric} selects from both. */
    static Eer.Result result(Run.Metrics m) {
        return new Eer.Result(m.eer(), Double.NaN, m.minDcf05(), m.minDcf01(), m.targets(), m.nonTargets());
    }
}
