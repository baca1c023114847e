package org.voxkd.report;

import java.util.ArrayList;
import java.util.List;

/**
 * One table of the report, independent of how it is written: an id (its file name), a title, a
 * generated caption, column headers with their alignment ({@code l} or {@code r} per column), rows of
 * already formatted cells, and notes printed under it. {@link Markdown} and {@link Latex} render it.
 */
public final class Table {
    private final String id, title, align;
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private String caption = "";

    public Table(String id, String title, String align, String... header) {
        if (align.length() != header.length) throw new IllegalArgumentException(id + ": " + header.length + " columns, alignment " + align);
        this.id = id;
        this.title = title;
        this.align = align;
        this.header = List.of(header);
    }

    public Table caption(String c) {
        caption = c;
        return this;
    }

    public Table row(String... cells) {
        if (cells.length != header.size()) throw new IllegalArgumentException(id + ": row of " + cells.length + " cells, expected " + header.size());
        rows.add(List.of(cells));
        return this;
    }

    public Table note(String n) {
        notes.add(n);
        return this;
    }

    public String id() { return id; }
    public String title() { return title; }
    public String caption() { return caption; }
    public String align() { return align; }
    public List<String> header() { return header; }
    public List<List<String>> rows() { return rows; }
    public List<String> notes() { return notes; }

    /** The cell in the first row whose first cell is {@code key}, column {@code column} (tests, lookups). */
    public String cell(String key, String column) {
        int c = header.indexOf(column);
        if (c < 0) throw new IllegalArgumentException(id + ": no column " + column + " in " + header);
        for (List<String> r : rows) if (r.get(0).equals(key)) return r.get(c);
        throw new IllegalArgumentException(id + ": no row " + key);
    }
}
