package org.voxkd.eval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.voxkd.data.Lists;

/**
 * Scores a trial list with a model: features of every distinct utterance (computed once, in parallel,
 * and kept for later validations), embeddings in inference mode, cosine scores, EER, minDCF and a
 * bootstrap interval. Trial counts travel with every figure.
 */
public final class Verification {
    /** Everything a report needs about one scoring of a trial list. */
    public record Result(Eer.Result metrics, Scoring.Interval eerInterval, double[] scores, int[] labels) {
        public int targets() { return metrics.targets(); }

        public int nonTargets() { return metrics.nonTargets(); }

        /** A one-line summary with counts, and a warning when non-targets are too few for the precision shown. */
        public String summary() {
            String s = String.format("EER %.2f%% (95%% CI %.2f–%.2f), minDCF(0.05) %.4f, minDCF(0.01) %.4f on %d target / %d non-target trials",
                    100 * metrics.eer(), 100 * eerInterval.low(), 100 * eerInterval.high(), metrics.minDcf05(), metrics.minDcf01(),
                    targets(), nonTargets());
            String w = warning();
            return w == null ? s : s + "\n  warning: " + w;
        }

        /** One false accept moves the EER by 1/non-targets; below 1,000 non-targets a 0.1% difference is noise. */
        public String warning() {
            if (nonTargets() >= 1000) return null;
            return String.format("only %d non-target trials: one error moves the false-acceptance rate by %.2f%%; EER differences below that are noise",
                    nonTargets(), 100.0 / nonTargets());
        }
    }

    private final List<Lists.Trial> trials;
    private final List<String> utterances;
    private final List<List<float[]>> features;

    /** Loads the features of every utterance the trials name ({@code crops} crops of {@code frames}, or whole utterances when crops is 0). */
    public Verification(Path root, List<Lists.Trial> trials, int frames, int crops, int threads) throws IOException {
        this.trials = List.copyOf(trials);
        this.utterances = List.copyOf(new TreeSet<>(Lists.trialPaths(trials)));
        this.features = UtteranceEmbeddings.features(root, utterances, frames, crops, threads);
    }

    public int utteranceCount() { return utterances.size(); }

    /** Embeds every utterance with {@code embedder} and scores the trials. */
    public Result score(CropEmbedder embedder, long bootstrapSeed) {
        Map<String, float[][]> emb = new LinkedHashMap<>();
        for (int i = 0; i < utterances.size(); i++) emb.put(utterances.get(i), UtteranceEmbeddings.unitCrops(embedder, features.get(i)));
        double[] scores = new double[trials.size()];
        int[] labels = new int[trials.size()];
        for (int i = 0; i < scores.length; i++) {
            Lists.Trial t = trials.get(i);
            scores[i] = Scoring.score(emb.get(t.enroll()), emb.get(t.test()));
            labels[i] = t.label();
        }
        return new Result(Eer.compute(scores, labels), Scoring.eerInterval(scores, labels, 1000, bootstrapSeed), scores, labels);
    }

    /** The score file: "label score enroll test" per trial. */
    public String scoreFile(Result r) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < trials.size(); i++) {
            Lists.Trial t = trials.get(i);
            sb.append(t.label()).append(' ').append(String.format("%.6f", r.scores()[i])).append(' ').append(t.enroll()).append(' ').append(t.test()).append('\n');
        }
        return sb.toString();
    }
}
