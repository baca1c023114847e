package org.voxkd.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.voxkd.engine.Backend;
import org.voxkd.engine.Buffer;
import org.voxkd.engine.ExecutionPlan;
import org.voxkd.engine.ParameterSet;
import org.voxkd.engine.TaskGraph;
import org.voxkd.engine.View;
import org.voxkd.engine.cpu.CpuBackend;
import org.voxkd.kernels.Distill;
import org.voxkd.kernels.ReferenceCompare;
import org.voxkd.train.StepProgram;
import org.voxkd.train.TrainConfig;

/**
 * The distillation methods against PyTorch (tools/gen_distill_fixtures.py): Park et al.'s distance-wise RKD as their code
 * writes it, Hinton's label-level KD through F.kl_div, and whole training steps of a student with layer-wise distillation
 * through adapters (per frame with cosine; on time means with MSE) — taps, injected gradients, the adapter group and the
 * term weights together, every student, adapter and classifier gradient. Tolerances as ModelGradientReferenceTest:
 * losses 1e-4, gradients 1e-3 relative to each tensor's scale (float32 against float64).
 */
class DistillReferenceTest {
    static final double LOSS_TOLERANCE = 1e-4, GRADIENT_TOLERANCE = 1e-3;

    /** Runs one graph over fresh buffers on cpu: writes {@code inputs}, returns {@code outputs} read back. */
    static Map<String, float[]> run(TaskGraph g, Map<View, float[]> inputs, Map<String, View> outputs) {
        try (Backend be = new CpuBackend(); ExecutionPlan plan = new ExecutionPlan(be, g.snapshot())) {
            inputs.forEach(plan::write);
            plan.execute();
            Map<String, float[]> out = new java.util.LinkedHashMap<>();
            outputs.forEach((k, v) -> out.put(k, plan.read(v)));
            return out;
        }
    }

    @Test
    void relationalMatchesParkEtAl() {
        ModelFixture f = new ModelFixture("distill", "relational.json");
        int b = f.get("batch"), ds = f.get("student_dim"), dt = f.get("teacher_dim");
        Buffer s = new Buffer("s", b * ds), t = new Buffer("t", b * dt), grad = new Buffer("ds", b * ds), loss = new Buffer("loss", 1),
                scratch = new Buffer("scratch", Distill.relationalScratch(b));
        TaskGraph g = new TaskGraph("rkd");
        org.voxkd.kernels.Tensor.fill(g, grad.all(), 0f);
        Distill.relationalDistance(g, loss.all(), grad.all(), scratch.all(), s.all(), t.all(), b, ds, dt, (float) f.number("weight"));
        Map<String, float[]> out = run(g, Map.of(s.all(), f.tensor("s"), t.all(), f.tensor("t")), Map.of("loss", loss.all(), "ds", grad.all()));
        ReferenceCompare.assertClose("relational loss", out.get("loss"), f.tensor("loss"), LOSS_TOLERANCE);
        ReferenceCompare.assertClose("relational gradient", out.get("ds"), f.tensor("grad.s"), GRADIENT_TOLERANCE);
    }

    @Test
    void labelKdMatchesHinton() {
        ModelFixture f = new ModelFixture("distill", "label.json");
        int b = f.get("batch"), k = f.get("classes"), d = f.get("dim"), dt = f.get("teacher_dim");
        Buffer x = new Buffer("x", b * d), w = new Buffer("w", k * d), t = new Buffer("t", b * dt), head = new Buffer("head", k * dt),
                dx = new Buffer("dx", b * d), dw = new Buffer("dw", k * d), loss = new Buffer("loss", 1), ct = new Buffer("ct", b * k),
                hs = new Buffer("hs", Distill.headScratch(b, k, dt)), sc = new Buffer("sc", Distill.labelScratch(b, k, d));
        TaskGraph g = new TaskGraph("label");
        org.voxkd.kernels.Tensor.fill(g, dx.all(), 0f);
        org.voxkd.kernels.Tensor.fill(g, dw.all(), 0f);
        Distill.headCosines(g, ct.all(), hs.all(), t.all(), head.all(), b, k, dt);
        Distill.labelKd(g, loss.all(), dx.all(), dw.all(), sc.all(), x.all(), w.all(), ct.all(), b, k, d, (float) f.number("scale"),
                (float) f.number("tau"), (float) f.number("weight"));
        Map<String, float[]> out = run(g, Map.of(x.all(), f.tensor("x"), w.all(), f.tensor("w"), t.all(), f.tensor("t"), head.all(), f.tensor("head")),
                Map.of("loss", loss.all(), "dx", dx.all(), "dw", dw.all()));
        ReferenceCompare.assertClose("label KD loss", out.get("loss"), f.tensor("loss"), LOSS_TOLERANCE);
        ReferenceCompare.assertClose("label KD gradient of the embeddings", out.get("dx"), f.tensor("grad.x"), GRADIENT_TOLERANCE);
        ReferenceCompare.assertClose("label KD gradient of the head", out.get("dw"), f.tensor("grad.w"), GRADIENT_TOLERANCE);
    }

    @Test
    void layerWiseStepPerFrameCosineMatchesPyTorch() throws IOException {
        stages("stages_frame_cosine.json");
    }

    @Test
    void layerWiseStepOnTimeMeansWithMseMatchesPyTorch() throws IOException {
        stages("stages_mean_mse.json");
    }

    static void stages(String fixture) throws IOException {
        ModelFixture f = new ModelFixture("distill", fixture);
        var sc = f.doc.get("student");
        var tc = f.doc.get("teacher");
        Student student = new Student(new StudentConfig(sc.get("mels").asInt(), sc.get("hidden").asInt(), sc.get("blocks").asInt(),
                sc.get("expansion").asInt(), sc.get("groups").asInt(), sc.get("embedding").asInt(), 0f));
        Teacher teacher = new Teacher(new TeacherConfig(tc.get("mels").asInt(), tc.get("channels").asInt(), tc.get("latent").asInt(),
                tc.get("lstm_hidden").asInt(), 2, tc.get("embedding").asInt(), 0f, 0f));
        int b = f.get("batch"), t = f.get("frames"), k = f.get("classes"), d = student.embeddingSize();
        StringBuilder pairs = new StringBuilder();
        f.doc.get("pairs").fields().forEachRemaining(e -> pairs.append(pairs.length() == 0 ? "" : ", ").append(e.getKey()).append(": ").append(e.getValue().asText()));
        TrainConfig cfg = TrainConfig.parse("model: {kind: student}\ndata: {train_list: unused.txt}\nteacher: {checkpoint: unused.ckpt}\n"
                + "loss: {classifier: aam, margin: 0.2, scale: 30, distillation: cosine, alpha: " + f.doc.get("weights").get("kd").asDouble() + "}\n"
                + "distill: {terms: {stages: {weight: " + f.doc.get("weights").get("stages").asDouble() + ", align: " + f.doc.get("align").asText()
                + ", loss: " + f.doc.get("loss").asText() + ", pairs: {" + pairs + "}}}}\n");
        ParameterSet classifier = ParameterSet.builder("classifier").param("weight", k, d).build();
        try (Backend be = new CpuBackend();
             StepProgram prog = new StepProgram(be, student, classifier, List.of(new StepProgram.TeacherModel("fixture", teacher, false)), cfg, b, t, 1)) {
            float[][] sw = NamedTensors.pack(student.parameters(), f.withPrefix("student."), "fixture student");
            float[] aw = NamedTensors.pack(prog.adapters, f.withPrefix("adapters."), "fixture adapters")[0];
            prog.load(sw, f.tensor("classifier"), aw, 1);
            prog.loadTeacher(0, NamedTensors.pack(teacher.parameters(), f.withPrefix("teacher."), "fixture teacher"), null);
            prog.epoch(0, 1);
            System.arraycopy(f.tensor("input"), 0, prog.features, 0, prog.features.length);
            System.arraycopy(f.tensor("labels"), 0, prog.labels, 0, b);
            prog.step(0);
            double[] v = prog.values();
            for (String c : new String[] {"loss_cls", "loss_kd", "loss_stages"})
                ReferenceCompare.assertClose(fixture + " " + c, new float[] {(float) v[prog.columns().indexOf(c)]}, f.tensor(c), LOSS_TOLERANCE);
            float[] grads = prog.gradients("model");
            double floor = 1e-3 * rms(f, "grad.student.");
            List<String> checked = new ArrayList<>();
            for (ParameterSet.Entry e : student.parameters().entries()) {
                if (!e.trainable()) continue;
                float[] got = java.util.Arrays.copyOfRange(grads, e.offset(), e.offset() + e.size());
                // a bias feeding a BatchNorm has zero true gradient: its float32 residue scales with its weight's gradient
                String w = "grad.student." + e.name().replaceFirst("bias$", "weight");
                double own = e.name().endsWith(".bias") && f.tensors.containsKey(w) ? ModelGradientReferenceTest.rms(f.tensor(w)) : 0;
                ReferenceCompare.assertClose(fixture + " gradient of " + e.name(), got, f.tensor("grad.student." + e.name()), GRADIENT_TOLERANCE,
                        Math.max(floor, own));
                checked.add(e.name());
            }
            float[] ag = prog.gradients("adapters");
            for (ParameterSet.Entry e : prog.adapters.entries()) {
                ReferenceCompare.assertClose(fixture + " gradient of adapter " + e.name(), java.util.Arrays.copyOfRange(ag, e.offset(), e.offset() + e.size()),
                        f.tensor("grad.adapters." + e.name()), GRADIENT_TOLERANCE);
                checked.add(e.name());
            }
            ReferenceCompare.assertClose(fixture + " gradient of the classifier", prog.gradients("classifier"), f.tensor("grad.classifier"), GRADIENT_TOLERANCE);
            assertEquals(student.parameters().entries().stream().filter(ParameterSet.Entry::trainable).count() + 4, checked.size());
        }
    }

    static double rms(ModelFixture f, String prefix) {
        double s = 0;
        int n = 0;
        for (var e : f.tensors.entrySet()) {
            if (!e.getKey().startsWith(prefix)) continue;
            for (float x : e.getValue().data()) { s += (double) x * x; n++; }
        }
        return Math.sqrt(s / n);
    }
}
