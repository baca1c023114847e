package org.voxkd.train;

import org.voxkd.engine.Backend;
import org.voxkd.engine.Buffer;
import org.voxkd.engine.DataTransferMode;
import org.voxkd.engine.ExecutionPlan;
import org.voxkd.engine.ParameterSet;
import org.voxkd.engine.Precision;
import org.voxkd.engine.Scalar;
import org.voxkd.engine.TaskGraph;
import org.voxkd.engine.View;
import org.voxkd.kernels.Loss;
import org.voxkd.kernels.Optim;
import org.voxkd.kernels.Tensor;
import org.voxkd.nn.Mode;
import org.voxkd.nn.Pass;
import org.voxkd.nn.SpeakerModel;

/**
 * The recorded graphs of one training configuration, on one backend:
 * <pre>
 *   STEP (per micro-batch):  batch, labels ─► student forward (TRAIN) ─┬─► margin softmax ─► dCls ┐
 *                            teacher forward (EVAL, same crops, frozen) ┴─► distillation ─► dKd  ┴─► dEmb = dCls + dKd
 *                            ‖dCls‖², ‖dKd‖², losses, accuracy ─► metrics (to host)     student backward ─► gradients
 *   UPDATE (per optimiser step): Adam over model and classifier ─► gradients zeroed
 * </pre>
 * Parameters, moments, activations and the frozen teacher stay on the device between replays; the host
 * sends the batch and receives eight floats of metrics.
 */
public final class StepProgram implements AutoCloseable {
    /** Indices into {@link #metrics}. */
    public static final int TOTAL = 0, CLS = 1, KD = 2, ACCURACY = 3, GRAD_CLS = 4, GRAD_KD = 5;

    public final SpeakerModel model, teacher;
    public final ParameterSet classifier;
    public final Pass pass, teacherPass;
    public final float[] features, labels, metrics = new float[8];
    /** Dropout counter: the global micro-batch index. */
    public final Scalar step = Scalar.ofInt("dropout.step", 0);
    public final Optim.Adam adam;
    private final ExecutionPlan plan;

    /**
     * @param alpha the distillation weight (0 without a teacher); the loss weights fold in 1/accumulate, so
     *              gradients summed over micro-batches are the mean gradient
     */
    public StepProgram(Backend backend, SpeakerModel model, ParameterSet classifier, SpeakerModel teacher, TrainConfig cfg,
                       int batch, int frames, long seed) {
        this.model = model;
        this.teacher = teacher;
        this.classifier = classifier;
        int d = model.embeddingSize(), k = classifier.entry("weight").shape()[0];
        if (teacher != null && teacher.embeddingSize() != d)
            throw new IllegalArgumentException("teacher embedding " + teacher.embeddingSize() + " ≠ student embedding " + d);
        float alpha = teacher == null ? 0f : cfg.loss().alpha(), accumulate = cfg.optim().accumulate();
        this.pass = model.plan(batch, frames, Mode.TRAIN, seed, step);
        this.teacherPass = teacher == null ? null : teacher.plan(batch, frames, Mode.EVAL, seed, step);
        this.features = new float[pass.input().length()];
        this.labels = new float[batch];
        this.adam = new Optim.Adam(cfg.optim().weightDecay());

        Buffer io = new Buffer("step.io", 8 + batch), scratch = new Buffer("step.scratch",
                Loss.classificationScratch(batch, k, d) + batch + 2 * batch * d);
        View m = io.view(0, 8), lab = io.view(8, batch);
        View clsScratch = scratch.view(0, Loss.classificationScratch(batch, k, d)), rows = scratch.view(clsScratch.length(), batch);
        View dCls = scratch.view(clsScratch.length() + batch, batch * d), dKd = scratch.view(clsScratch.length() + batch + batch * d, batch * d);
        View emb = pass.embedding(), w = classifier.value("weight");

        Precision precision = Precision.parse(cfg.optim().precision());
        String unsupported = backend.unsupported(precision);
        if (unsupported != null) throw new IllegalArgumentException("optim.precision " + precision.key() + " on " + backend.name() + ": " + unsupported);
        TaskGraph g = new TaskGraph("train_step").gemmPrecision(precision)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, pass.input(), features)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, lab, labels);
        model.forward(g, pass);
        if (teacher != null) {
            Tensor.copy(g, teacherPass.input(), pass.input());
            teacher.forward(g, teacherPass);
        }
        try (var s = g.scope("loss")) {
            Tensor.fill(g, dCls, 0f);
            Tensor.fill(g, dKd, 0f);
            Loss.Margin margin = cfg.loss().classifier().equals("am") ? Loss.Margin.AM : Loss.Margin.AAM;
            Loss.classificationForward(g, m.slice(CLS, 1), m.slice(ACCURACY, 1), clsScratch, emb, w, lab, batch, k, d, margin,
                    cfg.loss().margin(), cfg.loss().scale(), (1 - alpha) / accumulate);
            Loss.classificationBackward(g, dCls, classifier.grad("weight"), clsScratch, emb, w, batch, k, d);
            if (teacher != null)
                Loss.distillation(g, m.slice(KD, 1), dKd, rows, emb, teacherPass.embedding(), batch, d,
                        Loss.Distillation.valueOf(cfg.loss().distillation().toUpperCase()), cfg.loss().tau(), alpha / accumulate);
            else Tensor.fill(g, m.slice(KD, 1), 0f);
            Tensor.sumOfSquares(g, m.slice(GRAD_CLS, 1), dCls);
            Tensor.sumOfSquares(g, m.slice(GRAD_KD, 1), dKd);
            Tensor.copy(g, pass.dEmbedding(), dCls);
            Tensor.add(g, pass.dEmbedding(), dKd);
            Tensor.axpby(g, m.slice(TOTAL, 1), m.slice(CLS, 1), 1 - alpha, 0f);
            Tensor.axpby(g, m.slice(TOTAL, 1), m.slice(KD, 1), alpha, 1f);
        }
        model.backward(g, pass);
        g.transferToHost(DataTransferMode.EVERY_EXECUTION, m, metrics);

        TaskGraph u = new TaskGraph("update");
        for (ParameterSet ps : new ParameterSet[] {model.parameters(), classifier}) {
            adam.record(u, ps.params(), ps.grads(), ps.adamM(), ps.adamV());
            Tensor.fill(u, ps.grads(), 0f);
        }
        this.plan = new ExecutionPlan(backend, g.snapshot(), u.snapshot());
    }

    /** Uploads weights (model, classifier, teacher) and optimiser state. */
    public void load(float[][] modelWeights, float[] classifierWeights, float[][] teacherWeights, float[][] moments) {
        plan.write(model.parameters().params(), modelWeights[0]);
        plan.write(model.parameters().state(), modelWeights[1]);
        plan.write(classifier.params(), classifierWeights);
        if (teacher != null) {
            plan.write(teacher.parameters().params(), teacherWeights[0]);
            plan.write(teacher.parameters().state(), teacherWeights[1]);
        }
        if (moments != null) {
            plan.write(model.parameters().adamM(), moments[0]);
            plan.write(model.parameters().adamV(), moments[1]);
            plan.write(classifier.adamM(), moments[2]);
            plan.write(classifier.adamV(), moments[3]);
        }
    }

    /** Per-task timing of every launch (each then waits for completion); {@link #profile} reads it. */
    public void profile(boolean on) { plan.withProfiler(on); }

    /** The {@code top} task names by total time: "name: ms total, launches". */
    public java.util.List<String> profile(int top) { return plan.profileTable(top, false); }

    /** The profile summed per kernel over layers (see {@link ExecutionPlan#profileTable}). */
    public java.util.List<String> profileByKernel(int top) { return plan.profileTable(top, true); }

    /** Runs one micro-batch (features and labels already in the host arrays); metrics land in {@link #metrics}. */
    public void step(int globalStep) {
        step.set(globalStep);
        plan.execute(0);
    }

    /** One optimiser step at learning rate {@code lr}. */
    public void update(double lr) {
        adam.step(lr);
        plan.execute(1);
    }

    /** {params, state} of the model as they are on the device now. */
    public float[][] modelWeights() { return new float[][] {plan.read(model.parameters().params()), plan.read(model.parameters().state())}; }

    public float[] classifierWeights() { return plan.read(classifier.params()); }

    /** The model's parameter gradients as they are on the device now (after a step, before the update zeroes them). */
    public float[] modelGradients() { return plan.read(model.parameters().grads()); }

    /** Adam moments {model m, model v, classifier m, classifier v}. */
    public float[][] moments() {
        return new float[][] {plan.read(model.parameters().adamM()), plan.read(model.parameters().adamV()), plan.read(classifier.adamM()),
                plan.read(classifier.adamV())};
    }

    @Override public void close() { plan.close(); }
}
