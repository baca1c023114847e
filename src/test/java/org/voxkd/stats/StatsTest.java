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

/**
 * The statistics package against references: Student-t quantiles and CDF against scipy 1.10 (values in the
 * comments), seed statistics against hand computation, the speaker bootstrap against the exact bootstrap
 * distribution enumerated by hand on a tiny list, weighted metrics against replicated trial lists, and the
 * property that justifies it: with speaker-correlated scores the clustered interval is wider than the naive one.
 */
class StatsTest {
    @Test
    void studentTMatchesScipy() {
        // scipy.stats.t.ppf(0.975, df) and t.ppf(0.95, df)
        double[][] ref = {{1, 12.706204736432095, 6.313751514800932}, {2, 4.302652729911275, 2.919985580355516},
                {3, 3.182446305284263, 2.3533634348018264}, {4, 2.7764451051977987, 2.13184678133629},
                {9, 2.2621571627409915, 1.8331129326536335}, {29, 2.045229642132703, 1.6991270265334972}};
        for (double[] r : ref) {
            // scipy's ppf is itself accurate to ~1e-9 (see the closed forms below)
            assertEquals(r[1], StudentT.quantile(0.975, r[0]), 1e-8 * r[1], "t.ppf(0.975, " + r[0] + ")");
            assertEquals(r[2], StudentT.quantile(0.95, r[0]), 1e-8 * r[2], "t.ppf(0.95, " + r[0] + ")");
            assertEquals(-r[1], StudentT.quantile(0.025, r[0]), 1e-8 * r[1]);
        }
        // closed forms: df 2: F(t) = 1/2 + t/(2·sqrt(2 + t²)); df 4: x = t/sqrt(4 + t²), F = 1/2 + x·(3/4 − x²/4)
        for (double p : new double[] {0.9, 0.95, 0.975, 0.995}) {
            double t2 = StudentT.quantile(p, 2), t4 = StudentT.quantile(p, 4), x = t4 / Math.sqrt(4 + t4 * t4);
            assertEquals(p, 0.5 + t2 / (2 * Math.sqrt(2 + t2 * t2)), 1e-13);
            assertEquals(p, 0.5 + x * (0.75 - x * x / 4), 1e-13);
        }
        assertEquals(0.9490302605850709, StudentT.cdf(2.0, 5), 1e-12);   // t.cdf(2, 5)
        assertEquals(0.13629770790218498, StudentT.cdf(-1.3, 3.5), 1e-12); // t.cdf(-1.3, 3.5)
        assertThrows(IllegalArgumentException.class, () -> StudentT.quantile(1.0, 3));
    }

    @Test
    void seedStatisticsByHand() {
        SeedStats.Summary s = SeedStats.summary(new double[] {1, 2, 4});
        assertEquals(7.0 / 3, s.mean(), 1e-15);
        assertEquals(1.5275252316519465, s.sd(), 1e-15);
        // scipy: t.interval(0.95, 2, loc=mean, scale=sd/sqrt(3)) = (-1.4612497004061313, 6.127916367072798)
        Interval i = SeedStats.meanInterval(new double[] {1, 2, 4}, 0.95);
        assertEquals(-1.4612497004061313, i.low(), 1e-8);
        assertEquals(6.127916367072798, i.high(), 1e-8);
        // paired by seed: the shared seed effect cancels
        Interval d = SeedStats.pairedDifference(new double[] {10.18, 12.2, 8.22}, new double[] {10, 12, 8}, 0.95);
        assertEquals(0.2, d.estimate(), 1e-12);
        assertTrue(d.excludesZero(), "a consistent +0.18..0.22 difference under a large seed effect is resolved by pairing: " + d);
        assertTrue(!SeedStats.meanInterval(new double[] {3}, 0.95).defined(), "one seed: no interval");
        assertTrue(Double.isNaN(SeedStats.summary(new double[] {3}).sd()));
    }

    @Test
    void weightsCountTrialsAsReplicates() {
        Philox.Stream r = new Philox.Stream(7, 1);
        int n = 200;
        double[] s = new double[n];
        int[] l = new int[n], w = new int[n];
        for (int i = 0; i < n; i++) { l[i] = i % 3 == 0 ? 1 : 0; s[i] = r.nextGaussian() + l[i]; w[i] = r.nextInt(4); }
        List<Double> rs = new ArrayList<>();
        List<Integer> rl = new ArrayList<>();
        for (int i = 0; i < n; i++) for (int k = 0; k < w[i]; k++) { rs.add(s[i]); rl.add(l[i]); }
        Eer.Result direct = Eer.compute(rs.stream().mapToDouble(Double::doubleValue).toArray(), rl.stream().mapToInt(Integer::intValue).toArray());
        Eer.Result weighted = Eer.rank(s, l).metrics(w);
        assertEquals(direct, weighted);
    }

    /**
     * Three speakers A, B, C with two utterances each; trials: the three target pairs and the three cross-speaker
     * non-target pairs. Every ordered draw of 3 speakers from 3 is equally likely (27 draws); the exact bootstrap
     * mean of the EER, enumerated here by hand over the draws, must equal the Monte-Carlo mean.
     */
    @Test
    void speakerBootstrapMatchesTheExactEnumeration() {
        List<Lists.Trial> trials = List.of(new Lists.Trial(1, "A/1.wav", "A/2.wav"), new Lists.Trial(1, "B/1.wav", "B/2.wav"),
                new Lists.Trial(1, "C/1.wav", "C/2.wav"), new Lists.Trial(0, "A/1.wav", "B/1.wav"), new Lists.Trial(0, "A/2.wav", "C/1.wav"),
                new Lists.Trial(0, "B/2.wav", "C/2.wav"));
        double[] scores = {0.9, 0.4, 0.7, 0.5, 0.8, 0.1};
        TrialSet ts = TrialSet.of(trials);
        assertEquals(List.of("A", "B", "C"), ts.speakers());
        Eer.Ranked ranked = Eer.rank(scores, ts.labels());
        double exactSum = 0, exactSq = 0;
        int usable = 0;
        for (int a = 0; a < 3; a++) for (int b = 0; b < 3; b++) for (int c = 0; c < 3; c++) {
            int[] counts = new int[3];
            counts[a]++; counts[b]++; counts[c]++;
            int[] w = new int[6];
            for (int i = 0; i < 6; i++) w[i] = ts.enrollSpeaker()[i] == ts.testSpeaker()[i] ? counts[ts.enrollSpeaker()[i]]
                    : counts[ts.enrollSpeaker()[i]] * counts[ts.testSpeaker()[i]];
            boolean t = false, nt = false;
            for (int i = 0; i < 6; i++) if (w[i] > 0) { if (ts.labels()[i] == 1) t = true; else nt = true; }
            if (!(t && nt)) continue; // a draw of one speaker has no impostor trial
            double e = ranked.metrics(w).eer();
            exactSum += e;
            exactSq += e * e;
            usable++;
        }
        assertEquals(24, usable, "27 draws, minus the 3 draws of a single speaker");
        double exactMean = exactSum / usable, exactSd = Math.sqrt(exactSq / usable - exactMean * exactMean);
        SpeakerBootstrap.Distribution d = new SpeakerBootstrap(ts, 20000, 3).distribution(w -> ranked.metrics(w).eer());
        double mc = 0;
        for (double v : d.sorted()) mc += v;
        mc /= d.sorted().length;
        assertEquals(exactMean, mc, 4 * exactSd / Math.sqrt(d.sorted().length), "Monte-Carlo mean vs exact bootstrap mean");
        assertEquals(1.0 / 3, d.estimate(), 1e-12, "the full list: FRR = FAR = 1/3");
    }

    /** Scores with a strong per-speaker effect: the clustered interval must be wider than the trial-level one. */
    @Test
    void clusteredIntervalIsWiderWhenSpeakersAreCorrelated() {
        Philox.Stream r = new Philox.Stream(11, 2);
        int speakers = 20, per = 100;
        double[] effect = new double[speakers];
        for (int s = 0; s < speakers; s++) effect[s] = 1.5 * r.nextGaussian();
        List<Lists.Trial> clustered = new ArrayList<>(), independent = new ArrayList<>();
        List<Double> sc = new ArrayList<>();
        for (int s = 0; s < speakers; s++)
            for (int k = 0; k < per; k++) {
                boolean target = k % 2 == 0;
                int other = (s + 1 + r.nextInt(speakers - 1)) % speakers;
                String e = "id" + s + "/u" + k + ".wav", t = target ? "id" + s + "/v" + k + ".wav" : "id" + other + "/w" + k + ".wav";
                clustered.add(new Lists.Trial(target ? 1 : 0, e, t));
                independent.add(new Lists.Trial(target ? 1 : 0, "t" + sc.size() + "/e.wav", "t" + sc.size() + "/t.wav"));
                // a speaker's trials all shift together: the speaker decides much of the outcome
                sc.add((target ? 1.0 : 0.0) + effect[s] * (target ? 1 : -1) * 0.5 + r.nextGaussian());
            }
        double[] scores = sc.stream().mapToDouble(Double::doubleValue).toArray();
        TrialSet c = TrialSet.of(clustered), ind = TrialSet.of(independent);
        Eer.Ranked ranked = Eer.rank(scores, c.labels());
        Interval wide = new SpeakerBootstrap(c, 1000, 5).distribution(w -> ranked.metrics(w).eer()).interval(0.95);
        Interval narrow = new SpeakerBootstrap(ind, 1000, 5).distribution(w -> ranked.metrics(w).eer()).interval(0.95);
        assertEquals(wide.estimate(), narrow.estimate(), 0);
        double ratio = (wide.high() - wide.low()) / (narrow.high() - narrow.low());
        assertTrue(ratio > 1.5, "clustered/naive width ratio " + ratio + " (clustered " + wide + ", naive " + narrow + ")");
    }

    @Test
    void pairedDifferenceOnSameResamples() {
        Philox.Stream r = new Philox.Stream(5, 9);
        List<Lists.Trial> trials = new ArrayList<>();
        int n = 600;
        double[] a = new double[n], b = new double[n];
        for (int i = 0; i < n; i++) {
            int s = i % 15, o = (s + 1 + i % 14) % 15;
            boolean target = i % 2 == 0;
            trials.add(new Lists.Trial(target ? 1 : 0, "id" + s + "/a" + i + ".wav", "id" + (target ? s : o) + "/b" + i + ".wav"));
            a[i] = (target ? 1.2 : 0) + r.nextGaussian();
            b[i] = a[i] + (target ? -0.6 : 0.6) * r.nextDouble(); // B is A made worse on every trial
        }
        TrialSet ts = TrialSet.of(trials);
        Eer.Ranked ra = Eer.rank(a, ts.labels()), rb = Eer.rank(b, ts.labels());
        SpeakerBootstrap boot = new SpeakerBootstrap(ts, 500, 1);
        Interval same = boot.distribution(w -> ra.metrics(w).eer() - ra.metrics(w).eer()).interval(0.95);
        assertEquals(0, same.low(), 0);
        assertEquals(0, same.high(), 0);
        Interval diff = boot.distribution(w -> ra.metrics(w).eer() - rb.metrics(w).eer()).interval(0.95);
        assertTrue(diff.high() < 0, "A is better than B on every speaker resample: " + diff);
        // the same seed gives the same resamples
        assertArrayEquals(boot.weights(17), new SpeakerBootstrap(ts, 500, 1).weights(17));
    }

    @Test
    void verdictRules() {
        Verdict.Evidence below = new Verdict.Evidence("speakers", new Interval(-2, -3, -1, 0.95, 100), new Interval(-2, -2.8, -1.2, 0.9, 100));
        Verdict.Evidence acrossBelow = new Verdict.Evidence("seeds", new Interval(-2, -3.5, -0.5, 0.95, 3), new Interval(-2, -3, -1, 0.9, 3));
        Verdict.Evidence straddle = new Verdict.Evidence("seeds", new Interval(-2, -5, 1, 0.95, 3), new Interval(-2, -4, 0.2, 0.9, 3));
        Verdict.Evidence tight = new Verdict.Evidence("speakers", new Interval(0.1, -0.3, 0.4, 0.95, 100), new Interval(0.1, -0.2, 0.3, 0.9, 100));
        assertEquals(Verdict.BETTER, Verdict.decide(List.of(below, acrossBelow), 0.5, 3).verdict());
        assertEquals(Verdict.INCONCLUSIVE, Verdict.decide(List.of(below, straddle), 0.5, 3).verdict(), "every source must agree");
        assertEquals(Verdict.WORSE, Verdict.decide(List.of(new Verdict.Evidence("x", below.at95().scaled(-1), below.at90().scaled(-1))), 0.5, 3).verdict());
        assertEquals(Verdict.EQUIVALENT, Verdict.decide(List.of(tight), 0.5, 3).verdict());
        assertEquals(Verdict.INCONCLUSIVE, Verdict.decide(List.of(tight), 0.25, 3).verdict(), "the 90% interval reaches beyond the margin");
        assertEquals(Verdict.INCONCLUSIVE, Verdict.decide(List.of(tight), 0, 3).verdict(), "no margin, no equivalence claim");
        assertEquals(Verdict.INCONCLUSIVE, Verdict.decide(List.of(below, acrossBelow), 0.5, 1).verdict(), "one seed decides nothing");
    }

    @Test
    void eerRefusesNonFiniteScores() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Eer.compute(new double[] {0.1, Double.NaN, 0.3}, new int[] {1, 0, 1}));
        assertTrue(e.getMessage().contains("trial 2"), e.getMessage());
    }
}
