package org.voxkd.pipeline;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.voxkd.data.DatasetHash;
import org.voxkd.data.Lists;
import org.voxkd.eval.Baseline;
import org.voxkd.eval.ScoreFiles;
import org.voxkd.io.AtomicFiles;
import org.voxkd.ledger.Ledger;
import org.voxkd.stats.Eer;
import org.voxkd.train.TrainConfig;

/**
 * The non-learned reference of a reproduction: {@link Baseline} (mean log-mel + cosine) scored on every test list the
 * runs report on, so the report can print the floor a learned model must beat, with the same speaker-clustered
 * interval as the runs. Written to {@code results/baselines/SHA/} (SHA: the first 16 hex digits of the trial list's
 * SHA-256): {@code scores.txt} — one line per trial, "label baseline enroll_speaker test_speaker", after a header
 * naming the list — and {@code baseline.json} (the system, the list's hash, EER and minDCF). A list already scored is
 * skipped: the baseline has no seed and no training, so its scores are a function of the list and the audio alone.
 */
final class Baselines {
    private Baselines() {}

    static void run(List<ObjectNode> records, Path root, Path results, PrintStream log) throws IOException {
        Map<String, TrainConfig.Data> lists = new LinkedHashMap<>();
        for (ObjectNode r : records) {
            TrainConfig.Data d = TrainConfig.fromTree(r.get("config"), root.resolve("baseline.yaml")).data();
            if (d.reportList() != null) lists.putIfAbsent(d.reportList(), d);
        }
        for (TrainConfig.Data d : lists.values()) {
            Path trials = Path.of(d.reportList()), wavRoot = Path.of(d.trialRoot());
            if (!Files.isRegularFile(trials)) {
                log.printf("baseline: trial list %s is not on disk; skipped%n", trials);
                continue;
            }
            String sha = DatasetHash.sha256(trials);
            Path dir = results.resolve("baselines").resolve(sha.substring(0, 16));
            if (Files.exists(dir.resolve("baseline.json"))) {
                log.printf("baseline on %s: done, skipped%n", trials.getFileName());
                continue;
            }
            log.printf("baseline (mean log-mel + cosine) on %s%n", trials.getFileName());
            List<Lists.Trial> list = Lists.readTrialList(trials);
            double[] scores = Baseline.scores(wavRoot, list, d.workers() > 0 ? d.workers() : 1);
            int[] labels = new int[list.size()];
            List<ScoreFiles.Row> rows = new ArrayList<>();
            for (int i = 0; i < scores.length; i++) {
                Lists.Trial t = list.get(i);
                labels[i] = t.label();
                rows.add(new ScoreFiles.Row(t.label(), List.of(Double.toString(scores[i])), t.enroll(), t.test()));
            }
            Eer.Result e = Eer.compute(scores, labels);
            ObjectNode j = Ledger.JSON.createObjectNode();
            j.put("system", "mean log-mel + cosine (org.voxkd.eval.Baseline): no training, no seed");
            j.put("trials", trials.getFileName().toString());
            j.put("trials_sha256", sha);
            j.put("eer", e.eer());
            j.put("min_dcf_005", e.minDcf05());
            j.put("min_dcf_001", e.minDcf01());
            j.put("targets", e.targets());
            j.put("non_targets", e.nonTargets());
            Files.createDirectories(dir);
            AtomicFiles.writeString(dir.resolve("scores.txt"), ScoreFiles.text("baseline", trials.getFileName().toString(), sha, List.of("baseline"), rows));
            AtomicFiles.writeString(dir.resolve("baseline.json"), j.toPrettyString() + "\n");
            log.printf("baseline on %s: EER %.2f%%%n", trials.getFileName(), 100 * e.eer());
        }
    }
}
