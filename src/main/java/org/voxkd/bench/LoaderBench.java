package org.voxkd.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import org.voxkd.audio.Wav;
import org.voxkd.data.Lists;
import org.voxkd.data.TrainLoader;

/**
 * Training-data throughput ({@code voxkd bench loader}): WAV read + front-end (power mel, log, instance norm) + crop,
 * exactly what {@link TrainLoader} does for a training batch, in samples (crops) per second — on the calling thread
 * alone (the cost of one core) and with background threads (what a training loop is fed). Epochs follow one another
 * so a small list still gives many batches; the first batch is untimed (JIT warm-up).
 */
public final class LoaderBench {
    private LoaderBench() {}

    /** Samples/s with {@code threads} loader threads (0: in the caller), over {@code batches} timed batches. */
    public static double samplesPerSecond(Path root, List<Lists.Utterance> list, int batch, int frames, int threads, int batches) {
        TrainLoader.Config cfg = TrainLoader.Config.of(batch, 1).withFrames(frames).withThreads(threads);
        try (TrainLoader loader = new TrainLoader(root, list, cfg)) {
            int epoch = 0;
            Iterator<TrainLoader.Batch> it = loader.epoch(epoch);
            it.next(); // warm-up
            long t0 = System.nanoTime();
            for (int b = 0; b < batches; b++) {
                if (!it.hasNext()) it = loader.epoch(++epoch);
                if (it.next().features().length != batch * frames * 80) throw new IllegalStateException("loader returned a short batch");
            }
            return (double) batch * batches / ((System.nanoTime() - t0) / 1e9);
        }
    }

    /** Mean duration of the listed files in seconds (from their headers, at most the first 200 files). */
    public static double meanSeconds(Path root, List<Lists.Utterance> list) throws IOException {
        double s = 0;
        int n = Math.min(200, list.size());
        for (int i = 0; i < n; i++) {
            Path f = root.resolve(list.get(i).path());
            s += Wav.read(f).length / 16000.0;
        }
        return n == 0 ? 0 : s / n;
    }

    /** True when the list's files exist (the first one is checked; the loader names any other that is missing). */
    public static boolean present(Path root, List<Lists.Utterance> list) {
        return !list.isEmpty() && Files.isRegularFile(root.resolve(list.get(0).path()));
    }
}
