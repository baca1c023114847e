package org.voxkd.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;
import org.voxkd.stats.Interval;
import org.voxkd.stats.Metric;

/**
 * The report's figures keyed by file name (without extension). Curves are means over seeds with the seeds' range shaded;
 * identical arms ({@link Compare#identical}) are drawn once under their joint name; an arm keeps one style
 * ({@link Style}: colour, marker, dash) in every figure — its place among the report's arms.
 */
public final class Figures {
    private Figures() {}

    public static Map<String, Chart> all(Results res, Tables tables) {
        Map<String, Chart> m = new LinkedHashMap<>();
        m.put("eer-per-epoch", eerPerEpoch(res, tables));
        m.put("kd-loss-per-epoch", kdLossPerEpoch(res, tables));
        m.put("test-eer-by-arm", testEerByArm(res, tables));
        return m;
    }

    /** What each figure shows, for its caption in the paper (the SVG carries it as its title). */
    public static String caption(String key, Chart c) {
        return c.title();
    }

    /** The mean over seeds of a per-epoch figure, with the seeds' min and max, at every epoch at least one seed recorded (and validated, if asked). */
    static List<Svg.Point> meanCurve(Arm a, ToDoubleFunction<Run.Epoch> f, boolean validated, double scale) {
        TreeSet<Integer> epochs = new TreeSet<>();
        for (Run r : a.runs()) for (Run.Epoch e : r.history()) if (!validated || e.validation().isPresent()) epochs.add(e.epoch());
        List<Svg.Point> p = new ArrayList<>();
        for (int n : epochs) {
            double[] v = a.runs().stream().map(r -> r.epoch(n)).flatMap(Optional::stream).filter(e -> !validated || e.validation().isPresent())
                    .mapToDouble(f).toArray();
            double sum = 0, lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (double x : v) {
                sum += x;
                lo = Math.min(lo, x);
                hi = Math.max(hi, x);
            }
            if (v.length > 1) p.add(new Svg.Point(n, scale * sum / v.length, scale * lo, scale * hi));
            else if (v.length == 1) p.add(new Svg.Point(n, scale * sum));
        }
        return p;
    }

    /** An arm's style index: its place among the report's arms. */
    static int styleOf(Results res, String experiment) {
        List<Arm> present = res.present();
        for (int i = 0; i < present.size(); i++) if (present.get(i).experiment().equals(experiment)) return i;
        return -1;
    }

    static Chart eerPerEpoch(Results res, Tables tables) {
        List<Svg.Series> s = new ArrayList<>();
        for (Arm a : res.present()) {
            if (tables.folded(a.experiment())) continue;
            List<Svg.Point> p = meanCurve(a, e -> e.validation().get().eer(), true, 100);
            if (!p.isEmpty()) s.add(new Svg.Series(tables.name(a.experiment()), p, styleOf(res, a.experiment())));
        }
        return Chart.lines("Validation EER (%) per epoch: mean over " + res.seeds().size() + " seeds (line), range over seeds (shaded); profile "
                + res.profile(), "epoch", "validation EER (%)", s, false).tex("epoch", "validation EER (\\%)");
    }

    static Chart kdLossPerEpoch(Results res, Tables tables) {
        List<Svg.Series> s = new ArrayList<>();
        for (Arm a : res.present()) {
            if (!a.distills() || tables.folded(a.experiment())) continue;
            List<Svg.Point> p = meanCurve(a, Run.Epoch::lossKd, false, 1).stream().filter(x -> x.y() > 0).toList();
            if (!p.isEmpty()) s.add(new Svg.Series(tables.name(a.experiment()), p, styleOf(res, a.experiment())));
        }
        return Chart.lines("Distillation loss per training epoch (log scale): mean over seeds (line), range over seeds (shaded); the mse loss is "
                + "2/(D·τ²) of the cosine loss by construction; profile " + res.profile(), "epoch", "distillation loss L_kd", s, true)
                .tex("epoch", "$\\mathcal{L}_{\\mathrm{kd}}$ (epoch mean)");
    }

    /** Test EER per arm: the seed mean with its 95% interval over test speakers, and each seed's own EER. */
    static Chart testEerByArm(Results res, Tables tables) {
        List<Svg.Series> s = new ArrayList<>();
        Compare cmp = tables.compare();
        for (Arm a : res.present()) {
            if (tables.folded(a.experiment())) continue;
            Compare.ArmFigure f = cmp.test(a, Metric.EER);
            if (f.summary() == null) continue;
            Interval ci = f.speakers95();
            List<Svg.Point> p = new ArrayList<>();
            p.add(new Svg.Point(100 * f.summary().mean(), 0, ci.defined() ? 100 * ci.low() : Double.NaN, ci.defined() ? 100 * ci.high() : Double.NaN));
            for (Run r : a.runs()) if (r.testBest() != null) p.add(new Svg.Point(100 * r.testBest().eer(), 0));
            s.add(new Svg.Series(tables.name(a.experiment()) + " (" + Fmt.count(Math.round(a.first().parameters() / 1e3)) + "k)", p, styleOf(res, a.experiment())));
        }
        return Chart.intervals("Test EER (%) per arm with its parameter count: mean over seeds (filled marker), 95% interval of that mean over test "
                + "speakers (bar), each seed's EER (small open circles); profile " + res.profile(), "test EER (%)", s).tex("test EER (\\%)", "");
    }
}
