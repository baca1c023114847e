package org.voxkd.stats;

import java.util.Arrays;
import org.voxkd.engine.Philox;

/**
 * One interval for both sources of noise of a study: the training seeds and the test speakers. Every seed's
 * model is scored on the same trial list, so seeds and speakers are crossed factors, not nested ones; each
 * resample draws the seeds with replacement and, independently, the speakers with replacement (the speaker
 * weights of {@link SpeakerBootstrap}), and evaluates the statistic of every drawn seed under the drawn
 * speakers — the pigeonhole bootstrap of Owen (2007) for a two-way crossed design. Its variance carries both
 * the seed-to-seed and the speaker-to-speaker component (and, like any crossed bootstrap, slightly more than
 * their sum), so an interval that excludes 0 here has survived both at once; a ± sd over seeds beside a
 * speaker-only interval does not say that.
 *
 * <p>With few seeds the seed stage is the weak part: a bootstrap over n values has (n − 1)/n of their
 * variance and only n^n distinct draws. The study states n next to every interval and chooses it by
 * {@link Power}. Resample r is a pure function of (seed, r); the speaker stage uses the speaker bootstrap's
 * own resample r, so a paired statistic sees the same speakers and seeds for both arms.
 */
public final class CrossedBootstrap {
    private static final long STREAM = 0x5EED_B007_0000_0000L;

    /** The statistic of seed {@code seed} (0-based) under speaker weights {@code w} (null: the list as it is). */
    @FunctionalInterface
    public interface PerSeed {
        double apply(int seed, int[] w);
    }

    private final SpeakerBootstrap speakers;
    private final int seeds;
    private final long seed;

    /**
     * @param speakers the speaker stage (its trial list and resample count are this bootstrap's)
     * @param seeds    how many training seeds the statistic has (≥ 1)
     * @param seed     the seed of the seed stage's draws
     */
    public CrossedBootstrap(SpeakerBootstrap speakers, int seeds, long seed) {
        if (seeds < 1) throw new IllegalArgumentException("a crossed bootstrap needs at least one seed, got " + seeds);
        this.speakers = speakers;
        this.seeds = seeds;
        this.seed = seed;
    }

    public int seeds() { return seeds; }

    /** How often each seed is drawn in resample r (the counts sum to the number of seeds). */
    public int[] seedCounts(int r) {
        int[] c = new int[seeds];
        Philox.Stream rnd = new Philox.Stream(seed, STREAM | r);
        for (int i = 0; i < seeds; i++) c[rnd.nextInt(seeds)]++;
        return c;
    }

    /**
     * The mean over seeds of a per-seed statistic: its estimate (all seeds, all speakers) and its value on every
     * usable resample (both trial classes present), sorted. For a paired comparison pass the per-seed difference
     * A − B: both arms then see the same seed and speaker draws.
     */
    public SpeakerBootstrap.Distribution meanOverSeeds(PerSeed stat) {
        double estimate = 0;
        for (int i = 0; i < seeds; i++) estimate += stat.apply(i, null);
        estimate /= seeds;
        int resamples = speakers.resamples();
        double[] v = new double[resamples];
        int used = 0;
        for (int r = 0; r < resamples; r++) {
            int[] w = speakers.weights(r);
            if (!speakers.usable(w)) continue;
            int[] c = seedCounts(r);
            double sum = 0;
            for (int i = 0; i < seeds; i++) if (c[i] > 0) sum += c[i] * stat.apply(i, w);
            v[used++] = sum / seeds;
        }
        double[] sorted = Arrays.copyOf(v, used);
        Arrays.sort(sorted);
        return new SpeakerBootstrap.Distribution(estimate, sorted);
    }
}
