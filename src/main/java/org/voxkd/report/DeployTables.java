package org.voxkd.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.voxkd.stats.Eer;
import org.voxkd.stats.Interval;
import org.voxkd.stats.Metric;
import org.voxkd.stats.SeedStats;
import org.voxkd.stats.SpeakerBootstrap;
import org.voxkd.stats.TrialSet;
import org.voxkd.stats.Verdict;

/**
 * The seed's quantization study from {@code results/deploy/RUN/} (written by the reproduction's deployment step):
 * per deployed arm and precision, the ONNX file size, the test EER and minDCF(0.05) under ONNX Runtime (seed mean,
 * with a speaker-resampled 95% interval), the paired difference to FP32 — per seed on the same trials, the same
 * speaker resamples for both, then averaged over seeds, with the across-seed interval and the verdict of
 * {@link Verdict} — and ONNX Runtime samples/s; and the paper-sized students on random weights (size, speed).
 * Only studies of runs the report shows (its code fingerprint) are used.
 */
final class DeployTables {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One run's study: its summary and its per-trial scores (voxkd's and every precision's). */
    private record Study(Run run, JsonNode summary, ScoreFile scores) {
        TrialSet trials() { return scores.trials(); }
    }

    private final Results res;
    private final Map<String, List<Study>> byArm = new LinkedHashMap<>();

    DeployTables(Results res) {
        this.res = res;
        if (res.dir() == null) return;
        for (Run r : res.runs()) {
            Path dir = res.dir().resolve("deploy").resolve(r.id());
            if (!Files.exists(dir.resolve("study.json")) || !Files.exists(dir.resolve("scores.txt"))) continue;
            try {
                byArm.computeIfAbsent(r.experiment(), k -> new ArrayList<>()).add(read(r, dir));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static Study read(Run run, Path dir) throws IOException {
        return new Study(run, JSON.readTree(dir.resolve("study.json").toFile()),
                ScoreFile.read(dir.resolve("scores.txt"), 0, "label voxkd PRECISION… enroll_speaker test_speaker"));
    }

    List<Table> tables() {
        List<Table> out = new ArrayList<>();
        for (Map.Entry<String, List<Study>> e : byArm.entrySet()) out.add(quantization(e.getKey(), e.getValue()));
        Table paper = paperModels();
        if (paper != null) out.add(paper);
        return out;
    }

    /** The study of one arm over its seeds. */
    private Table quantization(String arm, List<Study> studies) {
        Study first = studies.get(0);
        TrialSet trials = first.trials();
        for (Study s : studies)
            if (!java.util.Arrays.equals(s.trials().labels(), trials.labels()) || !s.trials().speakers().equals(trials.speakers()))
                throw new IllegalStateException("deploy studies of " + arm + " were scored on different trial lists");
        SpeakerBootstrap boot = new SpeakerBootstrap(trials, res.resamples(), Compare.BOOTSTRAP_SEED);
        List<String> variants = first.scores().columns();
        Table t = new Table("deploy-" + arm, "Quantization study: " + arm + " under ONNX Runtime", "lrrrrrrr",
                "Precision", "Size (MB)", "Test EER", "EER 95% CI (speakers)", "minDCF(0.05)", "Δ EER vs FP32 (pp), 95% CI speakers / seeds", "Verdict", "ORT samples/s");
        t.caption("The " + arm + " student of every seed (" + studies.size() + " seeds), exported to ONNX in each precision and scored on the "
                + Fmt.count(trials.size()) + " test trials (" + trials.speakerCount() + " speakers) with the run's own evaluation protocol; "
                + "'voxkd' is the Java engine itself. Speed: " + speed(first.summary()) + ".");
        Map<String, List<Eer.Ranked>> ranked = new LinkedHashMap<>();
        for (String v : variants) ranked.put(v, studies.stream().map(s -> Eer.rank(s.scores().column(v), trials.labels())).toList());
        List<Eer.Ranked> fp32 = ranked.get("fp32");
        for (String v : variants) {
            List<Eer.Ranked> r = ranked.get(v);
            double[] eer = new double[r.size()], dcf = new double[r.size()], base = new double[r.size()];
            for (int k = 0; k < r.size(); k++) {
                Eer.Result m = r.get(k).metrics(null);
                eer[k] = m.eer();
                dcf[k] = m.minDcf05();
                if (fp32 != null) base[k] = fp32.get(k).metrics(null).eer();
            }
            Interval ci = Compare.seedMean(boot, r, Metric.EER).interval(0.95);
            String diff = "–", verdict = "–";
            if (fp32 != null && !v.equals("fp32")) {
                SpeakerBootstrap.Distribution d = Compare.seedMeanDifference(boot, r, fp32, Metric.EER);
                Interval p95 = d.interval(0.95), p90 = d.interval(0.90);
                Interval s95 = SeedStats.pairedDifference(eer, base, 0.95), s90 = SeedStats.pairedDifference(eer, base, 0.90);
                Verdict.Decision dec = Verdict.decide(List.of(new Verdict.Evidence("speakers", p95, p90), new Verdict.Evidence("seeds", s95, s90)),
                        res.margin(), r.size());
                diff = Fmt.points(SeedStats.summary(eer).mean() - SeedStats.summary(base).mean()) + " " + Fmt.pointsCi(p95) + " / " + Fmt.pointsCi(s95);
                verdict = dec.verdict().label;
            }
            t.row(v, size(studies, v), Fmt.pctMeanSd(SeedStats.summary(eer)), Fmt.ci(ci), Fmt.meanSd(SeedStats.summary(dcf), 3), diff, verdict, samples(studies, v));
        }
        t.note("Δ: the precision minus FP32 on the same trials, per seed, averaged; intervals by resampling speakers (the same resamples for both) "
                + "and across seeds (t, paired by seed). 'better'/'worse' only when both 95% intervals exclude 0; 'equivalent' only when both 90% "
                + "intervals lie within ±" + Fmt.fixed(100 * res.margin(), 2) + " EER points (the profile's margin).");
        t.note("INT8: static = QDQ nodes with per-channel weights and activation ranges calibrated on training crops ("
                + first.summary().path("calibration").path("crops").asInt() + " crops of " + first.summary().path("calibration").path("frames").asInt()
                + " frames, min/max); dynamic = weights quantized, activations at run time. FP16 = weights and activations in half precision.");
        return t;
    }

    private static String speed(JsonNode summary) {
        JsonNode s = summary.path("speed");
        return s.path("runtime").asText("ONNX Runtime") + ", batch " + s.path("batch").asInt() + " × " + s.path("frames").asInt() + " frames, "
                + s.path("intra_op_threads").asInt() + " threads, on " + summary.path("machine").path("cpu").asText("this machine")
                + " (a ratio between rows is what transfers to another machine)";
    }

    private static JsonNode variant(JsonNode summary, String v) {
        for (JsonNode row : summary.path("variants")) if (row.path("variant").asText().equals(v)) return row;
        return null;
    }

    private static String size(List<Study> studies, String v) {
        JsonNode row = variant(studies.get(0).summary(), v);
        return row == null ? "–" : Fmt.fixed(row.path("bytes").asLong() / 1e6, 3);
    }

    /** Median over seeds of the recorded samples/s. */
    private static String samples(List<Study> studies, String v) {
        double[] x = studies.stream().map(s -> variant(s.summary(), v)).filter(r -> r != null && r.has("samples_per_second"))
                .mapToDouble(r -> r.get("samples_per_second").asDouble()).sorted().toArray();
        if (x.length == 0) return "–";
        double med = x.length % 2 == 1 ? x[x.length / 2] : (x[x.length / 2 - 1] + x[x.length / 2]) / 2;
        return Fmt.fixed(med, 0);
    }

    /** The paper-sized students on random weights, from the first study that measured them. */
    private Table paperModels() {
        for (List<Study> l : byArm.values())
            for (Study s : l) {
                JsonNode paper = s.summary().path("paper_models");
                if (!paper.isArray() || paper.isEmpty()) continue;
                Table t = new Table("deploy-paper-models", "Quantization study: paper-sized students (random weights), size and speed", "llrrr",
                        "Model", "Precision", "Parameters", "Size (MB)", "ORT samples/s");
                t.caption("The spec's V2 and large students at full size with random weights: what the seed's deployment recommendation "
                        + "(\"29.93 MB FP32, ~7.5 MB INT8\") looks like. Speed: " + speed(s.summary()) + ".");
                for (JsonNode m : paper)
                    for (JsonNode v : m.path("variants"))
                        t.row(m.path("model").asText(), v.path("variant").asText(), Fmt.count(m.path("parameters").asLong()),
                                Fmt.fixed(v.path("bytes").asLong() / 1e6, 2), v.has("samples_per_second") ? Fmt.fixed(v.get("samples_per_second").asDouble(), 1) : "–");
                return t;
            }
        return null;
    }
}
