package org.voxkd.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.voxkd.io.Checkpoint;
import org.voxkd.nn.NamedTensors;

/**
 * Training with the distillation engine on the smoke corpus: a layer-wise run (adapters) resumes to the same bits and
 * its checkpoints carry the classifier head and the adapters; resuming it strictly refuses a configuration without
 * them; label-level KD refuses a teacher trained on other classes; clipping the global gradient norm.
 */
class DistillTrainingTest {
    @TempDir static Path work;
    static Path teacherCkpt;

    static TrainConfig config(String name, String extra) throws IOException {
        Path f = work.resolve(name + ".yaml");
        Files.writeString(f, TrainerTest.yaml(extra));
        return TrainConfig.load(f);
    }

    @BeforeAll
    static void teacher() throws IOException {
        TrainerTest.corpus = org.voxkd.data.SmokeCorpus.get();
        teacherCkpt = new Trainer(config("teacher", TrainerTest.TEACHER.replace("epochs: 2", "epochs: 1")), work.resolve("teacher"), TrainerTest.QUIET)
                .run(false).best();
    }

    static String student(int epochs, String distill) {
        return "model: {kind: student, hidden: 16, blocks: 2, expansion: 2, groups: 2, embedding: 16}\n"
                + "teacher: {checkpoint: " + teacherCkpt + "}\n"
                + "loss: {distillation: cosine, alpha: 0.4}\n" + distill
                + "optim: {batch: 16, epochs: " + epochs + ", lr: 0.003}\n";
    }

    static final String STAGES = "distill: {terms: {stages: {weight: 0.3, pairs: {student.block1.out: teacher.encoder3.out, student.block2.out: teacher.lstm1.out}}}}\n";

    @Test
    void layerWiseRunResumesBitForBitAndCheckpointsItsAdapters() throws IOException {
        TrainConfig cfg = config("stages", student(3, STAGES));
        new Trainer(cfg, work.resolve("straight"), TrainerTest.QUIET).run(false);
        assertNull(new Trainer(cfg, work.resolve("chunked"), TrainerTest.QUIET).run(false, 1));
        // Strict resume: a configuration without the adapters cannot continue a run that has them (the changed key is named).
        IOException e = assertThrows(IOException.class,
                () -> new Trainer(config("plain", student(3, "")), work.resolve("chunked"), TrainerTest.QUIET).run(true));
        assertTrue(e.getMessage().contains("differs from the one it was trained with in distill.terms.stages"), e.getMessage());
        new Trainer(cfg, work.resolve("chunked"), TrainerTest.QUIET).run(true);
        Map<String, NamedTensors.Tensor> a = Checkpoint.load(work.resolve("straight/last.ckpt")).tensors(), b = Checkpoint.load(work.resolve("chunked/last.ckpt")).tensors();
        assertEquals(a.keySet(), b.keySet());
        for (String k : List.of("adapters.stages.0.weight", "adapters.stages.1.bias", "adam.adapters.m", "adam.adapters.v", "classifier.weight"))
            assertTrue(a.containsKey(k), k + " in last.ckpt: " + a.keySet());
        for (String k : a.keySet()) assertArrayEquals(a.get(k).data(), b.get(k).data(), "tensor " + k + " differs after resuming");
        List<String> straight = Files.readAllLines(work.resolve("straight/epochs.csv")), chunked = Files.readAllLines(work.resolve("chunked/epochs.csv"));
        List<String> header = List.of(straight.get(0).split(","));
        for (String c : List.of("loss_stages", "grad_stages", "param_grad_stages", "kd_param_grad_share", "grad_norm_adapters", "weight_stages"))
            assertTrue(header.contains(c), c + " in " + header);
        for (int i = 1; i < straight.size(); i++) assertEquals(withoutTiming(header, straight.get(i)), withoutTiming(header, chunked.get(i)), "epoch " + i);
        double share = Double.parseDouble(straight.get(1).split(",")[header.indexOf("kd_param_grad_share")]);
        assertTrue(share > 0 && share < 1, "distillation share of the parameter gradient " + share);
        // The model checkpoint carries the classifier head over the run's classes and the adapters; loading the model skips them.
        Checkpoint.Contents best = Checkpoint.load(work.resolve("straight/best.ckpt"));
        assertEquals(best.meta().get("classes").size(), best.tensors().get("classifier.weight").shape()[0]);
        assertTrue(best.tensors().containsKey("adapters.stages.1.weight"));
        ModelFiles.Loaded loaded = ModelFiles.load(work.resolve("straight/best.ckpt"));
        assertEquals(loaded.model().parameters().parameterCount(), loaded.weights()[0].length);
    }

    static String withoutTiming(List<String> header, String row) {
        String[] v = row.split(",", -1);
        v[header.indexOf("samples_per_s")] = "";
        v[header.indexOf("seconds")] = "";
        return String.join(",", v);
    }

    @Test
    void labelKdNeedsTheTeachersHeadOverTheSameSpeakers() throws IOException {
        Checkpoint.Contents c = Checkpoint.load(teacherCkpt);
        ArrayNode classes = (ArrayNode) c.meta().get("classes");
        classes.set(0, classes.get(0).asText() + "-renamed");
        Path other = work.resolve("other-classes.ckpt");
        Checkpoint.save(other, c.meta(), c.tensors());
        String yaml = student(1, "distill: {terms: {label: {weight: 0.3}}}\n").replace(teacherCkpt.toString(), other.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Trainer(config("label-other", yaml), work.resolve("label-other"),
                TrainerTest.QUIET).run(false));
        assertTrue(e.getMessage().contains("needs the teacher's classifier head") && e.getMessage().contains("trained on other classes"), e.getMessage());
    }

    @Test
    void clippingTheGlobalGradientNorm() throws IOException {
        String nokd = "model: {kind: student, hidden: 16, blocks: 1, expansion: 2, groups: 2, embedding: 16}\noptim: {batch: 16, epochs: 1, lr: 0.003%s}\n";
        new Trainer(config("free", String.format(nokd, "")), work.resolve("free"), TrainerTest.QUIET).run(false);
        new Trainer(config("loose", String.format(nokd, ", clip_norm: 1e9")), work.resolve("loose"), TrainerTest.QUIET).run(false);
        new Trainer(config("tight", String.format(nokd, ", clip_norm: 1e-6")), work.resolve("tight"), TrainerTest.QUIET).run(false);
        float[] free = Checkpoint.load(work.resolve("free/last.ckpt")).tensors().get("fc.weight").data();
        assertArrayEquals(free, Checkpoint.load(work.resolve("loose/last.ckpt")).tensors().get("fc.weight").data(), "a clip above every norm changes no bit");
        assertFalse(java.util.Arrays.equals(free, Checkpoint.load(work.resolve("tight/last.ckpt")).tensors().get("fc.weight").data()));
        List<String> csv = Files.readAllLines(work.resolve("tight/epochs.csv"));
        List<String> header = List.of(csv.get(0).split(","));
        assertEquals(1.0, Double.parseDouble(csv.get(1).split(",")[header.indexOf("clipped_share")]), "every update clipped");
        assertTrue(Double.parseDouble(csv.get(1).split(",")[header.indexOf("grad_norm_model")]) > 1e-6, "the norm before clipping is recorded");
    }
}
