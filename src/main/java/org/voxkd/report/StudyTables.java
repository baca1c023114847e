package org.voxkd.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.voxkd.scoring.Det;
import org.voxkd.stats.CrossedBootstrap;
import org.voxkd.stats.Eer;
import org.voxkd.stats.Holm;
import org.voxkd.stats.Interval;
import org.voxkd.stats.Power;
import org.voxkd.stats.SeedStats;
import org.voxkd.stats.SpeakerBootstrap;
import org.voxkd.stats.StudentT;

/**
 * What the study's design rests on, from its own results: (1) one interval per comparison over both sources of noise
 * at once ({@link CrossedBootstrap}: seeds × test speakers) with its bootstrap p-value and Holm's correction over the
 * family of the hypotheses' comparisons; (2) the power those spreads give — the minimum detectable effect at the seeds
 * run and the seeds a comparison would need ({@link Power}), with these results as the pilot; (3) the non-learned
 * baseline's test EER, when the reproduction scored it on the runs' test list. All on the test EER, in points.
 */
public final class StudyTables {
    static final double ALPHA = 0.05, POWER = 0.8;
    /** The most seeds the sizes search; beyond it a size is printed as "> MAX_SEEDS". */
    static final int MAX_SEEDS = 200;
    /** A size no number of seeds reaches: the speaker floor is at or above the effect (or margin). */
    static final String UNREACHABLE = "none (speaker floor)";

    private final Results res;
    private final Compare cmp;
    private List<Row> rows;

    public StudyTables(Compare cmp) {
        this.cmp = cmp;
        this.res = cmp.res();
    }

    /** One comparison of the family; figures in EER points (A − B). */
    record Row(String a, String b, int seeds, double difference, Interval combined95, double mcError, double p, double holm,
               double sdSeed, double seSpeaker) {}

    /** The family: every hypothesis's pair, once, that both ran on a common test list and are not one computation. */
    List<Row> rows() {
        if (rows != null) return rows;
        Map<String, Hypotheses.Hypothesis> pairs = new LinkedHashMap<>();
        for (Hypotheses.Hypothesis h : Hypotheses.ALL) pairs.putIfAbsent(h.a() + "|" + h.b(), h);
        List<Job> jobs = new ArrayList<>();
        for (Hypotheses.Hypothesis h : pairs.values()) {
            Compare.Comparison c = cmp.compare(h.a(), h.b());
            if (!c.ok() || cmp.identical(h.a(), h.b())) continue;
            Job j = job(c);
            if (j != null) jobs.add(j);
        }
        // each row is a pure function of its job (Compare's caches were read above), so computing rows side by side
        // changes no bit; the list keeps the family's order
        List<Row> raw = jobs.parallelStream().map(this::row).toList();
        double[] p = raw.stream().mapToDouble(Row::p).toArray(), adj = Holm.adjust(p);
        List<Row> out = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            Row r = raw.get(i);
            out.add(new Row(r.a(), r.b(), r.seeds(), r.difference(), r.combined95(), r.mcError(), r.p(), adj[i], r.sdSeed(), r.seSpeaker()));
        }
        return rows = out;
    }

    /** The family size m of Holm's correction (tests that could be made). */
    int familySize() {
        return (int) rows().stream().filter(r -> !Double.isNaN(r.p())).count();
    }

    /** The combined intervals' resamples (the profile's analysis.combined_resamples, 10,000 unless it says otherwise). */
    int resamples() {
        return res.combinedResamples();
    }

    /** A comparison's inputs: seed-paired ranked test scores, the recorded per-seed differences (points), the speaker stage. */
    private record Job(Compare.Comparison c, List<Eer.Ranked> a, List<Eer.Ranked> b, double[] diffs, SpeakerBootstrap speakers) {}

    private Job job(Compare.Comparison c) {
        Arm x = res.get(c.a()).orElseThrow(), y = res.get(c.b()).orElseThrow();
        List<Run> ra = new ArrayList<>(), rb = new ArrayList<>();
        for (long s : c.seeds()) {
            ra.add(x.run(s));
            rb.add(y.run(s));
        }
        List<Run> all = new ArrayList<>(ra);
        all.addAll(rb);
        SpeakerBootstrap speakers = cmp.bootstrap(all);
        if (speakers == null) return null;
        double[] diffs = new double[ra.size()];
        for (int i = 0; i < diffs.length; i++) diffs[i] = 100 * (ra.get(i).testBest().eer() - rb.get(i).testBest().eer());
        return new Job(c, ra.stream().map(cmp::ranked).toList(), rb.stream().map(cmp::ranked).toList(), diffs, speakers);
    }

    private Row row(Job j) {
        List<Eer.Ranked> a = j.a(), b = j.b();
        int n = a.size();
        // 100 ×: every figure of this class is in EER points
        CrossedBootstrap crossed = new CrossedBootstrap(new SpeakerBootstrap(j.speakers().trials(), resamples(), Compare.BOOTSTRAP_SEED), n, Compare.BOOTSTRAP_SEED);
        SpeakerBootstrap.Distribution d = crossed.meanOverSeeds((i, w) -> 100 * (a.get(i).metrics(w).eer() - b.get(i).metrics(w).eer()));
        SpeakerBootstrap.Distribution sp = Compare.seedMeanDifference(j.speakers(), a, b, org.voxkd.stats.Metric.EER);
        double sdSeed = n < 2 ? Double.NaN : SeedStats.summary(j.diffs()).sd();
        double seSpeaker = sp.sorted().length < 2 ? Double.NaN : 100 * SeedStats.summary(sp.sorted()).sd();
        return new Row(j.c().a(), j.c().b(), n, d.estimate(), d.interval(0.95), d.monteCarloError(0.95), Holm.bootstrapP(d.sorted()), Double.NaN, sdSeed, seSpeaker);
    }

    /** Table 1: the combined seed-and-speaker intervals, bootstrap p and Holm-adjusted p. */
    public Table combined() {
        List<Row> l = rows();
        int m = familySize();
        Table t = new Table("comparisons-combined", "Combined seed-and-speaker intervals with Holm's correction", "lrrlrrrl",
                "A vs B", "Seeds", "A − B (points)", "Combined 95% CI (points)", "MC error (±points)", "p (bootstrap)", "p (Holm)", "Holm, α 0.05");
        t.caption("Test EER difference A − B (mean over the seeds run by both), its 95% percentile interval from a bootstrap that resamples seeds and "
                + "test speakers together (crossed, " + Fmt.count(resamples()) + " resamples), the two-sided bootstrap p of \"A − B = 0\", and Holm's "
                + "step-down adjustment over the family of the m = " + m + " comparisons of the hypothesis table (pairs that are one computation "
                + "are not tested). MC error: the Monte-Carlo error of the interval's endpoints at this resample count.");
        for (Row r : l)
            t.row(r.a() + " vs " + r.b(), Integer.toString(r.seeds()), signed(r.difference()),
                    interval(r.combined95()), Fmt.fixed(r.mcError(), 2), Fmt.fixed(r.p(), 4), Fmt.fixed(r.holm(), 4),
                    Double.isNaN(r.holm()) ? Fmt.NA : r.holm() < ALPHA ? "rejects 0" : "does not reject 0");
        if (l.isEmpty()) t.note("No comparison could be made (no pair of arms with seeds and test scores in common).");
        else {
            long rejected = l.stream().filter(r -> r.holm() < ALPHA).count();
            double worst = l.stream().mapToDouble(Row::mcError).max().orElse(Double.NaN);
            t.note(rejected + " of " + m + " comparisons reject A − B = 0 at family-wise α " + Fmt.fixed(ALPHA, 2) + " after Holm's correction"
                    + (rejected == 0 ? "" : ": " + String.join(", ", l.stream().filter(r -> r.holm() < ALPHA).map(r -> r.a() + " vs " + r.b()).toList()))
                    + ". The largest Monte-Carlo error of an endpoint is ±" + Fmt.fixed(worst, 2) + " points; the smallest p that "
                    + Fmt.count(resamples()) + " resamples can give is " + Fmt.fixed(2.0 / (resamples() + 1), 4) + "."
                    + tCheck(l));
        }
        return t;
    }

    /**
     * The rejected comparisons that a Student-t interval over the same two spreads would not reject: with few seeds the
     * bootstrap's seed stage draws from only n values and carries (n − 1)/n of their variance, where a t has n − 1
     * degrees of freedom, so its intervals are narrower; said with the numbers, so a rejection is read as it deserves.
     */
    static String tCheck(List<Row> l) {
        List<String> weak = new ArrayList<>();
        int checked = 0;
        for (Row r : l) {
            if (!(r.holm() < ALPHA) || r.seeds() < 2 || !Double.isFinite(r.sdSeed()) || !Double.isFinite(r.seSpeaker())) continue;
            checked++;
            double half = StudentT.quantile(1 - ALPHA / 2, r.seeds() - 1) * Power.standardError(r.sdSeed(), r.seSpeaker(), r.seeds());
            if (Math.abs(r.difference()) <= half) weak.add(r.a() + " vs " + r.b() + " (±" + Fmt.fixed(half, 2) + ")");
        }
        if (checked == 0) return "";
        if (weak.isEmpty()) return " Each rejected difference is also outside a Student-t 95% interval over the same spreads (±t(n − 1)·sqrt(sd²/n + se²)).";
        return " " + weak.size() + " of the " + checked + " rejected differences lie inside a Student-t 95% interval over the same spreads "
                + "(±t(n − 1)·sqrt(sd²/n + se²), Table power): " + String.join(", ", weak) + "; with so few seeds the bootstrap's seed stage draws "
                + "from only n values and is narrower than a t with n − 1 degrees of freedom, so these rejections are a screen for the study's "
                + "further seeds, not a verdict.";
    }

    /** Table 2: the spreads of the pilot (these runs) and what they ask of the next study. */
    public Table power() {
        List<Row> l = rows();
        double margin = 100 * res.margin();
        Table t = new Table("power", "Power analysis from these runs as the pilot", "lrrrrrrll", "A vs B", "Seeds", "|A − B| (points)", "Seed sd (points)",
                "Speaker se (points)", "MDE at these seeds (points)", "Floor (points)", "Seeds to detect |A − B|",
                "Seeds for ±" + Fmt.fixed(margin, 2) + " equivalence");
        t.caption("Seed sd: sample sd of the per-seed test EER differences; speaker se: sd of the speaker-bootstrap replicates of the seed-mean difference ("
                + Fmt.count(res.resamples()) + " resamples; fixed by the test list). With se(n) = sqrt(sd²/n + se²), MDE: the smallest true difference a "
                + "two-sided test at α " + Fmt.fixed(ALPHA, 2) + " detects with power " + Fmt.fixed(POWER, 1) + " over the seeds run (Student t, n − 1 df). "
                + "Floor: the MDE with infinitely many seeds, (z(1 − α/2) + z(power))·se, below which only more test speakers help. Seeds to detect: the "
                + "fewest seeds whose MDE is at most the observed |A − B|; seeds for equivalence: the fewest with which a TOST at α " + Fmt.fixed(ALPHA, 2)
                + " shows ±" + Fmt.fixed(margin, 2) + " points with power " + Fmt.fixed(POWER, 1) + " if the true difference is 0 (the profile's margin). "
                + "\"" + UNREACHABLE + "\": no number of seeds is enough, because the speaker floor (for equivalence (z(1 − α) + z((1 + power)/2))·se) is at "
                + "or above the effect or margin; only more test speakers would make it reachable.");
        List<String> needs = new ArrayList<>(), speakers = new ArrayList<>(), dominated = new ArrayList<>();
        for (Row r : l) {
            boolean ok = r.seeds() >= 2 && !Double.isNaN(r.sdSeed()) && !Double.isNaN(r.seSpeaker());
            String mde = ok ? Fmt.fixed(Power.minimumDetectable(r.sdSeed(), r.seSpeaker(), r.seeds(), ALPHA, POWER), 2) : Fmt.NA;
            String detect = ok ? seedsToDetect(r) : Fmt.NA, equiv = ok && margin > 0 ? seedsForEquivalence(r, margin) : Fmt.NA;
            t.row(r.a() + " vs " + r.b(), Integer.toString(r.seeds()), Fmt.fixed(Math.abs(r.difference()), 2), Fmt.fixed(r.sdSeed(), 2),
                    Fmt.fixed(r.seSpeaker(), 2), mde, ok ? Fmt.fixed(floor(r.seSpeaker(), 1 - ALPHA / 2, POWER), 2) : Fmt.NA, detect, equiv);
            if (!ok) continue;
            if (detect.equals(UNREACHABLE)) speakers.add(r.a() + " vs " + r.b());
            else needs.add(r.a() + " vs " + r.b() + " " + detect);
            if (r.seSpeaker() > r.sdSeed() / StrictMath.sqrt(r.seeds())) dominated.add(r.a() + " vs " + r.b());
        }
        if (!l.isEmpty()) {
            StringBuilder s = new StringBuilder();
            if (!needs.isEmpty()) s.append("Seeds needed to detect the observed difference (α ").append(Fmt.fixed(ALPHA, 2)).append(", power ")
                    .append(Fmt.fixed(POWER, 1)).append("): ").append(String.join("; ", needs)).append(". ");
            if (!speakers.isEmpty()) s.append("Not reachable by seeds alone, the observed difference being at or below the speaker floor (more test speakers "
                    + "needed): ").append(String.join("; ", speakers)).append(". ");
            s.append("The speaker term exceeds the seed term (se > sd/sqrt(n) at the seeds run) in ").append(dominated.size()).append(" of ").append(l.size())
                    .append(" comparisons").append(dominated.isEmpty() ? "." : ": " + String.join("; ", dominated) + ".");
            t.note(s.toString());
        }
        return t;
    }

    /** (z(upper) + z(power))·se: the limit of Power's sizes as the seeds grow (t quantiles tend to normal ones). */
    static double floor(double seSpeaker, double upper, double power) {
        return (Det.probit(upper) + Det.probit(power)) * seSpeaker;
    }

    private static String seedsToDetect(Row r) {
        double effect = Math.abs(r.difference());
        if (floor(r.seSpeaker(), 1 - ALPHA / 2, POWER) >= effect) return UNREACHABLE;
        int n = Power.seedsToDetect(effect, r.sdSeed(), r.seSpeaker(), ALPHA, POWER, MAX_SEEDS);
        return n < 0 ? "> " + MAX_SEEDS : Integer.toString(n);
    }

    private static String seedsForEquivalence(Row r, double margin) {
        if (floor(r.seSpeaker(), 1 - ALPHA, 1 - (1 - POWER) / 2) >= margin) return UNREACHABLE;
        int n = Power.seedsForEquivalence(margin, r.sdSeed(), r.seSpeaker(), ALPHA, POWER, MAX_SEEDS);
        return n < 0 ? "> " + MAX_SEEDS : Integer.toString(n);
    }

    private static String interval(Interval i) {
        return !i.defined() ? Fmt.NA : "[" + signed(i.low()) + ", " + signed(i.high()) + "]";
    }

    private static String signed(double v) {
        return String.format(java.util.Locale.ROOT, "%+.2f", v);
    }

    /** The non-learned baseline on the runs' test list: results/baselines/SHA16/scores.txt, when the reproduction wrote it. */
    public Optional<Table> baseline() {
        Optional<Run> any = res.runs().stream().filter(r -> r.scores() != null).findFirst();
        if (any.isEmpty() || res.dir() == null) return Optional.empty();
        String sha = any.get().scores().listSha256();
        Path file = res.dir().resolve("baselines").resolve(sha.substring(0, Math.min(16, sha.length()))).resolve("scores.txt");
        if (!Files.isRegularFile(file)) return Optional.empty();
        ScoreFile f;
        try {
            f = ScoreFile.read(file, 1, "label baseline enroll_speaker test_speaker");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        if (!f.listSha256().equals(sha)) throw new IllegalArgumentException(file + ": scored on trial list " + f.listSha256() + ", the runs on " + sha);
        Eer.Ranked ranked = Eer.rank(f.scores().get(0), f.trials().labels());
        SpeakerBootstrap boot = new SpeakerBootstrap(f.trials(), res.resamples(), Compare.BOOTSTRAP_SEED);
        SpeakerBootstrap.Distribution d = boot.distribution(w -> ranked.metrics(w).eer());
        Eer.Result all = ranked.metrics(null);
        Table t = new Table("baseline", "Non-learned baseline (test list)", "lrlrr", "System", "Test EER (%)", "95% CI (%)", "minDCF(0.05)", "Trials");
        t.caption("Mean log-mel + cosine, no training and no seed (results/baselines/" + file.getParent().getFileName() + "/), on the runs' test list; "
                + "the interval is the speaker bootstrap's (" + Fmt.count(res.resamples()) + " resamples), as for the arms.");
        t.row("baseline (mean log-mel + cosine)", Fmt.pct(all.eer()), Fmt.ci(d.interval(0.95)), Fmt.fixed(all.minDcf05(), 3),
                Fmt.count(all.targets() + all.nonTargets()));
        return Optional.of(t);
    }
}
