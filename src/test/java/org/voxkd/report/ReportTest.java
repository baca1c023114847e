package org.voxkd.report;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.voxkd.engine.Philox;
import org.voxkd.stats.Eer;
import org.voxkd.stats.TrialSet;

/**
 * The report on synthetic results whose effects are known: per (experiment, seed) a ledger record and a test score
 * file drawn from a fixed speaker-structured trial list, where each arm's scores separate targets from impostors by
 * its own margin d' — so the verdicts the report must reach are known in advance.
 */
class ReportTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir Path tmp;

    static final int SPEAKERS = 30, TRIALS = 3000;

    /** The fixed test list: speakers "idNN", balanced targets and impostors. */
    static List<int[]> trialList() {
        Philox.Stream r = new Philox.Stream(99, 1);
        List<int[]> l = new ArrayList<>();
        for (int i = 0; i < TRIALS; i++) {
            int s = r.nextInt(SPEAKERS), label = i % 2, o = label == 1 ? s : (s + 1 + r.nextInt(SPEAKERS - 1)) % SPEAKERS;
            l.add(new int[] {label, s, o});
        }
        return l;
    }

    /**
     * Scores of one run: target trials get +d, every trial a per-speaker effect shared by all arms and seeds (the
     * speakers are the test set's sampling noise) and its own noise; {@code twin} ≥ 0 reuses that seed's noise of
     * another arm (an arm identical up to a tiny perturbation).
     */
    static double[] scores(List<int[]> trials, double d, long seed, long noiseStream, double perturb) {
        Philox.Stream fx = new Philox.Stream(7, 3), noise = new Philox.Stream(seed, noiseStream), small = new Philox.Stream(seed, 1000 + noiseStream);
        double[] effect = new double[SPEAKERS];
        for (int s = 0; s < SPEAKERS; s++) effect[s] = 0.7 * fx.nextGaussian();
        double[] out = new double[trials.size()];
        for (int i = 0; i < out.length; i++) {
            int[] t = trials.get(i);
            out[i] = (t[0] == 1 ? d + effect[t[1]] : 0.5 * (effect[t[1]] - effect[t[2]])) + noise.nextGaussian() + perturb * small.nextGaussian();
        }
        return out;
    }

    /** One run: its record (appended to {@code ledger}) and its directory with test_scores.txt. */
    static void run(Path results, StringBuilder ledger, String experiment, long seed, String fingerprint, String kdLoss, double alpha, long params,
                    double d, long noise, double perturb, boolean sameList) throws IOException {
        List<int[]> trials = trialList();
        double[] best = scores(trials, d, seed, noise, perturb), last = scores(trials, d * 0.97, seed, noise, perturb);
        String id = String.format(Locale.ROOT, "%s-s%d-%s", experiment, seed, fingerprint);
        Path dir = results.resolve("runs").resolve(id);
        Files.createDirectories(dir);
        StringBuilder sc = new StringBuilder("# voxkd test scores\n# trials test_trials.txt sha256 abc123\n# label best last enroll_speaker test_speaker\n");
        int[] labels = new int[trials.size()];
        for (int i = 0; i < trials.size(); i++) {
            int[] t = trials.get(i);
            labels[i] = t[0];
            sc.append(t[0]).append(' ').append((float) best[i]).append(' ').append((float) last[i]).append(" id").append(t[1]).append(" id").append(t[2]).append('\n');
            best[i] = (float) best[i];
            last[i] = (float) last[i];
        }
        Files.writeString(dir.resolve("test_scores.txt"), sc.toString());
        ObjectNode r = JSON.createObjectNode();
        r.put("id", id);
        r.put("experiment", experiment);
        r.put("profile", "default");
        r.put("status", "complete");
        r.put("dir", "runs/" + id);
        r.put("seed", seed);
        r.put("code_fingerprint", fingerprint);
        r.put("commit", "c0ffee" + fingerprint);
        r.put("model", experiment.equals("teacher") ? "teacher" : "student");
        r.put("parameters", params);
        r.put("seconds", 30.0);
        r.put("train_samples_per_s", 100.0 + params / 1000.0);
        r.put("epochs", 3);
        ObjectNode kd = r.putObject("distillation");
        kd.put("loss", kdLoss);
        kd.put("alpha", alpha);
        kd.put("tau", 4.0);
        ArrayNode h = r.putArray("history");
        for (int i = 0; i < 3; i++) {
            ObjectNode e = h.addObject();
            e.put("epoch", i + 1);
            e.put("lr", 0.001 * Math.pow(0.95, i));
            e.put("loss_cls", 3.0 - 0.1 * i);
            e.put("loss_kd", kdLoss.equals("none") ? 0.0 : 0.5 - 0.01 * i);
            e.put("loss", (1 - alpha) * e.get("loss_cls").asDouble() + alpha * e.get("loss_kd").asDouble());
            e.put("kd_loss_share", alpha * e.get("loss_kd").asDouble() / e.get("loss").asDouble());
            e.put("kd_grad_share", alpha / 2);
            e.put("train_accuracy", 10.0 * (i + 1));
            e.put("samples_per_s", 100.0);
            e.put("seconds", 10.0);
            e.put("eer", 0.3 - 0.05 * i + 0.01 * seed);
            e.put("eer_ci_low", 0.25 - 0.05 * i);
            e.put("eer_ci_high", 0.35 - 0.05 * i);
            e.put("min_dcf_005", 0.5);
            e.put("min_dcf_001", 0.75);
            e.put("target_trials", 100);
            e.put("nontarget_trials", 100);
        }
        ObjectNode v = r.putObject("validation");
        v.set("best", h.get(2));
        v.set("last", h.get(2));
        ObjectNode t = r.putObject("test");
        t.put("same_as_validation", sameList);
        for (String which : new String[] {"best", "last"}) {
            Eer.Result m = Eer.compute(which.equals("best") ? best : last, labels);
            ObjectNode o = t.putObject(which);
            o.put("epoch", which.equals("best") ? 2 : 3);
            o.put("eer", m.eer());
            o.put("eer_ci_low", m.eer() - 0.01);
            o.put("eer_ci_high", m.eer() + 0.01);
            o.put("min_dcf_005", m.minDcf05());
            o.put("min_dcf_001", m.minDcf01());
            o.put("target_trials", m.targets());
            o.put("nontarget_trials", m.nonTargets());
        }
        ledger.append(JSON.writeValueAsString(r)).append('\n');
    }

    /**
     * Three seeds: the teacher clearly best (d' 2.6), v2-cosine and v2-nokd the same system up to a tiny perturbation
     * (equivalent), v1-mse clearly worse (d' 1.4), v2-large-lowalpha between. An older record at another fingerprint
     * must be left out.
     */
    Path fixture(double margin, boolean sameList, long... seeds) throws IOException {
        Path res = tmp.resolve("results-" + margin + "-" + sameList + "-" + seeds.length);
        Files.createDirectories(res);
        StringBuilder l = new StringBuilder();
        run(res, l, "v2-cosine", 1, "oldcode", "cosine", 0.7, 180_000, 0.1, 1, 0, false); // other code: must not appear
        for (long s : seeds) {
            run(res, l, "teacher", s, "newcode", "none", 0, 268_000, 2.6, 1, 0, sameList);
            run(res, l, "v1-mse", s, "newcode", "mse", 0.5, 180_000, 1.4, 2, 0, sameList);
            run(res, l, "v2-cosine", s, "newcode", "cosine", 0.7, 180_000, 2.0, 3, 0.02, sameList);
            run(res, l, "v2-nokd", s, "newcode", "none", 0, 180_000, 2.0, 3, 0, sameList);
            run(res, l, "v2-large-lowalpha", s, "newcode", "cosine", 0.4, 511_000, 2.2, 4, 0, sameList);
        }
        Files.writeString(res.resolve("ledger.jsonl"), l.toString());
        Files.createDirectories(res.resolve("profiles"));
        Files.writeString(res.resolve("profiles/default.json"), "{\"profile\":\"default\",\"seeds\":" + java.util.Arrays.toString(seeds)
                + ",\"analysis\":{\"equivalence_margin_eer\":" + margin + ",\"resamples\":400,\"combined_resamples\":500}}");
        return res;
    }

    private static Map<String, byte[]> tree(Path dir) throws IOException {
        Map<String, byte[]> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) m.put(dir.relativize(p).toString(), Files.readAllBytes(p));
        }
        return m;
    }

    @Test void sameResultsGiveByteIdenticalFiles() throws IOException {
        Path res = fixture(0.5, false, 1, 2, 3);
        Report.build(res, tmp.resolve("a"), "default");
        Report.build(res, tmp.resolve("b"), "default");
        Map<String, byte[]> a = tree(tmp.resolve("a")), b = tree(tmp.resolve("b"));
        assertEquals(a.keySet(), b.keySet());
        assertTrue(a.containsKey("report.md") && a.containsKey("tables/summary.tex") && a.containsKey("figures/test-eer-by-arm.svg") && a.containsKey("paper/results.tex") && a.containsKey("headline.md")
                && a.containsKey("csv/runs.csv"), a.keySet().toString());
        for (String k : a.keySet()) assertArrayEquals(a.get(k), b.get(k), k);
        Report.build(res, tmp.resolve("a"), "default");
        Map<String, byte[]> again = tree(tmp.resolve("a"));
        assertEquals(a.keySet(), again.keySet());
        for (String k : a.keySet()) assertArrayEquals(a.get(k), again.get(k), k);
    }

    @Test void summaryIsMeanAndSdOverSeedsOfTheTestFigures() throws IOException {
        Results r = Results.load(fixture(0.5, false, 1, 2, 3), "default");
        assertEquals("newcode", r.fingerprint());
        assertEquals(Map.of("oldcode", 1), r.otherFingerprints(), "a table never mixes code: the older record is left out");
        Tables t = new Tables(r, Original.load());
        Table s = t.summary();
        Arm cos = r.get("v2-cosine").orElseThrow();
        double[] eers = cos.values(x -> x.testBest().eer());
        assertEquals(3, eers.length);
        var sum = org.voxkd.stats.SeedStats.summary(eers);
        assertEquals(Fmt.pct(sum.mean()) + " ± " + Fmt.pct(sum.sd()), s.cell("v2-cosine", "Test EER (%)"));
        assertEquals("2/3, 2/3, 2/3", s.cell("v2-cosine", "Selected epochs"));
        assertEquals(Fmt.NOT_RUN, s.cell("v2-large", "Parameters"));
        // the per-arm interval is that of the seed mean over speaker resamples: it contains the mean
        String[] ci = s.cell("v2-cosine", "95% CI (%)").replaceAll("[\\[\\]]", "").split(", ");
        assertTrue(Double.parseDouble(ci[0]) < 100 * sum.mean() && 100 * sum.mean() < Double.parseDouble(ci[1]));
        assertEquals(15, t.perSeed().rows().size(), "five arms × three seeds");
    }

    @Test void verdictsFollowThePairedIntervals() throws IOException {
        Tables t = new Tables(Results.load(fixture(0.5, false, 1, 2, 3), "default"), Original.load());
        Table h = t.hypotheses();
        assertEquals("supported", h.cell("cosine KD ≫ mse KD (small student)", "Verdict"));
        assertEquals("not supported", h.cell("distillation helps the small student (vs no teacher)", "Verdict"),
                "identical systems up to a tiny perturbation are shown equivalent: " + h.cell("distillation helps the small student (vs no teacher)", "Verdict"));
        assertEquals("not supported", h.cell("large student (α 0.4) better than the teacher", "Verdict"));
        assertEquals(Fmt.NOT_RUN + ": v2-large", h.cell("α 0.4 better than α 0.7 for the large student", "Verdict"));
        assertEquals("A worse", t.gapFromTeacher().cell("v2-cosine", "Verdict (student vs teacher)"));
        assertEquals("not supported", t.kdEffectiveness().cell("v2-cosine", "KD helps?"));
        assertTrue(Claims.compared(t.compare().res(), t.compare().compare("v2-cosine", "v2-nokd")).contains("equivalent within ±0.50 points under the declared rule"));
        // Without a declared margin nothing is called equivalent.
        Tables none = new Tables(Results.load(fixture(0, false, 1, 2, 3), "default"), Original.load());
        assertTrue(none.hypotheses().cell("distillation helps the small student (vs no teacher)", "Verdict").startsWith("inconclusive"));
        // One seed decides nothing.
        Tables one = new Tables(Results.load(fixture(0.5, false, 1), "default"), Original.load());
        assertTrue(one.hypotheses().cell("cosine KD ≫ mse KD (small student)", "Verdict").startsWith("inconclusive (one seed"));
    }

    @Test void pairedSpeakerIntervalMatchesADirectComputation() throws IOException {
        Results r = Results.load(fixture(0.5, false, 1, 2, 3), "default");
        Compare.Comparison c = new Compare(r).compare("v2-cosine", "v1-mse");
        Arm a = r.get("v2-cosine").orElseThrow(), b = r.get("v1-mse").orElseThrow();
        TrialSet ts = a.first().scores().trials();
        var boot = new org.voxkd.stats.SpeakerBootstrap(ts, 400, Compare.BOOTSTRAP_SEED);
        var d = boot.distribution(w -> {
            double s = 0;
            for (int i = 0; i < 3; i++) s += a.runs().get(i).scores().ranked(true).metrics(w).eer() - b.runs().get(i).scores().ranked(true).metrics(w).eer();
            return s / 3;
        }).interval(0.95);
        assertEquals(d, c.speakers95());
        assertEquals(List.of(1L, 2L, 3L), c.seeds());
        assertTrue(c.speakers95().high() < 0 && c.seeds95().high() < 0, c.toString());
    }

    @Test void sameListIsFlaggedInEveryTable() throws IOException {
        Path out = tmp.resolve("flagged");
        Report.build(fixture(0.5, true, 1, 2), out, "default");
        for (String f : List.of("tables/summary.md", "tables/hypotheses.md", "tables/ranking-eer.md"))
            assertTrue(Files.readString(out.resolve(f)).contains("both selected the checkpoint and reported"), f);
        assertTrue(Files.readString(out.resolve("report.md")).contains("code fingerprint `newcode`"));
    }

    @Test void missingExperimentsAreReportedAsNotRunAndEmptyResultsStillBuild() throws IOException {
        Path out = tmp.resolve("out");
        Report.Built b = Report.build(fixture(0.5, false, 1, 2), out, "default");
        assertEquals(10, b.runs());
        assertTrue(Files.readString(out.resolve("tables/trajectory-v2-large.md")).contains("not run"));
        assertTrue(Files.exists(out.resolve("csv/v2-cosine.csv")));
        assertFalse(Files.exists(out.resolve("csv/v2-large.csv")));
        List<String> csv = Files.readAllLines(out.resolve("csv/v2-cosine.csv"));
        assertEquals(7, csv.size(), "two seeds × three epochs + header");
        assertTrue(csv.get(0).startsWith("seed,run,epoch,lr,loss"));
        Path empty = tmp.resolve("empty");
        Files.createDirectories(empty);
        Report.Built e = Report.build(empty, tmp.resolve("out-empty"), null);
        assertEquals(0, e.runs());
        assertTrue(Files.readString(tmp.resolve("out-empty/report.md")).contains("not run"));
    }

    @Test void malformedScoreFileNamesFileAndLine() throws IOException {
        Path res = fixture(0.5, false, 1);
        Path f = Files.walk(res.resolve("runs")).filter(p -> p.endsWith("test_scores.txt")).findFirst().orElseThrow();
        List<String> lines = new ArrayList<>(Files.readAllLines(f));
        lines.set(5, "1 NaN 0.3 id1 id1");
        Files.write(f, lines);
        IOException e = assertThrows(IOException.class, () -> Results.load(res, "default"));
        assertTrue(e.getMessage().contains("test_scores.txt:6"), e.getMessage());
    }

    @Test void latexEscaping() throws IOException {
        assertEquals("a\\_b \\& 50\\% \\#1 \\{x\\} \\$ $\\alpha$ 0.4 $\\approx$ \\textasciitilde{} \\textbackslash{} $\\pm$",
                Latex.escape("a_b & 50% #1 {x} $ α 0.4 ≈ ~ \\ ±"));
        Table t = new Table("t", "T_1", "lr", "name", "EER (%)").row("v2_large & co", "10%");
        String tex = Latex.table(t);
        assertTrue(tex.contains("v2\\_large \\& co & 10\\% \\\\"), tex);
        assertTrue(tex.contains("\\toprule") && tex.contains("\\midrule") && tex.contains("\\bottomrule") && tex.contains("\\caption{T\\_1}"), tex);
        assertEquals("| a\\|b | 1 |", Markdown.table(new Table("m", "M", "lr", "x", "y").row("a|b", "1")).lines().skip(2).findFirst().orElseThrow());
        Path out = tmp.resolve("out");
        Report.build(fixture(0.5, false, 1, 2), out, "default");
        try (Stream<Path> s = Files.list(out.resolve("tables"))) {
            for (Path p : s.filter(p -> p.toString().endsWith(".tex")).toList()) {
                String text = Files.readString(p, StandardCharsets.UTF_8);
                assertTrue(text.chars().allMatch(c -> c < 128), p + " has non-ASCII: " + text.chars().filter(c -> c >= 128).mapToObj(Character::toString).distinct().toList());
            }
        }
    }

    /** Every generated LaTeX table is printed at its font size, never shrunk: no scaling command, no font below 9 pt, and it fits its page. */
    @Test void noTableIsScaledBelowEightTenths() throws IOException {
        Path res = fixture(0.5, false, 1, 2, 3);
        Path out = tmp.resolve("scaled");
        Report.build(res, out, "default");
        List<Path> tex = new ArrayList<>();
        try (Stream<Path> s = Files.walk(out)) {
            s.filter(p -> p.toString().endsWith(".tex") && !p.toString().contains("figures")).forEach(tex::add);
        }
        assertTrue(tex.size() > 20, tex.toString());
        for (Path p : tex) {
            String text = Files.readString(p);
            for (String banned : List.of("\\resizebox", "\\scalebox", "adjustbox", "\\scriptsize", "\\tiny", "max totalsize"))
                assertFalse(text.contains(banned), p + " scales a table: " + banned);
        }
        Tables t = new Tables(Results.load(res, "default"), Original.load());
        for (Table x : t.all()) assertTrue(Latex.fits(x), x.id() + " is " + Latex.widthEm(x) + " em wide, wider than a landscape page");
        // a table too wide for portrait is turned sideways, not shrunk
        Table wide = new Table("w", "W", "l".repeat(16), java.util.stream.IntStream.range(0, 16).mapToObj(i -> "column " + i).toArray(String[]::new));
        wide.row(java.util.stream.IntStream.range(0, 16).mapToObj(i -> "[+12.34, +56.78]").toArray(String[]::new));
        assertEquals(Latex.Layout.SIDEWAYS, Latex.layout(wide));
        assertTrue(Latex.table(wide).contains("\\begin{sidewaystable}") && Latex.table(wide).contains("\\footnotesize"));
    }

    /** No figure draws two series alike: every pair differs in colour, marker and dash; identical arms are drawn once. */
    @Test void figuresGiveEveryArmItsOwnStyleAndDrawIdenticalArmsOnce() throws IOException {
        Path res = fixture(0.5, false, 1, 2, 3);
        // a twin of v2-cosine: the same scores to the bit at every seed
        StringBuilder l = new StringBuilder(Files.readString(res.resolve("ledger.jsonl")));
        for (long s : new long[] {1, 2, 3}) run(res, l, "v1-mse-rescaled", s, "newcode", "mse-rescaled", 0.7, 180_000, 2.0, 3, 0.02, false);
        Files.writeString(res.resolve("ledger.jsonl"), l.toString());
        Results r = Results.load(res, "default");
        Tables t = new Tables(r, Original.load());
        assertTrue(t.compare().identical("v1-mse-rescaled", "v2-cosine"));
        assertFalse(t.compare().identical("v2-nokd", "v2-cosine"), "a tiny perturbation is not identity");
        List<String> rows = t.summary().rows().stream().map(x -> x.get(0)).toList();
        assertTrue(rows.contains("v2-cosine ≡ v1-mse-rescaled") && !rows.contains("v2-cosine") && rows.stream().noneMatch(x -> x.startsWith("v1-mse-rescaled")),
                "one row for identical arms: " + rows);
        for (var e : Figures.all(r, t).entrySet()) {
            List<Svg.Series> series = e.getValue().series();
            assertEquals(series.size(), series.stream().map(Svg.Series::name).distinct().count(), e.getKey());
            assertFalse(series.stream().anyMatch(x -> x.name().equals("v1-mse-rescaled")), e.getKey() + ": identical arm drawn twice");
            for (int i = 0; i < series.size(); i++)
                for (int j = i + 1; j < series.size(); j++) {
                    Style a = Svg.style(series, i), b = Svg.style(series, j);
                    assertNotEquals(a.color(), b.color(), e.getKey() + ": " + series.get(i).name() + " and " + series.get(j).name() + " share a colour");
                    assertNotEquals(a.pgfMark(), b.pgfMark(), e.getKey() + ": shared marker");
                    assertNotEquals(a.pgfDash(), b.pgfDash(), e.getKey() + ": shared dash");
                }
        }
        for (int i = 0; i < Style.DISTINCT; i++)
            for (int j = i + 1; j < Style.DISTINCT; j++) assertNotEquals(Style.of(i).color(), Style.of(j).color());
    }

    /** README's headline paragraph is a verbatim copy of the generated one (paper/generated/headline.md), between its markers. */
    @Test void readmeHeadlineIsTheGeneratedParagraph() throws IOException {
        Path readme = Path.of("README.md"), headline = Path.of("paper/generated/headline.md");
        if (!Files.exists(readme) || !Files.exists(headline)) fail("run from the repository root: README.md and paper/generated/headline.md expected");
        String r = Files.readString(readme), h = Files.readString(headline);
        int a = r.indexOf(HEADLINE_BEGIN), b = r.indexOf(HEADLINE_END);
        assertTrue(a >= 0 && b > a, "README lacks the headline markers");
        assertEquals(h, r.substring(a + HEADLINE_BEGIN.length() + 1, b), "README's headline differs from paper/generated/headline.md: copy it (make report)");
    }

    static final String HEADLINE_BEGIN = "<!-- headline: generated by voxkd report (paper/generated/headline.md); do not edit -->", HEADLINE_END = "<!-- headline end -->";

    /** The corpus table's SNR range is SynthVox's: if the generator's draw changes without a version bump, this fails. */
    @Test void corpusSnrRangeIsTheGenerators() throws IOException {
        String src = Files.readString(Path.of("src/main/java/org/voxkd/data/SynthVox.java"));
        if (!org.voxkd.data.SynthVox.GENERATOR_VERSION.equals(Setup.SNR_GENERATOR)) return;
        assertTrue(src.contains("double snr = r.uniform(" + (int) Setup.SNR_MIN_DB + ", " + (int) Setup.SNR_MAX_DB + ");"), "session SNR range changed");
        assertTrue(src.contains("r.uniform(-" + (int) Setup.SNR_JITTER_DB + ", " + (int) Setup.SNR_JITTER_DB + ")"), "utterance SNR jitter changed");
    }
}
