package org.voxkd.report;

import static org.voxkd.report.Experiments.*;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import org.voxkd.stats.Metric;
import org.voxkd.stats.SeedStats;

/**
 * Every table of the report, one method each, built from the results (and, for one table, the original's
 * claims). Headline figures are on the test list, at the checkpoint selected on validation, as mean ± sd
 * over seeds; comparisons are paired by seed, with intervals over test speakers and over seeds, and verdicts
 * only by the rules of {@link org.voxkd.stats.Verdict}.
 */
public final class Tables {
    private final Results res;
    private final Original orig;
    private final Compare cmp;
    private final MethodTables methods;
    private final StudyTables study;

    public Tables(Results res, Original orig) {
        this.res = res;
        this.orig = orig;
        this.cmp = new Compare(res);
        this.methods = new MethodTables(res, cmp);
        this.study = new StudyTables(cmp);
    }

    /** The combined intervals, Holm's correction, the power analysis and the baseline. */
    StudyTables study() { return study; }

    public Compare compare() { return cmp; }

    /** The distillation-methods section (empty for profiles that ran only the report's seven arms). */
    MethodTables methods() { return methods; }

    /** All tables in report order. */
    public List<Table> all() {
        List<Table> l = new ArrayList<>();
        l.add(summary());
        l.add(perSeed());
        study.baseline().ifPresent(l::add);
        for (String e : shown(ALL)) l.add(trajectory(e));
        l.add(trajectoryComparison());
        l.add(kdLossComparison());
        l.add(lossBreakdown());
        l.add(rankingByEer());
        l.add(gapFromTeacher());
        l.add(kdEffectiveness());
        l.add(trainingEfficiency());
        l.add(identity());
        l.add(hypotheses());
        l.add(study.combined());
        l.add(study.power());
        l.addAll(ablations());
        l.add(originalVsReproduced());
        l.addAll(methods.tables());
        l.addAll(new DeployTables(res).tables());
        for (Table t : l) if (res.anySameList()) t.note(SAME_LIST);
        return l;
    }

    static final String SAME_LIST = "Caution: some runs were given a single trial list, which both selected the checkpoint and reported these "
            + "figures (selection on the reporting list makes them optimistic).";

    private static String[] notRun(String experiment, int columns) {
        String[] r = new String[columns];
        java.util.Arrays.fill(r, "");
        r[0] = experiment;
        r[1] = Fmt.NOT_RUN;
        return r;
    }

    private static String alpha(Arm a) {
        return a.distills() ? Fmt.fixed(a.first().alpha(), 1) : "–";
    }

    /**
     * The arm that stands for a group of identical arms ({@link Compare#identical}): the one the original report had, else the
     * first in report order. Every other member is folded into it: one row, one curve, never ranked against it.
     */
    String representative(String e) {
        List<String> group = new ArrayList<>();
        for (Arm a : res.present()) if (a.experiment().equals(e) || cmp.identical(a.experiment(), e)) group.add(a.experiment());
        if (group.size() < 2) return e;
        for (String g : group) if (orig.get(g).isPresent()) return g;
        return group.get(0);
    }

    /** Whether an arm is folded into an identical one (and so not shown on its own). */
    boolean folded(String e) {
        return !representative(e).equals(e);
    }

    /** An arm's name as a row or curve shows it: "v2-cosine ≡ v1-mse-rescaled" for a group of identical arms. */
    String name(String e) {
        StringBuilder b = new StringBuilder(e);
        for (Arm a : res.present()) if (cmp.identical(e, a.experiment())) b.append(" ≡ ").append(a.experiment());
        return b.toString();
    }

    /** The experiments of a list that are shown (folded arms dropped). */
    List<String> shown(List<String> experiments) {
        return experiments.stream().filter(e -> !folded(e)).toList();
    }

    private String notRunNote(List<String> experiments) {
        List<String> missing = experiments.stream().filter(e -> res.get(e).isEmpty()).toList();
        return missing.isEmpty() ? null : "Not run under profile " + res.profile() + " at code " + res.fingerprint() + ": " + String.join(", ", missing) + ".";
    }

    private Table withNotRun(Table t, List<String> experiments) {
        String n = notRunNote(experiments);
        return n == null ? t : t.note(n);
    }

    private static double testEer(Run r) { return r.testBest() == null ? Double.NaN : r.testBest().eer(); }

    /** What stands behind the test figures: the list's counts and speakers. */
    private String testBasis() {
        Optional<Run> any = res.runs().stream().filter(r -> r.testBest() != null).findFirst();
        if (any.isEmpty()) return "No run has test figures.";
        Run r = any.get();
        String speakers = r.scores() == null ? "" : " of " + r.scores().trials().speakerCount() + " speakers";
        return "Test list: " + Fmt.count(r.testBest().targets() + r.testBest().nonTargets()) + " trials (" + Fmt.count(r.testBest().targets())
                + " target, " + Fmt.count(r.testBest().nonTargets()) + " non-target)" + speakers + ", scored once per run after training.";
    }

    private String seedsText() {
        return res.seeds().size() + " seed" + (res.seeds().size() == 1 ? "" : "s") + " " + res.seeds();
    }

    /** The cost parameters of minDCF, stated wherever it is printed. */
    static final String DCF = "minDCF: the normalised detection cost (C_miss = C_fa = 1, divided by min(P_target, 1 − P_target)) at the "
            + "threshold that minimises it, at P_target 0.05 (3 decimals) and 0.01 (2 decimals: one false alarm among N non-target trials moves it by "
            + "(1 − P_target)/(P_target·N), 0.033 at N = 3,000). ";

    /** Decimals of minDCF at a target prior: coarse at 0.01, where one false alarm is a large step. */
    static int dcfDecimals(double pTarget) {
        return pTarget < 0.03 ? 2 : 3;
    }

    /** How many seeds selected their last epoch, over how many (the "nothing converged" check). */
    int selectedAtLast(List<Run> runs) {
        return (int) runs.stream().filter(x -> x.testBest() != null && x.testBest().epoch() == x.lastEpoch()).count();
    }

    public Table summary() {
        Table t = new Table("summary", "Performance summary (test list)", "lrlrrrlrrlr", "Experiment", "Parameters", "KD loss", "α", "Epochs",
                "Test EER (%)", "95% CI (%)", "minDCF 0.05", "minDCF 0.01", "Selected epochs", "Val EER (%)");
        t.caption("Each arm trained with " + seedsText() + " (profile " + res.profile() + "). The checkpoint of each run is selected on the "
                + "validation list (best validation EER); test figures are mean ± sd over seeds. The 95% CI is that of the seed mean from a bootstrap "
                + "over test speakers (" + res.resamples() + " resamples) with the seeds held fixed: it does not include the seed-to-seed spread, "
                + "which the ± sd shows. " + testBasis() + " Epochs: the epochs each run trained (its budget). " + DCF
                + "Arms whose test scores are identical to the bit at every seed share one row (≡).");
        for (String e : shown(ALL)) {
            Optional<Arm> o = res.get(e);
            if (o.isEmpty()) {
                t.row(notRun(e, 11));
                continue;
            }
            Arm a = o.get();
            Run r = a.first();
            Compare.ArmFigure f = cmp.test(a, Metric.EER);
            t.row(name(e), Fmt.count(r.parameters()), r.kdLoss(), alpha(a), epochs(a), Fmt.pctMeanSd(f.summary()),
                    Fmt.ci(f.speakers95()), Fmt.meanSd(a.summary(x -> x.testBest() == null ? Double.NaN : x.testBest().minDcf05()), dcfDecimals(0.05)),
                    Fmt.meanSd(a.summary(x -> x.testBest() == null ? Double.NaN : x.testBest().minDcf01()), dcfDecimals(0.01)),
                    a.runs().stream().map(x -> x.testBest() == null ? Fmt.NA : x.testBest().epoch() + "/" + x.lastEpoch()).collect(Collectors.joining(", ")),
                    Fmt.pctMeanSd(a.summary(x -> x.valBest() == null ? Double.NaN : x.valBest().eer())));
        }
        int last = selectedAtLast(res.runs()), all = res.runs().size();
        t.note("Selected epochs: selected/last epoch of each seed, in seed order. " + last + " of " + all + " runs were selected at their last epoch"
                + (last == all && all > 0 ? " (each run's best validation EER came at its last epoch: none reached a plateau, and selection never chose an earlier checkpoint)." : "."));
        return t;
    }

    /** The epochs an arm's runs trained: "7", or "5–7" when seeds differ. */
    static String epochs(Arm a) {
        int lo = a.runs().stream().mapToInt(Run::lastEpoch).min().orElse(0), hi = a.runs().stream().mapToInt(Run::lastEpoch).max().orElse(0);
        return lo == hi ? Integer.toString(hi) : lo + "–" + hi;
    }

    /** Every run's own test figures: what the means above are made of. */
    public Table perSeed() {
        Table t = new Table("per-seed", "Test figures of every run", "lrlrlrrrr", "Experiment", "Seed", "Run", "Test EER (%)", "95% CI (%)",
                "minDCF 0.05", "minDCF 0.01", "Selected epoch", "Val EER (%)");
        t.caption("One row per run; the interval of each run is from the bootstrap over test speakers. Run ids refer to results/ledger.jsonl "
                + "(≡: runs of identical arms, same scores). " + DCF);
        for (Arm a : res.present()) {
            if (folded(a.experiment())) continue;
            for (Run r : a.runs()) {
                Run.Metrics m = r.testBest();
                StringBuilder ids = new StringBuilder(r.id());
                for (Arm b : res.present()) if (cmp.identical(a.experiment(), b.experiment())) ids.append(" ≡ ").append(b.run(r.seed()).id());
                t.row(name(a.experiment()), Long.toString(r.seed()), ids.toString(), m == null ? Fmt.NA : Fmt.pct(m.eer()), Fmt.ci(m),
                        m == null ? Fmt.NA : Fmt.fixed(m.minDcf05(), dcfDecimals(0.05)), m == null ? Fmt.NA : Fmt.fixed(m.minDcf01(), dcfDecimals(0.01)),
                        m == null ? Fmt.NA : Integer.toString(m.epoch()),
                        r.valBest() == null ? Fmt.NA : Fmt.pct(r.valBest().eer()));
            }
        }
        return t;
    }

    public Table trajectory(String e) {
        Optional<Arm> o = res.get(e);
        List<Long> seeds = o.map(Arm::seeds).orElse(List.of());
        String[] header = new String[4 + seeds.size()];
        header[0] = "Epoch";
        header[1] = "LR";
        header[2] = "Loss (mean)";
        header[3] = "Train top-1 (%, mean)";
        for (int i = 0; i < seeds.size(); i++) header[4 + i] = "Val EER seed " + seeds.get(i) + " (%)";
        Table t = new Table("trajectory-" + e, "Validation trajectory: " + e, "r".repeat(header.length), header);
        if (o.isEmpty()) return t.caption(e + " (" + originalName(e) + "): not run under profile " + res.profile() + ".");
        Arm a = o.get();
        int lo = a.runs().stream().mapToInt(Run::lastEpoch).min().orElse(0), hi = a.runs().stream().mapToInt(Run::lastEpoch).max().orElse(0);
        t.caption(name(e) + " (" + originalName(e) + "): every validated epoch of every seed; loss and training top-1 accuracy are means over the "
                + "seeds that trained that epoch" + (lo == hi ? " (every seed trained all " + hi + " epochs: early stopping never fired)"
                        : " (early stopping ended seeds between epochs " + lo + " and " + hi + ")")
                + ". " + TOP1 + "Selected epochs: "
                + a.runs().stream().map(r -> "seed " + r.seed() + " → " + (r.valBest() == null ? Fmt.NA : r.valBest().epoch())).collect(Collectors.joining(", ")) + ".");
        TreeSet<Integer> epochs = new TreeSet<>();
        for (Run r : a.runs()) for (Run.Epoch ep : r.history()) if (ep.validation().isPresent()) epochs.add(ep.epoch());
        for (int n : epochs) {
            String[] row = new String[header.length];
            row[0] = Integer.toString(n);
            List<Run.Epoch> at = a.runs().stream().map(r -> r.epoch(n)).flatMap(Optional::stream).toList();
            row[1] = at.isEmpty() ? "" : Fmt.sig(at.get(0).lr());
            row[2] = Fmt.fixed(at.stream().mapToDouble(Run.Epoch::loss).average().orElse(Double.NaN), 4);
            row[3] = Fmt.fixed(at.stream().mapToDouble(Run.Epoch::accuracy).average().orElse(Double.NaN), 2);
            for (int i = 0; i < seeds.size(); i++) {
                Optional<Run.Epoch> ep = a.runs().get(i).epoch(n);
                row[4 + i] = ep.flatMap(Run.Epoch::validation).map(v -> Fmt.pct(v.eer())).orElse("");
            }
            t.row(row);
        }
        return t;
    }

    /** What the training accuracy is, wherever it is printed. */
    static final String TOP1 = "Training top-1 is the share of training crops whose highest logit is their own speaker's, computed on the "
            + "margin-penalised AAM-softmax logits (the target logit is cos(θ + m)·s) over all training speakers: it stays near 0 while the "
            + "margin exceeds the angular gap and says little about verification. ";

    /** One column per experiment that ran: the mean over seeds of a per-epoch figure, one row per epoch any seed recorded. */
    private Table perEpoch(String id, String title, List<String> experiments, ToDoubleFunction<Run.Epoch> value, boolean validatedOnly,
                           java.util.function.DoubleFunction<String> fmt) {
        List<Arm> arms = shown(experiments).stream().map(res::get).flatMap(Optional::stream).toList();
        String[] header = new String[arms.size() + 1];
        header[0] = "Epoch";
        for (int i = 0; i < arms.size(); i++) header[i + 1] = name(arms.get(i).experiment());
        Table t = new Table(id, title, "r".repeat(header.length), header);
        TreeSet<Integer> epochs = new TreeSet<>();
        for (Arm a : arms) for (Run r : a.runs()) for (Run.Epoch ep : r.history()) if (!validatedOnly || ep.validation().isPresent()) epochs.add(ep.epoch());
        for (int n : epochs) {
            String[] row = new String[header.length];
            row[0] = Integer.toString(n);
            for (int i = 0; i < arms.size(); i++) {
                double[] v = arms.get(i).runs().stream().map(r -> r.epoch(n)).flatMap(Optional::stream)
                        .filter(ep -> !validatedOnly || ep.validation().isPresent()).mapToDouble(value).toArray();
                row[i + 1] = v.length == 0 ? "" : fmt.apply(SeedStats.summary(v).mean()) + (v.length < arms.get(i).runs().size() ? " (" + v.length + ")" : "");
            }
            t.row(row);
        }
        if (arms.isEmpty()) t.note("No experiment of this table was run under profile " + res.profile() + ".");
        return withNotRun(t, experiments);
    }

    public Table trajectoryComparison() {
        return perEpoch("trajectory-comparison", "Trajectory comparison (validation EER, %, mean over seeds)", ALL,
                ep -> ep.validation().get().eer(), true, Fmt::pct)
                .caption("Validation EER (%) per epoch, mean over the seeds that validated it; '(k)' marks an epoch only k seeds reached.");
    }

    private static final List<String> KD = List.of(V1, RESCALED, V2, LARGE, LOWALPHA, AUG);

    public Table kdLossComparison() {
        return perEpoch("kd-loss-comparison", "Distillation-loss comparison (L_kd per epoch, mean over seeds)", KD, Run.Epoch::lossKd, false, Fmt::sig)
                .caption("Mean distillation loss L_kd per training epoch. The mse loss is (2 − 2cos)/(D·τ²) per sample (D the embedding size), hence tiny by construction.");
    }

    public Table lossBreakdown() {
        Table t = new Table("loss-breakdown", "Combined-loss breakdown", "llrrrrrrrr", "Experiment", "Point", "α", "L_cls", "L_kd",
                "(1−α)·L_cls", "α·L_kd", "Combined", "KD share of loss (%)", "KD share of gradient (%)");
        t.caption("total = (1 − α)·L_cls + α·L_kd at each seed's selected and last epochs, means over seeds. The KD share of the gradient is "
                + "‖∂(α·L_kd)/∂e‖ / (‖∂((1−α)·L_cls)/∂e‖ + ‖∂(α·L_kd)/∂e‖) at the embedding e, as recorded in training.");
        for (String e : shown(KD)) {
            Optional<Arm> o = res.get(e);
            if (o.isEmpty()) {
                t.row(notRun(e, 10));
                continue;
            }
            Arm a = o.get();
            double al = a.first().alpha();
            for (boolean selected : new boolean[] {true, false}) {
                List<Run.Epoch> at = a.runs().stream().map(r -> r.epoch(selected && r.valBest() != null ? r.valBest().epoch() : r.lastEpoch()))
                        .flatMap(Optional::stream).toList();
                if (at.isEmpty()) continue;
                ToDoubleFunction<ToDoubleFunction<Run.Epoch>> mean = f -> at.stream().mapToDouble(f).average().orElse(Double.NaN);
                t.row(name(e), selected ? "selected" : "last", Fmt.fixed(al, 1), Fmt.sig(mean.applyAsDouble(Run.Epoch::lossCls)), Fmt.sig(mean.applyAsDouble(Run.Epoch::lossKd)),
                        Fmt.sig((1 - al) * mean.applyAsDouble(Run.Epoch::lossCls)), Fmt.sig(al * mean.applyAsDouble(Run.Epoch::lossKd)),
                        Fmt.sig(mean.applyAsDouble(Run.Epoch::loss)), Fmt.pct(mean.applyAsDouble(Run.Epoch::kdLossShare)),
                        Fmt.pct(mean.applyAsDouble(Run.Epoch::kdGradShare)));
            }
        }
        return t;
    }

    private List<Arm> tested() {
        return res.present().stream().filter(a -> a.summary(Tables::testEer) != null).toList();
    }

    private static List<Arm> ranked(List<Arm> arms, Comparator<Arm> by) {
        List<Arm> l = new ArrayList<>(arms);
        l.sort(by.thenComparing(a -> ALL.indexOf(a.experiment())).thenComparing(Arm::experiment));
        return l;
    }

    private static double meanTestEer(Arm a) { return a.summary(Tables::testEer).mean(); }

    public Table rankingByEer() {
        Table t = new Table("ranking-eer", "Ranking by test EER", "rlrlrl", "Rank", "Experiment", "Test EER (%)", "95% CI (%)", "vs rank 1 (points)",
                "Verdict vs rank 1");
        t.caption("Lower is better; mean over seeds. Each arm is compared with the best arm, paired by seed (the verdict rules of the hypothesis table): "
                + "a rank is only meaningful where the verdict says so. Identical arms (≡) are one row, not two ranks.");
        List<Arm> l = ranked(tested().stream().filter(a -> !folded(a.experiment())).toList(), Comparator.comparingDouble(Tables::meanTestEer));
        for (int i = 0; i < l.size(); i++) {
            Arm a = l.get(i);
            Compare.Comparison c = i == 0 ? null : cmp.compare(a.experiment(), l.get(0).experiment());
            t.row(Integer.toString(i + 1), name(a.experiment()), Fmt.pctMeanSd(a.summary(Tables::testEer)), Fmt.ci(cmp.test(a, Metric.EER).speakers95()),
                    c == null ? "–" : Fmt.points(c.difference()), c == null ? "–" : c.decision().verdict().label);
        }
        return withNotRun(t, ALL);
    }

    /** The columns every paired comparison prints. */
    private static String[] comparisonCells(Compare.Comparison c) {
        return new String[] {Integer.toString(c.seeds().size()), Fmt.pct(c.meanA()), Fmt.pct(c.meanB()), Fmt.points(c.difference()), Fmt.pointsCi(c.speakers95()),
                Fmt.pointsCi(c.seeds95())};
    }

    private static final String PAIRED = "Differences are paired by seed (same seed: same data order, crops and teacher); "
            + "'CI speakers' is the 95% interval of the seed-mean difference from a bootstrap over test speakers, 'CI seeds' the Student-t interval over seeds. ";

    public Table gapFromTeacher() {
        Table t = new Table("gap-from-teacher", "Gap from teacher (test EER)", "lrrrrllrl", "Student", "Seeds", "Student EER (%)", "Teacher EER (%)",
                "Gap (points)", "CI speakers", "CI seeds", "Gap (relative, %)", "Verdict (student vs teacher)");
        t.caption(PAIRED + "Gap = student − teacher; relative gap = gap / teacher EER.");
        for (String e : shown(ALL)) {
            if (e.equals(TEACHER)) continue;
            if (res.get(e).isEmpty()) {
                t.row(notRun(e, 9));
                continue;
            }
            Compare.Comparison c = cmp.compare(e, TEACHER);
            String[] cells = comparisonCells(c);
            t.row(name(e), cells[0], cells[1], cells[2], cells[3], cells[4], cells[5], c.meanB() > 0 ? Fmt.fixed(100 * c.difference() / c.meanB(), 1) : Fmt.NA,
                    c.ok() ? c.decision().verdict().label : c.problem());
        }
        return t;
    }

    public Table kdEffectiveness() {
        Table t = new Table("kd-effectiveness", "Distillation effectiveness (vs the no-teacher control)", "llllrrrrlll", "Student", "Control", "KD loss", "α",
                "Seeds", "Student EER (%)", "Control EER (%)", "Difference (points)", "CI speakers", "CI seeds", "KD helps?");
        t.caption(PAIRED + "Each distilled student against the student of the same size trained on the same data without a teacher (α 0), the control "
                + "the original lacked. Difference = student − control; negative means distillation lowered the EER. 'KD helps?' applies the verdict rules. "
                + AUG + " differs from its control in augmentation too (ablation 6 isolates that).");
        for (String e : shown(KD)) {
            String c = control(e);
            if (res.get(e).isEmpty() || res.get(c).isEmpty()) {
                String[] row = notRun(e, 11);
                row[1] = c;
                row[10] = Fmt.NOT_RUN + ": " + (res.get(e).isEmpty() ? e : c);
                t.row(row);
                continue;
            }
            Compare.Comparison k = cmp.compare(e, c);
            String[] cells = comparisonCells(k);
            Arm a = res.get(e).get();
            t.row(name(e), c, a.first().kdLoss(), alpha(a), cells[0], cells[1], cells[2], cells[3], cells[4], cells[5],
                    Hypotheses.shortVerdict(Hypotheses.verdict(Hypotheses.Kind.BETTER, k, res.margin())));
        }
        return t;
    }

    public Table trainingEfficiency() {
        Table t = new Table("training-efficiency", "Training cost", "lrrrrr", "Experiment", "Epochs (mean)", "Selected epoch (mean)", "Seconds to selected",
                "Total seconds", "Seconds/epoch");
        t.caption("Wall-clock training time from the ledger, means over seeds (total includes validation, the final test scoring and setup); "
                + "seconds to selected sums the epoch times up to the selected epoch. The runs of a reproduction share the machine's cores with "
                + "each other, so these are the costs of this reproduction, not speed measurements of the models (no speed ranking is made).");
        for (String e : shown(ALL)) {
            Optional<Arm> o = res.get(e);
            if (o.isEmpty()) {
                t.row(notRun(e, 6));
                continue;
            }
            Arm a = o.get();
            ToDoubleFunction<Run> sel = r -> r.valBest() == null ? r.lastEpoch() : r.valBest().epoch();
            t.row(name(e), Fmt.fixed(a.summary(r -> r.epochs()).mean(), 1), Fmt.fixed(a.summary(sel).mean(), 1),
                    Fmt.fixed(a.summary(r -> r.secondsThrough((int) sel.applyAsDouble(r))).mean(), 1), Fmt.fixed(a.summary(Run::seconds).mean(), 1),
                    Fmt.fixed(a.summary(r -> r.epochs() > 0 ? r.secondsThrough(Integer.MAX_VALUE) / r.epochs() : Double.NaN).mean(), 2));
        }
        return t;
    }

    /**
     * The mse identity: mse on unit vectors is (2 − 2cos)/(D·τ²) per sample, so D·τ²/2 · mse is the cosine loss, value and
     * gradient. The rescaled-mse arm and the cosine arm share α, seed, data order, crops and dropout masks: their
     * trajectories may differ only by float rounding (amplified over many steps by the chaotic dynamics of training).
     */
    public Table identity() {
        Table t = new Table("mse-identity", "The mse identity: mse × D·τ²/2 vs cosine, epoch by epoch", "rrrrrrrrr", "Seed", "Epoch", "Loss (mse×D·τ²/2)",
                "Loss (cosine)", "Rel. difference", "L_kd (mse×D·τ²/2)", "L_kd (cosine)", "Val EER mse×D·τ²/2 (%)", "Val EER cosine (%)");
        t.caption("For unit-length embeddings s and t, the mean over D dimensions of (s/τ − t/τ)² is (2 − 2cos)/(D·τ²) per sample; multiplied by D·τ²/2 it is 1 − cos, "
                + "the cosine loss (value and gradient). Both arms share α, seed, data order, crops and dropout masks, so their trajectories differ only by "
                + "float rounding, which training amplifies over many steps" + (cmp.identical(RESCALED, V2) ? " (here: none; every row and the test scores "
                + "agree to the bit, because the factor is a power of two)" : "") + ". Relative to the cosine loss the mse term is therefore 2/(D·τ²): "
                + "1/4,096 at the original's D = 512, τ = 4" + scaleHere() + ". V1's mse was cosine KD weakened by that factor, not a loss of the wrong shape.");
        Optional<Arm> r = res.get(RESCALED), c = res.get(V2);
        if (r.isEmpty() || c.isEmpty()) return t.note(Fmt.NOT_RUN + ": " + (r.isEmpty() ? RESCALED : V2) + ".");
        for (Run a : r.get().runs()) {
            Run b = c.get().run(a.seed());
            if (b == null) continue;
            for (Run.Epoch x : a.history()) {
                Optional<Run.Epoch> y = b.epoch(x.epoch());
                if (y.isEmpty()) continue;
                double rel = Math.abs(x.loss() - y.get().loss()) / Math.max(Math.abs(y.get().loss()), 1e-30);
                t.row(Long.toString(a.seed()), Integer.toString(x.epoch()), Fmt.sig(x.loss()), Fmt.sig(y.get().loss()), String.format(java.util.Locale.ROOT, "%.1e", rel),
                        Fmt.sig(x.lossKd()), Fmt.sig(y.get().lossKd()), x.validation().map(v -> Fmt.pct(v.eer())).orElse(""),
                        y.get().validation().map(v -> Fmt.pct(v.eer())).orElse(""));
            }
        }
        return t;
    }

    /** ", and 1/1,024 at this profile's D = 128, τ = 4" from the V1 arm's configuration ("" without it). */
    private String scaleHere() {
        Optional<Arm> v1 = res.get(V1).or(() -> res.get(RESCALED));
        if (v1.isEmpty()) return "";
        int d = res.config(v1.get().experiment()).path("model").path("embedding").asInt(0);
        double tau = v1.get().first().tau();
        if (d <= 0 || tau <= 0) return "";
        return ", and 1/" + Fmt.count(Math.round(d * tau * tau / 2)) + " at this profile's D = " + d + ", τ = " + Fmt.sig(tau);
    }

    public Table hypotheses() {
        Table t = new Table("hypotheses", "Hypothesis validation", "llrllll", "Statement", "A vs B", "A − B (points)",
                "CI speakers", "CI seeds", "Original's claim", "Verdict");
        t.caption(PAIRED + "Verdicts: 'A better than B' is supported only when both 95% intervals lie below 0; 'A ≈ B' only by an equivalence test "
                + "(both 90% intervals inside ±" + Fmt.fixed(100 * res.margin(), 2) + " EER points, the margin the profile declares"
                + (res.margin() == 0 ? " — none, so no equivalence is claimed" : "") + "); otherwise inconclusive. Test list EER at the selected checkpoints; "
                + "every comparison uses the seeds both arms ran (" + res.seeds().size() + " declared).");
        for (Hypotheses.Hypothesis h : Hypotheses.ALL) {
            Compare.Comparison c = cmp.compare(h.a(), h.b());
            String[] cells = comparisonCells(c);
            t.row(h.statement(), h.a() + " vs " + h.b(), cells[3], cells[4], cells[5], orig.claim(h.key()),
                    c.ok() && cmp.identical(h.a(), h.b()) ? "identical" : Hypotheses.shortVerdict(Hypotheses.verdict(h.kind(), c, res.margin())));
        }
        return t;
    }

    /** An ablation: its arms; the first arm is the reference the others are compared with. */
    public record Ablation(int number, String title, List<String> arms, String note) {}

    public static final List<Ablation> ABLATIONS = List.of(
            new Ablation(1, "distillation loss type and scale (mse, mse × D·τ²/2, cosine; small student)", List.of(V1, RESCALED, V2),
                    "As in the original, V1 also differs in α (0.5 vs 0.7); the rescaled mse shares V2's α, so it isolates the loss's scale. "
                            + "Unlike the original, every arm shares the same data."),
            new Ablation(2, "distillation weight α 0.7 vs 0.4 (large student)", List.of(LARGE, LOWALPHA),
                    "The original's ablation 4; its ablation 2 (α for the small student) was confounded with the loss type and is covered by ablation 1."),
            new Ablation(3, "capacity small vs large (cosine, α 0.7)", List.of(V2, LARGE), "Same data for both arms (the original trained them on different sets)."),
            new Ablation(4, "teacher vs no teacher (small student)", List.of(NOKD, V1, V2), "The control the original lacked."),
            new Ablation(5, "teacher vs no teacher (large student)", List.of(LARGE_NOKD, LARGE, LOWALPHA),
                    "The control the original lacked; replaces the original's ablation 5 (data-set size), since every arm here uses the same data."),
            new Ablation(6, "augmentation (small student, cosine KD α 0.7)", List.of(V2, AUG),
                    "New (the original proposed it as future work): MUSAN-style noise, babble, music and reverberation, then SpecAugment; "
                            + "same data, teacher and schedule otherwise."));

    public List<Table> ablations() {
        List<Table> l = new ArrayList<>();
        for (Ablation a : ABLATIONS) l.add(ablation(a));
        return l;
    }

    public Table ablation(Ablation ab) {
        String ref = ab.arms().get(0);
        Table t = new Table("ablation-" + ab.number(), "Ablation " + ab.number() + ": " + ab.title(), "lllrrrrrlll", "Experiment", "Model", "KD loss", "α",
                "Parameters", "Test EER (%)", "minDCF 0.05", "Δ EER vs " + ref + " (points)", "CI speakers", "CI seeds", "Verdict vs " + ref);
        t.caption(ab.note() + " " + PAIRED);
        for (String e : ab.arms()) {
            if (folded(e) && ab.arms().contains(representative(e))) continue;
            Optional<Arm> o = res.get(e);
            if (o.isEmpty()) {
                t.row(notRun(e, 11));
                continue;
            }
            Arm a = o.get();
            Run r = a.first();
            boolean isRef = e.equals(ref);
            Compare.Comparison c = isRef ? null : cmp.compare(e, ref);
            t.row(name(e), r.model(), r.kdLoss(), alpha(a), Fmt.count(r.parameters()), Fmt.pctMeanSd(a.summary(Tables::testEer)),
                    Fmt.meanSd(a.summary(x -> x.testBest() == null ? Double.NaN : x.testBest().minDcf05()), dcfDecimals(0.05)),
                    isRef ? "–" : Fmt.points(c.difference()), isRef ? "–" : Fmt.pointsCi(c.speakers95()), isRef ? "–" : Fmt.pointsCi(c.seeds95()),
                    isRef ? "reference" : c.ok() ? c.decision().verdict().label : c.problem());
        }
        return t;
    }

    public Table originalVsReproduced() {
        Table t = new Table("original-vs-reproduced", "Reported in the original vs reproduced here", "lllrrrrlr", "Experiment", "Original name",
                "Original α", "Original params", "Original best EER (%)", "Original params/ teacher",
                "Reproduced test EER (%)", "Reproduced 95% CI (%)", "Reproduced params/ teacher");
        long origTeacher = orig.get(TEACHER).map(Original.Row::parameters).orElse(0L);
        long teacher = res.get(TEACHER).map(a -> a.first().parameters()).orElse(0L);
        t.caption("Original numbers from the seed report (src/main/resources/report/original-results.json names the section of each; selected and "
                + "reported on the same list of " + orig.nonTargetTrials() + " non-target trials, one seed, no intervals); reproduced numbers from profile "
                + res.profile() + " (test list, mean over seeds). Parameters as the original printed them (its teacher only to three significant "
                + "digits, so its ratios to the teacher are approximate). The original trained paper-sized models on VoxCeleb; this profile trains "
                + "scaled models on the corpus of the setup section, so absolute EERs are not comparable across the two; what can be compared is "
                + "the direction of the paired differences.");
        for (String e : shown(ALL)) {
            Optional<Original.Row> o = orig.get(e);
            Optional<Arm> r = res.get(e);
            String[] row = new String[9];
            row[0] = name(e);
            row[1] = o.map(Original.Row::name).orElse("(not in the original)");
            row[2] = o.map(x -> Double.isNaN(x.alpha()) ? "–" : Fmt.fixed(x.alpha(), 1)).orElse("–");
            row[3] = o.map(x -> orig.parametersPrinted(e)).orElse("–");
            row[4] = o.map(x -> Fmt.fixed(x.bestEer(), 2)).orElse("–");
            row[5] = o.map(x -> origTeacher > 0 ? "≈" + Fmt.fixed((double) x.parameters() / origTeacher, 2) : Fmt.NA).orElse("–");
            row[6] = r.map(a -> Fmt.pctMeanSd(a.summary(Tables::testEer))).orElse(Fmt.NOT_RUN);
            row[7] = r.map(a -> Fmt.ci(cmp.test(a, Metric.EER).speakers95())).orElse("");
            row[8] = r.map(a -> teacher > 0 ? Fmt.fixed((double) a.first().parameters() / teacher, 2) : Fmt.NA).orElse("");
            t.row(row);
        }
        return t;
    }
}
