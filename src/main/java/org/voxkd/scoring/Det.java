package org.voxkd.scoring;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Detection error trade-off curves (Martin et al. 1997): miss rate against false-alarm rate on normal-deviate axes.
 * The points are scikit-learn's {@code det_curve}: one per distinct score, in ascending threshold order, without the
 * leading points that only add misses at zero false alarms nor the trailing ones past the last target (the test checks
 * them point for point). Written as SVG (a standalone figure) and PGF/pgfplots (for a LaTeX paper).
 */
public final class Det {
    private Det() {}

    /** One curve: {@code far[k]}, {@code frr[k]} at {@code threshold[k]} (ascending thresholds). */
    public record Curve(String name, double[] far, double[] frr, double[] threshold) {}

    public static Curve of(String name, Detection d) {
        Detection.Points p = d.points();
        int m = p.threshold().length - 1; // points after each distinct score (index 1..m), descending threshold
        int nt = d.targets(), nn = d.nonTargets();
        // sklearn: fps/tps over descending thresholds; first = last index with fps == fps[0]; last = first index with tps == P, inclusive
        int first = 1;
        while (first + 1 <= m && p.acceptedNonTargets()[first + 1] == p.acceptedNonTargets()[1]) first++;
        int last = 1;
        while (p.acceptedTargets()[last] < nt) last++;
        int count = last - first + 1;
        double[] far = new double[count], frr = new double[count], th = new double[count];
        for (int k = 0; k < count; k++) {
            int j = last - k;
            far[k] = p.acceptedNonTargets()[j] / (double) nn;
            frr[k] = (nt - p.acceptedTargets()[j]) / (double) nt;
            th[k] = p.threshold()[j];
        }
        return new Curve(name, far, frr, th);
    }

    /**
     * The standard normal quantile Φ⁻¹(p) (Wichura's algorithm AS 241, PPND16: about 16 digits); ±∞ at 0 and 1.
     */
    public static double probit(double p) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("probit of " + p);
        if (p == 0) return Double.NEGATIVE_INFINITY;
        if (p == 1) return Double.POSITIVE_INFINITY;
        double q = p - 0.5;
        if (Math.abs(q) <= 0.425) {
            double r = 0.180625 - q * q;
            return q * (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r + 67265.770927008700853) * r + 45921.953931549871457) * r
                    + 13731.693765509461125) * r + 1971.5909503065514427) * r + 133.14166789178437745) * r + 3.387132872796366608)
                    / (((((((r * 5226.495278852545925 + 28729.085735721942674) * r + 39307.89580009271061) * r + 21213.794301586595867) * r
                    + 5394.1960214247511077) * r + 687.1870074920579083) * r + 42.313330701600911252) * r + 1.0);
        }
        double r = q < 0 ? p : 1 - p;
        r = Math.sqrt(-Math.log(r));
        double v;
        if (r <= 5) {
            r -= 1.6;
            v = (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r + 0.24178072517745061177) * r + 1.27045825245236838258) * r
                    + 3.64784832476320460504) * r + 5.7694972214606914055) * r + 4.6303378461565452959) * r + 1.42343711074968357734)
                    / (((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r + 0.14810397642748007459) * r
                    + 0.68976733498510000455) * r + 1.6763848301838038494) * r + 2.05319162663775882187) * r + 1.0);
        } else {
            r -= 5;
            v = (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r + 0.026532189526576123093) * r
                    + 0.29656057182850489123) * r + 1.7848265399172913358) * r + 5.4637849111641143699) * r + 6.6579046435011037772)
                    / (((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r + 7.868691311456132591e-4) * r
                    + 0.0148753612908506148525) * r + 0.13692988092273580531) * r + 0.59983220655588793769) * r + 1.0);
        }
        return q < 0 ? -v : v;
    }

    /** Axis ticks (percent) and the plotted range of both axes. */
    static final double[] TICKS = {0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 40};
    static final double LO = 0.0005, HI = 0.5;

    /** Points of a curve in normal-deviate coordinates, clipped to the plotted range (a rate of 0 sits on the axis). */
    static List<double[]> deviates(Curve c) {
        List<double[]> out = new ArrayList<>();
        for (int k = 0; k < c.far().length; k++)
            out.add(new double[] {probit(clip(c.far()[k])), probit(clip(c.frr()[k]))});
        return out;
    }

    private static double clip(double p) { return Math.min(HI, Math.max(LO, p)); }

    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};

    /** A standalone SVG figure of the curves (false-alarm rate across, miss rate up, both in % on normal-deviate scales). */
    public static String svg(String title, List<Curve> curves) {
        int w = 480, h = 480, m = 60;
        double lo = probit(LO), hi = probit(HI);
        java.util.function.DoubleUnaryOperator x = v -> m + (v - lo) / (hi - lo) * (w - 2 * m);
        java.util.function.DoubleUnaryOperator y = v -> h - m - (v - lo) / (hi - lo) * (h - 2 * m);
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">%n", w, h, w, h));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" text-anchor=\"middle\" font-size=\"13\">%s</text>%n", w / 2, xml(title)));
        for (double t : TICKS) {
            double v = probit(t / 100);
            s.append(String.format(Locale.ROOT, "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\" stroke=\"#ddd\"/>%n", x.applyAsDouble(v), m, x.applyAsDouble(v), h - m));
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.2f\" x2=\"%d\" y2=\"%.2f\" stroke=\"#ddd\"/>%n", m, y.applyAsDouble(v), w - m, y.applyAsDouble(v)));
            s.append(String.format(Locale.ROOT, "<text x=\"%.2f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x.applyAsDouble(v), h - m + 15, tick(t)));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.2f\" text-anchor=\"end\">%s</text>%n", m - 5, y.applyAsDouble(v) + 4, tick(t)));
        }
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#000\"/>%n", m, m, w - 2 * m, h - 2 * m));
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>%n", m, h - m, w - m, m));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">false-alarm rate (%%)</text>%n", w / 2, h - 20));
        s.append(String.format(Locale.ROOT, "<text x=\"15\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 15 %d)\">miss rate (%%)</text>%n", h / 2, h / 2));
        for (int c = 0; c < curves.size(); c++) {
            StringBuilder pts = new StringBuilder();
            for (double[] p : deviates(curves.get(c))) pts.append(String.format(Locale.ROOT, "%.2f,%.2f ", x.applyAsDouble(p[0]), y.applyAsDouble(p[1])));
            String col = COLOURS[c % COLOURS.length];
            s.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"%s\"/>%n", col, pts.toString().strip()));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"%s\" text-anchor=\"end\">%s</text>%n", w - m - 5, m + 15 + 14 * c, col, xml(curves.get(c).name())));
        }
        return s.append("</svg>\n").toString();
    }

    /** A pgfplots picture of the curves (normal-deviate coordinates, ticks labelled in %), for \input in LaTeX. */
    public static String pgf(String title, List<Curve> curves) {
        StringBuilder ticks = new StringBuilder(), labels = new StringBuilder();
        for (double t : TICKS) {
            if (!ticks.isEmpty()) { ticks.append(','); labels.append(','); }
            ticks.append(String.format(Locale.ROOT, "%.6f", probit(t / 100)));
            labels.append(tick(t));
        }
        StringBuilder s = new StringBuilder();
        s.append("% DET curve written by voxkd (org.voxkd.scoring.Det): normal-deviate axes, rates clipped to [0.05%, 50%]\n");
        s.append("\\begin{tikzpicture}\n\\begin{axis}[title={").append(tex(title)).append("}, width=7cm, height=7cm,\n");
        s.append(String.format(Locale.ROOT, "  xmin=%.6f, xmax=%.6f, ymin=%.6f, ymax=%.6f,%n", probit(LO), probit(HI), probit(LO), probit(HI)));
        s.append("  xtick={").append(ticks).append("}, xticklabels={").append(labels).append("},\n");
        s.append("  ytick={").append(ticks).append("}, yticklabels={").append(labels).append("},\n");
        s.append("  xlabel={false-alarm rate (\\%)}, ylabel={miss rate (\\%)}, grid=major, legend pos=north east]\n");
        for (Curve c : curves) {
            s.append("\\addplot+[no marks, thick] coordinates {");
            for (double[] p : deviates(c)) s.append(String.format(Locale.ROOT, " (%.6f,%.6f)", p[0], p[1]));
            s.append(" };\n\\addlegendentry{").append(tex(c.name())).append("}\n");
        }
        return s.append("\\end{axis}\n\\end{tikzpicture}\n").toString();
    }

    private static String tick(double t) {
        return t == Math.rint(t) ? Long.toString((long) t) : Double.toString(t);
    }

    private static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String tex(String s) {
        return s.replace("\\", "\\textbackslash{}").replace("_", "\\_").replace("%", "\\%").replace("&", "\\&").replace("#", "\\#");
    }
}
