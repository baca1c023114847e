package org.voxkd.report;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.voxkd.stats.CrossedBootstrap;
import org.voxkd.stats.Eer;
import org.voxkd.stats.Holm;
import org.voxkd.stats.Interval;
import org.voxkd.stats.Power;
import org.voxkd.stats.SeedStats;
import org.voxkd.stats.SpeakerBootstrap;

/**
 * The combined intervals, Holm's correction, the power table and the baseline row on ReportTest's synthetic results
 * (three seeds; v2-cosine ≈ v2-nokd, v1-mse clearly worse, the teacher clearly best): every figure recomputed here
 * directly from the stats classes.
 */
class StudyTablesTest {
    @TempDir Path tmp;

    private static final int RESAMPLES = 300;

    Path fixture() throws IOException {
        Path res = tmp.resolve("results");
        Files.createDirectories(res);
        StringBuilder l = new StringBuilder();
        for (long s : new long[] {1, 2, 3}) {
            ReportTest.run(res, l, "teacher", s, "newcode", "none", 0, 268_000, 2.6, 1, 0, false);
            ReportTest.run(res, l, "v1-mse", s, "newcode", "mse", 0.5, 180_000, 1.4, 2, 0, false);
            ReportTest.run(res, l, "v2-cosine", s, "newcode", "cosine", 0.7, 180_000, 2.0, 3, 0.02, false);
            ReportTest.run(res, l, "v2-nokd", s, "newcode", "none", 0, 180_000, 2.0, 3, 0, false);
            ReportTest.run(res, l, "v2-large-lowalpha", s, "newcode", "cosine", 0.4, 511_000, 2.2, 4, 0, false);
        }
        Files.writeString(res.resolve("ledger.jsonl"), l.toString());
        Files.createDirectories(res.resolve("profiles"));
        Files.writeString(res.resolve("profiles/default.json"),
                "{\"profile\":\"default\",\"seeds\":[1,2,3],\"analysis\":{\"equivalence_margin_eer\":0.5,\"resamples\":200,\"combined_resamples\":" + RESAMPLES + "}}");
        return res;
    }

    @Test void combinedIntervalsAndHolmOverTheHypothesisFamily() throws IOException {
        Results r = Results.load(fixture(), "default");
        Compare cmp = new Compare(r);
        StudyTables st = new StudyTables(cmp);
        // the hypotheses whose two arms ran: v2 vs v1, lowalpha vs v2, lowalpha vs teacher, v2 vs nokd, v1 vs nokd
        List<StudyTables.Row> rows = st.rows();
        assertEquals(List.of("v2-cosine vs v1-mse", "v2-large-lowalpha vs v2-cosine", "v2-large-lowalpha vs teacher", "v2-cosine vs v2-nokd",
                "v1-mse vs v2-nokd"), rows.stream().map(x -> x.a() + " vs " + x.b()).toList());
        assertEquals(5, st.familySize());
        assertEquals(RESAMPLES, st.resamples());
        Table t = st.combined();
        assertTrue(t.caption().contains("m = 5 comparisons"), t.caption());

        // one row recomputed from CrossedBootstrap and Holm directly
        Arm a = r.get("v2-cosine").orElseThrow(), b = r.get("v1-mse").orElseThrow();
        var speakers = new SpeakerBootstrap(a.first().scores().trials(), RESAMPLES, Compare.BOOTSTRAP_SEED);
        var d = new CrossedBootstrap(speakers, 3, Compare.BOOTSTRAP_SEED).meanOverSeeds((i, w) ->
                100 * (a.runs().get(i).scores().ranked(true).metrics(w).eer() - b.runs().get(i).scores().ranked(true).metrics(w).eer()));
        StudyTables.Row row = rows.get(0);
        assertEquals(d.interval(0.95), row.combined95());
        assertEquals(d.monteCarloError(0.95), row.mcError());
        assertEquals(Holm.bootstrapP(d.sorted()), row.p());
        assertTrue(row.combined95().high() < 0, "v2-cosine is clearly better than v1-mse: " + row.combined95());
        double[] adj = Holm.adjust(rows.stream().mapToDouble(StudyTables.Row::p).toArray());
        for (int i = 0; i < rows.size(); i++) assertEquals(adj[i], rows.get(i).holm());
        assertEquals(Fmt.fixed(adj[0], 4), t.cell("v2-cosine vs v1-mse", "p (Holm)"));
        assertEquals("rejects 0", t.cell("v2-cosine vs v1-mse", "Holm, α 0.05"));
        assertEquals("does not reject 0", t.cell("v2-cosine vs v2-nokd", "Holm, α 0.05"), "a tiny perturbation of one system");
    }

    @Test void aRejectionThatAStudentTIntervalWouldNotMakeIsFlagged() {
        Interval any = new Interval(0, -1, 1, 0.95, 100);
        // 3 seeds, sd 1.44, se 0.68: t(0.975, 2)·sqrt(1.44²/3 + 0.68²) = 4.30·1.074 = 4.62 > 3.19, so flagged; 6.0 is outside
        StudyTables.Row inside = new StudyTables.Row("a", "b", 3, -3.19, any, 0.05, 0.004, 0.03, 1.44, 0.68);
        StudyTables.Row outside = new StudyTables.Row("c", "d", 3, 6.0, any, 0.05, 0.001, 0.01, 1.44, 0.68);
        StudyTables.Row notRejected = new StudyTables.Row("e", "f", 3, 0.1, any, 0.05, 0.9, 1.0, 1.44, 0.68);
        String note = StudyTables.tCheck(List.of(inside, outside, notRejected));
        assertTrue(note.contains("1 of the 2 rejected differences lie inside a Student-t 95% interval"), note);
        assertTrue(note.contains("a vs b (±4.62)") && !note.contains("c vs d"), note);
        assertTrue(StudyTables.tCheck(List.of(outside)).contains("Each rejected difference is also outside"));
        assertEquals("", StudyTables.tCheck(List.of(notRejected)));
    }

    @Test void powerTableFollowsPowersFunctions() throws IOException {
        Results r = Results.load(fixture(), "default");
        StudyTables st = new StudyTables(new Compare(r));
        Table t = st.power();
        Arm a = r.get("v2-cosine").orElseThrow(), b = r.get("v1-mse").orElseThrow();
        double[] diffs = new double[3];
        for (int i = 0; i < 3; i++) diffs[i] = 100 * (a.runs().get(i).testBest().eer() - b.runs().get(i).testBest().eer());
        double sd = SeedStats.summary(diffs).sd();
        var boot = new SpeakerBootstrap(a.first().scores().trials(), 200, Compare.BOOTSTRAP_SEED);
        double se = 100 * SeedStats.summary(Compare.seedMeanDifference(boot, a.runs().stream().map(x -> x.scores().ranked(true)).toList(),
                b.runs().stream().map(x -> x.scores().ranked(true)).toList(), org.voxkd.stats.Metric.EER).sorted()).sd();
        String k = "v2-cosine vs v1-mse";
        assertEquals(Fmt.fixed(sd, 2), t.cell(k, "Seed sd (points)"));
        assertEquals(Fmt.fixed(se, 2), t.cell(k, "Speaker se (points)"));
        assertEquals(Fmt.fixed(Power.minimumDetectable(sd, se, 3, 0.05, 0.8), 2), t.cell(k, "MDE at these seeds (points)"));
        double effect = Math.abs(st.rows().get(0).difference());
        int n = Power.seedsToDetect(effect, sd, se, 0.05, 0.8, StudyTables.MAX_SEEDS);
        assertTrue(n >= 2, "a clear effect is reachable: " + n);
        assertEquals(Integer.toString(n), t.cell(k, "Seeds to detect |A − B|"));
        // identical-up-to-noise systems: no effect to detect, whatever the seeds (the speaker floor is above it)
        assertEquals(StudyTables.UNREACHABLE, t.cell("v2-cosine vs v2-nokd", "Seeds to detect |A − B|"));
        int eq = Power.seedsForEquivalence(0.5, st.rows().get(3).sdSeed(), st.rows().get(3).seSpeaker(), 0.05, 0.8, StudyTables.MAX_SEEDS);
        assertEquals(eq < 0 ? StudyTables.UNREACHABLE : Integer.toString(eq), t.cell("v2-cosine vs v2-nokd", "Seeds for ±0.50 equivalence"));
        assertTrue(t.notes().get(0).contains(k + " " + n), t.notes().get(0));
    }

    @Test void baselineRowOnlyWhenTheReproductionScoredIt() throws IOException {
        Path res = fixture();
        assertTrue(new Tables(Results.load(res, "default"), Original.load()).all().stream().noneMatch(x -> x.id().equals("baseline")));
        // the fixture's list hash is "abc123"; a baseline scored on it: its own scores, the same trials
        List<int[]> trials = ReportTest.trialList();
        double[] s = ReportTest.scores(trials, 0.8, 9, 9, 0);
        int[] labels = new int[trials.size()];
        StringBuilder b = new StringBuilder("# voxkd baseline scores\n# trials test_trials.txt sha256 abc123\n# label baseline enroll_speaker test_speaker\n");
        for (int i = 0; i < trials.size(); i++) {
            int[] x = trials.get(i);
            labels[i] = x[0];
            b.append(x[0]).append(' ').append(Double.toString(s[i])).append(" id").append(x[1]).append(" id").append(x[2]).append('\n');
        }
        Files.createDirectories(res.resolve("baselines/abc123"));
        Files.writeString(res.resolve("baselines/abc123/scores.txt"), b.toString());
        Table t = new Tables(Results.load(res, "default"), Original.load()).all().stream().filter(x -> x.id().equals("baseline")).findFirst().orElseThrow();
        Eer.Result e = Eer.compute(s, labels);
        String row = t.rows().get(0).get(0);
        assertEquals(Fmt.pct(e.eer()), t.cell(row, "Test EER (%)"));
        var ci = new SpeakerBootstrap(Results.load(res, "default").runs().get(0).scores().trials(), 200, Compare.BOOTSTRAP_SEED)
                .distribution(w -> Eer.rank(s, labels).metrics(w).eer()).interval(0.95);
        assertEquals(Fmt.ci(ci), t.cell(row, "95% CI (%)"));
        assertTrue(ci.low() < e.eer() && e.eer() < ci.high());
    }
}
