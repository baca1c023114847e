package org.voxkd.data;

import java.io.IOException;
import java.util.List;

/** A list file with malformed lines; the message has one {@code file:line: problem} row per bad line. */
public final class ListFormatException extends IOException {
    private final transient List<String> problems;

    public ListFormatException(List<String> problems) {
        this(problems.size(), problems);
    }


    /**
     * {@code malformed} bad lines, of which {@code problems} were kept (the rest counted): the message shows the first few
     * and names a file with every kept one.
     */
    public ListFormatException(int malformed, List<String> problems) {
        super(Problems.summary(malformed + " malformed line" + (malformed == 1 ? "" : "s")
                + (malformed > problems.size() ? " (the first " + problems.size() + " kept)" : ""), problems, "voxkd-malformed"));
        this.problems = List.copyOf(problems);
    }

    /** A list that is wrong as a whole (no entries at all), not line by line. */
    public ListFormatException(String problem) {
        super(problem);
        this.problems = List.of(problem);
    }

    public List<String> problems() {
        return problems;
    }
}
