package org.voxkd.report;

import java.util.List;

/**
 * One figure of the report, independent of how it is drawn: {@link Svg} renders it for report.md, {@link Pgf} as
 * pgfplots code for the PDF (no SVG converter needed).
 */
public record Chart(String title, String xLabel, String yLabel, List<Svg.Series> series, boolean lines, boolean logY) {
    public static Chart lines(String title, String xLabel, String yLabel, List<Svg.Series> series, boolean logY) {
        return new Chart(title, xLabel, yLabel, series, true, logY);
    }

    /** Points with vertical interval bars. */
    public static Chart scatter(String title, String xLabel, String yLabel, List<Svg.Series> series) {
        return new Chart(title, xLabel, yLabel, series, false, false);
    }

    public String svg() {
        return lines ? Svg.lines(title, xLabel, yLabel, series, logY) : Svg.scatter(title, xLabel, yLabel, series);
    }

    public String pgf() {
        return Pgf.render(this);
    }
}
