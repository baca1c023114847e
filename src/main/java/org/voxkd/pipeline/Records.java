package org.voxkd.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.voxkd.data.DatasetHash;
import org.voxkd.distill.Methods;
import org.voxkd.ledger.Ledger;
import org.voxkd.train.TrainConfig;

/**
 * A ledger record: what ran (id, experiment, profile, portable configuration, seed, code fingerprint, commit,
 * data hash, backend, device, and the environment that decides the bits: CPU, JVM, OpenBLAS core, threads),
 * when, what came out (parameters; the validation figures of the selected and the last validated epoch; the
 * test figures of the selected and the last weights, with intervals and trial counts; throughput) and the
 * artifacts with their SHA-256.
 */
final class Records {
    private Records() {}

    static final String[] ARTIFACTS = {"config.json", "epochs.csv", "scores.txt", "test_scores.txt", "best.ckpt"};

    static ObjectNode build(String id, String experiment, String profile, TrainConfig cfg, ObjectNode portableConfig, String commit,
                            String fingerprint, String dataHash, Map<String, String> runRefs, Instant start, Instant end, ObjectNode done, Path results, String dir)
            throws IOException {
        ObjectNode r = Ledger.JSON.createObjectNode();
        r.put("id", id);
        r.put("experiment", experiment);
        r.put("profile", profile);
        r.put("status", "complete");
        r.put("dir", dir);
        r.set("config", portableConfig);
        r.put("seed", cfg.seed());
        r.put("code_fingerprint", fingerprint);
        r.put("commit", commit);
        r.put("data_hash", dataHash);
        r.put("backend", done.get("backend").asText());
        r.put("device", done.get("device").asText());
        r.set("environment", done.get("environment"));
        r.put("start", start.toString());
        r.put("end", end.toString());
        r.put("seconds", done.get("seconds").asDouble());
        if (done.has("cpu_seconds")) r.put("cpu_seconds", done.get("cpu_seconds").asDouble());
        r.put("model", cfg.model().kind());
        r.put("parameters", done.get("parameters").asInt());
        String teacherRun = runRefs.containsKey("teacher") ? runRefs.get("teacher") : runRefs.get("teachers[0]");
        if (teacherRun != null) r.put("teacher_run", teacherRun);
        if (!runRefs.isEmpty()) {
            ObjectNode deps = r.putObject("depends_on");
            runRefs.forEach(deps::put);
        }
        ObjectNode kd = r.putObject("distillation");
        kd.put("loss", cfg.distills() ? cfg.loss().distillation().id() : "none");
        kd.put("alpha", cfg.distills() ? cfg.loss().alpha() : 0);
        kd.put("tau", cfg.loss().tau());
        kd.put("method", Methods.describe(cfg.loss(), cfg.distill(), cfg.teacherRefs().size()));
        if (cfg.distills()) {
            ObjectNode w = kd.putObject("weights");
            if (cfg.finalKd()) w.put("kd", cfg.loss().alpha());
            cfg.distill().terms().forEach((k, v) -> w.put(k, Double.parseDouble(v.path("weight").asText())));
            kd.put("teachers", cfg.teacherRefs().size());
        }
        JsonNode history = done.get("history");
        r.set("history", history);
        r.put("epochs", done.get("epochs").asInt());
        JsonNode best = null, last = null;
        double sps = 0;
        for (JsonNode h : history) {
            sps += h.path("samples_per_s").asDouble();
            if (!h.has("eer")) continue;
            last = h;
            if (best == null || h.get("eer").asDouble() < best.get("eer").asDouble()) best = h;
        }
        r.put("selection", done.path("selection").asText());
        if (best != null) {
            ObjectNode v = r.putObject("validation");
            v.set("best", metrics(best));
            v.set("last", metrics(last));
        }
        if (done.has("test")) r.set("test", done.get("test"));
        r.put("train_samples_per_s", history.size() == 0 ? 0 : sps / history.size());
        ObjectNode art = r.putObject("artifacts");
        for (String a : ARTIFACTS) {
            Path f = results.resolve(dir).resolve(a);
            if (!Files.exists(f)) continue;
            ObjectNode o = art.putObject(a);
            o.put("path", dir + "/" + a);
            o.put("sha256", DatasetHash.sha256(f));
            o.put("bytes", Files.size(f));
        }
        return r;
    }

    private static ObjectNode metrics(JsonNode h) {
        ObjectNode m = Ledger.JSON.createObjectNode();
        m.put("epoch", h.get("epoch").asInt());
        for (String k : new String[] {"eer", "eer_ci_low", "eer_ci_high", "min_dcf_005", "min_dcf_001"}) m.put(k, h.get(k).asDouble());
        m.put("target_trials", h.get("target_trials").asInt());
        m.put("nontarget_trials", h.get("nontarget_trials").asInt());
        return m;
    }
}
