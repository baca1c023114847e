package org.voxkd.nn;

import org.junit.jupiter.api.Test;
import org.voxkd.engine.Backend;
import org.voxkd.engine.Buffer;
import org.voxkd.engine.ExecutionPlan;
import org.voxkd.engine.ParameterSet;
import org.voxkd.engine.Scalar;
import org.voxkd.engine.TaskGraph;
import org.voxkd.engine.View;
import org.voxkd.engine.cpu.CpuBackend;
import org.voxkd.kernels.Loss;
import org.voxkd.kernels.ReferenceCompare;
import org.voxkd.kernels.Tensor;

/**
 * Losses and every parameter gradient of whole models against PyTorch (tools/gen_model_fixtures.py):
 * (1 − α)·AAM-softmax + α·cosine distillation for the student, AAM-softmax for the teacher, one training-mode
 * step. Tolerance 1e-3 relative to each gradient tensor's scale: float32 backward through a dozen layers
 * (and, for the teacher, back through time) against a float64 reference; a wrong layer is off by order one.
 */
class ModelGradientReferenceTest {
    static final double LOSS_TOLERANCE = 1e-4, GRADIENT_TOLERANCE = 1e-3;

    @Test
    void studentLossesAndGradientsMatchPyTorch() {
        ModelFixture f = new ModelFixture("student.json");
        check(f, ModelForwardReferenceTest.student(f));
    }

    @Test
    void teacherLossesAndGradientsMatchPyTorch() {
        ModelFixture f = new ModelFixture("teacher.json");
        check(f, ModelForwardReferenceTest.teacher(f));
    }

    static double rms(float[] v) {
        double s = 0;
        for (float x : v) s += (double) x * x;
        return Math.sqrt(s / v.length);
    }

    static void check(ModelFixture f, SpeakerModel model) {
        int b = f.get("batch"), t = f.get("frames"), k = f.get("classes"), d = model.embeddingSize();
        float alpha = (float) f.number("alpha");
        boolean kd = f.doc.get("kd").asBoolean();
        ParameterSet ps = model.parameters();
        ParameterSet cls = ParameterSet.builder("classifier").param("weight", k, d).build();
        Pass p = model.plan(b, t, Mode.TRAIN, 1, Scalar.ofInt("step", 0));
        Buffer io = new Buffer("io", 3 + b + b * d + b + Loss.classificationScratch(b, k, d));
        View loss = io.view(0, 1), lossKd = io.view(1, 1), acc = io.view(2, 1), labels = io.view(3, b), teacher = io.view(3 + b, b * d),
                rows = io.view(3 + b + b * d, b), scratch = io.view(3 + 2 * b + b * d, Loss.classificationScratch(b, k, d));
        TaskGraph g = new TaskGraph("step");
        model.forward(g, p);
        Tensor.fill(g, p.dEmbedding(), 0f);
        Loss.classificationForward(g, loss, acc, scratch, p.embedding(), cls.value("weight"), labels, b, k, d, Loss.Margin.AAM,
                (float) f.number("aam_margin"), (float) f.number("aam_scale"), 1 - alpha);
        Loss.classificationBackward(g, p.dEmbedding(), cls.grad("weight"), scratch, p.embedding(), cls.value("weight"), b, k, d);
        if (kd) Loss.distillation(g, lossKd, p.dEmbedding(), rows, p.embedding(), teacher, b, d, Loss.Distillation.COSINE, 1f, alpha);
        model.backward(g, p);
        float[][] w = NamedTensors.pack(ps, f.stateDict(), "fixture");
        try (Backend be = new CpuBackend(); ExecutionPlan plan = new ExecutionPlan(be, g.snapshot())) {
            plan.write(ps.params(), w[0]);
            plan.write(ps.state(), w[1]);
            plan.write(cls.params(), f.tensor("classifier"));
            plan.write(p.input(), f.tensor("input"));
            plan.write(labels, f.tensor("labels"));
            plan.write(teacher, f.tensor("teacher_embedding"));
            plan.execute();
            ReferenceCompare.assertClose("classification loss", plan.read(loss), f.tensor("loss_cls"), LOSS_TOLERANCE);
            ReferenceCompare.assertClose("accuracy", plan.read(acc), f.tensor("accuracy"), LOSS_TOLERANCE);
            if (kd) ReferenceCompare.assertClose("distillation loss", plan.read(lossKd), f.tensor("loss_kd"), LOSS_TOLERANCE);
            float[] grads = plan.read(ps.grads());
            // Some gradients are zero in exact arithmetic (biases before BatchNorm, the softmax-shift bias of the
            // attention): they are measured against 1e-3 of the model's overall gradient scale, not their own noise.
            double all = 0;
            int count = 0;
            for (var e : f.tensors.entrySet()) {
                if (!e.getKey().startsWith("grad.")) continue;
                for (float v : e.getValue().data()) { all += (double) v * v; count++; }
            }
            double floor = 1e-3 * Math.sqrt(all / count);
            int checked = 0;
            for (ParameterSet.Entry e : ps.entries()) {
                if (!e.trainable()) continue;
                float[] got = java.util.Arrays.copyOfRange(grads, e.offset(), e.offset() + e.size()), want = f.tensor("grad." + e.name());
                if (e.name().startsWith("decoder.")) {
                    ReferenceCompare.assertClose("gradient of " + e.name() + " (unused decoder: zero)", got, want, 0);
                } else {
                    // A bias whose layer feeds a BatchNorm has zero true gradient; its float32 residue scales with the
                    // layer's weight gradient, so that is its floor.
                    String weight = e.name().replaceFirst("bias$", "weight");
                    double own = e.name().endsWith(".bias") && f.tensors.containsKey("grad." + weight) ? rms(f.tensor("grad." + weight)) : 0;
                    ReferenceCompare.assertClose("gradient of " + e.name(), got, want, GRADIENT_TOLERANCE, Math.max(floor, own));
                }
                checked++;
            }
            ReferenceCompare.assertClose("gradient of the classifier", plan.read(cls.grads()), f.tensor("grad.classifier"), GRADIENT_TOLERANCE);
            org.junit.jupiter.api.Assertions.assertEquals(ps.entries().stream().filter(ParameterSet.Entry::trainable).count(), checked);
        }
    }
}
