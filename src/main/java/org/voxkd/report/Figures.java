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

/** The report's figures keyed by file name (without extension); curves are means over seeds. */
public final class Figures {
    private Figures() {}

    public static Map<String, Chart> all(Results res, Compare cmp) {
        Map<String, Chart> m = new LinkedHashMap<>();
        m.put("eer-per-epoch", eerPerEpoch(res));
        m.put("kd-loss-per-epoch", kdLossPerEpoch(res));
        m.put("params-vs-eer", paramsVsEer(res, cmp));
        return m;
    }

    /** The mean over seeds of a per-epoch figure, at every epoch at least one seed recorded (and validated, if asked). */
    static List<Svg.Point> meanCurve(Arm a, ToDoubleFunction<Run.Epoch> f, boolean validated, double scale) {
        TreeSet<Integer> epochs = new TreeSet<>();
        for (Run r : a.runs()) for (Run.Epoch e : r.history()) if (!validated || e.validation().isPresent()) epochs.add(e.epoch());
        List<Svg.Point> p = new ArrayList<>();
        for (int n : epochs) {
            double[] v = a.runs().stream().map(r -> r.epoch(n)).flatMap(Optional::stream).filter(e -> !validated || e.validation().isPresent())
                    .mapToDouble(f).toArray();
            double sum = 0;
            for (double x : v) sum += x;
            if (v.length > 0) p.add(new Svg.Point(n, scale * sum / v.length));
        }
        return p;
    }

    static Chart eerPerEpoch(Results res) {
        List<Svg.Series> s = new ArrayList<>();
        for (Arm a : res.present()) {
            List<Svg.Point> p = meanCurve(a, e -> e.validation().get().eer(), true, 100);
            if (!p.isEmpty()) s.add(new Svg.Series(a.experiment(), p));
        }
        return Chart.lines("Validation EER per epoch, mean over seeds (profile " + res.profile() + ")", "epoch", "EER (%)", s, false);
    }

    static Chart kdLossPerEpoch(Results res) {
        List<Svg.Series> s = new ArrayList<>();
        for (Arm a : res.present()) {
            if (!a.distills()) continue;
            List<Svg.Point> p = meanCurve(a, Run.Epoch::lossKd, false, 1).stream().filter(x -> x.y() > 0).toList();
            if (!p.isEmpty()) s.add(new Svg.Series(a.experiment(), p));
        }
        return Chart.lines("Distillation loss per epoch, mean over seeds (log scale, profile " + res.profile() + ")", "epoch", "L_kd", s, true);
    }

    static Chart paramsVsEer(Results res, Compare cmp) {
        List<Svg.Series> s = new ArrayList<>();
        for (Arm a : res.present()) {
            Compare.ArmFigure f = cmp.test(a, Metric.EER);
            if (f.summary() == null) continue;
            Interval ci = f.speakers95();
            double lo = ci.defined() ? ci.low() : f.summary().mean(), hi = ci.defined() ? ci.high() : f.summary().mean();
            s.add(new Svg.Series(a.experiment(), List.of(new Svg.Point(a.first().parameters() / 1e3, 100 * f.summary().mean(), 100 * lo, 100 * hi))));
        }
        return Chart.scatter("Parameters vs test EER (mean over seeds) with 95% intervals over test speakers (profile " + res.profile() + ")",
                "parameters (thousands)", "EER (%)", s);
    }
}
