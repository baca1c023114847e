package org.voxkd.data;

import java.io.IOException;
import java.util.List;

/** A list file with malformed lines; the message has one {@code file:line: problem} row per bad line. */
public final class ListFormatException extends IOException {
    private final transient List<String> problems;

    public ListFormatException(List<String> problems) {
        super(problems.size() + " malformed line" + (problems.size() == 1 ? "" : "s") + ":\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
