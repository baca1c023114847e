package org.voxkd.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.voxkd.ledger.Ledger;
import org.voxkd.report.Report;

/**
 * The science pipeline end to end on the smoke profile: corpus, teacher, six students, ledger, skip on
 * re-run, bit-for-bit verification of a recorded run, a deterministic report; and the committed
 * results/ rebuild the committed paper/generated/ byte for byte.
 */
class ReproduceSmokeTest {
    static final Path ROOT = Path.of("").toAbsolutePath();
    static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    @Test
    void smokeProfileEndToEnd(@TempDir Path tmp) throws IOException {
        Path results = tmp.resolve("results");
        Profile smoke = Profile.load(ROOT.resolve("experiments"), "smoke");
        List<ObjectNode> runs = new Reproducer(ROOT, results, smoke, new InProcessExecutor(QUIET), null, null, false, null, QUIET).run();
        int n = smoke.arms().size(), expected = 2 * n; // two seeds
        assertTrue(smoke.arms().contains("v2-cosine-aug"), smoke.arms().toString());
        assertEquals(expected, runs.size());
        Ledger ledger = new Ledger(results);
        assertEquals(expected, ledger.records().size());
        for (ObjectNode r : ledger.records()) {
            assertEquals("complete", r.get("status").asText());
            double eer = r.get("test").get("best").get("eer").asDouble();
            assertTrue(eer >= 0 && eer <= 1, r.get("experiment") + " EER " + eer);
            assertTrue(r.get("artifacts").has("epochs.csv"));
        }
        for (int s = 0; s < 2; s++) {
            ObjectNode teacher = runs.get(s * n);
            assertEquals("teacher", teacher.get("experiment").asText());
            assertEquals(s + 1, teacher.get("seed").asInt());
            for (ObjectNode r : runs.subList(s * n + 1, (s + 1) * n)) {
                assertEquals(s + 1, r.get("seed").asInt());
                if (r.get("distillation").get("loss").asText().equals("none")) assertTrue(!r.has("teacher_run"), r.get("experiment").asText());
                else assertEquals(teacher.get("id").asText(), r.get("teacher_run").asText(), "students distil from their seed's teacher");
            }
        }
        assertEquals(expected, runs.stream().map(r -> r.get("id").asText()).distinct().count(), "every (arm, seed) has its own run id");
        // the augmented arm really read the augmentation sets: they are in its configuration and its data hash
        ObjectNode aug = runs.stream().filter(r -> r.get("experiment").asText().equals("v2-cosine-aug")).findFirst().orElseThrow();
        ObjectNode plain = runs.stream().filter(r -> r.get("experiment").asText().equals("v2-cosine")).findFirst().orElseThrow();
        assertTrue(aug.get("config").get("data").get("augment").asBoolean(), aug.get("config").toString());
        assertTrue(aug.get("config").get("data").get("musan").asText().endsWith("musan"), aug.get("config").toString());
        assertTrue(plain.get("config").get("data").get("musan").isNull(), "an arm without augmentation records no augmentation folders");
        assertTrue(!aug.get("data_hash").equals(plain.get("data_hash")), "the augmentation sets are part of the augmented arm's data hash");
        assertTrue(runs.get(0).get("environment").has("openblas_core"), runs.get(0).get("environment").toString());
        // The non-learned baseline was scored once on the runs' test list, with the same figures as computed directly.
        try (Stream<Path> bl = Files.list(results.resolve("baselines"))) {
            List<Path> dirs = bl.toList();
            assertEquals(1, dirs.size(), "one test list, one baseline: " + dirs);
            var b = Ledger.JSON.readTree(dirs.get(0).resolve("baseline.json").toFile());
            var data = runs.get(0).get("config").get("data");
            Path trials = Path.of(data.get("test_trials").asText()), wav = Path.of(data.get("trial_root").asText());
            assertEquals(org.voxkd.eval.Baseline.evaluate(wav, org.voxkd.data.Lists.readTrialList(trials), 2).eer(), b.get("eer").asDouble(), 0);
            assertEquals(org.voxkd.data.Lists.readTrialList(trials).size() + 3, Files.readAllLines(dirs.get(0).resolve("scores.txt")).size());
        }
        // A second reproduction finds every run complete and adds nothing.
        new Reproducer(ROOT, results, smoke, new InProcessExecutor(QUIET), null, null, false, null, QUIET).run();
        assertEquals(expected, ledger.records().size());
        // A recorded run re-runs to the same bits.
        ObjectNode cosine = runs.stream().filter(r -> r.get("experiment").asText().equals("v2-cosine") && r.get("seed").asInt() == 2).findFirst().orElseThrow();
        assertEquals("v2-cosine", cosine.get("experiment").asText());
        Verifier.Outcome v = Verifier.verify(cosine, ROOT, results, tmp, QUIET);
        assertEquals(Verifier.Verdict.BIT_FOR_BIT, v.verdict(), String.join("\n", v.bitDifferences()));
        // The report is a pure function of the results.
        Report.build(results, tmp.resolve("a"), null);
        Report.build(results, tmp.resolve("b"), null);
        TreeMap<String, byte[]> a = files(tmp.resolve("a")), b = files(tmp.resolve("b"));
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) assertArrayEquals(a.get(k), b.get(k), "report file " + k + " differs between two builds");
        String summary = Files.readString(tmp.resolve("a/tables/summary.md"));
        assertTrue(summary.contains("v2-large-lowalpha") && summary.contains(" ± "), summary);
        // The deployment study of the profile's deploy arm is a report table: every precision, paired against FP32.
        String deploy = Files.readString(tmp.resolve("a/tables/deploy-v2-cosine.md"));
        for (String p : List.of("| voxkd", "| fp32", "| fp16", "| int8-static", "| int8-dynamic")) assertTrue(deploy.contains(p), p + " in\n" + deploy);
        assertTrue(deploy.contains("2 seeds") && deploy.contains("Δ EER vs FP32"), deploy);
    }

    /** The committed paper/generated/ is exactly what the committed results/ produce. */
    @Test
    void committedReportMatchesCommittedResults(@TempDir Path tmp) throws IOException {
        Path results = ROOT.resolve("results"), committed = ROOT.resolve("paper/generated");
        if (!Files.exists(results.resolve("ledger.jsonl"))) return; // nothing reproduced yet: nothing to compare
        Report.build(results, tmp, null);
        TreeMap<String, byte[]> want = files(committed), got = files(tmp);
        assertEquals(want.keySet(), got.keySet(), "the files of paper/generated/");
        for (String f : want.keySet()) assertArrayEquals(want.get(f), got.get(f), "paper/generated/" + f + " is not what results/ produce");
    }

    static TreeMap<String, byte[]> files(Path dir) throws IOException {
        TreeMap<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            // the build's list of its own files (.voxkd-report: what the next build may delete) is bookkeeping, not report
            for (Path p : s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(".")).toList())
                out.put(dir.relativize(p).toString(), Files.readAllBytes(p));
        }
        return out;
    }

}
