package org.voxkd.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.voxkd.data.DatasetHash;
import org.voxkd.data.Lists;
import org.voxkd.eval.ScoreFiles;
import org.voxkd.export.DeployStudy;
import org.voxkd.io.AtomicFiles;
import org.voxkd.ledger.CodeFingerprint;
import org.voxkd.ledger.Ledger;
import org.voxkd.train.TrainConfig;

/**
 * The deployment study of a reproduction (the seed's quantization study, {@link DeployStudy}): for the arms a profile
 * names under {@code deploy: {arms: [...]}}, every seed's selected checkpoint exported to ONNX in each precision, scored
 * on the test list with the run's own evaluation protocol under ONNX Runtime, and timed; the paper-sized V2 and large
 * students once, on random weights, for size and speed. Kept in {@code results/deploy/RUN/}: {@code study.json} (the
 * study's summary without machine paths, with the export code's fingerprint) and {@code scores.txt} (one line per test
 * trial: label, the score of voxkd and of every variant, the two speakers), so that the report forms paired, speaker-
 * clustered intervals from results/ alone. A study is redone when its run or the export code changes.
 */
final class Deployment {
    private Deployment() {}

    static void run(Profile profile, List<ObjectNode> records, Path root, Path results, PrintStream log) throws IOException {
        JsonNode spec = profile.deploy();
        if (spec == null) return;
        List<String> arms = new ArrayList<>();
        spec.path("arms").forEach(a -> arms.add(a.asText()));
        String code = CodeFingerprint.ofExport(root);
        boolean paperDone = false;
        for (ObjectNode r : records) {
            if (!arms.contains(r.get("experiment").asText())) continue;
            Path dir = results.resolve("deploy").resolve(r.get("id").asText()), study = dir.resolve("study.json");
            if (Files.exists(study) && code.equals(Ledger.JSON.readTree(study.toFile()).path("export_code").asText())) {
                log.printf("deploy study of %s seed %d (run %s): done, skipped%n", r.get("experiment").asText(), r.get("seed").asLong(), r.get("id").asText());
                paperDone |= Ledger.JSON.readTree(study.toFile()).has("paper_models");
                continue;
            }
            Path ckpt = results.resolve(r.get("dir").asText()).resolve("best.ckpt");
            if (!Files.exists(ckpt)) {
                log.printf("deploy study of run %s: its checkpoint is not on disk (checkpoints are not committed); re-run the run to study it%n", r.get("id").asText());
                continue;
            }
            TrainConfig cfg = TrainConfig.fromTree(r.get("config"), root.resolve("deploy.yaml")); // recorded paths are relative to the root
            boolean paper = spec.path("paper_models").asBoolean(false) && !paperDone;
            int calibration = spec.path("calibration").asInt(256);
            DeployStudy.Options o = new DeployStudy.Options(ckpt, Path.of(cfg.data().reportList()), Path.of(cfg.data().trialRoot()),
                    Path.of(cfg.data().trainList()), Path.of(cfg.data().trainRoot()), calibration, cfg.data().maxFrames(), cfg.seed(),
                    cfg.eval().crops(), cfg.eval().frames(), cfg.data().workers(), 2, 64, 200, 2, spec.path("warmup").asInt(2), spec.path("reps").asInt(5), paper);
            Path scratch = Files.createTempDirectory(results, ".deploy-");
            try {
                log.printf("deploy study of %s seed %d (run %s)%n", r.get("experiment").asText(), r.get("seed").asLong(), r.get("id").asText());
                ObjectNode summary = DeployStudy.run(o, scratch, log);
                Files.createDirectories(dir);
                AtomicFiles.writeString(dir.resolve("scores.txt"), scores(scratch, summary, o.trials()));
                AtomicFiles.writeString(study, portable(summary, r, code).toPrettyString() + "\n");
                paperDone |= paper;
            } catch (ai.onnxruntime.OrtException e) {
                throw new IOException("deploy study of run " + r.get("id").asText() + ": ONNX Runtime failed: " + e.getMessage(), e);
            } finally {
                try (Stream<Path> s = Files.walk(scratch)) {
                    for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
                }
            }
        }
    }

    /** One line per trial: "label voxkd VARIANT… enroll_speaker test_speaker", after a header naming the columns and the list. */
    static String scores(Path scratch, ObjectNode summary, Path trials) throws IOException {
        List<String> labels = new ArrayList<>(List.of("voxkd"));
        summary.get("variants").forEach(v -> labels.add(v.get("variant").asText()));
        List<List<String>> columns = new ArrayList<>();
        List<String> first = null;
        for (String l : labels) {
            List<String> lines = Files.readAllLines(scratch.resolve(DeployStudy.scoreFile(l))).stream().filter(x -> !x.isBlank()).toList();
            if (first == null) first = lines;
            else if (lines.size() != first.size()) throw new IOException("deploy study: score files of " + l + " and voxkd differ in length");
            columns.add(lines);
        }
        List<ScoreFiles.Row> rows = new ArrayList<>();
        for (int i = 0; i < first.size(); i++) {
            // score files quote paths by the lists' rule (a path with spaces is one field)
            List<String> f = Lists.fields(first.get(i));
            List<String> scores = new ArrayList<>();
            for (List<String> c : columns) scores.add(Lists.fields(c.get(i)).get(1));
            rows.add(new ScoreFiles.Row(Integer.parseInt(f.get(0)), scores, f.get(2), f.get(3)));
        }
        return ScoreFiles.text("deployment", trials.getFileName().toString(), DatasetHash.sha256(trials), labels, rows);
    }

    /** The study's summary keyed by the run, without machine paths. */
    static ObjectNode portable(ObjectNode summary, ObjectNode record, String code) {
        ObjectNode s = summary.deepCopy();
        s.remove(List.of("checkpoint", "trials", "voxkd_scores"));
        ((ObjectNode) s.path("calibration")).remove("train_list");
        for (JsonNode v : (ArrayNode) s.get("variants")) ((ObjectNode) v).remove(List.of("file", "scores"));
        s.put("run", record.get("id").asText());
        s.put("experiment", record.get("experiment").asText());
        s.put("seed", record.get("seed").asLong());
        s.put("code_fingerprint", record.get("code_fingerprint").asText());
        s.put("export_code", code);
        return s;
    }
}
