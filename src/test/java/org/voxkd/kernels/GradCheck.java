package org.voxkd.kernels;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.voxkd.engine.Backend;

/**
 * Checks an {@link OpCase} on a backend: the float32 forward against the float64 reference, and every
 * input gradient (float32 backward) against central finite differences of the float64 reference of
 * {@code J = Σ_outputs Σ dOut·out}. Gradients are accumulated into random prefills, which also checks
 * the "backward accumulates" convention.
 */
public final class GradCheck {
    /** Gradient entries checked per input tensor (all when smaller). */
    static final int SAMPLES = 48;

    private GradCheck() {}

    /** Runs the check and returns the worst relative errors seen (forward, gradient), for reports. */
    public static double[] check(OpCase c, Backend backend) {
        OpCase.Result r = c.run(backend);
        Map<String, double[]> init = c.initialValues();
        Map<String, double[]> inputs = new LinkedHashMap<>();
        for (OpCase.Spec s : c.specs.values())
            if (s.role() == OpCase.Role.INPUT || s.role() == OpCase.Role.CONSTANT) inputs.put(s.name(), init.get(s.name()).clone());
        Map<String, double[]> ref = c.reference.apply(copy(inputs));
        double worstFwd = 0;
        for (var e : ref.entrySet()) {
            OpCase.Spec s = c.specs.get(e.getKey());
            if (s == null) fail(c.name + ": reference returned unknown tensor " + e.getKey());
            worstFwd = Math.max(worstFwd, compare(c.name + " forward " + e.getKey(), r.values().get(e.getKey()), e.getValue(), c.forwardTolerance));
        }
        double worstGrad = 0;
        SplittableRandom pick = new SplittableRandom(c.seed ^ 0x5DEECE66DL);
        for (OpCase.Spec s : c.specs.values()) {
            if (s.role() != OpCase.Role.INPUT || c.backward == null) continue; // primitives like GEMM have no backward of their own
            double[] analytic = r.grads().get(s.name());
            int n = s.size();
            int[] idx = sample(n, pick);
            double[] fd = new double[idx.length], an = new double[idx.length];
            for (int j = 0; j < idx.length; j++) {
                int i = idx[j];
                double x0 = inputs.get(s.name())[i], h = c.step * Math.max(1, Math.abs(x0));
                inputs.get(s.name())[i] = x0 + h;
                double jp = objective(c, inputs, init);
                inputs.get(s.name())[i] = x0 - h;
                double jm = objective(c, inputs, init);
                inputs.get(s.name())[i] = x0;
                fd[j] = (jp - jm) / (2 * h);
                an[j] = analytic[i];
            }
            worstGrad = Math.max(worstGrad, compare(c.name + " gradient of " + s.name(), an, fd, c.gradientTolerance));
        }
        return new double[] {worstFwd, worstGrad};
    }

    private static double objective(OpCase c, Map<String, double[]> inputs, Map<String, double[]> init) {
        Map<String, double[]> out = c.reference.apply(copy(inputs));
        double j = 0;
        for (OpCase.Spec s : c.specs.values()) {
            if (s.role() != OpCase.Role.OUTPUT) continue;
            double[] y = out.get(s.name()), dy = init.get("d:" + s.name());
            if (y == null) fail(c.name + ": reference did not return output " + s.name());
            for (int i = 0; i < y.length; i++) j += dy[i] * y[i];
        }
        return j;
    }

    /**
     * Compares element-wise with a tolerance scaled by the tensor's magnitude: |a − e| ≤ tol·(|e| + rms(e)).
     * Float32 kernels carry ~1e-6 relative error per operation; a wrong formula gives errors of order one.
     */
    static double compare(String what, double[] actual, double[] expected, double tol) {
        return compare(what, actual, expected, tol, 0);
    }

    /**
     * As {@link #compare(String, double[], double[], double)}, with the scale never below {@code floor}: for tensors
     * whose true value is zero (a bias before BatchNorm, a softmax shift), measured against the scale of their
     * neighbours instead of their own rounding noise.
     */
    static double compare(String what, double[] actual, double[] expected, double tol, double floor) {
        if (actual.length < expected.length) fail(what + ": got " + actual.length + " values, expected " + expected.length);
        double rms = 0;
        for (double e : expected) rms += e * e;
        rms = Math.max(Math.sqrt(rms / Math.max(1, expected.length)), floor) + 1e-30;
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < expected.length; i++) {
            if (!Double.isFinite(actual[i])) fail(what + "[" + i + "] is " + actual[i] + ", expected " + expected[i]);
            double err = Math.abs(actual[i] - expected[i]) / (Math.abs(expected[i]) + rms);
            if (err > worst) { worst = err; worstAt = i; }
        }
        if (worst > tol)
            fail(String.format("%s: relative error %.3g > %.1g at [%d]: got %.9g, expected %.9g", what, worst, tol, worstAt, actual[worstAt], expected[worstAt]));
        return worst;
    }

    private static int[] sample(int n, SplittableRandom r) {
        if (n <= SAMPLES) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) all[i] = i;
            return all;
        }
        int[] idx = new int[SAMPLES];
        for (int j = 0; j < SAMPLES; j++) idx[j] = r.nextInt(n);
        return idx;
    }

    private static Map<String, double[]> copy(Map<String, double[]> m) {
        Map<String, double[]> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, v.clone()));
        return out;
    }

    /** Convenience for tests: runs the check on a fresh backend. */
    public static double[] check(OpCase c, java.util.function.Supplier<Backend> backend) {
        try (Backend b = backend.get()) {
            return check(c, b);
        }
    }
}
