package org.voxkd.report;

import java.util.List;

/** Renders a {@link Table} as GitHub Markdown. */
public final class Markdown {
    private Markdown() {}

    /** The table alone: caption, pipe table, notes. */
    public static String table(Table t) {
        StringBuilder b = new StringBuilder();
        if (!t.caption().isEmpty()) b.append(escape(t.caption())).append("\n\n");
        line(b, t.header());
        b.append('|');
        for (char a : t.align().toCharArray()) b.append(a == 'r' ? "---:|" : "---|");
        b.append('\n');
        for (List<String> r : t.rows()) line(b, r);
        for (String n : t.notes()) b.append('\n').append(escape(n)).append('\n');
        return b.toString();
    }

    /** A section of report.md: heading then the table. */
    public static String section(Table t) {
        return "### " + escape(t.title()) + "\n\n" + table(t) + "\n";
    }

    private static void line(StringBuilder b, List<String> cells) {
        b.append('|');
        for (String c : cells) b.append(' ').append(escape(c)).append(" |");
        b.append('\n');
    }

    /** Pipes and line breaks would break a table row; backslashes and asterisks would turn into markup. */
    public static String escape(String s) {
        return s.replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*").replace("\n", " ");
    }
}
