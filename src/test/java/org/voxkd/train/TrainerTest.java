package org.voxkd.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.voxkd.data.SmokeCorpus;
import org.voxkd.data.SynthVox;
import org.voxkd.io.Checkpoint;
import org.voxkd.kernels.OpenClSupport;

/**
 * The training pipeline on the smoke SynthVox corpus with tiny models: a teacher, then a cosine-KD student
 * from its checkpoint; resuming an interrupted run reproduces the uninterrupted run bit for bit; the
 * opencl backend's first epoch matches the cpu backend's losses.
 */
class TrainerTest {
    @TempDir static Path work;
    static SynthVox.Manifest corpus;
    static Path teacherCkpt;

    static String yaml(String extra) {
        return yaml(extra, "");
    }

    /** The run's YAML: {@code dataExtra} adds keys to its data section (", key: value"). */
    static String yaml(String extra, String dataExtra) {
        return "seed: 5\n"
                + "data: {train_list: " + corpus.trainList() + ", train_root: " + corpus.wavRoot() + ", val_trials: " + corpus.valTrials()
                + ", test_trials: " + corpus.testTrials() + ", max_frames: 60, workers: 2" + dataExtra + "}\n"
                + "eval: {crops: 2, frames: 60}\n" + extra;
    }

    static TrainConfig config(String name, String yaml) throws IOException {
        Path f = work.resolve(name + ".yaml");
        Files.writeString(f, yaml);
        return TrainConfig.load(f);
    }

    static final String TEACHER = "model: {kind: teacher, channels: 16, latent: 8, lstm_hidden: 8, embedding: 16}\n"
            + "optim: {batch: 16, accumulate: 2, epochs: 2, lr: 0.003}\n";

    static String student(int epochs) {
        return "model: {kind: student, hidden: 16, blocks: 1, expansion: 2, groups: 2, embedding: 16}\n"
                + "teacher: {checkpoint: " + teacherCkpt + "}\n"
                + "loss: {distillation: cosine, alpha: 0.7}\n"
                + "optim: {batch: 16, epochs: " + epochs + ", lr: 0.003}\n";
    }

    static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    @BeforeAll
    static void teacher() throws IOException {
        corpus = SmokeCorpus.get();
        Trainer.Outcome t = new Trainer(config("teacher", yaml(TEACHER)), work.resolve("teacher"), QUIET).run(false);
        teacherCkpt = t.best();
    }

    @Test
    void teacherThenDistilledStudentTrainAndEvaluate() throws IOException {
        Path dir = work.resolve("student");
        Trainer.Outcome o = new Trainer(config("student", yaml(student(2))), dir, QUIET).run(false);
        assertEquals(2, o.record().get("epochs").asInt());
        double eer = o.record().get("best_eer").asDouble();
        assertTrue(eer > 0 && eer < 0.6, "EER " + eer);
        List<String> csv = Files.readAllLines(dir.resolve("epochs.csv"));
        assertEquals(3, csv.size(), String.join("\n", csv));
        double kdLoss = Double.parseDouble(csv.get(1).split(",")[4]);
        assertTrue(kdLoss > 0 && kdLoss < 2, "cosine distillation loss lies in (0, 2): " + kdLoss);
        assertEquals(200, Files.readAllLines(dir.resolve("scores.txt")).size());
        // the test list was scored once, after training, with the selected and the last weights
        List<String> test = Files.readAllLines(dir.resolve("test_scores.txt")).stream().filter(l -> !l.startsWith("#")).toList();
        assertEquals(200, test.size());
        assertEquals(5, test.get(0).split(" ").length, "label best last enroll_speaker test_speaker: " + test.get(0));
        var t = o.record().get("test");
        assertEquals(o.record().get("best_epoch").asInt(), t.get("best").get("epoch").asInt());
        assertEquals(2, t.get("last").get("epoch").asInt());
        assertTrue(t.get("best").get("eer_ci_low").asDouble() <= t.get("best").get("eer").asDouble());
        assertTrue(t.get("best").has("frr_at_validation_threshold"), "the validation threshold applied to the test list");
        assertEquals("validation list", o.record().get("selection").asText());
        // A finished run is never overwritten.
        IOException e = assertThrows(IOException.class, () -> new Trainer(config("student", yaml(student(2))), dir, QUIET).run(false));
        assertTrue(e.getMessage().contains("finished run"), e.getMessage());
    }

    @Test
    void resumedRunIsBitIdenticalToAnUninterruptedOne() throws IOException {
        TrainConfig cfg = config("resume", yaml(student(3)));
        new Trainer(cfg, work.resolve("straight"), QUIET).run(false);
        assertNull(new Trainer(cfg, work.resolve("chunked"), QUIET).run(false, 1));
        IOException e = assertThrows(IOException.class, () -> new Trainer(cfg, work.resolve("chunked"), QUIET).run(false));
        assertTrue(e.getMessage().contains("--resume"), e.getMessage());
        new Trainer(cfg, work.resolve("chunked"), QUIET).run(true);
        var a = Checkpoint.load(work.resolve("straight/last.ckpt")).tensors();
        var b = Checkpoint.load(work.resolve("chunked/last.ckpt")).tensors();
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) assertArrayEquals(a.get(k).data(), b.get(k).data(), "tensor " + k + " differs after resuming");
        assertEquals(column(work.resolve("straight/epochs.csv"), 2), column(work.resolve("chunked/epochs.csv"), 2));
        assertEquals(column(work.resolve("straight/epochs.csv"), 10), column(work.resolve("chunked/epochs.csv"), 10));
    }

    @Test
    void openClFirstEpochMatchesCpu() throws IOException {
        OpenClSupport.open().close(); // skips (or fails in CI) without an OpenCL runtime
        TrainConfig cfg = config("parity", yaml(student(1)));
        new Trainer(cfg, work.resolve("cpu"), QUIET).run(false);
        new Trainer(cfg.onBackend("opencl", null), work.resolve("opencl"), QUIET).run(false);
        // Per-epoch mean losses over the first epoch's steps: float rounding differs, so agreement is to 1e-3.
        for (int col : new int[] {2, 3, 4}) {
            double c = Double.parseDouble(column(work.resolve("cpu/epochs.csv"), col).get(0));
            double o = Double.parseDouble(column(work.resolve("opencl/epochs.csv"), col).get(0));
            assertEquals(c, o, 1e-3 * Math.abs(c), "column " + col);
        }
        // The opencl run's validation EER lies within the cpu run's 95% bootstrap interval.
        double eer = Double.parseDouble(column(work.resolve("opencl/epochs.csv"), 10).get(0));
        double low = Double.parseDouble(column(work.resolve("cpu/epochs.csv"), 11).get(0)), high = Double.parseDouble(column(work.resolve("cpu/epochs.csv"), 12).get(0));
        assertTrue(eer >= low && eer <= high, "opencl EER " + eer + " outside the cpu interval [" + low + ", " + high + "]");
    }

    /** The test list is scored only after the last validation, once per weight set (selected, last). */
    @Test
    void testListIsScoredOnlyAfterSelection() throws IOException {
        List<String> events = new java.util.ArrayList<>();
        new Trainer(config("order", yaml(student(3))), work.resolve("order"), QUIET).onScoring((list, epoch) -> events.add(list + "@" + epoch)).run(false);
        assertEquals(List.of("validation@1", "validation@2", "validation@3", "test@3"), events);
    }

    /**
     * Selection is a function of the validation list alone: with another test list (its labels flipped), the selected epoch,
     * the stored threshold, every validation figure and the trained weights are bit-identical; only the test figures change.
     */
    @Test
    void selectionIgnoresTheTestList() throws IOException {
        Path flipped = work.resolve("flipped_trials.txt");
        List<org.voxkd.data.Lists.Trial> trials = org.voxkd.data.Lists.readTrialList(corpus.testTrials());
        org.voxkd.data.Lists.writeTrialList(flipped, trials.stream().map(t -> new org.voxkd.data.Lists.Trial(1 - t.label(), t.enroll(), t.test())).toList());
        String a = yaml(student(3)), b = a.replace("test_trials: " + corpus.testTrials(), "test_trials: " + flipped);
        Trainer.Outcome x = new Trainer(config("sel-a", a), work.resolve("sel-a"), QUIET).run(false);
        Trainer.Outcome y = new Trainer(config("sel-b", b), work.resolve("sel-b"), QUIET).run(false);
        assertEquals(x.record().get("best_epoch"), y.record().get("best_epoch"));
        assertEquals(withoutTiming(x.record().get("history")), withoutTiming(y.record().get("history")));
        Checkpoint.Contents p = Checkpoint.load(x.best()), q = Checkpoint.load(y.best());
        assertEquals(p.meta().get("provenance").get("eer_threshold"), q.meta().get("provenance").get("eer_threshold"));
        for (String k : p.tensors().keySet()) assertArrayEquals(p.tensors().get(k).data(), q.tensors().get(k).data(), k);
        double ex = x.record().get("test").get("best").get("eer").asDouble(), ey = y.record().get("test").get("best").get("eer").asDouble();
        assertTrue(Math.abs(ex + ey - 1) < 0.05, "flipped labels mirror the test EER: " + ex + " vs " + ey);
    }

    /** With only one trial list it both selects and reports, and the record says so. */
    @Test
    void oneListServesBothAndIsFlagged() throws IOException {
        String one = yaml(student(1)).replace(", test_trials: " + corpus.testTrials(), "");
        Trainer.Outcome o = new Trainer(config("one", one), work.resolve("one"), QUIET).run(false);
        assertTrue(o.record().get("selection").asText().startsWith("same list"), o.record().get("selection").asText());
        assertTrue(o.record().get("test").get("same_as_validation").asBoolean());
    }

    /** The teacher's decoder gets no gradient: training leaves it exactly as initialised (Adam's L2 term included). */
    @Test
    void teacherDecoderKeepsItsInitialValues() throws IOException {
        ModelFiles.Loaded t = ModelFiles.load(teacherCkpt);
        org.voxkd.engine.ParameterSet ps = t.model().parameters();
        float[] init = ps.initialValues(5, true), trained = t.weights()[0];
        int decoder = 0, moved = 0;
        for (org.voxkd.engine.ParameterSet.Entry e : ps.entries()) {
            if (!e.trainable()) continue;
            float[] a = java.util.Arrays.copyOfRange(init, e.offset(), e.offset() + e.size()), b = java.util.Arrays.copyOfRange(trained, e.offset(), e.offset() + e.size());
            if (e.name().startsWith("decoder.")) {
                assertArrayEquals(a, b, e.name() + " changed although it receives no gradient");
                decoder++;
            } else if (!java.util.Arrays.equals(a, b)) moved++;
        }
        assertTrue(decoder >= 10 && moved >= 10, decoder + " decoder tensors, " + moved + " trained tensors that moved");
    }

    /** Resuming with another configuration is refused with the differing keys; only optim.epochs may change. */
    @Test
    void resumeIsStrict() throws IOException {
        Path dir = work.resolve("strict");
        assertNull(new Trainer(config("strict", yaml(student(3))), dir, QUIET).run(false, 1));
        TrainConfig changed = config("strict2", yaml(student(3).replace("lr: 0.003", "lr: 0.001"), ", max_frames: 50").replace("max_frames: 60, ", ""));
        IOException e = assertThrows(IOException.class, () -> new Trainer(changed, dir, QUIET).run(true));
        assertTrue(e.getMessage().contains("optim.lr (0.003 → 0.001)") && e.getMessage().contains("data.max_frames (60 → 50)")
                && e.getMessage().contains("experiment") && !e.getMessage().contains("optim.epochs ("), e.getMessage());
        // a last.ckpt without optimiser state (a model checkpoint put in its place) names the file
        Path last = dir.resolve("last.ckpt"), saved = work.resolve("strict-last.ckpt");
        Files.copy(last, saved);
        Files.copy(dir.resolve("best.ckpt"), last, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        TrainConfig same = config("strict", yaml(student(3)));
        e = assertThrows(IOException.class, () -> new Trainer(same, dir, QUIET).run(true));
        assertTrue(e.getMessage().startsWith(last + ": not a resumable checkpoint"), e.getMessage());
        // a truncated one too
        byte[] b = Files.readAllBytes(saved);
        Files.write(last, java.util.Arrays.copyOf(b, b.length / 2));
        e = assertThrows(IOException.class, () -> new Trainer(same, dir, QUIET).run(true));
        assertTrue(e.getMessage().startsWith(last + ":"), e.getMessage());
        // only the number of epochs differs: resumes
        Files.copy(saved, last, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Trainer.Outcome o = new Trainer(config("strict", yaml(student(2))), dir, QUIET).run(true);
        assertEquals(2, o.record().get("epochs").asInt());
    }

    /** Before any validation there is no best EER: absent from the checkpoint and the final record (never 1.8e308). */
    @Test
    void noValidationMeansNoBestEer() throws IOException {
        String none = yaml(student(2)).replace(", val_trials: " + corpus.valTrials(), "").replace(", test_trials: " + corpus.testTrials(), "");
        TrainConfig cfg = config("noval", none);
        Path dir = work.resolve("noval");
        assertNull(new Trainer(cfg, dir, QUIET).run(false, 1));
        var state = Checkpoint.load(dir.resolve("last.ckpt")).meta().get("state");
        assertTrue(!state.has("best_eer") && !state.has("best_threshold"), state.toString());
        Trainer.Outcome o = new Trainer(cfg, dir, QUIET).run(true);
        assertTrue(!o.record().has("best_eer"), o.record().toString());
        assertTrue(!Files.readString(dir.resolve("done.json")).contains("E308"));
    }

    /** data.augment: true changes what the model is trained on, and two runs still agree bit for bit. */
    @Test
    void augmentationChangesTrainingReproducibly() throws IOException {
        String folders = ", augment: true, musan: " + corpus.musan() + ", rirs: " + corpus.rirs();
        TrainConfig aug = config("aug", yaml(student(1), folders)), plain = config("plain", yaml(student(1)));
        new Trainer(aug, work.resolve("aug1"), QUIET).run(false);
        new Trainer(aug, work.resolve("aug2"), QUIET).run(false);
        new Trainer(plain, work.resolve("plain1"), QUIET).run(false);
        var a = Checkpoint.load(work.resolve("aug1/last.ckpt")).tensors();
        var b = Checkpoint.load(work.resolve("aug2/last.ckpt")).tensors();
        for (String k : a.keySet()) assertArrayEquals(a.get(k).data(), b.get(k).data(), "augmented runs differ in " + k);
        assertEquals(column(work.resolve("aug1/epochs.csv"), 2), column(work.resolve("aug2/epochs.csv"), 2));
        double la = Double.parseDouble(column(work.resolve("aug1/epochs.csv"), 2).get(0)), lp = Double.parseDouble(column(work.resolve("plain1/epochs.csv"), 2).get(0));
        assertTrue(la != lp, "augmentation left the training loss unchanged: " + la);
        var c = Checkpoint.load(work.resolve("plain1/last.ckpt")).tensors();
        assertTrue(a.keySet().stream().anyMatch(k -> !java.util.Arrays.equals(a.get(k).data(), c.get(k).data())), "same weights with and without augmentation");
        assertTrue(Files.readString(work.resolve("aug1/config.json")).contains("\"augment\" : true"));
        // the augmentation sets are part of the data hash
        assertTrue(!RunInputs.dataHash(aug).equals(RunInputs.dataHash(plain)));
    }

    /** Epoch rows without their wall-clock columns. */
    static com.fasterxml.jackson.databind.JsonNode withoutTiming(com.fasterxml.jackson.databind.JsonNode history) {
        var copy = history.deepCopy();
        for (var row : copy) ((com.fasterxml.jackson.databind.node.ObjectNode) row).remove(List.of("samples_per_s", "seconds"));
        return copy;
    }

    /**
     * numerics: portable trains in that mode (recorded in config.json, the previous process mode restored after), close to
     * fast numerics; a bad value is an error naming the file; opencl refuses portable numerics.
     */
    @Test
    void portableNumericsRunIsRecordedAndCloseToFast() throws IOException {
        TrainConfig fast = config("numerics-fast", yaml(student(1))), portable = config("numerics-portable", "numerics: portable\n" + yaml(student(1)));
        assertEquals("fast", fast.numerics());
        assertEquals(org.voxkd.engine.Numerics.PORTABLE, portable.numericsMode());
        org.voxkd.engine.Numerics before = org.voxkd.engine.Numerics.active();
        new Trainer(fast, work.resolve("numerics-fast"), QUIET).run(false);
        new Trainer(portable, work.resolve("numerics-portable"), QUIET).run(false);
        assertEquals(before, org.voxkd.engine.Numerics.active(), "the run restores the process's numerics mode");
        assertTrue(Files.readString(work.resolve("numerics-portable/config.json")).contains("\"numerics\" : \"portable\""));
        for (int col : new int[] {2, 3, 4}) {
            double f = Double.parseDouble(column(work.resolve("numerics-fast/epochs.csv"), col).get(0));
            double p = Double.parseDouble(column(work.resolve("numerics-portable/epochs.csv"), col).get(0));
            assertEquals(f, p, 1e-3 * Math.abs(f), "column " + col + ", portable vs fast");
        }
        IOException bad = assertThrows(IOException.class, () -> config("numerics-bad", "numerics: exact\n" + yaml(student(1))));
        assertTrue(bad.getMessage().contains("numerics-bad.yaml") && bad.getMessage().contains("numerics must be fast or portable, got 'exact'"),
                bad.getMessage());
        IllegalArgumentException cl = assertThrows(IllegalArgumentException.class,
                () -> new Trainer(portable.onBackend("opencl", null), work.resolve("numerics-opencl"), QUIET).run(false));
        assertTrue(cl.getMessage().contains("numerics portable is a mode of the cpu backend"), cl.getMessage());
    }

    @Test
    void bf16SmokeRunStaysWithinTheFp32RunsInterval() throws Exception {
        String fp32 = yaml(student(2)), bf16 = fp32.replace("optim: {", "optim: {precision: bf16, ");
        new Trainer(config("fp32", fp32), work.resolve("fp32"), QUIET).run(false);
        MixedPrecisionTest.emulated(() -> new Trainer(config("bf16", bf16), work.resolve("bf16"), QUIET).run(false));
        Path a = work.resolve("fp32/epochs.csv"), b = work.resolve("bf16/epochs.csv");
        for (int epoch = 0; epoch < 2; epoch++)
            for (String col : List.of("loss", "loss_cls", "loss_kd")) {
                double x = Double.parseDouble(column(a, col).get(epoch)), y = Double.parseDouble(column(b, col).get(epoch));
                // bf16 rounding errors compound step by step: 5% in the first epoch's mean loss, 10% in the second's
                assertEquals(x, y, (epoch == 0 ? 0.05 : 0.10) * Math.abs(x), "epoch " + epoch + " column " + col + ": bf16 mean loss vs fp32");
            }
        double eer = Double.parseDouble(column(b, "eer").get(1)), low = Double.parseDouble(column(a, "eer_ci_low").get(1)), high = Double.parseDouble(column(a, "eer_ci_high").get(1));
        assertTrue(eer >= low && eer <= high, "bf16 EER " + eer + " outside the fp32 run's 95% interval [" + low + ", " + high + "]");
        // The same bf16 numerics on opencl (operands rounded on the device): the first epoch's losses agree with cpu's
        // to 5e-3 (fp32 runs agree to 1e-3; a rounding that flips between backends moves an operand by a bf16 ulp).
        OpenClSupport.open().close();
        MixedPrecisionTest.emulated(() -> new Trainer(config("bf16cl", bf16).onBackend("opencl", null), work.resolve("bf16cl"), QUIET).run(false));
        for (String col : List.of("loss", "loss_cls", "loss_kd")) {
            double c = Double.parseDouble(column(b, col).get(0)), o = Double.parseDouble(column(work.resolve("bf16cl/epochs.csv"), col).get(0));
            assertEquals(c, o, 5e-3 * Math.abs(c), "bf16 opencl vs cpu, column " + col + " (cpu fp32: " + column(a, col).get(0) + ")");
        }
    }

    /** A column of an epochs.csv by its header name. */
    static List<String> column(Path csv, String name) throws IOException {
        List<String> header = List.of(Files.readAllLines(csv).get(0).split(",", -1));
        if (!header.contains(name)) throw new IllegalArgumentException(csv + " has no column " + name + ": " + header);
        return column(csv, header.indexOf(name));
    }

    static List<String> column(Path csv, int col) throws IOException {
        return Files.readAllLines(csv).stream().skip(1).map(l -> l.split(",", -1)[col]).toList();
    }
}
