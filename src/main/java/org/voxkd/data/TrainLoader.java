package org.voxkd.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.voxkd.audio.Augment;
import org.voxkd.audio.Dsp;
import org.voxkd.audio.FrontEnd;
import org.voxkd.audio.Rng;
import org.voxkd.audio.Wav;

/**
 * Training batches: fixed-length random crops of the listed utterances, as normalised log-mel features.
 *
 * <ul>
 * <li>Classes are the sorted distinct speaker ids; a label is the class index as a float.
 * <li>Optional cap of utterances per speaker: a fixed subset per speaker chosen from (subset seed, speaker),
 *     the same in every epoch and for every training seed (a "mini" data set).
 * <li>Epoch order: a permutation drawn from (seed, epoch); the last incomplete batch is dropped.
 * <li>Crop: {@code frames·160 + 240} samples (32,240 for 200 frames) at a start drawn from
 *     (seed, epoch, utterance); shorter audio is wrapped (numpy 'wrap' padding). Centred framing of the crop
 *     gives frames + 2 feature frames; the first {@code frames} are kept (the spec's documented
 *     simplification) and log + instance norm are taken over exactly those frames.
 * <li>Augmentation (if any) draws from its own (seed, epoch, utterance) stream: waveform first, then
 *     SpecAugment on the normalised features.
 * </ul>
 * Every batch is a pure function of (list, config, epoch, batch index): background threads only change
 * when it is ready, never its contents. Batches are {@code [B, T, 80]} row-major float arrays.
 */
public final class TrainLoader implements AutoCloseable {
    private static final int P_CAP = 16, P_ORDER = 17, P_CROP = 18, P_AUG = 19;

    /** {@code seed} drives order, crops and augmentation; {@code subsetSeed} which utterances a per-speaker cap keeps. */
    public record Config(int batchSize, int frames, long seed, int maxPerSpeaker, long subsetSeed, int threads, int prefetch, Augment augment) {
        public Config {
            if (batchSize < 1 || frames < 1 || maxPerSpeaker < 0 || threads < 0 || prefetch < 1) {
                throw new IllegalArgumentException("bad loader config: " + batchSize + "/" + frames + "/" + maxPerSpeaker + "/" + threads + "/" + prefetch);
            }
        }

        public static Config of(int batchSize, long seed) {
            return new Config(batchSize, 200, seed, 0, 1, 2, 4, null);
        }

        public Config withThreads(int threads) { return new Config(batchSize, frames, seed, maxPerSpeaker, subsetSeed, threads, prefetch, augment); }
        public Config withFrames(int frames) { return new Config(batchSize, frames, seed, maxPerSpeaker, subsetSeed, threads, prefetch, augment); }
        public Config withMaxPerSpeaker(int cap) { return new Config(batchSize, frames, seed, cap, subsetSeed, threads, prefetch, augment); }
        public Config withAugment(Augment a) { return new Config(batchSize, frames, seed, maxPerSpeaker, subsetSeed, threads, prefetch, a); }
    }

    /** One batch: features [size, frames, 80] row-major, labels [size] (class indices), and the utterance indices used. */
    public record Batch(int epoch, int index, int size, int frames, float[] features, float[] labels, int[] utterances) {}

    private final Path root;
    private final Config config;
    private final List<String> classes;
    private final List<Lists.Utterance> used; // after the cap, in list order
    private final int[] labelOf;
    private final ExecutorService pool;
    private final ThreadLocal<FrontEnd> frontEnd = ThreadLocal.withInitial(FrontEnd::new);

    public TrainLoader(Path root, List<Lists.Utterance> list, Config config) {
        this.root = root;
        this.config = config;
        this.classes = Lists.speakers(list);
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < classes.size(); i++) index.put(classes.get(i), i);
        this.used = cap(list, index, config);
        if (used.size() < config.batchSize()) throw new IllegalArgumentException(used.size() + " utterances, fewer than one batch of " + config.batchSize());
        labelOf = new int[used.size()];
        for (int i = 0; i < used.size(); i++) labelOf[i] = index.get(used.get(i).speaker());
        pool = config.threads() == 0 ? null : Executors.newFixedThreadPool(config.threads(), r -> {
            Thread t = new Thread(r, "voxkd-loader");
            t.setDaemon(true);
            return t;
        });
    }

    private static List<Lists.Utterance> cap(List<Lists.Utterance> list, Map<String, Integer> index, Config c) {
        if (c.maxPerSpeaker() == 0) return List.copyOf(list);
        List<List<Integer>> bySpeaker = new ArrayList<>();
        for (int i = 0; i < index.size(); i++) bySpeaker.add(new ArrayList<>());
        for (int i = 0; i < list.size(); i++) bySpeaker.get(index.get(list.get(i).speaker())).add(i);
        boolean[] keep = new boolean[list.size()];
        for (int s = 0; s < bySpeaker.size(); s++) {
            List<Integer> u = bySpeaker.get(s);
            int[] perm = new Rng(c.subsetSeed(), Rng.id(P_CAP, 0, s, 0)).permutation(u.size());
            for (int k = 0; k < Math.min(c.maxPerSpeaker(), u.size()); k++) keep[u.get(perm[k])] = true;
        }
        List<Lists.Utterance> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) if (keep[i]) out.add(list.get(i));
        return List.copyOf(out);
    }

    public List<String> classes() {
        return classes;
    }

    /** The utterances in use (after the cap), in list order; batch utterance indices refer to this list. */
    public List<Lists.Utterance> utterances() {
        return used;
    }

    public int batchesPerEpoch() {
        return used.size() / config.batchSize();
    }

    /** The utterance order of an epoch. */
    public int[] order(int epoch) {
        return new Rng(config.seed(), Rng.id(P_ORDER, epoch, 0, 0)).permutation(used.size());
    }

    /** Computes one batch in the calling thread. */
    public Batch batch(int epoch, int index) throws IOException {
        return batch(epoch, index, order(epoch));
    }

    private Batch batch(int epoch, int index, int[] order) throws IOException {
        int b = config.batchSize(), t = config.frames(), m = FrontEnd.N_MELS;
        if (index < 0 || index >= batchesPerEpoch()) throw new IndexOutOfBoundsException("batch " + index + " of " + batchesPerEpoch());
        float[] x = new float[b * t * m], y = new float[b];
        int[] utts = new int[b];
        for (int i = 0; i < b; i++) {
            int u = order[index * b + i];
            utts[i] = u;
            y[i] = labelOf[u];
            System.arraycopy(item(epoch, u), 0, x, i * t * m, t * m);
        }
        return new Batch(epoch, index, b, t, x, y, utts);
    }

    /** Features [frames, 80] of utterance u's crop in an epoch. */
    float[] item(int epoch, int u) throws IOException {
        Augment aug = config.augment();
        Rng ar = aug == null ? null : augmentStream(epoch, u);
        float[] feat = frontEnd.get().features(waveform(epoch, u, ar), config.frames());
        if (aug != null && aug.specAugmentEnabled()) aug.specAugment(feat, config.frames(), FrontEnd.N_MELS, ar);
        FrontEnd.requireFinite(feat, root.resolve(used.get(u).path()));
        return feat;
    }

    /** Utterance u's crop in an epoch as samples, after the waveform augmentation (if any) drawn from {@code ar}. */
    float[] waveform(int epoch, int u, Rng ar) throws IOException {
        float[] wav = Wav.read(root.resolve(used.get(u).path()));
        int len = FrontEnd.cropSamples(config.frames());
        Rng crop = new Rng(config.seed(), Rng.id(P_CROP, epoch, u, 0));
        int start = wav.length > len ? crop.nextInt(wav.length - len + 1) : 0;
        float[] clip = Dsp.wrapCrop(wav, start, len);
        return ar == null ? clip : config.augment().waveform(clip, ar);
    }

    /** The augmentation draws of utterance u in an epoch: their own stream, so crops and order never depend on them. */
    Rng augmentStream(int epoch, int u) {
        return new Rng(config.seed(), Rng.id(P_AUG, epoch, u, 0));
    }

    /**
     * The batches of an epoch in order. With threads > 0, up to {@code prefetch} batches are computed ahead
     * in the background; with 0 threads, each batch is computed on demand.
     */
    public Iterator<Batch> epoch(int epoch) {
        int[] order = order(epoch);
        int total = batchesPerEpoch();
        return new Iterator<>() {
            private final ArrayDeque<CompletableFuture<Batch>> ahead = new ArrayDeque<>();
            private int next = 0, submitted = 0;

            private void fill() {
                while (pool != null && submitted < total && ahead.size() < config.prefetch()) {
                    int i = submitted++;
                    ahead.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            return batch(epoch, i, order);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }, pool));
                }
            }

            @Override
            public boolean hasNext() {
                return next < total;
            }

            @Override
            public Batch next() {
                if (!hasNext()) throw new NoSuchElementException();
                try {
                    if (pool == null) return batch(epoch, next, order);
                    fill();
                    Batch b = ahead.poll().get();
                    fill();
                    return b;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while loading", e);
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                } finally {
                    next++;
                }
            }
        };
    }

    @Override
    public void close() {
        if (pool != null) pool.shutdownNow();
    }

    @Override
    public String toString() {
        return "TrainLoader[" + used.size() + " utterances, " + classes.size() + " classes, batch " + config.batchSize()
                + ", " + config.frames() + " frames, threads " + config.threads() + ", per-speaker cap " + config.maxPerSpeaker() + "]";
    }
}
