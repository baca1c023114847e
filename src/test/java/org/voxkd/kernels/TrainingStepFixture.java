package org.voxkd.kernels;

import java.util.function.Supplier;
import org.voxkd.engine.Backend;
import org.voxkd.engine.DataTransferMode;
import org.voxkd.engine.ExecutionPlan;
import org.voxkd.engine.ParameterSet;
import org.voxkd.engine.Philox;
import org.voxkd.engine.Scalar;
import org.voxkd.engine.TaskGraph;
import org.voxkd.engine.Workspace;

/**
 * A small but complete recorded training step (a two-layer MLP with GELU, dropout and MFM; loss
 * ½‖y‖²; plain SGD) used to prove that replaying a recorded step is deterministic. Data flow:
 * <pre>
 *   x -> linear1 -> gelu -> dropout(step) -> linear2 -> mfm -> y ; loss = ½Σy² (to host every step)
 *   dy = y -> mfm' -> linear2' -> dropout' -> gelu' -> linear1' ; p -= lr·g ; g = 0
 * </pre>
 */
final class TrainingStepFixture {
    static final int ROWS = 37, IN = 11, HID = 13, OUT2 = 10;

    private TrainingStepFixture() {}

    /** Runs {@code steps} steps from a fixed initial state; returns {final parameters, per-step losses}. */
    static float[][] run(Supplier<Backend> backendFactory, int steps) {
        ParameterSet p = ParameterSet.builder("mlp").param("w1", HID, IN).param("b1", HID).param("w2", OUT2, HID).param("b2", OUT2).build();
        Workspace act = Workspace.builder("act").reserve("x", ROWS * IN).reserve("h", ROWS * HID).reserve("a", ROWS * HID)
                .reserve("d", ROWS * HID).reserve("z", ROWS * OUT2).reserve("y", ROWS * OUT2 / 2).reserve("loss", 1).build();
        Workspace grad = Workspace.builder("dact").reserve("h", ROWS * HID).reserve("a", ROWS * HID).reserve("d", ROWS * HID)
                .reserve("z", ROWS * OUT2).reserve("y", ROWS * OUT2 / 2).build();
        Scalar step = Scalar.ofInt("step", 0);
        float[] batch = new float[ROWS * IN], loss = new float[1];
        TaskGraph g = new TaskGraph("train_step").transferToDevice(DataTransferMode.EVERY_EXECUTION, act.view("x"), batch);
        Linear.forward(g, act.view("h"), act.view("x"), p.value("w1"), p.value("b1"), ROWS, IN, HID);
        Activation.geluForward(g, act.view("a"), act.view("h"), ROWS * HID);
        Activation.dropoutForward(g, act.view("d"), act.view("a"), ROWS * HID, 0.25f, 99, step, 1);
        Linear.forward(g, act.view("z"), act.view("d"), p.value("w2"), p.value("b2"), ROWS, HID, OUT2);
        Activation.mfmForward(g, act.view("y"), act.view("z"), ROWS, OUT2 / 2);
        Tensor.sumOfSquares(g, act.view("loss"), act.view("y"));
        Tensor.fill(g, grad.all(), 0f);
        Tensor.copy(g, grad.view("y"), act.view("y"));
        Activation.mfmBackward(g, grad.view("z"), grad.view("y"), act.view("z"), ROWS, OUT2 / 2);
        Linear.backward(g, grad.view("d"), p.grad("w2"), p.grad("b2"), grad.view("z"), act.view("d"), p.value("w2"), ROWS, HID, OUT2);
        Activation.dropoutBackward(g, grad.view("a"), grad.view("d"), ROWS * HID, 0.25f, 99, step, 1);
        Activation.geluBackward(g, grad.view("h"), grad.view("a"), act.view("h"), ROWS * HID);
        Linear.backward(g, null, p.grad("w1"), p.grad("b1"), grad.view("h"), act.view("x"), p.value("w1"), ROWS, IN, HID);
        Tensor.axpby(g, p.params(), p.grads(), -0.01f, 1f);
        Tensor.fill(g, p.grads(), 0f);
        g.transferToHost(DataTransferMode.EVERY_EXECUTION, act.view("loss"), loss);
        float[] losses = new float[steps];
        try (Backend backend = backendFactory.get(); ExecutionPlan plan = new ExecutionPlan(backend, g.snapshot())) {
            plan.write(p.params(), random(p.parameterCount(), 1, 0.3));
            for (int s = 0; s < steps; s++) {
                float[] x = random(batch.length, 100 + s, 1.0);
                System.arraycopy(x, 0, batch, 0, batch.length);
                step.set(s);
                plan.execute();
                losses[s] = loss[0];
            }
            return new float[][] {plan.read(p.params()), losses};
        }
    }

    static float[] random(int n, long stream, double scale) {
        Philox.Stream r = new Philox.Stream(2024, stream);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (scale * r.nextGaussian());
        return v;
    }

}
