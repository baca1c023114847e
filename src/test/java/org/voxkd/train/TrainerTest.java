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
        return "seed: 5\n"
                + "data: {train_list: " + corpus.trainList() + ", train_root: " + corpus.wavRoot() + ", trials: " + corpus.trialList()
                + ", max_frames: 60, workers: 2}\n"
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

    @Test
    void bf16SmokeRunStaysWithinTheFp32RunsInterval() throws Exception {
        String fp32 = yaml(student(2)), bf16 = fp32.replace("optim: {", "optim: {precision: bf16, ");
        new Trainer(config("fp32", fp32), work.resolve("fp32"), QUIET).run(false);
        MixedPrecisionTest.emulated(() -> new Trainer(config("bf16", bf16), work.resolve("bf16"), QUIET).run(false));
        Path a = work.resolve("fp32/epochs.csv"), b = work.resolve("bf16/epochs.csv");
        for (int epoch = 0; epoch < 2; epoch++)
            for (int col : new int[] {2, 3, 4}) {
                double x = Double.parseDouble(column(a, col).get(epoch)), y = Double.parseDouble(column(b, col).get(epoch));
                assertEquals(x, y, 0.05 * Math.abs(x), "epoch " + epoch + " column " + col + ": bf16 mean loss vs fp32");
            }
        double eer = Double.parseDouble(column(b, 10).get(1)), low = Double.parseDouble(column(a, 11).get(1)), high = Double.parseDouble(column(a, 12).get(1));
        assertTrue(eer >= low && eer <= high, "bf16 EER " + eer + " outside the fp32 run's 95% interval [" + low + ", " + high + "]");
        // The same bf16 numerics on opencl (operands rounded on the device): the first epoch's losses agree with cpu's
        // to 5e-3 (fp32 runs agree to 1e-3; a rounding that flips between backends moves an operand by a bf16 ulp).
        OpenClSupport.open().close();
        MixedPrecisionTest.emulated(() -> new Trainer(config("bf16cl", bf16).onBackend("opencl", null), work.resolve("bf16cl"), QUIET).run(false));
        for (int col : new int[] {2, 3, 4}) {
            double c = Double.parseDouble(column(b, col).get(0)), o = Double.parseDouble(column(work.resolve("bf16cl/epochs.csv"), col).get(0));
            assertEquals(c, o, 5e-3 * Math.abs(c), "bf16 opencl vs cpu, column " + col + " (cpu fp32: " + column(a, col).get(0) + ")");
        }
    }

    static List<String> column(Path csv, int col) throws IOException {
        return Files.readAllLines(csv).stream().skip(1).map(l -> l.split(",", -1)[col]).toList();
    }
}
