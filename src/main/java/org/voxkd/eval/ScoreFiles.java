package org.voxkd.eval;

import java.util.List;
import org.voxkd.data.Lists;
import org.voxkd.stats.TrialSet;

/**
 * The score files of a run's test list ({@code test_scores.txt}) and of the deployment study ({@code deploy_scores.txt}):
 * a header naming the list, its SHA-256 and the score columns, then one line per trial in list order —
 * "label SCORE… enroll_speaker test_speaker" — so that the report can form speaker-clustered and paired intervals
 * from the run folder alone (speakers quoted by the lists' rule, {@link Lists#quote}). Scores are written as given (shortest exact float strings).
 */
public final class ScoreFiles {
    private ScoreFiles() {}

    /** One trial: its label, one score per column, and the two utterance paths (their speakers are written). */
    public record Row(int label, List<String> scores, String enroll, String test) {}

    /** The file's text: {@code kind} names it ("test", "deployment"); {@code list} is the trial list's file name. */
    public static String text(String kind, String list, String sha256, List<String> columns, List<Row> rows) {
        StringBuilder b = new StringBuilder("# voxkd ").append(kind).append(" scores: one line per trial of the test list, in list order\n")
                .append("# trials ").append(list).append(" sha256 ").append(sha256).append('\n')
                .append("# label ").append(String.join(" ", columns)).append(" enroll_speaker test_speaker\n");
        for (Row r : rows) {
            if (r.scores().size() != columns.size())
                throw new IllegalArgumentException(kind + " scores: a row has " + r.scores().size() + " scores for " + columns.size() + " columns");
            b.append(r.label());
            for (String s : r.scores()) b.append(' ').append(s);
            b.append(' ').append(Lists.quote(TrialSet.speakerOf(r.enroll()))).append(' ').append(Lists.quote(TrialSet.speakerOf(r.test()))).append('\n');
        }
        return b.toString();
    }
}
