package org.voxkd.report;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir Path tmp;

    /** A ledger record with a history of validated epochs (eer per epoch; CI ±0.02; 200/400 trials). */
    static ObjectNode record(String experiment, String profile, String status, String kdLoss, double alpha, long params, double... eers) {
        ObjectNode r = JSON.createObjectNode();
        r.put("id", experiment + "-" + profile + "-" + eers.length);
        r.put("experiment", experiment);
        r.put("profile", profile);
        r.put("status", status);
        r.put("dir", "runs/" + r.get("id").asText());
        r.put("model", experiment.equals("teacher") ? "teacher" : "student");
        r.put("parameters", params);
        r.put("seconds", 10.0 * eers.length + 1);
        r.put("train_samples_per_s", 100.0 + params / 1000.0);
        r.put("epochs", eers.length);
        ObjectNode kd = r.putObject("distillation");
        kd.put("loss", kdLoss);
        kd.put("alpha", alpha);
        kd.put("tau", 4.0);
        ArrayNode h = r.putArray("history");
        ObjectNode best = null, last = null;
        for (int i = 0; i < eers.length; i++) {
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
            e.put("eer", eers[i]);
            e.put("eer_ci_low", eers[i] - 0.02);
            e.put("eer_ci_high", eers[i] + 0.02);
            e.put("min_dcf_005", 0.5);
            e.put("min_dcf_001", 0.75);
            e.put("target_trials", 200);
            e.put("nontarget_trials", 400);
            if (best == null || eers[i] < best.get("eer").asDouble()) best = e;
            last = e;
        }
        for (var p : new Object[][] {{"best", best}, {"final", last}}) {
            ObjectNode m = r.putObject((String) p[0]);
            ((ObjectNode) p[1]).fields().forEachRemaining(f -> {
                if (List.of("epoch", "eer", "eer_ci_low", "eer_ci_high", "min_dcf_005", "min_dcf_001", "target_trials", "nontarget_trials").contains(f.getKey()))
                    m.set(f.getKey(), f.getValue());
            });
        }
        return r;
    }

    private Path results(ObjectNode... records) throws IOException {
        Path dir = tmp.resolve("results");
        Files.createDirectories(dir);
        StringBuilder b = new StringBuilder();
        for (ObjectNode r : records) b.append(JSON.writeValueAsString(r)).append('\n');
        Files.writeString(dir.resolve("ledger.jsonl"), b.toString());
        return dir;
    }

    private Path smallLedger() throws IOException {
        return results(
                record("v2-cosine", "default", "complete", "cosine", 0.7, 2_000_000, 0.40, 0.30), // superseded below
                record("teacher", "default", "complete", "none", 0.0, 4_000_000, 0.20, 0.10, 0.12),
                record("v1-mse", "default", "complete", "mse", 0.5, 2_000_000, 0.30, 0.25, 0.2525),
                record("v2-cosine", "default", "failed", "cosine", 0.7, 2_000_000, 0.45),
                record("v2-cosine", "default", "complete", "cosine", 0.7, 2_000_000, 0.20, 0.1075, 0.11),
                record("v2-large", "smoke", "complete", "cosine", 0.7, 9_000, 0.45));
    }

    private static Map<String, byte[]> tree(Path dir) throws IOException {
        Map<String, byte[]> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) m.put(dir.relativize(p).toString(), Files.readAllBytes(p));
        }
        return m;
    }

    @Test void sameResultsGiveByteIdenticalFiles() throws IOException {
        Path res = smallLedger();
        Report.build(res, tmp.resolve("a"), "default");
        Report.build(res, tmp.resolve("b"), "default");
        Map<String, byte[]> a = tree(tmp.resolve("a")), b = tree(tmp.resolve("b"));
        assertEquals(a.keySet(), b.keySet());
        assertTrue(a.containsKey("report.md") && a.containsKey("tables/summary.tex") && a.containsKey("figures/params-vs-eer.svg"), a.keySet().toString());
        for (String k : a.keySet()) assertArrayEquals(a.get(k), b.get(k), k);
        // Rebuilding over an existing output leaves the same tree.
        Report.build(res, tmp.resolve("a"), "default");
        Map<String, byte[]> again = tree(tmp.resolve("a"));
        assertEquals(a.keySet(), again.keySet());
        for (String k : a.keySet()) assertArrayEquals(a.get(k), again.get(k), k);
    }

    @Test void summaryShowsTheLatestCompleteRecordFormatted() throws IOException {
        Tables t = new Tables(Results.load(smallLedger(), "default"), Original.load());
        Table s = t.summary();
        assertEquals("10.75", s.cell("v2-cosine", "Best EER (%)"));
        assertEquals("[8.75, 12.75]", s.cell("v2-cosine", "95% CI (%)"));
        assertEquals("2", s.cell("v2-cosine", "Best epoch"));
        assertEquals("11.00", s.cell("v2-cosine", "Final EER (%)"));
        assertEquals("2,000,000", s.cell("v2-cosine", "Parameters"));
        assertEquals("0.7", s.cell("v2-cosine", "α"));
        assertEquals("–", s.cell("teacher", "α"));
        assertEquals("400", s.cell("teacher", "Non-target trials"));
        assertEquals("0.7500", s.cell("teacher", "minDCF 0.01"));
        Table gap = t.gapFromTeacher();
        assertEquals("+0.75", gap.cell("v2-cosine", "Gap (points)"));
        assertEquals("7.5", gap.cell("v2-cosine", "Gap (relative, %)"));
        assertEquals("yes", gap.cell("v2-cosine", "Intervals overlap"));
        // Efficiency: (50 - 10.75) / 2.0 M params.
        assertEquals("19.63", t.rankingByEfficiency().cell("1", "Efficiency (EER points below chance per M params)"));
        assertEquals("v2-cosine", t.rankingByEfficiency().cell("1", "Experiment"));
        assertEquals("1", t.rankingByEer().rows().get(0).get(0));
        assertEquals("teacher", t.rankingByEer().rows().get(0).get(1));
    }

    @Test void missingExperimentsAreReportedAsNotRun() throws IOException {
        Path out = tmp.resolve("out");
        Report.Built b = Report.build(smallLedger(), out, "default");
        assertEquals(3, b.runs());
        Tables t = new Tables(Results.load(smallLedger(), "default"), Original.load());
        assertEquals(Fmt.NOT_RUN, t.summary().cell("v2-large", "Model"));
        assertEquals(Fmt.NOT_RUN, t.summary().cell("v2-nokd", "Model"));
        assertEquals(Fmt.NOT_RUN, t.hypotheses().cell("α 0.4 better than α 0.7 for the large student", "Verdict"));
        assertTrue(t.kdEffectiveness().cell("v2-cosine", "KD helps?").startsWith(Fmt.NOT_RUN));
        assertTrue(Files.readString(out.resolve("tables/trajectory-v2-large.md")).contains("not run"));
        assertTrue(Files.exists(out.resolve("csv/v2-cosine.csv")));
        assertFalse(Files.exists(out.resolve("csv/v2-large.csv")));
        // An empty results directory still gives every table.
        Path empty = tmp.resolve("empty");
        Files.createDirectories(empty);
        Report.Built e = Report.build(empty, tmp.resolve("out-empty"), null);
        assertEquals(0, e.runs());
        assertTrue(Files.readString(tmp.resolve("out-empty/report.md")).contains("not run"));
    }

    @Test void trajectoriesAndCsvComeFromTheHistory() throws IOException {
        Path out = tmp.resolve("out");
        Report.build(smallLedger(), out, "default");
        List<String> csv = Files.readAllLines(out.resolve("csv/v2-cosine.csv"));
        assertEquals(4, csv.size());
        assertTrue(csv.get(0).startsWith("epoch,lr,loss,loss_cls,loss_kd"));
        assertTrue(csv.get(2).startsWith("2,0.00095000000,"), csv.get(2));
        Tables t = new Tables(Results.load(smallLedger(), "default"), Original.load());
        assertEquals("10.75", t.trajectoryComparison().cell("2", "v2-cosine"));
        assertEquals("25.00", t.trajectoryComparison().cell("2", "v1-mse"));
        assertEquals("0.4900", t.kdLossComparison().cell("2", "v2-cosine"));
    }

    @Test void historyFallsBackToEpochsCsvAndProfileDefaultsToTheLastRecord() throws IOException {
        ObjectNode r = record("v2-nokd", "smoke", "complete", "none", 0.0, 5_000, 0.4, 0.35);
        r.remove("history");
        Path res = results(record("teacher", "default", "complete", "none", 0.0, 1, 0.1), r);
        Path runDir = res.resolve(r.get("dir").asText());
        Files.createDirectories(runDir);
        Files.writeString(runDir.resolve("epochs.csv"), String.join("\n", "epoch,lr,loss,loss_cls,loss_kd,kd_loss_share,kd_grad_share,train_accuracy,"
                + "samples_per_s,seconds,eer,eer_ci_low,eer_ci_high,min_dcf_005,min_dcf_001,target_trials,nontarget_trials",
                "1,0.001,3,3,0,0,0,10,100,10,,,,,,,", "2,0.00095,2.9,2.9,0,0,0,20,100,10,0.35,0.33,0.37,0.5,0.75,200,400", ""));
        Results loaded = Results.load(res, null);
        assertEquals("smoke", loaded.profile());
        Run run = loaded.get("v2-nokd").orElseThrow();
        assertEquals(2, run.history().size());
        assertTrue(run.history().get(0).validation().isEmpty());
        assertEquals(0.35, run.history().get(1).validation().orElseThrow().eer());
        Table tr = new Tables(loaded, Original.load()).trajectory("v2-nokd");
        assertEquals(1, tr.rows().size());
        assertEquals("35.00", tr.cell("2", "EER (%)"));
    }

    private static Run.Metrics m(double eer, double low, double high) {
        return new Run.Metrics(1, eer, low, high, 0.5, 0.5, 100, 100);
    }

    @Test void hypothesisVerdicts() {
        var better = Hypotheses.Kind.BETTER;
        var similar = Hypotheses.Kind.SIMILAR;
        assertEquals(Hypotheses.SUPPORTED, Hypotheses.verdict(better, m(0.10, 0.08, 0.12), m(0.16, 0.14, 0.18)));
        assertEquals(Hypotheses.NOT_SUPPORTED, Hypotheses.verdict(better, m(0.16, 0.14, 0.18), m(0.10, 0.08, 0.12)));
        assertEquals(Hypotheses.WITHIN_NOISE, Hypotheses.verdict(better, m(0.10, 0.08, 0.12), m(0.11, 0.09, 0.13)));
        assertEquals(Hypotheses.WITHIN_NOISE, Hypotheses.verdict(better, m(0.10, 0.08, 0.12), m(0.14, 0.12, 0.16))); // touching
        assertEquals(Hypotheses.SIMILAR_SUPPORTED, Hypotheses.verdict(similar, m(0.10, 0.08, 0.12), m(0.11, 0.09, 0.13)));
        assertEquals(Hypotheses.NOT_SUPPORTED, Hypotheses.verdict(similar, m(0.10, 0.08, 0.12), m(0.16, 0.14, 0.18)));
        assertEquals(Fmt.NOT_RUN, Hypotheses.verdict(better, null, m(0.1, 0.08, 0.12)));
    }

    @Test void latexEscaping() throws IOException {
        assertEquals("a\\_b \\& 50\\% \\#1 \\{x\\} \\$ $\\alpha$ 0.4 $\\approx$ \\textasciitilde{} \\textbackslash{}",
                Latex.escape("a_b & 50% #1 {x} $ α 0.4 ≈ ~ \\"));
        Table t = new Table("t", "T_1", "lr", "name", "EER (%)").row("v2_large & co", "10%");
        String tex = Latex.table(t);
        assertTrue(tex.contains("v2\\_large \\& co & 10\\% \\\\"), tex);
        assertTrue(tex.contains("\\toprule") && tex.contains("\\midrule") && tex.contains("\\bottomrule") && tex.contains("\\caption{T\\_1}"), tex);
        assertEquals("| a\\|b | 1 |", Markdown.table(new Table("m", "M", "lr", "x", "y").row("a|b", "1")).lines().skip(2).findFirst().orElseThrow());
        // Every generated .tex is plain ASCII (pdflatex-safe).
        Path out = tmp.resolve("out");
        Report.build(smallLedger(), out, "default");
        try (Stream<Path> s = Files.list(out.resolve("tables"))) {
            for (Path p : s.filter(p -> p.toString().endsWith(".tex")).toList()) {
                String text = Files.readString(p, StandardCharsets.UTF_8);
                assertTrue(text.chars().allMatch(c -> c < 128), p + " has non-ASCII: " + text.chars().filter(c -> c >= 128).mapToObj(Character::toString).distinct().toList());
            }
        }
    }
}
