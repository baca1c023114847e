package org.voxkd.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.voxkd.data.Lists;
import org.voxkd.engine.Philox;

/** The statistics the powered study adds: the crossed seed-and-speaker bootstrap, Holm's correction, power, MC error. */
class StudyStatsTest {
    /** A list of 600 trials over 15 speakers and the scores of {@code seeds} systems, seed i shifted by offsets[i]. */
    private static TrialSet trials() {
        List<Lists.Trial> t = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            int s = i % 15, o = (s + 1 + i % 14) % 15;
            boolean target = i % 2 == 0;
            t.add(new Lists.Trial(target ? 1 : 0, "id" + s + "/a" + i + ".wav", "id" + (target ? s : o) + "/b" + i + ".wav"));
        }
        return TrialSet.of(t);
    }

    private static List<Eer.Ranked> systems(TrialSet ts, double[] separation, long seed) {
        List<Eer.Ranked> out = new ArrayList<>();
        for (int k = 0; k < separation.length; k++) {
            Philox.Stream r = new Philox.Stream(seed, k);
            double[] s = new double[ts.size()];
            for (int i = 0; i < s.length; i++) s[i] = (ts.labels()[i] == 1 ? separation[k] : 0) + r.nextGaussian();
            out.add(Eer.rank(s, ts.labels()));
        }
        return out;
    }

    @Test
    void oneSeedIsTheSpeakerBootstrap() {
        TrialSet ts = trials();
        Eer.Ranked a = systems(ts, new double[] {1.0}, 3).get(0);
        SpeakerBootstrap boot = new SpeakerBootstrap(ts, 300, 7);
        double[] crossed = new CrossedBootstrap(boot, 1, 11).meanOverSeeds((i, w) -> a.metrics(w).eer()).sorted();
        assertArrayEquals(boot.distribution(w -> a.metrics(w).eer()).sorted(), crossed, 0);
    }

    @Test
    void identicalSeedsAddNoWidthAndDifferentSeedsDo() {
        TrialSet ts = trials();
        SpeakerBootstrap boot = new SpeakerBootstrap(ts, 600, 7);
        List<Eer.Ranked> same = systems(ts, new double[] {1.0}, 3);
        Interval speakerOnly = boot.distribution(w -> same.get(0).metrics(w).eer()).interval(0.95);
        Interval identical = new CrossedBootstrap(boot, 4, 11).meanOverSeeds((i, w) -> same.get(0).metrics(w).eer()).interval(0.95);
        assertEquals(speakerOnly.low(), identical.low(), 1e-15);
        assertEquals(speakerOnly.high(), identical.high(), 1e-15);
        // seeds of very different quality: the seed stage must widen the interval well beyond the speakers' alone
        List<Eer.Ranked> spread = systems(ts, new double[] {0.4, 1.0, 1.6, 2.2}, 3);
        Interval crossed = new CrossedBootstrap(boot, 4, 11).meanOverSeeds((i, w) -> spread.get(i).metrics(w).eer()).interval(0.95);
        Interval speakersOfMean = boot.distribution(w -> spread.stream().mapToDouble(x -> x.metrics(w).eer()).average().orElseThrow()).interval(0.95);
        assertTrue(crossed.high() - crossed.low() > 1.3 * (speakersOfMean.high() - speakersOfMean.low()),
                "crossed " + crossed + " vs speakers only " + speakersOfMean);
    }

    @Test
    void seedStageIsTheBootstrapOfTheSeedMean() {
        // a statistic that ignores the speakers: the replicates are the bootstrap of the mean of 5 values
        double[] x = {1, 2, 4, 8, 16};
        SpeakerBootstrap boot = new SpeakerBootstrap(trials(), 20000, 7);
        double[] rep = new CrossedBootstrap(boot, x.length, 11).meanOverSeeds((i, w) -> x[i]).sorted();
        double m = 0, v = 0;
        for (double r : rep) m += r;
        m /= rep.length;
        for (double r : rep) v += (r - m) * (r - m);
        v /= rep.length - 1;
        SeedStats.Summary s = SeedStats.summary(x);
        double expected = (x.length - 1.0) / x.length * s.sd() * s.sd() / x.length; // the plug-in variance of a mean
        assertEquals(s.mean(), m, 0.05);
        assertEquals(expected, v, 0.05 * expected);
    }

    @Test
    void holmMatchesTheStepDownByHand() {
        // statsmodels.stats.multitest.multipletests([0.01, 0.04, 0.03, 0.005], method="holm")[1]
        assertArrayEquals(new double[] {0.03, 0.06, 0.06, 0.02}, Holm.adjust(new double[] {0.01, 0.04, 0.03, 0.005}), 1e-15);
        double[] withNaN = Holm.adjust(new double[] {0.2, Double.NaN, 0.01});
        assertEquals(0.2, withNaN[0], 1e-15, "m counts only the tests made");
        assertTrue(Double.isNaN(withNaN[1]));
        assertEquals(0.02, withNaN[2], 1e-15);
        assertEquals(1.0, Holm.adjust(new double[] {0.6, 0.7})[0], 0, "capped at 1");
        assertThrows(IllegalArgumentException.class, () -> Holm.adjust(new double[] {1.5}));
    }

    @Test
    void bootstrapPValue() {
        assertEquals(2.0 / 101, Holm.bootstrapP(negatives(100)), 1e-15);
        assertEquals(1.0, Holm.bootstrapP(new double[] {-1, 0, 1}), 0);
        assertTrue(Double.isNaN(Holm.bootstrapP(new double[0])));
    }

    private static double[] negatives(int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = -1 - i;
        return d;
    }

    @Test
    void powerByHandAndBySimulation() {
        // t(0.975, 9) = 2.2621571628, t(0.8, 9) = 0.8834038 (scipy.stats.t.ppf)
        assertEquals((2.2621571628 + 0.8834038) / Math.sqrt(10), Power.minimumDetectable(1, 0, 10, 0.05, 0.8), 1e-6);
        assertEquals(Math.sqrt(0.25 / 4 + 0.09), Power.standardError(0.5, 0.3, 4), 1e-15);
        // the speaker part does not shrink with seeds: some effects no number of seeds detects
        assertEquals(-1, Power.seedsToDetect(0.5, 1, 0.4, 0.05, 0.8, 200));
        int n = Power.seedsToDetect(1.0, 1.0, 0, 0.05, 0.8, 200);
        assertTrue(Power.minimumDetectable(1, 0, n, 0.05, 0.8) <= 1.0 && Power.minimumDetectable(1, 0, n - 1, 0.05, 0.8) > 1.0);
        // a paired t-test at the minimum detectable effect rejects in about 80% of simulated studies, at 0 in about 5%
        int seeds = 6;
        double mde = Power.minimumDetectable(1, 0, seeds, 0.05, 0.8);
        assertEquals(0.80, rejectionRate(mde, seeds, 4000), 0.05);
        assertEquals(0.05, rejectionRate(0, seeds, 4000), 0.015);
        // TOST: when the truth is 0, a margin of equivalenceMargin is shown in about 80% of studies
        double margin = Power.equivalenceMargin(1, 0, seeds, 0.05, 0.8);
        assertEquals(0.80, equivalenceRate(margin, seeds, 4000), 0.05);
        assertThrows(IllegalArgumentException.class, () -> Power.minimumDetectable(1, 0, 1, 0.05, 0.8));
    }

    /** The share of {@code studies} simulated paired studies (n seeds, differences ~ N(effect, 1)) in which {@code outcome} holds. */
    private static double rate(long seed, double effect, int n, int studies, java.util.function.Predicate<SeedStats.Summary> outcome) {
        Philox.Stream r = new Philox.Stream(seed, 1);
        int hits = 0;
        for (int k = 0; k < studies; k++) {
            double[] d = new double[n];
            for (int i = 0; i < n; i++) d[i] = effect + r.nextGaussian();
            if (outcome.test(SeedStats.summary(d))) hits++;
        }
        return (double) hits / studies;
    }

    /** A two-sided paired t-test at 5% rejects 0. */
    private static double rejectionRate(double effect, int n, int studies) {
        double t = StudentT.quantile(0.975, n - 1);
        return rate(42, effect, n, studies, s -> Math.abs(s.mean()) > t * s.sd() / Math.sqrt(n));
    }

    /** TOST at 5% shows ±margin when the true difference is 0. */
    private static double equivalenceRate(double margin, int n, int studies) {
        double t = StudentT.quantile(0.95, n - 1);
        return rate(43, 0, n, studies, s -> s.mean() - t * s.sd() / Math.sqrt(n) > -margin && s.mean() + t * s.sd() / Math.sqrt(n) < margin);
    }

    @Test
    void monteCarloErrorShrinksWithResamples() {
        TrialSet ts = trials();
        Eer.Ranked a = systems(ts, new double[] {1.0}, 3).get(0);
        double few = new SpeakerBootstrap(ts, 400, 7).distribution(w -> a.metrics(w).eer()).monteCarloError(0.95);
        double many = new SpeakerBootstrap(ts, 6400, 7).distribution(w -> a.metrics(w).eer()).monteCarloError(0.95);
        assertTrue(few > 0 && many > 0);
        assertTrue(few / many > 2 && few / many < 8, "MC error ~ 1/sqrt(R): " + few + " at 400, " + many + " at 6400");
    }
}
