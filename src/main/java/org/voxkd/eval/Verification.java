package org.voxkd.eval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.voxkd.data.Lists;
import org.voxkd.stats.Eer;
import org.voxkd.stats.Interval;
import org.voxkd.stats.Metric;
import org.voxkd.stats.SpeakerBootstrap;
import org.voxkd.stats.TrialSet;

/**
 * Scores a trial list with a model: features of every distinct utterance (computed once, in parallel,
 * and kept for later validations), embeddings in inference mode, cosine scores, EER, minDCF and a
 * 95% interval for the EER from a bootstrap over speakers. Trial counts travel with every figure.
 */
public final class Verification {
    /** Everything a report needs about one scoring of a trial list. */
    public record Result(Eer.Result metrics, Interval eerInterval, Interval minDcf05Interval, Interval minDcf01Interval, double[] scores, int[] labels) {
        public int targets() { return metrics.targets(); }

        public int nonTargets() { return metrics.nonTargets(); }

        /** A one-line summary with counts, and a warning when non-targets are too few for the precision shown. */
        public String summary() {
            String s = String.format("EER %.2f%% (95%% CI %.2f–%.2f, speakers resampled), minDCF %.4f (P_target 0.05, C_miss 1, C_fa 1), minDCF %.4f (P_target 0.01, C_miss 1, C_fa 1) on %d target / %d non-target trials",
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

    private final Path root;
    private final List<Lists.Trial> trials;
    private final TrialSet trialSet;
    private final List<String> utterances;
    private final List<List<float[]>> features;
    private Map<String, float[][]> lastUnit;

    /** Loads the features of every utterance the trials name ({@code crops} crops of {@code frames}, or whole utterances when crops is 0). */
    public Verification(Path root, List<Lists.Trial> trials, int frames, int crops, int threads) throws IOException {
        this(root, trials, frames, crops, threads, null);
    }

    /** As above, telling {@code progress} how many utterances are loaded (for a progress line). */
    public Verification(Path root, List<Lists.Trial> trials, int frames, int crops, int threads, java.util.function.IntConsumer progress) throws IOException {
        this.root = root;
        this.trials = List.copyOf(trials);
        this.trialSet = TrialSet.of(this.trials);
        this.utterances = List.copyOf(new TreeSet<>(Lists.trialPaths(trials)));
        this.features = UtteranceEmbeddings.features(root, utterances, frames, crops, threads, progress);
    }

    public int utteranceCount() { return utterances.size(); }

    /** Embeds every utterance with {@code embedder} and scores the trials. */
    public Result score(CropEmbedder embedder, long bootstrapSeed) {
        return score(embedder, bootstrapSeed, null);
    }

    /** As above, telling {@code progress} how many utterances are embedded. */
    public Result score(CropEmbedder embedder, long bootstrapSeed, java.util.function.IntConsumer progress) {
        Map<String, float[][]> emb = new LinkedHashMap<>();
        List<String> names = new java.util.ArrayList<>();
        for (String u : utterances) names.add(root.resolve(u).toString());
        float[][][] unit = UtteranceEmbeddings.unitCropsBatched(embedder, features, names, progress);
        for (int i = 0; i < utterances.size(); i++) emb.put(utterances.get(i), unit[i]);
        lastUnit = emb;
        double[] scores = new double[trials.size()];
        int[] labels = new int[trials.size()];
        for (int i = 0; i < scores.length; i++) {
            Lists.Trial t = trials.get(i);
            // scores are kept at float precision, so a score file written as shortest float strings holds them exactly
            scores[i] = (float) Scoring.score(emb.get(t.enroll()), emb.get(t.test()));
            labels[i] = t.label();
        }
        Eer.Ranked ranked = Eer.rank(scores, labels);
        SpeakerBootstrap boot = new SpeakerBootstrap(trialSet, SpeakerBootstrap.DEFAULT_RESAMPLES, bootstrapSeed);
        Interval[] ci = new Interval[Metric.values().length];
        for (Metric m : Metric.values()) ci[m.ordinal()] = boot.distribution(w -> m.of(ranked.metrics(w))).interval(0.95);
        return new Result(ranked.metrics(null), ci[0], ci[1], ci[2], scores, labels);
    }

    /** The score file: "label score enroll test" per trial (paths quoted by the lists' rule, {@link Lists#line}). */
    public String scoreFile(Result r) {
        return scoreFile(r.scores());
    }

    /** A score file of any scores of this list's trials, in list order. */
    public String scoreFile(double[] scores) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < trials.size(); i++) {
            Lists.Trial t = trials.get(i);
            sb.append(Lists.line(Integer.toString(t.label()), Float.toString((float) scores[i]), t.enroll(), t.test()));
        }
        return sb.toString();
    }

    /** The trials, in list order. */
    public List<Lists.Trial> trials() { return trials; }

    /**
     * The utterance embeddings (mean of unit crop embeddings: {@link UtteranceEmbeddings}) of the last {@link #score}, by
     * listed path: what score normalisation compares with a cohort.
     */
    public Map<String, float[]> utteranceEmbeddings() {
        if (lastUnit == null) throw new IllegalStateException("score the list first");
        Map<String, float[]> out = new LinkedHashMap<>();
        lastUnit.forEach((k, v) -> out.put(k, UtteranceEmbeddings.mean(v)));
        return out;
    }
}
