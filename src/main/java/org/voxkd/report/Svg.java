package org.voxkd.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Hand-built, deterministic SVG charts: line charts (one series per experiment) and a scatter with
 * vertical interval bars. Coordinates are printed with two decimals, Locale.ROOT.
 */
public final class Svg {
    private Svg() {}

    /** A point with an optional vertical interval (NaN when absent). */
    public record Point(double x, double y, double low, double high) {
        public Point(double x, double y) {
            this(x, y, Double.NaN, Double.NaN);
        }
    }

    /**
     * One curve or one arm: its points and its style index ({@link Style#of}; -1: its place in the chart). On a line chart a
     * point's interval is drawn as a shaded band (the seeds' spread); on an interval chart the first point is the arm's mean
     * with its interval and the others its seeds.
     */
    public record Series(String name, List<Point> points, int style) {
        public Series(String name, List<Point> points) {
            this(name, points, -1);
        }
    }

    private static final int W = 720, H = 440, L = 70, R = 190, T = 40, B = 55;

    /** The style of the k-th series of a chart. */
    static Style style(List<Series> series, int k) {
        Series s = series.get(k);
        return Style.of(s.style() >= 0 ? s.style() : k);
    }

    /** A marker at (x, y) in a style's shape. */
    static void mark(StringBuilder b, Style st, double x, double y, double r) {
        boolean open = st.svgMark().endsWith("-open");
        String fill = open ? "white" : st.color(), shape = st.svgMark().replace("-open", "");
        String attrs = "fill=\"" + fill + "\" stroke=\"" + st.color() + "\" stroke-width=\"1.2\"";
        switch (shape) {
            case "square" -> b.append("<rect x=\"").append(f(x - r)).append("\" y=\"").append(f(y - r)).append("\" width=\"").append(f(2 * r))
                    .append("\" height=\"").append(f(2 * r)).append("\" ").append(attrs).append("/>\n");
            case "circle" -> b.append("<circle cx=\"").append(f(x)).append("\" cy=\"").append(f(y)).append("\" r=\"").append(f(r)).append("\" ")
                    .append(attrs).append("/>\n");
            default -> {
                int n = shape.equals("triangle") ? 3 : shape.equals("diamond") ? 4 : 5;
                double rot = shape.equals("diamond") ? 0 : -Math.PI / 2;
                List<String> pts = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    double a = rot + 2 * Math.PI * i / n;
                    pts.add(f(x + 1.3 * r * Math.cos(a)) + "," + f(y + 1.3 * r * Math.sin(a)));
                }
                b.append("<polygon points=\"").append(String.join(" ", pts)).append("\" ").append(attrs).append("/>\n");
            }
        }
    }

    private static String dash(Style st) {
        return st.svgDash().isEmpty() ? "" : " stroke-dasharray=\"" + st.svgDash() + "\"";
    }

    /**
     * Dot and interval per arm, one row each (top to bottom in series order): the mean (filled marker) with its interval
     * (horizontal bar) and each seed's value (small open marks), on a shared horizontal axis.
     */
    public static String intervals(String title, String xLabel, List<Series> series) {
        int rowH = 28, top = 40, left = 230, right = 30, h = top + rowH * Math.max(1, series.size()) + 50;
        double x0 = Double.POSITIVE_INFINITY, x1 = Double.NEGATIVE_INFINITY;
        for (Series s : series)
            for (Point p : s.points()) {
                x0 = Math.min(x0, Double.isNaN(p.low()) ? p.x() : Math.min(p.x(), p.low()));
                x1 = Math.max(x1, Double.isNaN(p.high()) ? p.x() : Math.max(p.x(), p.high()));
            }
        StringBuilder b = new StringBuilder();
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(W).append("\" height=\"").append(h).append("\" viewBox=\"0 0 ").append(W)
                .append(' ').append(h).append("\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        text(b, W / 2.0, 22, "middle", 15, title);
        if (x0 > x1) {
            text(b, W / 2.0, h / 2.0, "middle", 13, "no data (not run)");
            return b.append("</svg>\n").toString();
        }
        double[] xs = ticks(x0, x1, 0);
        double a0 = xs[0], a1 = xs[xs.length - 1];
        java.util.function.DoubleUnaryOperator mx = v -> left + (a1 == a0 ? 0.5 : (v - a0) / (a1 - a0)) * (W - left - right);
        double bottom = top + rowH * series.size();
        b.append("<g stroke=\"#dddddd\" stroke-width=\"1\">\n");
        for (double x : xs) line(b, mx.applyAsDouble(x), top, mx.applyAsDouble(x), bottom);
        b.append("</g>\n");
        for (double x : xs) text(b, mx.applyAsDouble(x), bottom + 16, "middle", 11, label(x, xs));
        text(b, left + (W - left - right) / 2.0, bottom + 38, "middle", 12, xLabel);
        for (int k = 0; k < series.size(); k++) {
            Series s = series.get(k);
            Style st = style(series, k);
            double y = top + rowH * (k + 0.5);
            text(b, left - 8, y + 4, "end", 12, s.name());
            if (s.points().isEmpty()) continue;
            Point m = s.points().get(0);
            if (!Double.isNaN(m.low()))
                line(b.append("<g stroke=\"").append(st.color()).append("\" stroke-width=\"2.5\">"), mx.applyAsDouble(m.low()), y, mx.applyAsDouble(m.high()), y);
            if (!Double.isNaN(m.low())) b.append("</g>\n");
            for (Point p : s.points().subList(1, s.points().size()))
                b.append("<circle cx=\"").append(f(mx.applyAsDouble(p.x()))).append("\" cy=\"").append(f(y + 7)).append("\" r=\"2.2\" fill=\"white\" stroke=\"")
                        .append(st.color()).append("\"/>\n");
            mark(b, st, mx.applyAsDouble(m.x()), y, 4.5);
        }
        return b.append("</svg>\n").toString();
    }

    public static String lines(String title, String xLabel, String yLabel, List<Series> series, boolean logY) {
        return chart(title, xLabel, yLabel, series, true, logY);
    }

    public static String scatter(String title, String xLabel, String yLabel, List<Series> series) {
        return chart(title, xLabel, yLabel, series, false, false);
    }

    private static String chart(String title, String xLabel, String yLabel, List<Series> series, boolean lines, boolean logY) {
        double x0 = Double.POSITIVE_INFINITY, x1 = Double.NEGATIVE_INFINITY, y0 = Double.POSITIVE_INFINITY, y1 = Double.NEGATIVE_INFINITY;
        for (Series s : series)
            for (Point p : s.points()) {
                double lo = Double.isNaN(p.low()) ? p.y() : Math.min(p.y(), p.low()), hi = Double.isNaN(p.high()) ? p.y() : Math.max(p.y(), p.high());
                if (logY && lo <= 0) continue;
                x0 = Math.min(x0, p.x());
                x1 = Math.max(x1, p.x());
                y0 = Math.min(y0, logY ? Math.log10(lo) : lo);
                y1 = Math.max(y1, logY ? Math.log10(hi) : hi);
            }
        StringBuilder b = new StringBuilder();
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(W).append("\" height=\"").append(H)
                .append("\" viewBox=\"0 0 ").append(W).append(' ').append(H).append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
        b.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        text(b, W / 2.0, 22, "middle", 15, title);
        if (x0 > x1) {
            text(b, W / 2.0, H / 2.0, "middle", 13, "no data (not run)");
            return b.append("</svg>\n").toString();
        }
        double[] xs = ticks(x0, x1, lines ? 1 : 0), ys = logY ? logTicks(y0, y1) : ticks(y0, y1, 0);
        double ax0 = xs[0], ax1 = xs[xs.length - 1], ay0 = ys[0], ay1 = ys[ys.length - 1];
        Mapper m = new Mapper(ax0, ax1, ay0, ay1);
        b.append("<g stroke=\"#dddddd\" stroke-width=\"1\">\n");
        for (double x : xs) line(b, m.x(x), T, m.x(x), H - B);
        for (double y : ys) line(b, L, m.y(y), W - R, m.y(y));
        b.append("</g>\n");
        b.append("<rect x=\"").append(L).append("\" y=\"").append(T).append("\" width=\"").append(W - L - R).append("\" height=\"").append(H - T - B)
                .append("\" fill=\"none\" stroke=\"black\"/>\n");
        for (double x : xs) text(b, m.x(x), H - B + 16, "middle", 11, label(x, xs));
        for (double y : ys) text(b, L - 6, m.y(y) + 4, "end", 11, logY ? sci(Math.pow(10, y)) : label(y, ys));
        text(b, L + (W - L - R) / 2.0, H - 12, "middle", 12, xLabel);
        b.append("<text x=\"16\" y=\"").append(f(T + (H - T - B) / 2.0)).append("\" text-anchor=\"middle\" transform=\"rotate(-90 16 ")
                .append(f(T + (H - T - B) / 2.0)).append(")\">").append(esc(yLabel)).append("</text>\n");
        int k = 0;
        for (int si = 0; si < series.size(); si++) {
            Series s = series.get(si);
            Style st = style(series, si);
            String c = st.color();
            if (lines) {
                // the seeds' spread as a shaded band under the curve
                List<String> up = new ArrayList<>(), down = new ArrayList<>();
                for (Point p : s.points()) {
                    if (Double.isNaN(p.low()) || logY && p.low() <= 0) continue;
                    up.add(f(m.x(p.x())) + "," + f(m.y(logY ? Math.log10(p.high()) : p.high())));
                    down.add(0, f(m.x(p.x())) + "," + f(m.y(logY ? Math.log10(p.low()) : p.low())));
                }
                if (up.size() > 1) {
                    up.addAll(down);
                    b.append("<polygon fill=\"").append(c).append("\" fill-opacity=\"0.12\" stroke=\"none\" points=\"").append(String.join(" ", up)).append("\"/>\n");
                }
            }
            List<String> pts = new ArrayList<>();
            for (Point p : s.points()) {
                if (logY && p.y() <= 0) continue;
                double y = logY ? Math.log10(p.y()) : p.y();
                pts.add(f(m.x(p.x())) + "," + f(m.y(y)));
                if (!lines && !Double.isNaN(p.low())) {
                    line(b.append("<g stroke=\"").append(c).append("\" stroke-width=\"1.5\">"), m.x(p.x()), m.y(p.low()), m.x(p.x()), m.y(p.high()));
                    line(b, m.x(p.x()) - 5, m.y(p.low()), m.x(p.x()) + 5, m.y(p.low()));
                    line(b, m.x(p.x()) - 5, m.y(p.high()), m.x(p.x()) + 5, m.y(p.high()));
                    b.append("</g>\n");
                }
            }
            if (lines && pts.size() > 1)
                b.append("<polyline fill=\"none\" stroke=\"").append(c).append("\" stroke-width=\"1.8\"").append(dash(st)).append(" points=\"")
                        .append(String.join(" ", pts)).append("\"/>\n");
            for (String pt : pts) {
                String[] xy = pt.split(",");
                mark(b, st, Double.parseDouble(xy[0]), Double.parseDouble(xy[1]), 3);
            }
            double ly = T + 10 + 18 * k++;
            line(b.append("<g stroke=\"").append(c).append("\" stroke-width=\"2\"").append(dash(st)).append(">"), W - R + 8, ly, W - R + 36, ly);
            b.append("</g>\n");
            mark(b, st, W - R + 22, ly, 3);
            text(b, W - R + 38, ly + 4, "start", 12, s.name());
        }
        return b.append("</svg>\n").toString();
    }

    private record Mapper(double x0, double x1, double y0, double y1) {
        double x(double v) {
            return L + (x1 == x0 ? 0.5 : (v - x0) / (x1 - x0)) * (W - L - R);
        }

        double y(double v) {
            return H - B - (y1 == y0 ? 0.5 : (v - y0) / (y1 - y0)) * (H - T - B);
        }
    }

    /** "Nice" ticks (1, 2, 5 × 10^k, at least {@code minStep} apart: epochs are whole) covering [lo, hi]. */
    static double[] ticks(double lo, double hi, double minStep) {
        if (hi - lo < 1e-12) {
            double pad = lo == 0 ? 1 : Math.abs(lo) * 0.1;
            lo -= pad;
            hi += pad;
        }
        double raw = (hi - lo) / 5, mag = Math.pow(10, Math.floor(Math.log10(raw))), r = raw / mag;
        double step = Math.max(minStep, (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * mag);
        double start = Math.floor(lo / step) * step, end = Math.ceil(hi / step) * step;
        int n = (int) Math.round((end - start) / step);
        double[] t = new double[n + 1];
        for (int i = 0; i <= n; i++) t[i] = start + i * step;
        return t;
    }

    private static double[] logTicks(double lo, double hi) {
        int a = (int) Math.floor(lo), z = (int) Math.ceil(hi);
        if (z == a) z = a + 1;
        double[] t = new double[z - a + 1];
        for (int i = 0; i < t.length; i++) t[i] = a + i;
        return t;
    }

    private static String label(double v, double[] ticks) {
        double step = ticks.length > 1 ? ticks[1] - ticks[0] : 1;
        int d = Math.max(0, (int) Math.ceil(-Math.log10(step) - 1e-9));
        return String.format(Locale.ROOT, "%." + d + "f", v);
    }

    private static String sci(double v) {
        return String.format(Locale.ROOT, "%.0e", v);
    }

    private static void line(StringBuilder b, double x1, double y1, double x2, double y2) {
        b.append("<line x1=\"").append(f(x1)).append("\" y1=\"").append(f(y1)).append("\" x2=\"").append(f(x2)).append("\" y2=\"").append(f(y2)).append("\"/>");
    }

    private static void text(StringBuilder b, double x, double y, String anchor, int size, String s) {
        b.append("<text x=\"").append(f(x)).append("\" y=\"").append(f(y)).append("\" text-anchor=\"").append(anchor).append("\" font-size=\"")
                .append(size).append("\">").append(esc(s)).append("</text>\n");
    }

    static String f(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
