package org.voxkd.report;

import static org.voxkd.report.Experiments.*;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

/** Every table of the report, one method each, built from the results (and, for one table, the original's claims). */
public final class Tables {
    private final Results res;
    private final Original orig;

    public Tables(Results res, Original orig) {
        this.res = res;
        this.orig = orig;
    }

    /** All tables in report order. */
    public List<Table> all() {
        List<Table> l = new ArrayList<>();
        l.add(summary());
        for (String e : ALL) l.add(trajectory(e));
        l.add(trajectoryComparison());
        l.add(kdLossComparison());
        l.add(lossBreakdown());
        l.add(rankingByEer());
        l.add(rankingByEfficiency());
        l.add(rankingBySpeed());
        l.add(gapFromTeacher());
        l.add(kdEffectiveness());
        l.add(trainingEfficiency());
        l.add(hypotheses());
        l.addAll(ablations());
        l.add(originalVsReproduced());
        return l;
    }

    private static String[] notRun(String experiment, int columns) {
        String[] r = new String[columns];
        java.util.Arrays.fill(r, "");
        r[0] = experiment;
        r[1] = Fmt.NOT_RUN;
        return r;
    }

    private static String alpha(Run r) {
        return r.distills() ? Fmt.fixed(r.alpha(), 1) : "–";
    }

    private static String eer(Run.Metrics m) {
        return m == null ? Fmt.NA : Fmt.pct(m.eer());
    }

    private String notRunNote(List<String> experiments) {
        List<String> missing = experiments.stream().filter(e -> res.get(e).isEmpty()).toList();
        return missing.isEmpty() ? null : "Not run under profile " + res.profile() + ": " + String.join(", ", missing) + ".";
    }

    private Table withNotRun(Table t, List<String> experiments) {
        String n = notRunNote(experiments);
        return n == null ? t : t.note(n);
    }

    public Table summary() {
        Table t = new Table("summary", "Performance summary", "lllrrrlrrrrrr", "Experiment", "Model", "KD loss", "α", "Parameters",
                "Best EER (%)", "95% CI (%)", "minDCF 0.05", "minDCF 0.01", "Best epoch", "Final EER (%)", "Target trials", "Non-target trials");
        t.caption("Best validation epoch of each experiment (profile " + res.profile() + "); EER with its 95% confidence interval, "
                + "minDCF at P_target 0.05 and 0.01, and the trial counts behind them. Final EER is the last validated epoch.");
        for (String e : ALL) {
            Optional<Run> o = res.get(e);
            if (o.isEmpty()) {
                t.row(notRun(e, 13));
                continue;
            }
            Run r = o.get();
            Run.Metrics b = r.best();
            t.row(e, r.model(), r.kdLoss(), alpha(r), Fmt.count(r.parameters()), eer(b), Fmt.ci(b),
                    b == null ? Fmt.NA : Fmt.fixed(b.minDcf05(), 4), b == null ? Fmt.NA : Fmt.fixed(b.minDcf01(), 4),
                    b == null ? Fmt.NA : Integer.toString(b.epoch()), eer(r.last()),
                    b == null ? Fmt.NA : Fmt.count(b.targets()), b == null ? Fmt.NA : Fmt.count(b.nonTargets()));
        }
        return t;
    }

    public Table trajectory(String e) {
        Table t = new Table("trajectory-" + e, "Validation trajectory: " + e, "rrrrrlrr", "Epoch", "LR", "Loss", "Train acc (%)", "EER (%)",
                "95% CI (%)", "minDCF 0.05", "minDCF 0.01");
        Optional<Run> o = res.get(e);
        if (o.isEmpty()) {
            return t.caption(e + " (" + originalName(e) + "): not run under profile " + res.profile() + ".").row("–", Fmt.NOT_RUN, "", "", "", "", "", "");
        }
        Run r = o.get();
        t.caption(e + " (" + originalName(e) + ", run " + r.id() + "): every validated epoch; best epoch "
                + (r.best() == null ? Fmt.NA : r.best().epoch()) + ".");
        for (Run.Epoch ep : r.history()) {
            if (ep.validation().isEmpty()) continue;
            Run.Metrics m = ep.validation().get();
            t.row(Integer.toString(ep.epoch()), Fmt.sig(ep.lr()), Fmt.fixed(ep.loss(), 4), Fmt.fixed(ep.accuracy(), 2), Fmt.pct(m.eer()), Fmt.ci(m),
                    Fmt.fixed(m.minDcf05(), 4), Fmt.fixed(m.minDcf01(), 4));
        }
        return t;
    }

    /** One column per experiment that ran, one row per epoch recorded by any of them. */
    private Table perEpoch(String id, String title, List<String> experiments, ToDoubleFunction<Run.Epoch> value, boolean validatedOnly,
                           java.util.function.DoubleFunction<String> fmt) {
        List<Run> runs = experiments.stream().map(res::get).flatMap(Optional::stream).toList();
        String[] header = new String[runs.size() + 1];
        header[0] = "Epoch";
        for (int i = 0; i < runs.size(); i++) header[i + 1] = runs.get(i).experiment();
        Table t = new Table(id, title, "r".repeat(header.length), header);
        TreeSet<Integer> epochs = new TreeSet<>();
        for (Run r : runs) for (Run.Epoch ep : r.history()) if (!validatedOnly || ep.validation().isPresent()) epochs.add(ep.epoch());
        for (int n : epochs) {
            String[] row = new String[header.length];
            row[0] = Integer.toString(n);
            for (int i = 0; i < runs.size(); i++) {
                Optional<Run.Epoch> ep = runs.get(i).epoch(n);
                row[i + 1] = ep.isEmpty() || (validatedOnly && ep.get().validation().isEmpty()) ? "" : fmt.apply(value.applyAsDouble(ep.get()));
            }
            t.row(row);
        }
        if (runs.isEmpty()) t.note("No experiment of this table was run under profile " + res.profile() + ".");
        return withNotRun(t, experiments);
    }

    public Table trajectoryComparison() {
        return perEpoch("trajectory-comparison", "Trajectory comparison (validation EER, %)", ALL,
                ep -> ep.validation().get().eer(), true, Fmt::pct)
                .caption("Validation EER (%) per epoch, side by side; empty where an experiment did not validate that epoch.");
    }

    private static final List<String> KD = List.of(V1, V2, LARGE, LOWALPHA);

    public Table kdLossComparison() {
        return perEpoch("kd-loss-comparison", "Distillation-loss comparison (L_kd per epoch)", KD, Run.Epoch::lossKd, false, Fmt::sig)
                .caption("Mean distillation loss L_kd per training epoch. The mse loss is (2 − 2cos)/(512·τ²) per sample, hence tiny by construction.");
    }

    public Table lossBreakdown() {
        Table t = new Table("loss-breakdown", "Combined-loss breakdown", "llrrrrrrrr", "Experiment", "Point", "α", "L_cls", "L_kd",
                "(1−α)·L_cls", "α·L_kd", "Combined", "KD share of loss (%)", "KD share of gradient (%)");
        t.caption("total = (1 − α)·L_cls + α·L_kd at the best and at the last epoch. The KD share of the gradient is "
                + "‖∂(α·L_kd)/∂e‖ / (‖∂((1−α)·L_cls)/∂e‖ + ‖∂(α·L_kd)/∂e‖) at the embedding e, as recorded in training.");
        for (String e : KD) {
            Optional<Run> o = res.get(e);
            if (o.isEmpty()) {
                t.row(notRun(e, 10));
                continue;
            }
            Run r = o.get();
            int last = r.history().isEmpty() ? -1 : r.history().get(r.history().size() - 1).epoch();
            int best = r.best() == null ? last : r.best().epoch();
            for (int n : best == last ? new int[] {best} : new int[] {best, last}) {
                Optional<Run.Epoch> ep = r.epoch(n);
                if (ep.isEmpty()) continue;
                Run.Epoch x = ep.get();
                String point = (n == best ? "best" : "") + (n == best && n == last ? ", " : "") + (n == last ? "last" : "") + " (epoch " + n + ")";
                t.row(e, point, Fmt.fixed(r.alpha(), 1), Fmt.sig(x.lossCls()), Fmt.sig(x.lossKd()), Fmt.sig((1 - r.alpha()) * x.lossCls()),
                        Fmt.sig(r.alpha() * x.lossKd()), Fmt.sig(x.loss()), Fmt.pct(x.kdLossShare()), Fmt.pct(x.kdGradShare()));
            }
        }
        return t;
    }

    private List<Run> validated() {
        return res.present().stream().filter(r -> r.best() != null).toList();
    }

    private static List<Run> ranked(List<Run> runs, Comparator<Run> by) {
        List<Run> l = new ArrayList<>(runs);
        l.sort(by.thenComparing(r -> ALL.indexOf(r.experiment())).thenComparing(Run::experiment));
        return l;
    }

    public Table rankingByEer() {
        Table t = new Table("ranking-eer", "Ranking by EER", "rlrll", "Rank", "Experiment", "Best EER (%)", "95% CI (%)", "Overlaps rank 1");
        t.caption("Lower is better. 'Overlaps rank 1': whether the 95% interval overlaps that of the best run (a tie within noise).");
        List<Run> l = ranked(validated(), Comparator.comparingDouble(r -> r.best().eer()));
        for (int i = 0; i < l.size(); i++) {
            Run r = l.get(i);
            t.row(Integer.toString(i + 1), r.experiment(), eer(r.best()), Fmt.ci(r.best()), i == 0 ? "–" : Fmt.yesNo(r.best().overlaps(l.get(0).best())));
        }
        return withNotRun(t, ALL);
    }

    /** Parameter efficiency: EER points below chance (50%) per million parameters; higher is better. */
    public static double efficiency(Run r) {
        return (50 - 100 * r.best().eer()) / (r.parameters() / 1e6);
    }

    public Table rankingByEfficiency() {
        Table t = new Table("ranking-efficiency", "Ranking by parameter efficiency", "rlrrr", "Rank", "Experiment", "Parameters", "Best EER (%)",
                "Efficiency (EER points below chance per M params)");
        t.caption("Efficiency = (50 − EER%) / (parameters in millions): how far below chance-level EER each million parameters takes the model; "
                + "higher is better. (The original's 'EER % per M params' is not used: it grows both with fewer parameters and with a worse EER.)");
        List<Run> l = ranked(validated().stream().filter(r -> r.parameters() > 0).toList(), Comparator.comparingDouble(r -> -efficiency(r)));
        for (int i = 0; i < l.size(); i++) {
            Run r = l.get(i);
            t.row(Integer.toString(i + 1), r.experiment(), Fmt.count(r.parameters()), eer(r.best()), Fmt.fixed(efficiency(r), 2));
        }
        return withNotRun(t, ALL);
    }

    public Table rankingBySpeed() {
        Table t = new Table("ranking-speed", "Ranking by speed", "rlrrr", "Rank", "Experiment", "Samples/s", "Parameters", "× teacher");
        t.caption("Mean training throughput over epochs (samples per second, forward and backward, plus the frozen teacher for KD runs); "
                + "the original reported inference speed instead.");
        Optional<Run> teacher = res.get(TEACHER);
        List<Run> l = ranked(res.present(), Comparator.comparingDouble(r -> -r.samplesPerSecond()));
        for (int i = 0; i < l.size(); i++) {
            Run r = l.get(i);
            String rel = teacher.map(tr -> tr.samplesPerSecond() > 0 ? Fmt.fixed(r.samplesPerSecond() / tr.samplesPerSecond(), 2) : Fmt.NA).orElse(Fmt.NA);
            t.row(Integer.toString(i + 1), r.experiment(), Fmt.fixed(r.samplesPerSecond(), 1), Fmt.count(r.parameters()), rel);
        }
        return withNotRun(t, ALL);
    }

    public Table gapFromTeacher() {
        Table t = new Table("gap-from-teacher", "Gap from teacher", "lrrrrl", "Student", "Best EER (%)", "Teacher EER (%)", "Gap (points)",
                "Gap (relative, %)", "Intervals overlap");
        Optional<Run.Metrics> teacher = res.get(TEACHER).map(Run::best);
        t.caption("Gap = student EER − teacher EER (percentage points); relative gap = gap / teacher EER.");
        for (String e : ALL) {
            if (e.equals(TEACHER)) continue;
            Optional<Run> o = res.get(e);
            if (o.isEmpty() || o.get().best() == null) {
                t.row(notRun(e, 6));
                continue;
            }
            Run.Metrics s = o.get().best();
            if (teacher.isEmpty()) {
                t.row(e, eer(s), Fmt.NOT_RUN, Fmt.NA, Fmt.NA, Fmt.NA);
                continue;
            }
            Run.Metrics tm = teacher.get();
            double gap = s.eer() - tm.eer();
            t.row(e, eer(s), eer(tm), Fmt.points(gap), tm.eer() > 0 ? Fmt.fixed(100 * gap / tm.eer(), 1) : Fmt.NA, Fmt.yesNo(s.overlaps(tm)));
        }
        return t;
    }

    public Table kdEffectiveness() {
        Table t = new Table("kd-effectiveness", "Distillation effectiveness (vs the no-teacher control)", "llllrlrlrll", "Student", "Control",
                "KD loss", "α", "Student EER (%)", "Student 95% CI", "Control EER (%)", "Control 95% CI", "Difference (points)",
                "Intervals overlap", "KD helps?");
        t.caption("Each distilled student against the student of the same size trained on the same data without a teacher (α 0), "
                + "the control the original lacked. Difference = student − control; negative means distillation lowered the EER.");
        for (String e : KD) {
            String c = control(e);
            Optional<Run> s = res.get(e), k = res.get(c);
            if (s.isEmpty() || k.isEmpty()) {
                String[] row = notRun(e, 11);
                row[1] = c;
                row[10] = Fmt.NOT_RUN + ": " + (s.isEmpty() ? e : c);
                t.row(row);
                continue;
            }
            Run.Metrics a = s.get().best(), b = k.get().best();
            t.row(e, c, s.get().kdLoss(), alpha(s.get()), eer(a), Fmt.ci(a), eer(b), Fmt.ci(b),
                    a == null || b == null ? Fmt.NA : Fmt.points(a.eer() - b.eer()), a == null || b == null ? Fmt.NA : Fmt.yesNo(a.overlaps(b)),
                    Hypotheses.verdict(Hypotheses.Kind.BETTER, a, b));
        }
        return t;
    }

    public Table trainingEfficiency() {
        Table t = new Table("training-efficiency", "Training efficiency", "lrrrrrr", "Experiment", "Epochs", "Best epoch", "Seconds to best",
                "Total seconds", "Seconds/epoch", "Samples/s");
        t.caption("Wall-clock training time from the ledger (total includes validation and setup); seconds to best sums the epoch times up to the best epoch.");
        for (String e : ALL) {
            Optional<Run> o = res.get(e);
            if (o.isEmpty()) {
                t.row(notRun(e, 7));
                continue;
            }
            Run r = o.get();
            int best = r.best() == null ? -1 : r.best().epoch();
            t.row(e, Integer.toString(r.epochs()), best < 0 ? Fmt.NA : Integer.toString(best), best < 0 ? Fmt.NA : Fmt.fixed(r.secondsThrough(best), 1),
                    Fmt.fixed(r.seconds(), 1), r.epochs() > 0 ? Fmt.fixed(r.secondsThrough(Integer.MAX_VALUE) / r.epochs(), 2) : Fmt.NA,
                    Fmt.fixed(r.samplesPerSecond(), 1));
        }
        return t;
    }

    public Table hypotheses() {
        Table t = new Table("hypotheses", "Hypothesis validation", "llrlrlrll", "Statement", "A vs B", "A EER (%)", "A 95% CI", "B EER (%)",
                "B 95% CI", "A − B (points)", "Original's claim", "Verdict");
        t.caption("The original's findings as statements about two runs. 'A better than B': supported when A's EER is lower and the 95% intervals "
                + "are disjoint, not supported when it is higher and they are disjoint, within noise when they overlap. 'A ≈ B': supported when the intervals overlap.");
        for (Hypotheses.Hypothesis h : Hypotheses.ALL) {
            Run.Metrics a = res.get(h.a()).map(Run::best).orElse(null), b = res.get(h.b()).map(Run::best).orElse(null);
            t.row(h.statement(), h.a() + " vs " + h.b(), a == null ? Fmt.NOT_RUN : eer(a), Fmt.ci(a), b == null ? Fmt.NOT_RUN : eer(b), Fmt.ci(b),
                    a == null || b == null ? Fmt.NA : Fmt.points(a.eer() - b.eer()), orig.claim(h.key()), Hypotheses.verdict(h.kind(), a, b));
        }
        return t;
    }

    /** An ablation: its arms; the first arm is the reference the others are compared with. */
    public record Ablation(int number, String title, List<String> arms, String note) {}

    public static final List<Ablation> ABLATIONS = List.of(
            new Ablation(1, "distillation loss type (mse vs cosine, small student)", List.of(V1, V2),
                    "As in the original, the arms also differ in α (0.5 vs 0.7); unlike the original they share the same data."),
            new Ablation(2, "distillation weight α 0.7 vs 0.4 (large student)", List.of(LARGE, LOWALPHA),
                    "The original's ablation 4; its ablation 2 (α for the small student) was confounded with the loss type and is covered by ablation 1."),
            new Ablation(3, "capacity small vs large (cosine, α 0.7)", List.of(V2, LARGE), "Same data for both arms (the original trained them on different sets)."),
            new Ablation(4, "teacher vs no teacher (small student)", List.of(NOKD, V1, V2), "The control the original lacked."),
            new Ablation(5, "teacher vs no teacher (large student)", List.of(LARGE_NOKD, LARGE, LOWALPHA),
                    "The control the original lacked; replaces the original's ablation 5 (data-set size), since every arm here uses the same data."));

    public List<Table> ablations() {
        List<Table> l = new ArrayList<>();
        for (Ablation a : ABLATIONS) l.add(ablation(a));
        return l;
    }

    public Table ablation(Ablation a) {
        Table t = new Table("ablation-" + a.number(), "Ablation " + a.number() + ": " + a.title(), "lllrrrlrrl", "Experiment", "Model",
                "KD loss", "α", "Parameters", "Best EER (%)", "95% CI (%)", "minDCF 0.01", "Δ EER vs " + a.arms().get(0) + " (points)",
                "Overlaps " + a.arms().get(0));
        t.caption(a.note());
        Run.Metrics ref = res.get(a.arms().get(0)).map(Run::best).orElse(null);
        for (String e : a.arms()) {
            Optional<Run> o = res.get(e);
            if (o.isEmpty()) {
                t.row(notRun(e, 10));
                continue;
            }
            Run r = o.get();
            Run.Metrics b = r.best();
            boolean both = b != null && ref != null;
            t.row(e, r.model(), r.kdLoss(), alpha(r), Fmt.count(r.parameters()), eer(b), Fmt.ci(b), b == null ? Fmt.NA : Fmt.fixed(b.minDcf01(), 4),
                    both ? Fmt.points(b.eer() - ref.eer()) : Fmt.NA, both ? (e.equals(a.arms().get(0)) ? "–" : Fmt.yesNo(b.overlaps(ref))) : Fmt.NA);
        }
        return t;
    }

    public Table originalVsReproduced() {
        Table t = new Table("original-vs-reproduced", "Reported in the original vs reproduced here", "lllrrrrrlrr", "Experiment", "Original name",
                "Original α", "Original params", "Original best EER (%)", "Original best epoch", "Original params/teacher",
                "Reproduced best EER (%)", "Reproduced 95% CI (%)", "Reproduced best epoch", "Reproduced params/teacher");
        long origTeacher = orig.get(TEACHER).map(Original.Row::parameters).orElse(0L);
        long teacher = res.get(TEACHER).map(Run::parameters).orElse(0L);
        t.caption("Original numbers from the seed report (src/main/resources/report/original-results.json names the section of each); "
                + "reproduced numbers from profile " + res.profile() + ". The original's list had " + orig.nonTargetTrials()
                + " non-target trials and no intervals; absolute EERs are comparable only on the paper profile, the rankings and verdicts on any.");
        for (String e : ALL) {
            Optional<Original.Row> o = orig.get(e);
            Optional<Run> r = res.get(e);
            String[] row = new String[11];
            row[0] = e;
            row[1] = o.map(Original.Row::name).orElse("(not in the original)");
            row[2] = o.map(x -> Double.isNaN(x.alpha()) ? "–" : Fmt.fixed(x.alpha(), 1)).orElse("–");
            row[3] = o.map(x -> Fmt.count(x.parameters())).orElse("–");
            row[4] = o.map(x -> Fmt.fixed(x.bestEer(), 2)).orElse("–");
            row[5] = o.map(x -> Integer.toString(x.bestEpoch())).orElse("–");
            row[6] = o.map(x -> origTeacher > 0 ? Fmt.fixed((double) x.parameters() / origTeacher, 2) : Fmt.NA).orElse("–");
            row[7] = r.map(x -> eer(x.best())).orElse(Fmt.NOT_RUN);
            row[8] = r.map(x -> Fmt.ci(x.best())).orElse("");
            row[9] = r.map(x -> x.best() == null ? Fmt.NA : Integer.toString(x.best().epoch())).orElse("");
            row[10] = r.map(x -> teacher > 0 ? Fmt.fixed((double) x.parameters() / teacher, 2) : Fmt.NA).orElse("");
            t.row(row);
        }
        return t;
    }
}
