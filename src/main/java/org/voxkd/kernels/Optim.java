package org.voxkd.kernels;

import java.nio.FloatBuffer;
import org.voxkd.engine.Kernel;
import org.voxkd.engine.ParameterSet;
import org.voxkd.engine.Range;
import org.voxkd.engine.Scalar;
import org.voxkd.engine.TaskGraph;
import org.voxkd.engine.View;
import org.voxkd.engine.cpu.Parallel;

/**
 * Adam with L2 weight decay (PyTorch {@code torch.optim.Adam}, single-tensor path) as one fused kernel over a
 * model's flat parameter, gradient and moment buffers (tornado-kernels/optim.cl), and StepLR.
 *
 * <pre>
 *   g = scale·grad + wd·p;  m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g²
 *   p −= stepSize · m / (√v / √bc2 + eps)      stepSize = lr/bc1, bc_i = 1 − β_i^t (host-side, in double)
 * </pre>
 */
public final class Optim {
    private Optim() {}

    static final String FAMILY = "optim";

    /**
     * One AdamW update; c1, c2 are 1 − b1 and 1 − b2, computed in double and rounded once, as PyTorch does with its
     * Python-float hyper-parameters.
     */
    public static final Kernel ADAM = Kernel.source(FAMILY, "adam", "inout p, in g, inout m, inout v, int n, float scale, float wd, float b1, float c1, float b2, float c2, float eps, float step_size, float bc2sqrt", a -> {
        FloatBuffer p = a.buf(0), g = a.buf(1), m = a.buf(2), v = a.buf(3);
        int po = a.off(0), go = a.off(1), mo = a.off(2), vo = a.off(3), n = a.i(4);
        float scale = a.f(5), wd = a.f(6), b1 = a.f(7), c1 = a.f(8), b2 = a.f(9), c2 = a.f(10), eps = a.f(11), stepSize = a.f(12), bc2sqrt = a.f(13);
        Parallel.range(n, 8, (from, to) -> {
            for (int i = from; i < to; i++) {
                float pi = p.get(po + i), gi = scale * g.get(go + i) + wd * pi;
                float mi = m.get(mo + i) * b1 + gi * c1;
                float vi = v.get(vo + i) * b2 + c2 * gi * gi;
                m.put(mo + i, mi);
                v.put(vo + i, vi);
                p.put(po + i, pi - stepSize * (mi / ((float) Math.sqrt(vi) / bc2sqrt + eps)));
            }
        });
    });

    /** Adam's hyper-parameters and the per-step scalars a recorded graph reads at each replay. */
    public static final class Adam {
        public final double beta1, beta2, eps, weightDecay;
        /** Set by {@link #step(double)} before each replay. */
        public final Scalar stepSize = Scalar.ofFloat("adam.step_size", 0f), bc2sqrt = Scalar.ofFloat("adam.bc2_sqrt", 1f);
        /** Gradient scale (1/accumulation: gradients are summed over micro-batches). */
        public final Scalar gradScale = Scalar.ofFloat("adam.grad_scale", 1f);
        private long t;

        public Adam(float weightDecay) { this(0.9, 0.999, 1e-8, weightDecay); }

        /** Hyper-parameters as doubles, like PyTorch's Python floats: the complements 1 − β are formed before rounding. */
        public Adam(double beta1, double beta2, double eps, double weightDecay) {
            this.beta1 = beta1;
            this.beta2 = beta2;
            this.eps = eps;
            this.weightDecay = weightDecay;
        }

        /**
         * Advances to the next step at learning rate {@code lr}: bias corrections as PyTorch computes them (double), with
         * StrictMath's pow (specified to the bit on every JVM; once per step, so free).
         */
        public void step(double lr) {
            t++;
            double bc1 = 1 - StrictMath.pow(beta1, t), bc2 = 1 - StrictMath.pow(beta2, t);
            stepSize.set((float) (lr / bc1));
            bc2sqrt.set((float) Math.sqrt(bc2));
        }

        /** Steps taken (saved in checkpoints so a resumed run continues the bias corrections). */
        public long steps() { return t; }

        public void restore(long steps) { t = steps; }

        /**
         * Records the update of a parameter set: one launch per range of parameters that receive gradients
         * ({@link ParameterSet#gradientRanges}); the others keep their values and moments exactly.
         */
        public void record(TaskGraph g, ParameterSet ps) {
            for (int[] r : ps.gradientRanges())
                record(g, ps.params().slice(r[0], r[1]), ps.grads().slice(r[0], r[1]), ps.adamM().slice(r[0], r[1]), ps.adamV().slice(r[0], r[1]));
        }

        /** Records the update of one flat buffer set. */
        public void record(TaskGraph g, View params, View grads, View m, View v) {
            int n = params.length();
            grads.require(n, "adam grads");
            m.require(n, "adam m");
            v.require(n, "adam v");
            g.task(ADAM, Range.of(n), params, grads, m, v, n, gradScale, (float) weightDecay, (float) beta1, (float) (1 - beta1),
                    (float) beta2, (float) (1 - beta2), (float) eps, stepSize, bc2sqrt);
        }
    }

    /** StepLR with step size one epoch: lr_e = lr_0·γ^e, by repeated multiplication in double as PyTorch does. */
    public record StepLR(double initial, double gamma) {
        public double lr(int epoch) {
            if (epoch < 0) throw new IllegalArgumentException("epoch must be non-negative: " + epoch);
            double lr = initial;
            for (int e = 0; e < epoch; e++) lr *= gamma;
            return lr;
        }
    }
}
