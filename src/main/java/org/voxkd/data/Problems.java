package org.voxkd.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.voxkd.io.AtomicFiles;

/**
 * A long list of problems (bad lines of a list, missing files) as one readable message: the count, the first
 * {@link #SHOWN}, and the file holding all of them — a 50,000-line list must not become a 2 MB error line.
 */
final class Problems {
    /** Problems shown in a message; a longer list is written to a file the message names. */
    static final int SHOWN = 10;

    private Problems() {}

    /** "{@code head}: p1; …" when short; otherwise the first {@link #SHOWN} and where the whole list ({@code all}) is. */
    static String summary(String head, List<String> all, String fileStem) {
        if (all.size() <= SHOWN) return head + ":\n  " + String.join("\n  ", all);
        String where;
        try {
            String text = String.join("\n", all) + "\n";
            Path f = Path.of(System.getProperty("java.io.tmpdir"),
                    fileStem + "-" + DatasetHash.sha256(text.getBytes(StandardCharsets.UTF_8)).substring(0, 12) + ".txt");
            AtomicFiles.writeString(f, text);
            where = "the full list is in " + f;
        } catch (IOException | RuntimeException e) {
            where = "the full list could not be written (" + e.getMessage() + ")";
        }
        return head + " (" + where + "); the first " + SHOWN + ":\n  " + String.join("\n  ", all.subList(0, SHOWN));
    }
}
