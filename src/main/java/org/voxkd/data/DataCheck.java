package org.voxkd.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.voxkd.audio.FrontEnd;
import org.voxkd.audio.Wav;
import org.voxkd.audio.WavException;
import org.voxkd.io.AtomicFiles;
import org.voxkd.io.IoErrors;

/**
 * The check run before training or evaluation starts: every referenced file must exist and have a
 * readable, complete 16 kHz WAV header. All problems are collected and reported together.
 */
public final class DataCheck {
    private DataCheck() {}

    /** Thrown with one line per missing or unreadable file. */
    public static final class MissingDataException extends IOException {
        private final transient List<String> problems;

        MissingDataException(List<String> problems, int checked) {
            super(summary(problems, checked));
            this.problems = List.copyOf(problems);
        }

        private static String summary(List<String> problems, int checked) {
            return Problems.summary(problems.size() + " of " + checked + " referenced files are missing or unreadable", problems, "voxkd-missing");
        }

        public List<String> problems() {
            return problems;
        }
    }

    /** Probes {@code root/path} for every path; throws once with all problems. Returns the total audio length in seconds. */
    public static double check(Path root, Collection<String> paths) throws MissingDataException {
        List<String> problems = new ArrayList<>();
        double seconds = 0;
        for (String p : paths) {
            try {
                seconds += Wav.probe(root.resolve(p), FrontEnd.SAMPLE_RATE).seconds();
            } catch (IOException e) {
                problems.add(e instanceof WavException ? e.getMessage() : root.resolve(p) + ": " + IoErrors.reason(e));
            }
        }
        if (!problems.isEmpty()) throw new MissingDataException(problems, paths.size());
        return seconds;
    }

    public static double checkTrainList(Path root, List<Lists.Utterance> list) throws MissingDataException {
        return check(root, list.stream().map(Lists.Utterance::path).distinct().toList());
    }

    public static double checkTrialList(Path root, List<Lists.Trial> trials) throws MissingDataException {
        return check(root, Lists.trialPaths(trials));
    }
}
