package org.voxkd.nn;

import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.voxkd.engine.Backend;
import org.voxkd.engine.ExecutionPlan;
import org.voxkd.engine.ParameterSet;
import org.voxkd.engine.Scalar;
import org.voxkd.engine.TaskGraph;
import org.voxkd.engine.cpu.CpuBackend;
import org.voxkd.kernels.ReferenceCompare;

/**
 * Whole models against PyTorch (tools/gen_model_fixtures.py): the inference-mode embedding, the
 * training-mode embedding (batch statistics) and the running statistics after one training forward.
 * Tolerance 1e-4 relative to the tensor's scale: float32 kernels against a float64 reference through a
 * dozen layers, where a wrong layer is off by order one.
 */
class ModelForwardReferenceTest {
    static final double TOLERANCE = 1e-4;

    static Student student(ModelFixture f) {
        return new Student(new StudentConfig(f.config("mels"), f.config("hidden"), f.config("blocks"), f.config("expansion"),
                f.config("groups"), f.config("embedding"), 0f));
    }

    static Teacher teacher(ModelFixture f) {
        return new Teacher(new TeacherConfig(f.config("mels"), f.config("channels"), f.config("latent"), f.config("lstm_hidden"), 2,
                f.config("embedding"), 0f, 0f));
    }

    @Test
    void studentMatchesPyTorch() {
        ModelFixture f = new ModelFixture("student.json");
        check(f, student(f), CpuBackend::new);
    }

    @Test
    void teacherMatchesPyTorch() {
        ModelFixture f = new ModelFixture("teacher.json");
        check(f, teacher(f), CpuBackend::new);
    }

    static void check(ModelFixture f, SpeakerModel model, Supplier<Backend> backend) {
        int b = f.get("batch"), t = f.get("frames");
        ParameterSet ps = model.parameters();
        float[][] weights = NamedTensors.pack(ps, f.stateDict(), "fixture " + f.doc.get("model").asText());
        Scalar step = Scalar.ofInt("step", 0);
        Pass eval = model.plan(b, t, Mode.EVAL, 1, step), train = model.plan(b, t, Mode.TRAIN, 1, step);
        TaskGraph ge = new TaskGraph("eval"), gt = new TaskGraph("train");
        model.forward(ge, eval);
        model.forward(gt, train);
        try (Backend be = backend.get(); ExecutionPlan plan = new ExecutionPlan(be, ge.snapshot(), gt.snapshot())) {
            plan.write(ps.params(), weights[0]);
            plan.write(ps.state(), weights[1]);
            plan.write(eval.input(), f.tensor("input"));
            plan.write(train.input(), f.tensor("input"));
            plan.execute(0);
            ReferenceCompare.assertClose("eval embedding", plan.read(eval.embedding()), f.tensor("eval_embedding"), TOLERANCE);
            plan.execute(1);
            ReferenceCompare.assertClose("train embedding", plan.read(train.embedding()), f.tensor("train_embedding"), TOLERANCE);
            float[] state = plan.read(ps.state());
            for (ParameterSet.Entry e : ps.entries()) {
                if (e.trainable()) continue;
                float[] got = java.util.Arrays.copyOfRange(state, e.offset(), e.offset() + e.size());
                ReferenceCompare.assertClose(e.name() + " after one training forward", got, f.tensor("after." + e.name()), TOLERANCE);
            }
        }
    }
}
