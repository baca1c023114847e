package org.voxkd.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The report's figures, as SVG text keyed by file name. */
public final class Figures {
    private Figures() {}

    public static Map<String, String> all(Results res) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("eer-per-epoch.svg", eerPerEpoch(res));
        m.put("kd-loss-per-epoch.svg", kdLossPerEpoch(res));
        m.put("params-vs-eer.svg", paramsVsEer(res));
        return m;
    }

    static String eerPerEpoch(Results res) {
        List<Svg.Series> s = new ArrayList<>();
        for (Run r : res.present()) {
            List<Svg.Point> p = new ArrayList<>();
            for (Run.Epoch e : r.history()) e.validation().ifPresent(v -> p.add(new Svg.Point(e.epoch(), 100 * v.eer())));
            if (!p.isEmpty()) s.add(new Svg.Series(r.experiment(), p));
        }
        return Svg.lines("Validation EER per epoch (profile " + res.profile() + ")", "epoch", "EER (%)", s, false);
    }

    static String kdLossPerEpoch(Results res) {
        List<Svg.Series> s = new ArrayList<>();
        for (Run r : res.present()) {
            if (!r.distills()) continue;
            List<Svg.Point> p = new ArrayList<>();
            for (Run.Epoch e : r.history()) if (e.lossKd() > 0) p.add(new Svg.Point(e.epoch(), e.lossKd()));
            if (!p.isEmpty()) s.add(new Svg.Series(r.experiment(), p));
        }
        return Svg.lines("Distillation loss per epoch (log scale, profile " + res.profile() + ")", "epoch", "L_kd", s, true);
    }

    static String paramsVsEer(Results res) {
        List<Svg.Series> s = new ArrayList<>();
        for (Run r : res.present()) {
            Run.Metrics b = r.best();
            if (b == null) continue;
            s.add(new Svg.Series(r.experiment(), List.of(new Svg.Point(r.parameters() / 1e3, 100 * b.eer(), 100 * b.eerLow(), 100 * b.eerHigh()))));
        }
        return Svg.scatter("Parameters vs best EER with 95% intervals (profile " + res.profile() + ")", "parameters (thousands)", "EER (%)", s);
    }
}
