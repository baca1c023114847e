package org.voxkd.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.voxkd.audio.Signal;
import org.voxkd.audio.Wav;
import org.voxkd.data.Lists;
import org.voxkd.data.TrainLoader;

/**
 * Checks of a configuration's inputs that training would otherwise meet only once it runs, shared by training and
 * `voxkd train --check` so that a check that says ok means training can start: at least two speakers (with one, the
 * classifier reaches loss 0 and 100% accuracy without learning anything), at least one batch of utterances after
 * {@code data.per_speaker} (the loader's own rule), and — in {@link #samples} — every sample value of every listed file.
 */
public final class TrainingChecks {
    private TrainingChecks() {}

    /** The speaker count and the batch against the utterances the loader would use; cheap (no audio is read). */
    static void list(TrainConfig cfg, List<Lists.Utterance> train) throws IOException {
        TrainConfig.Data d = cfg.data();
        List<String> speakers = Lists.speakers(train);
        if (speakers.size() < 2)
            throw new IOException(d.trainList() + ": " + (speakers.isEmpty() ? "no speakers" : "one speaker (" + speakers.get(0) + ")")
                    + "; training a speaker classifier needs at least 2 speakers (with one, loss 0 and 100% accuracy are reached without learning anything)");
        TrainLoader.Config lc = new TrainLoader.Config(cfg.optim().batch(), d.maxFrames(), cfg.seed(), d.perSpeaker(), d.subsetSeed(), 0, 1, null);
        try (TrainLoader probe = new TrainLoader(Path.of(d.trainRoot()), train, lc)) {
            // constructed only for its checks: threads 0 starts no pool and reads nothing
        } catch (IllegalArgumentException e) {
            throw new IOException(d.trainList() + ": optim.batch is " + cfg.optim().batch() + " but training would use " + usable(cfg, train)
                    + " utterances" + (d.perSpeaker() > 0 ? " (data.per_speaker " + d.perSpeaker() + ")" : "")
                    + ": a batch cannot be larger than the training list; lower optim.batch", e);
        }
    }

    private static String usable(TrainConfig cfg, List<Lists.Utterance> train) {
        int cap = cfg.data().perSpeaker();
        if (cap == 0) return String.valueOf(train.size());
        java.util.Map<String, Integer> n = new java.util.HashMap<>();
        for (Lists.Utterance u : train) n.merge(u.speaker(), 1, Integer::sum);
        return String.valueOf(n.values().stream().mapToInt(c -> Math.min(c, cap)).sum());
    }

    /**
     * Reads every sample of every file (training: finite values, as the loader requires; trial lists: also enough signal,
     * as scoring requires), on {@code threads} threads; returns the number of files read. The first failure in list
     * order is thrown.
     */
    public static int samples(Path trainRoot, Collection<String> trainPaths, Path trialRoot, Collection<String> trialPaths, int threads) throws IOException {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads));
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (String p : trainPaths) jobs.add(pool.submit(() -> Wav.read(trainRoot.resolve(p))));
            if (trialRoot != null)
                for (String p : trialPaths)
                    jobs.add(pool.submit(() -> {
                        Path f = trialRoot.resolve(p);
                        Signal.requireUsable(f, Wav.read(f));
                        return null;
                    }));
            for (Future<?> j : jobs) {
                try {
                    j.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof IOException io) throw io;
                    throw new IOException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while reading the audio", e);
                }
            }
            return jobs.size();
        } finally {
            pool.shutdownNow();
        }
    }
}
