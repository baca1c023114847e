package org.voxkd.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.voxkd.data.DatasetHash;
import org.voxkd.data.Lists;
import org.voxkd.engine.Backend;
import org.voxkd.eval.Embedder;
import org.voxkd.eval.ScoreFiles;
import org.voxkd.eval.Verification;
import org.voxkd.io.AtomicFiles;
import org.voxkd.nn.SpeakerModel;

/**
 * The test list, scored once after training: with the selected weights (best.ckpt) and with the last ones. Writes
 * {@code test_scores.txt} ({@link ScoreFiles}: columns "best(epoch N)" and "last(epoch M)") and returns the record's
 * {@code test} section.
 */
final class FinalTest {
    private FinalTest() {}

    /** Bootstrap seed of the test intervals: the same resamples for every run, so runs can be compared. */
    static final long BOOTSTRAP_SEED = 0x7E57;

    static ObjectNode score(TrainConfig cfg, Path dir, PrintStream log, Path root, List<Lists.Trial> trials, SpeakerModel model, Backend backend,
                            float[][] lastWeights, ResumeState st) throws IOException {
        Path listFile = Path.of(cfg.data().reportList());
        log.printf("test: %d trials of %s, scored once with the selected (epoch %d) and the last (epoch %d) weights%n", trials.size(), listFile,
                st.bestEpoch, st.epoch);
        Verification test = new Verification(root, trials, cfg.eval().frames(), cfg.eval().crops(), cfg.data().workers());
        float[][] best = ModelFiles.load(dir.resolve("best.ckpt")).weights();
        Verification.Result rb, rl;
        try (Embedder eb = new Embedder(model, backend, best[0], best[1]); Embedder el = new Embedder(model, backend, lastWeights[0], lastWeights[1])) {
            rb = test.score(eb, BOOTSTRAP_SEED);
            rl = test.score(el, BOOTSTRAP_SEED);
        }
        String sha = DatasetHash.sha256(listFile);
        List<ScoreFiles.Row> rows = new ArrayList<>();
        for (int i = 0; i < trials.size(); i++) {
            Lists.Trial t = trials.get(i);
            rows.add(new ScoreFiles.Row(t.label(), List.of(Float.toString((float) rb.scores()[i]), Float.toString((float) rl.scores()[i])), t.enroll(), t.test()));
        }
        AtomicFiles.writeString(dir.resolve("test_scores.txt"), ScoreFiles.text("test", listFile.getFileName().toString(), sha,
                List.of("best(epoch " + st.bestEpoch + ")", "last(epoch " + st.epoch + ")"), rows));
        log.println("  test (selected, epoch " + st.bestEpoch + "): " + rb.summary());
        log.println("  test (last, epoch " + st.epoch + "): " + rl.summary());
        ObjectNode o = ModelFiles.JSON.createObjectNode();
        o.put("list", listFile.getFileName().toString());
        o.put("sha256", sha);
        o.put("same_as_validation", cfg.data().sameList());
        o.set("best", metrics(rb, st.bestEpoch, Double.isFinite(st.bestThreshold) ? st.bestThreshold : Double.NaN));
        o.set("last", metrics(rl, st.epoch, Double.NaN));
        return o;
    }

    private static ObjectNode metrics(Verification.Result r, int epoch, double threshold) {
        ObjectNode m = ModelFiles.JSON.createObjectNode();
        m.put("epoch", epoch);
        m.put("eer", r.metrics().eer());
        m.put("eer_ci_low", r.eerInterval().low());
        m.put("eer_ci_high", r.eerInterval().high());
        m.put("min_dcf_005", r.metrics().minDcf05());
        m.put("min_dcf_005_ci_low", r.minDcf05Interval().low());
        m.put("min_dcf_005_ci_high", r.minDcf05Interval().high());
        m.put("min_dcf_001", r.metrics().minDcf01());
        m.put("min_dcf_001_ci_low", r.minDcf01Interval().low());
        m.put("min_dcf_001_ci_high", r.minDcf01Interval().high());
        m.put("target_trials", r.targets());
        m.put("nontarget_trials", r.nonTargets());
        if (Double.isFinite(threshold)) {
            // what a deployed system gets: the decision threshold chosen on validation, applied to the test list
            int fr = 0, fa = 0;
            for (int i = 0; i < r.scores().length; i++) {
                boolean accept = r.scores()[i] >= threshold;
                if (r.labels()[i] == 1 && !accept) fr++;
                if (r.labels()[i] == 0 && accept) fa++;
            }
            m.put("validation_threshold", threshold);
            m.put("frr_at_validation_threshold", fr / (double) r.targets());
            m.put("far_at_validation_threshold", fa / (double) r.nonTargets());
        }
        return m;
    }
}
