package org.voxkd.report;

import java.util.List;

/**
 * One figure of the report, independent of how it is drawn: {@link Svg} renders it for report.md, {@link Pgf} as
 * pgfplots code for the PDF (no SVG converter needed). Axis labels have a plain form (SVG) and a LaTeX form (math where
 * the label is a symbol); the title is the SVG's heading, the PDF puts it in the caption instead.
 */
public record Chart(String title, String xLabel, String yLabel, List<Svg.Series> series, boolean lines, boolean logY, boolean intervals,
                    String xTex, String yTex) {
    public static Chart lines(String title, String xLabel, String yLabel, List<Svg.Series> series, boolean logY) {
        return new Chart(title, xLabel, yLabel, series, true, logY, false, Latex.escape(xLabel), Latex.escape(yLabel));
    }

    /** Points with vertical interval bars. */
    public static Chart scatter(String title, String xLabel, String yLabel, List<Svg.Series> series) {
        return new Chart(title, xLabel, yLabel, series, false, false, false, Latex.escape(xLabel), Latex.escape(yLabel));
    }

    /** Dot and interval per arm, one row each (see {@link Svg#intervals}). */
    public static Chart intervals(String title, String xLabel, List<Svg.Series> series) {
        return new Chart(title, xLabel, "", series, false, false, true, Latex.escape(xLabel), "");
    }

    /** The same chart with LaTeX axis labels (math allowed). */
    public Chart tex(String x, String y) {
        return new Chart(title, xLabel, yLabel, series, lines, logY, intervals, x, y);
    }

    public String svg() {
        if (intervals) return Svg.intervals(title, xLabel, series);
        return lines ? Svg.lines(title, xLabel, yLabel, series, logY) : Svg.scatter(title, xLabel, yLabel, series);
    }

    public String pgf() {
        return Pgf.render(this);
    }
}
