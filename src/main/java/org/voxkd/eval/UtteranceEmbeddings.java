package org.voxkd.eval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import org.voxkd.data.EvalLoader;
import org.voxkd.data.Workers;

/**
 * Utterance-level embeddings, made the way {@code voxkd eval} scores: an utterance gives {@code crops} evenly
 * spaced crops of {@code frames} frames ({@link EvalLoader}; 0 crops: the whole utterance as one crop), each
 * crop embedding is scaled to unit length, and the utterance embedding is the <b>mean of the unit crop
 * embeddings</b>, not scaled again. Because the eval score — the mean cosine over all crop pairs — is
 * bilinear, the dot product of two such embeddings is exactly that score:
 * {@code mean(a)·mean(b) = (1/(na·nb)) Σ_ij a_i·b_j}. (With one crop the embedding has unit length and the
 * dot product is the cosine.)
 */
public final class UtteranceEmbeddings {
    /** Utterances whose features are held in memory at once by {@link #embedAll}. */
    static final int CHUNK = 64;

    private UtteranceEmbeddings() {}

    /**
     * The unit-length crop embeddings of one utterance's feature crops; an embedding that is not finite (weights that
     * overflow on this input) is an error naming the utterance, never a NaN score.
     */
    public static float[][] unitCrops(CropEmbedder embedder, List<float[]> features, String utterance) {
        return unitRows(embedder.embed(features), utterance);
    }

    /** The mean of unit crop embeddings: the utterance embedding. */
    public static float[] mean(float[][] unitCrops) {
        int d = unitCrops[0].length;
        double[] sum = new double[d];
        for (float[] e : unitCrops)
            for (int i = 0; i < d; i++) sum[i] += e[i];
        float[] out = new float[d];
        for (int i = 0; i < d; i++) out[i] = (float) (sum[i] / unitCrops.length);
        return out;
    }

    /**
     * The evaluation features of each path (relative to {@code root}), in order, computed on {@code threads}
     * threads: {@code crops} crops of {@code frames} frames, or the whole utterance when crops is 0.
     */
    public static List<List<float[]>> features(Path root, List<String> paths, int frames, int crops, int threads) throws IOException {
        return features(root, paths, frames, crops, threads, null);
    }

    /** As above, telling {@code progress} the number of utterances done after each (from the loading threads). */
    public static List<List<float[]>> features(Path root, List<String> paths, int frames, int crops, int threads, java.util.function.IntConsumer progress)
            throws IOException {
        java.util.concurrent.atomic.AtomicInteger done = new java.util.concurrent.atomic.AtomicInteger();
        ThreadLocal<EvalLoader> loader = ThreadLocal.withInitial(() -> crops == 0 ? EvalLoader.wholeUtterance(root) : new EvalLoader(root, frames, crops));
        List<List<float[]>> feats = new ArrayList<>();
        for (int i = 0; i < paths.size(); i++) feats.add(null);
        Workers.forEach(paths.size(), Math.max(1, threads), i -> {
            feats.set(i, loader.get().features(paths.get(i)));
            if (progress != null) progress.accept(done.incrementAndGet());
        });
        return feats;
    }

    public static double dot(float[] a, float[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("embeddings differ in size: " + a.length + " vs " + b.length);
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (double) a[i] * b[i];
        return s;
    }

    /** Crops per embedding call when {@link #unitCropsBatched} gathers the crops of several utterances. */
    static final int BATCH_CROPS = 64;

    /**
     * {@link #unitCrops} of every utterance, with the crops of consecutive utterances of one length embedded together,
     * up to {@value #BATCH_CROPS} per call. In inference every crop's embedding is computed on its own (BatchNorm uses its
     * running statistics, pooling and normalisation are per crop), so the batching changes no value — in portable numerics
     * not a bit — and a model whose cost is per call (an LSTM's per-step products on two crops) runs its products on a
     * batch instead of two rows. {@code names[i]} names utterance i in errors.
     */
    public static float[][][] unitCropsBatched(CropEmbedder embedder, List<List<float[]>> features, List<String> names) {
        return unitCropsBatched(embedder, features, names, null);
    }

    /** As above, telling {@code progress} the number of utterances embedded after each call. */
    public static float[][][] unitCropsBatched(CropEmbedder embedder, List<List<float[]>> features, List<String> names,
                                               java.util.function.IntConsumer progress) {
        float[][][] out = new float[features.size()][][];
        int i = 0;
        while (i < features.size()) {
            int len = features.get(i).isEmpty() ? -1 : features.get(i).get(0).length, j = i, crops = 0;
            List<float[]> batch = new ArrayList<>();
            // Whole utterances; one that alone has more crops than a batch goes on its own.
            while (j < features.size() && !features.get(j).isEmpty() && sameLength(features.get(j), len)
                    && (j == i || crops + features.get(j).size() <= BATCH_CROPS)) {
                batch.addAll(features.get(j));
                crops += features.get(j).size();
                j++;
            }
            if (j == i) { // no crops, or crops of different lengths within one utterance: on their own, as before
                out[i] = unitCrops(embedder, features.get(i), names.get(i));
                i++;
                if (progress != null) progress.accept(i);
                continue;
            }
            float[][] e = embedder.embed(batch);
            for (int u = i, at = 0; u < j; u++) {
                int n = features.get(u).size();
                float[][] mine = java.util.Arrays.copyOfRange(e, at, at + n);
                at += n;
                out[u] = unitRows(mine, names.get(u));
            }
            i = j;
            if (progress != null) progress.accept(i);
        }
        return out;
    }

    private static boolean sameLength(List<float[]> crops, int len) {
        for (float[] c : crops) if (c.length != len) return false;
        return true;
    }

    /** Checks one utterance's crop embeddings are finite and scales each to unit length. */
    private static float[][] unitRows(float[][] e, String utterance) {
        for (int c = 0; c < e.length; c++)
            for (float v : e[c])
                if (!Float.isFinite(v))
                    throw new IllegalStateException(utterance + ": its embedding (crop " + (c + 1) + " of " + e.length + ") holds " + v
                            + "; the model's weights overflow on this input, so it cannot be scored");
        return Scoring.normalise(e);
    }

    /**
     * The embeddings of {@code paths} (relative to {@code root}), one row per entry in list order; a path
     * listed twice is computed once. Features are computed on {@code threads} threads, {@value #CHUNK}
     * utterances at a time so memory stays bounded; {@code progress} receives the count of distinct
     * utterances done after each chunk.
     */
    public static float[][] embedAll(CropEmbedder embedder, Path root, List<String> paths, int frames, int crops, int threads,
                                     IntConsumer progress) throws IOException {
        List<String> distinct = new ArrayList<>(new LinkedHashSet<>(paths));
        Map<String, float[]> done = new HashMap<>();
        for (int start = 0; start < distinct.size(); start += CHUNK) {
            int from = start, n = Math.min(CHUNK, distinct.size() - start);
            List<List<float[]>> feats = features(root, distinct.subList(from, from + n), frames, crops, threads);
            List<String> names = new ArrayList<>();
            for (int i = 0; i < n; i++) names.add(root.resolve(distinct.get(from + i)).toString());
            float[][][] unit = unitCropsBatched(embedder, feats, names);
            for (int i = 0; i < n; i++) done.put(distinct.get(from + i), mean(unit[i]));
            if (progress != null) progress.accept(from + n);
        }
        float[][] out = new float[paths.size()][];
        for (int i = 0; i < out.length; i++) out[i] = done.get(paths.get(i));
        return out;
    }
}
