package org.voxkd.eval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.voxkd.audio.FrontEnd;
import org.voxkd.audio.Wav;
import org.voxkd.data.Lists;
import org.voxkd.data.Workers;
import org.voxkd.stats.Eer;

/**
 * The non-learned reference system used to calibrate SynthVox: the embedding of an utterance is its
 * log-mel spectrum (spec front-end up to the log) averaged over time, minus its own mean over the 80 bins
 * (which removes the recording level, otherwise the dominant term of an uncentred cosine), and a
 * trial's score is the cosine of the two embeddings. No instance normalisation: it would make every
 * time-average zero.
 */
public final class Baseline {
    private Baseline() {}

    public static double[] embedding(float[] wav) {
        float[] x = new FrontEnd().powerMel(wav);
        FrontEnd.log(x);
        int frames = x.length / FrontEnd.N_MELS;
        double[] e = new double[FrontEnd.N_MELS];
        for (int t = 0; t < frames; t++) for (int m = 0; m < FrontEnd.N_MELS; m++) e[m] += x[t * FrontEnd.N_MELS + m];
        double level = 0;
        for (int m = 0; m < FrontEnd.N_MELS; m++) level += e[m] /= frames;
        level /= FrontEnd.N_MELS;
        for (int m = 0; m < FrontEnd.N_MELS; m++) e[m] -= level;
        return e;
    }

    public static double cosine(double[] a, double[] b) {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.length; i++) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
        return ab / Math.sqrt(aa * bb);
    }

    /** EER and minDCF of the baseline on a trial list whose paths are relative to {@code root}. */
    public static Eer.Result evaluate(Path root, List<Lists.Trial> trials, int threads) throws IOException {
        int[] labels = new int[trials.size()];
        for (int i = 0; i < labels.length; i++) labels[i] = trials.get(i).label();
        return Eer.compute(scores(root, trials, threads), labels);
    }

    /** The baseline's score of every trial, in list order (paths relative to {@code root}). */
    public static double[] scores(Path root, List<Lists.Trial> trials, int threads) throws IOException {
        List<String> paths = Lists.trialPaths(trials);
        double[][] emb = new double[paths.size()][];
        Workers.forEach(paths.size(), threads, i -> emb[i] = embedding(Wav.read(root.resolve(paths.get(i)))));
        Map<String, double[]> byPath = new HashMap<>();
        for (int i = 0; i < paths.size(); i++) byPath.put(paths.get(i), emb[i]);
        double[] scores = new double[trials.size()];
        for (int i = 0; i < scores.length; i++) {
            Lists.Trial t = trials.get(i);
            scores[i] = cosine(byPath.get(t.enroll()), byPath.get(t.test()));
        }
        return scores;
    }
}
