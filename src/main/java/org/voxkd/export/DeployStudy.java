package org.voxkd.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.voxkd.data.DataCheck;
import org.voxkd.data.DatasetHash;
import org.voxkd.data.Lists;
import org.voxkd.engine.Backend;
import org.voxkd.engine.Backends;
import org.voxkd.eval.Embedder;
import org.voxkd.eval.Verification;
import org.voxkd.export.proto.Onnx;
import org.voxkd.io.AtomicFiles;
import org.voxkd.nn.SpeakerModel;
import org.voxkd.nn.Student;
import org.voxkd.nn.StudentConfig;
import org.voxkd.train.ModelFiles;

/**
 * The deployment study (the seed's quantization study): for one checkpoint, every {@link Variant} exported, scored on a
 * trial list with voxkd's evaluation protocol ({@link Verification}: {@code crops} evenly spaced crops of
 * {@code frames} frames, mean cosine over crop pairs of unit crop embeddings — the same code {@code voxkd eval} runs,
 * with the ONNX Runtime session as the crop embedder) and timed by {@link OrtBench}; then the same size and speed
 * figures for the paper-sized V2 and large students on random weights. Writes into {@code out}: {@code VARIANT.onnx},
 * {@code scores-VARIANT.txt} and {@code scores-voxkd.txt} ("label score enroll test" per trial, as a run's
 * scores.txt; voxkd's own embedder for reference) and {@code deploy-study.json}, all atomically. Point EER and minDCF
 * are in the summary for a first look; intervals and paired differences are left to the statistics that read the
 * score files.
 */
public final class DeployStudy {
    /** What to run. {@code ortThreads}: ONNX Runtime threads for scoring; the speed figures use {@code benchThreads}. */
    public record Options(Path checkpoint, Path trials, Path trialRoot, Path trainList, Path trainRoot, int calibration, int calibrationFrames,
                          long seed, int evalCrops, int evalFrames, int featureThreads, int ortThreads, int benchBatch, int benchFrames,
                          int benchThreads, int warmup, int reps, boolean paperModels) {
        /** The defaults of the study: 256 calibration crops of 200 frames, 10 × 200-frame eval crops, batch 64 × 200 frames on 2 threads. */
        public static Options of(Path checkpoint, Path trials, Path trialRoot, Path trainList, Path trainRoot) {
            return new Options(checkpoint, trials, trialRoot, trainList, trainRoot, 256, 200, 1, 10, 200, 2, 2, 64, 200, 2, 2, 5, true);
        }
    }

    public static final String SUMMARY = "deploy-study.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private DeployStudy() {}

    /** The score file name of a variant ("voxkd" for voxkd's own embedder). */
    public static String scoreFile(String label) { return "scores-" + label + ".txt"; }

    /** Runs the study into {@code out}; returns the summary it wrote. */
    public static ObjectNode run(Options o, Path out, PrintStream log) throws IOException, ai.onnxruntime.OrtException {
        List<Lists.Trial> trials = Lists.readTrialList(o.trials());
        DataCheck.checkTrialList(o.trialRoot(), trials);
        ModelFiles.Loaded m = ModelFiles.load(o.checkpoint());
        OnnxExport.Calibrator cal = new OnnxExport.Calibrator(o.trainList(), o.trainRoot(), o.calibration(), o.calibrationFrames(), o.seed());
        log.printf(Locale.ROOT, "deploy study: %s (%s, %,d parameters), %d trials; calibration: %s%n", o.checkpoint(), m.model().kind(),
                m.model().parameters().parameterCount(), trials.size(), cal.describe());
        List<float[]> calibration = Calibration.trainingCrops(o.trainList(), o.trainRoot(), o.calibration(), o.calibrationFrames(), o.seed());
        Verification v = new Verification(o.trialRoot(), trials, o.evalFrames(), o.evalCrops(), o.featureThreads());
        Files.createDirectories(out);

        ObjectNode summary = JSON.createObjectNode();
        summary.put("checkpoint", o.checkpoint().toAbsolutePath().normalize().toString());
        summary.put("checkpoint_sha256", DatasetHash.sha256(o.checkpoint()));
        summary.put("model_kind", m.model().kind());
        summary.put("parameters", m.model().parameters().parameterCount());
        summary.put("trials", o.trials().toAbsolutePath().normalize().toString());
        summary.put("trial_count", trials.size());
        summary.put("utterances", v.utteranceCount());
        ObjectNode protocol = summary.putObject("protocol");
        protocol.put("crops", o.evalCrops());
        protocol.put("frames", o.evalFrames());
        protocol.put("score", "mean cosine over crop pairs of L2-normalised crop embeddings");
        ObjectNode calNode = summary.putObject("calibration");
        calNode.put("crops", o.calibration());
        calNode.put("frames", o.calibrationFrames());
        calNode.put("seed", o.seed());
        calNode.put("train_list", o.trainList().toAbsolutePath().normalize().toString());
        calNode.put("ranges", "min/max");
        summary.set("speed", speedNode(o));
        summary.set("machine", machine());

        Verification.Result reference;
        try (Backend b = Backends.create("cpu", null); Embedder e = new Embedder(m.model(), b, m.weights()[0], m.weights()[1])) {
            reference = v.score(e, o.seed());
        }
        AtomicFiles.writeString(out.resolve(scoreFile("voxkd")), v.scoreFile(reference));
        summary.put("voxkd_scores", scoreFile("voxkd"));
        summary.put("voxkd_eer", reference.metrics().eer());
        log.printf(Locale.ROOT, "  voxkd      EER %.2f%%%n", 100 * reference.metrics().eer());
        List<float[]> probe = Agreement.randomCrops(4, o.evalFrames(), m.model().mels(), o.seed());
        float[][] voxkdProbe = Agreement.voxkd(m.model(), m.weights(), probe);

        ArrayNode rows = summary.putArray("variants");
        for (Variant var : Variant.values()) {
            Map<String, String> meta = OnnxExport.metadata(m, o.checkpoint(), var);
            if (var.calibrated()) meta.put("voxkd.calibration", cal.describe());
            Onnx.ModelProto model = OnnxExport.build(m.model(), m.weights(), var, calibration, meta);
            Path file = out.resolve(var.label + ".onnx");
            OnnxExport.write(file, model);
            byte[] bytes = model.toByteArray();
            Verification.Result r;
            Agreement agree;
            try (OrtModel ort = new OrtModel(bytes, file.toString(), o.ortThreads())) {
                r = v.score(ort, o.seed());
                agree = Agreement.of(voxkdProbe, ort.embed(probe));
            }
            AtomicFiles.writeString(out.resolve(scoreFile(var.label)), v.scoreFile(r));
            OrtBench.Result speed = OrtBench.run(bytes, file.toString(), o.benchBatch(), o.benchFrames(), o.benchThreads(), o.warmup(), o.reps());
            ObjectNode row = rows.addObject();
            row.put("variant", var.label);
            row.put("description", var.description);
            row.put("file", file.getFileName().toString());
            row.put("bytes", Files.size(file));
            row.put("scores", scoreFile(var.label));
            row.put("eer", r.metrics().eer());
            row.put("min_dcf_005", r.metrics().minDcf05());
            row.put("max_abs_score_difference_to_voxkd", maxAbsDifference(r.scores(), reference.scores()));
            row.put("max_abs_unit_embedding_difference_to_voxkd", agree.maxAbs());
            row.put("min_cosine_to_voxkd", agree.minCosine());
            putSpeed(row, speed);
            log.printf(Locale.ROOT, "  %-12s %,10d bytes  EER %.2f%%  max |Δscore| to voxkd %.2e  %s%n", var.label, Files.size(file),
                    100 * r.metrics().eer(), row.get("max_abs_score_difference_to_voxkd").asDouble(), speed);
        }
        if (o.paperModels()) {
            ArrayNode paper = summary.putArray("paper_models");
            for (var named : List.of(Map.entry("v2", StudentConfig.v2()), Map.entry("large", StudentConfig.large()))) {
                SpeakerModel sm = new Student(named.getValue());
                float[][] w = {sm.parameters().initialValues(o.seed(), true), sm.parameters().initialValues(o.seed(), false)};
                ObjectNode pm = paper.addObject();
                pm.put("model", named.getKey());
                pm.put("parameters", sm.parameters().parameterCount());
                pm.put("weights", "random (PyTorch default initialisation, seed " + o.seed() + ")");
                ArrayNode pv = pm.putArray("variants");
                for (Variant var : Variant.values()) {
                    byte[] bytes = OnnxExport.build(sm, w, var, calibration, Map.of("voxkd.variant", var.label)).toByteArray();
                    OrtBench.Result speed = OrtBench.run(bytes, named.getKey() + " " + var.label, o.benchBatch(), o.benchFrames(), o.benchThreads(),
                            o.warmup(), o.reps());
                    ObjectNode row = pv.addObject();
                    row.put("variant", var.label);
                    row.put("bytes", bytes.length);
                    putSpeed(row, speed);
                    log.printf(Locale.ROOT, "  paper %-5s %-12s %,10d bytes  %s%n", named.getKey(), var.label, bytes.length, speed);
                }
            }
        }
        AtomicFiles.writeString(out.resolve(SUMMARY), summary.toPrettyString() + "\n");
        return summary;
    }

    static double maxAbsDifference(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }

    private static ObjectNode speedNode(Options o) {
        ObjectNode s = JSON.createObjectNode();
        s.put("runtime", "ONNX Runtime " + ai.onnxruntime.OrtEnvironment.getEnvironment().getVersion() + ", CPU execution provider");
        s.put("batch", o.benchBatch());
        s.put("frames", o.benchFrames());
        s.put("intra_op_threads", o.benchThreads());
        s.put("warmup", o.warmup());
        s.put("reps", o.reps());
        s.put("statistic", "median samples/s");
        return s;
    }

    private static void putSpeed(ObjectNode row, OrtBench.Result speed) {
        row.put("samples_per_second", speed.samplesPerSecond());
        ArrayNode secs = row.putArray("seconds");
        for (double s : speed.seconds()) secs.add(s);
    }

    private static ObjectNode machine() {
        ObjectNode mc = JSON.createObjectNode();
        mc.put("cpu", cpuModel());
        mc.put("cores", Runtime.getRuntime().availableProcessors());
        mc.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        return mc;
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo")))
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
        } catch (IOException e) {
            return "unknown";
        }
        return "unknown";
    }
}
