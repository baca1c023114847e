package org.voxkd.report;

/**
 * How one arm is drawn: a colour (Okabe–Ito, readable by colour-blind readers, then greys), a marker and a line dash,
 * each distinct for the first ten arms, so that any two arms differ in all three even in grey print. An arm keeps its
 * style in every figure (its index is its place among the arms of the report).
 */
public record Style(String color, String pgfMark, String svgMark, String pgfDash, String svgDash) {
    private static final String[] COLORS = {"#000000", "#E69F00", "#0072B2", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#7F7F7F", "#B8860B", "#4B0082"};
    private static final String[] PGF_MARKS = {"*", "square*", "triangle*", "diamond*", "pentagon*", "o", "square", "triangle", "diamond", "pentagon"};
    private static final String[] SVG_MARKS = {"circle", "square", "triangle", "diamond", "pentagon", "circle-open", "square-open", "triangle-open",
            "diamond-open", "pentagon-open"};
    private static final String[] PGF_DASH = {"solid", "dashed", "dotted", "dashdotted", "densely dashed", "loosely dashed", "densely dotted",
            "dashdotdotted", "loosely dashdotted", "densely dashdotted"};
    private static final String[] SVG_DASH = {"", "6,4", "1.5,3", "6,3,1.5,3", "3,2", "8,6", "1,1.5", "6,3,1.5,3,1.5,3", "6,6,1.5,6", "4,2,1.5,2"};

    /** The number of arms that get pairwise distinct colours, markers and dashes. */
    public static final int DISTINCT = COLORS.length;

    /** The style of the arm at this index (beyond {@link #DISTINCT}, colours, marks and dashes are recombined). */
    public static Style of(int index) {
        int i = Math.floorMod(index, DISTINCT), j = Math.floorMod(index + index / DISTINCT, DISTINCT), k = Math.floorMod(index + 3 * (index / DISTINCT), DISTINCT);
        return new Style(COLORS[i], PGF_MARKS[j], SVG_MARKS[j], PGF_DASH[k], SVG_DASH[k]);
    }
}
