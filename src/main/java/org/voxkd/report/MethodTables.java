package org.voxkd.report;

import static org.voxkd.report.Experiments.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.voxkd.distill.Terms;
import org.voxkd.stats.Interval;
import org.voxkd.stats.Metric;
import org.voxkd.stats.SeedStats;
import org.voxkd.stats.SpeakerBootstrap;

/**
 * The distillation-methods section of the report, for profiles whose arms go beyond the seed's single cosine/mse term:
 * <ul>
 * <li><b>methods</b>: every method arm's test EER and minDCF (mean ± sd over seeds) and its paired difference to plain
 *     cosine KD and to no KD of the same size, with the intervals and verdicts of {@link Compare};</li>
 * <li><b>methods-gradient</b>: how much of the loss and of the gradient the distillation terms carry — at the terms'
 *     taps and at the student's parameters;</li>
 * <li><b>alpha-capacity</b> and its figure: for plain cosine KD at several capacity ratios r (student/teacher parameters)
 *     × α, the best α per r with its interval over test speakers, the line α* = a + b·log₂ r fitted through them, and the
 *     seed report's rule α(r) = 0.9 − 0.5·log₂ r.</li>
 * </ul>
 * An arm is <i>plain</i> when its method is cosine distillation of the embedding at a constant α from the LSTM teacher
 * alone; plain arms form the α × capacity grid, every other distilling arm outside the report's seven is a method arm.
 */
final class MethodTables {
    private final Results res;
    private final Compare cmp;
    private final Map<String, String> armOfRun = new HashMap<>();
    private Grid grid;
    private Analysis analysis;
    private boolean gridDone;

    MethodTables(Results res, Compare cmp) {
        this.res = res;
        this.cmp = cmp;
        for (Arm a : res.present()) for (Run r : a.runs()) armOfRun.put(r.id(), a.experiment());
    }

    /** The section's tables (none when the profile ran no method arm and no α × capacity grid). */
    List<Table> tables() {
        List<Table> l = new ArrayList<>();
        if (!methodArms().isEmpty()) {
            l.add(methods());
            l.add(gradients());
        }
        Grid g = grid();
        if (g != null) l.add(alphaCapacity(g));
        return l;
    }

    /** The α(r) figure, when the grid exists. */
    Optional<Chart> figure() {
        Grid g = grid();
        return g == null ? Optional.empty() : Optional.of(alphaFigure(g));
    }

    /** The arm of the run a dependency names ("teacher" or "teachers[k]"), in configuration order. */
    private List<String> teacherArms(Arm a) {
        return a.first().distillation().dependsOn().entrySet().stream().filter(e -> e.getKey().startsWith("teacher"))
                .map(e -> armOfRun.getOrDefault(e.getValue(), "run " + e.getValue())).toList();
    }

    private boolean plain(Arm a) {
        Run.Distillation d = a.first().distillation();
        return a.distills() && d.method().matches("cosine α [0-9.]+") && d.teachers() == 1 && teacherArms(a).equals(List.of(TEACHER));
    }

    private List<Arm> methodArms() {
        return res.present().stream().filter(a -> !ALL.contains(a.experiment()) && a.distills() && !plain(a)).toList();
    }

    /** Self-distillation round: 1 for a student taught by the LSTM teacher (or none), one more per student teacher. */
    private int round(Arm a, int depth) {
        List<String> t = teacherArms(a);
        if (t.size() != 1 || depth > 20) return 1;
        Optional<Arm> ta = res.get(t.get(0));
        return ta.isPresent() && "student".equals(ta.get().first().model()) ? round(ta.get(), depth + 1) + 1 : 1;
    }

    private String teacherText(Arm a) {
        List<String> t = teacherArms(a);
        if (t.isEmpty()) return "–";
        int r = round(a, 0);
        return String.join(" + ", t) + (r > 1 ? " (self-distillation, round " + r + ")" : "");
    }

    /** The plain cosine arm and the no-KD control of the same size among the report's seven, or null. */
    private String reference(Arm a, List<String> candidates) {
        for (String c : candidates) {
            Optional<Arm> o = res.get(c);
            if (o.isPresent() && o.get().first().parameters() == a.first().parameters()) return c;
        }
        return null;
    }

    private static final List<String> KD_REFERENCES = List.of(V2, LOWALPHA, LARGE), CONTROLS = List.of(NOKD, LARGE_NOKD);

    private static double testEer(Run r) { return r.testBest() == null ? Double.NaN : r.testBest().eer(); }

    private String[] comparison(String a, String ref) {
        if (ref == null) return new String[] {"–", Fmt.NA, "", "", "no arm of this size"};
        if (ref.equals(a)) return new String[] {ref, "–", "–", "–", "reference"};
        Compare.Comparison c = cmp.compare(a, ref);
        return new String[] {ref, Fmt.points(c.difference()), Fmt.pointsCi(c.speakers95()), Fmt.pointsCi(c.seeds95()),
                c.ok() ? c.decision().verdict().label : c.problem()};
    }

    /** Method arms, preceded by the references they are compared with. */
    private List<Arm> rows() {
        List<Arm> methods = methodArms(), rows = new ArrayList<>();
        for (Arm m : methods)
            for (String r : new String[] {reference(m, KD_REFERENCES), reference(m, CONTROLS)})
                if (r != null && rows.stream().noneMatch(x -> x.experiment().equals(r))) rows.add(res.get(r).get());
        rows.addAll(methods);
        return rows;
    }

    Table methods() {
        Table t = new Table("methods", "Distillation methods (test list)", "lllrrrrlrllllrlll", "Arm", "Method", "Teacher", "Parameters", "Seeds",
                "Test EER (%)", "minDCF 0.05", "KD reference", "Δ vs KD (points)", "CI speakers (KD)", "CI seeds (KD)", "Verdict vs KD", "Control",
                "Δ vs control (points)", "CI speakers (control)", "CI seeds (control)", "Verdict vs control");
        t.caption("Each method against plain cosine distillation and against the student trained without a teacher, both of the same size, "
                + "on the same data and seeds. Test EER and minDCF: mean ± sd over seeds, at the checkpoint selected on validation. "
                + "Differences are method − reference (negative: the method lowered the EER), paired by seed; 'CI speakers' is the 95% interval "
                + "from a bootstrap over test speakers, 'CI seeds' the Student-t interval over seeds; verdicts by the rules of the hypothesis table.");
        for (Arm a : rows()) {
            String kd = reference(a, KD_REFERENCES), ctl = reference(a, CONTROLS);
            String[] x = comparison(a.experiment(), kd), y = comparison(a.experiment(), ctl);
            if (!a.distills()) x = new String[] {"–", "–", "–", "–", "–"};
            t.row(a.experiment(), a.first().distillation().method(), teacherText(a), Fmt.count(a.first().parameters()), Integer.toString(a.runs().size()),
                    Fmt.pctMeanSd(a.summary(MethodTables::testEer)), Fmt.meanSd(a.summary(r -> r.testBest() == null ? Double.NaN : r.testBest().minDcf05()), 4),
                    x[0], x[1], x[2], x[3], x[4], y[0], y[1], y[2], y[3], y[4]);
        }
        String terms = Terms.methods().stream().map(Terms.Method::description).collect(Collectors.joining(", "));
        return t.note("Methods: " + terms + ", curricula of α (piecewise, linear), self-distillation (a student's own earlier round as the teacher) and several teachers "
                + "(their unit embeddings mixed by fixed or per-sample confidence weights). The method column lists every term with its weight; "
                + "the classification loss takes the rest.");
    }

    /** Mean over every recorded epoch of every seed of a history column (NaN when none recorded it). */
    private static double epochMean(Arm a, String column) {
        double[] v = a.runs().stream().flatMap(r -> r.history().stream()).mapToDouble(e -> e.column(column)).filter(x -> !Double.isNaN(x)).toArray();
        return v.length == 0 ? Double.NaN : SeedStats.summary(v).mean();
    }

    Table gradients() {
        Table t = new Table("methods-gradient", "Distillation share of the loss and of the gradient, per method", "llrrrrl", "Arm", "Method", "α (Σ KD weights)",
                "KD share of loss (%)", "KD share of gradient at the taps (%)", "KD share of gradient at the parameters (%)", "‖∂(w·L)/∂θ‖ per term");
        t.caption("Means over every epoch of every seed. The share at the taps compares each term's gradient where it enters the student (the embedding "
                + "for classification and final-embedding terms, the hidden activations for layer-wise ones): Σ_KD ‖g‖ / Σ_all ‖g‖. The share at the "
                + "parameters does the same with each term's own gradient of the student's weights (one diagnostic backward per term on the last batch "
                + "of each epoch), which compares terms that reach different layers.");
        for (Arm a : rows()) {
            if (!a.distills()) continue;
            TreeMap<String, Double> terms = new TreeMap<>();
            for (String c : a.first().history().isEmpty() ? java.util.Set.<String>of() : a.first().history().get(0).columns().keySet())
                if (c.startsWith("param_grad_")) terms.put(c.substring(11), epochMean(a, c));
            t.row(a.experiment(), a.first().distillation().method(), Fmt.fixed(Double.isNaN(epochMean(a, "alpha")) ? a.first().alpha() : epochMean(a, "alpha"), 2),
                    Fmt.pct(epochMean(a, "kd_loss_share")), Fmt.pct(epochMean(a, "kd_grad_share")), Fmt.pct(epochMean(a, "kd_param_grad_share")),
                    terms.isEmpty() ? Fmt.NA : terms.entrySet().stream().map(e -> e.getKey() + " " + Fmt.sig(e.getValue())).collect(Collectors.joining(", ")));
        }
        return t;
    }

    /** The α × capacity grid: per parameter count (ratio to the teacher's), the plain arms by α. */
    record Grid(long teacherParameters, TreeMap<Long, TreeMap<Double, Arm>> cells) {
        double ratio(long params) { return params / (double) teacherParameters; }
    }

    /** The grid of plain cosine arms, when at least two sizes were run at two or more α each (and the teacher ran). */
    Grid grid() {
        if (!gridDone) {
            grid = findGrid();
            gridDone = true;
        }
        return grid;
    }

    private Grid findGrid() {
        Optional<Arm> teacher = res.get(TEACHER);
        if (teacher.isEmpty()) return null;
        TreeMap<Long, TreeMap<Double, Arm>> cells = new TreeMap<>();
        for (Arm a : res.present())
            if (plain(a) && cmp.test(a, Metric.EER).summary() != null)
                cells.computeIfAbsent(a.first().parameters(), k -> new TreeMap<>()).put(Math.round(a.first().alpha() * 100) / 100.0, a);
        cells.values().removeIf(m -> m.size() < 2);
        return cells.size() < 2 ? null : new Grid(teacher.get().first().parameters(), cells);
    }

    /** The seed report's rule, clipped to [0, 1] (it exceeds 1 below r ≈ 0.76). */
    static double rule(double r) { return Math.max(0, Math.min(1, 0.9 - 0.5 * Math.log(r) / Math.log(2))); }

    /** Least squares α = a + b·x over the points (x = log₂ r): {a, b}. */
    static double[] fit(double[] x, double[] y) {
        double mx = 0, my = 0;
        for (int i = 0; i < x.length; i++) { mx += x[i]; my += y[i]; }
        mx /= x.length;
        my /= x.length;
        double sxy = 0, sxx = 0;
        for (int i = 0; i < x.length; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) * (x[i] - mx); }
        double b = sxx > 0 ? sxy / sxx : 0;
        return new double[] {my - b * mx, b};
    }

    /** What the grid says: per size the best α (on the list and per resample), the fit, and the fit per seed. */
    record Analysis(long[] params, double[] x, double[] best, Interval[] bestCi, double[] fit, Interval a95, Interval b95, Interval bSeeds95,
                    int resamples) {}

    Analysis analyse(Grid g) {
        if (analysis == null) analysis = compute(g);
        return analysis;
    }

    private Analysis compute(Grid g) {
        List<Long> sizes = new ArrayList<>(g.cells().keySet());
        int n = sizes.size();
        long[] params = sizes.stream().mapToLong(Long::longValue).toArray();
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = Math.log(g.ratio(params[i])) / Math.log(2);
        List<Run> all = g.cells().values().stream().flatMap(m -> m.values().stream()).flatMap(a -> a.runs().stream()).toList();
        java.util.function.Function<int[], double[]> bestOf = w -> {
            double[] out = new double[n + 2], b = new double[n];
            for (int i = 0; i < n; i++) {
                double bestEer = Double.POSITIVE_INFINITY, bestAlpha = Double.NaN;
                for (var e : g.cells().get(params[i]).entrySet()) {
                    double eer = 0;
                    List<Run> runs = e.getValue().runs().stream().filter(r -> r.testBest() != null).toList();
                    for (Run r : runs) eer += w == null ? r.testBest().eer() : cmp.ranked(r).metrics(w).eer();
                    eer /= runs.size();
                    if (eer < bestEer) { bestEer = eer; bestAlpha = e.getKey(); }
                }
                b[i] = bestAlpha;
            }
            System.arraycopy(b, 0, out, 0, n);
            double[] f = fit(x, b);
            out[n] = f[0];
            out[n + 1] = f[1];
            return out;
        };
        double[] est = bestOf.apply(null);
        SpeakerBootstrap boot = cmp.bootstrap(all);
        double[][] reps = boot == null ? new double[0][] : boot.replicates(bestOf);
        Interval[] ci = new Interval[n + 2];
        for (int j = 0; j < n + 2; j++) {
            double[] col = new double[reps.length];
            for (int r = 0; r < reps.length; r++) col[r] = reps[r][j];
            java.util.Arrays.sort(col);
            ci[j] = new SpeakerBootstrap.Distribution(est[j], col).interval(0.95);
        }
        // Over seeds: the best α per size from each seed's own figures, and that seed's fitted slope.
        TreeSet<Long> seeds = new TreeSet<>();
        for (Run r : all) seeds.add(r.seed());
        List<Double> slopes = new ArrayList<>();
        for (long s : seeds) {
            double[] b = new double[n];
            boolean complete = true;
            for (int i = 0; i < n && complete; i++) {
                double bestEer = Double.POSITIVE_INFINITY;
                b[i] = Double.NaN;
                for (var e : g.cells().get(params[i]).entrySet()) {
                    Run r = e.getValue().run(s);
                    if (r == null || r.testBest() == null) { complete = false; break; }
                    if (r.testBest().eer() < bestEer) { bestEer = r.testBest().eer(); b[i] = e.getKey(); }
                }
            }
            if (complete) slopes.add(fit(x, b)[1]);
        }
        Interval bSeeds = slopes.isEmpty() ? Interval.none(Double.NaN, 0.95) : SeedStats.meanInterval(slopes.stream().mapToDouble(Double::doubleValue).toArray(), 0.95);
        double[] best = java.util.Arrays.copyOf(est, n);
        return new Analysis(params, x, best, java.util.Arrays.copyOf(ci, n), new double[] {est[n], est[n + 1]}, ci[n], ci[n + 1], bSeeds, reps.length);
    }

    private static String alphaText(double a) { return Fmt.fixed(a, 2); }

    private static String intervalText(Interval i) {
        return i == null || !i.defined() ? Fmt.NA : "[" + Fmt.fixed(i.low(), 2) + ", " + Fmt.fixed(i.high(), 2) + "]";
    }

    Table alphaCapacity(Grid g) {
        TreeSet<Double> alphas = new TreeSet<>();
        g.cells().values().forEach(m -> alphas.addAll(m.keySet()));
        List<String> header = new ArrayList<>(List.of("Parameters", "r = student/teacher", "log₂ r"));
        for (double a : alphas) header.add("EER at α " + alphaText(a) + " (%)");
        header.addAll(List.of("Best α", "95% CI speakers", "Rule α(r)", "Rule inside CI?"));
        Table t = new Table("alpha-capacity", "Distillation weight α against capacity: best α per capacity ratio", "r".repeat(header.size()),
                header.toArray(String[]::new));
        Analysis an = analyse(g);
        for (int i = 0; i < an.params().length; i++) {
            long p = an.params()[i];
            List<String> row = new ArrayList<>(List.of(Fmt.count(p), Fmt.fixed(g.ratio(p), 2), Fmt.fixed(an.x()[i], 2)));
            for (double a : alphas) {
                Arm arm = g.cells().get(p).get(a);
                row.add(arm == null ? "" : Fmt.pctMeanSd(arm.summary(MethodTables::testEer)) + " (" + arm.experiment() + ")");
            }
            double rule = rule(g.ratio(p));
            Interval ci = an.bestCi()[i];
            row.addAll(List.of(alphaText(an.best()[i]), intervalText(ci), alphaText(rule),
                    ci.defined() ? Fmt.yesNo(rule >= ci.low() - 1e-9 && rule <= ci.high() + 1e-9) : Fmt.NA));
            t.row(row.toArray(String[]::new));
        }
        t.caption("Plain cosine distillation from the LSTM teacher (" + Fmt.count(g.teacherParameters()) + " parameters) at each capacity ratio r and α; "
                + "EER: test list, mean ± sd over seeds (arm in brackets). Best α: the α with the lowest seed-mean EER; its 95% interval from the "
                + "same bootstrap over test speakers as every other interval (" + an.resamples() + " usable resamples, the best α recomputed in each). "
                + "Rule: the seed report's α(r) = 0.9 − 0.5·log₂ r, clipped to [0, 1] (it exceeds 1 below r ≈ 0.76).");
        t.note("Fit through the best α: α* = " + Fmt.fixed(an.fit()[0], 3) + " " + (an.fit()[1] < 0 ? "− " : "+ ") + Fmt.fixed(Math.abs(an.fit()[1]), 3)
                + "·log₂ r; intercept 95% CI " + intervalText(an.a95()) + ", slope 95% CI " + intervalText(an.b95()) + " (speakers), slope "
                + intervalText(an.bSeeds95()) + " (Student t over seeds' own fits). The rule's slope −0.5 is "
                + slopeVerdict(an) + ".");
        return t;
    }

    private static String slopeVerdict(Analysis an) {
        Interval s = an.b95(), t = an.bSeeds95();
        if (!s.defined()) return "untested (no interval over speakers)";
        boolean inS = s.low() <= -0.5 && -0.5 <= s.high();
        if (!t.defined()) return (inS ? "inside" : "outside") + " the speaker interval (too few seeds for the other)"
                + (inS ? ": consistent with the data, not proven by them" : ": the data contradict the rule");
        boolean inT = t.low() <= -0.5 && -0.5 <= t.high();
        if (inS && inT) return "inside both intervals: consistent with the data, not proven by them";
        if (!inS && !inT) return "outside both intervals: the data contradict the rule";
        return "inside one interval and outside the other: inconclusive";
    }

    Chart alphaFigure(Grid g) {
        Analysis an = analyse(g);
        List<Svg.Point> best = new ArrayList<>(), fit = new ArrayList<>(), rule = new ArrayList<>();
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < an.x().length; i++) {
            Interval ci = an.bestCi()[i];
            best.add(new Svg.Point(an.x()[i], an.best()[i], ci.defined() ? ci.low() : Double.NaN, ci.defined() ? ci.high() : Double.NaN));
            rule.add(new Svg.Point(an.x()[i], rule(g.ratio(an.params()[i]))));
            lo = Math.min(lo, an.x()[i]);
            hi = Math.max(hi, an.x()[i]);
        }
        for (double x : new double[] {lo, hi}) fit.add(new Svg.Point(x, an.fit()[0] + an.fit()[1] * x));
        return Chart.lines("Best α against capacity ratio r, 95% intervals over test speakers (profile " + res.profile() + ")", "log₂ r (student/teacher parameters)",
                "α", List.of(new Svg.Series("best α", best), new Svg.Series("fit a + b·log₂ r", fit), new Svg.Series("rule 0.9 − 0.5·log₂ r", rule)), false);
    }
}
