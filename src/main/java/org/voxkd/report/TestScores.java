package org.voxkd.report;

import java.io.IOException;
import java.nio.file.Path;
import org.voxkd.stats.Eer;
import org.voxkd.stats.TrialSet;

/**
 * A run's {@code test_scores.txt}: per trial of the test list, in list order, the label, the score of the
 * selected and of the last weights, and the speakers of both sides; the header names the list's SHA-256, so
 * that two runs are compared only on the same trials. Malformed lines are errors naming the file and line.
 */
public record TestScores(String listSha256, TrialSet trials, double[] best, double[] last) {
    /** Ranked scores (for weighted, resampled metrics), built once per run and weight set. */
    public Eer.Ranked ranked(boolean selected) {
        return Eer.rank(selected ? best : last, trials.labels());
    }

    public static TestScores read(Path file) throws IOException {
        ScoreFile f = ScoreFile.read(file, 2, "label best last enroll_speaker test_speaker");
        return new TestScores(f.listSha256(), f.trials(), f.scores().get(0), f.scores().get(1));
    }
}
