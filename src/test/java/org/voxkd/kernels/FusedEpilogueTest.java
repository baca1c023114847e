package org.voxkd.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.voxkd.engine.Backend;
import org.voxkd.engine.Buffer;
import org.voxkd.engine.ExecutionPlan;
import org.voxkd.engine.TaskGraph;
import org.voxkd.engine.View;
import org.voxkd.engine.cpu.CpuBackend;

/**
 * The fused GEMM epilogues (bias + GELU, bias + MFM + GELU, bias + residual) against the unfused ops they replace: the same bits
 * on cpu (same arithmetic, one pass), the same values within float rounding on opencl, and cpu ≈ opencl. Shapes
 * are odd (C not a multiple of any vector width) and span several rows per thread; {@code keep} off must leave
 * the pre-activation and the MFM output untouched.
 */
class FusedEpilogueTest {
    private static final int ROWS = 203, C = 37;

    /** {y, m, pre} after the fused op (keep on), the unfused chain, and the fused op with keep off. */
    private static float[][][] run(Supplier<Backend> backend, boolean mfm) {
        Random rnd = new Random(mfm ? 11 : 12);
        int width = mfm ? 2 * C : C;
        float[] pre0 = new float[ROWS * width], bias = new float[width], sentinel = new float[ROWS * C];
        for (int i = 0; i < pre0.length; i++) pre0[i] = (float) (rnd.nextGaussian() * 2);
        for (int i = 0; i < bias.length; i++) bias[i] = (float) rnd.nextGaussian();
        java.util.Arrays.fill(sentinel, 9.5f);
        float[][][] out = new float[3][][];
        for (int variant = 0; variant < 3; variant++) {
            Buffer buf = new Buffer("epilogue", 2 * ROWS * width + ROWS * C * 2 + width);
            View pre = buf.view(0, ROWS * width), y = buf.view(ROWS * width, ROWS * C), m = buf.view(ROWS * width + ROWS * C, ROWS * C);
            View b = buf.view(ROWS * width + 2 * ROWS * C, width);
            TaskGraph g = new TaskGraph("epilogue");
            if (variant == 1) {
                Linear.biasAdd(g, pre, b, ROWS, width);
                if (mfm) {
                    Activation.mfmForward(g, m, pre, ROWS, C);
                    Activation.geluForward(g, y, m, ROWS * C);
                } else Activation.geluForward(g, y, pre, ROWS * C);
            } else if (mfm) Activation.biasMfmGeluForward(g, y, m, pre, b, ROWS, C, variant == 0);
            else Activation.biasGeluForward(g, y, pre, b, ROWS, C, variant == 0);
            try (Backend be = backend.get(); ExecutionPlan plan = new ExecutionPlan(be, g.snapshot())) {
                plan.write(pre, pre0);
                plan.write(b, bias);
                plan.write(m, sentinel);
                plan.write(y, sentinel);
                plan.execute();
                out[variant] = new float[][] {plan.read(y), plan.read(m), plan.read(pre)};
            }
        }
        for (int i = 0; i < pre0.length; i++) assertEquals(pre0[i], out[2][2][i], "keep off must not write the pre-activation");
        if (mfm) for (float v : out[2][1]) assertEquals(9.5f, v, "keep off must not write the MFM output");
        return out;
    }

    private static void fusedEqualsChain(Supplier<Backend> backend, boolean exact) {
        for (boolean mfm : new boolean[] {false, true}) {
            float[][][] r = run(backend, mfm);
            for (int k = 0; k < 3; k++) { // y, m (untouched sentinels without MFM), pre
                String what = (mfm ? "bias+mfm+gelu" : "bias+gelu") + " tensor " + k;
                if (exact) assertArrayEquals(r[1][k], r[0][k], what);
                else GradCheck.compare(what, toDouble(r[0][k]), toDouble(r[1][k]), 1e-6);
            }
            assertArrayEquals(r[0][0], r[2][0], "keep off gives the same y");
        }
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }

    @Test
    void cpuFusedIsBitIdenticalToTheChain() { fusedEqualsChain(CpuBackend::new, true); }

    @Test
    void openClFusedMatchesTheChain() { fusedEqualsChain(OpenClSupport::open, false); }

    /** y of bias + residual (fused, variant 0) and of bias_add then a residual add (variant 1). */
    private static float[][] biasResidual(Supplier<Backend> backend) {
        Random rnd = new Random(13);
        float[] pre0 = new float[ROWS * C], res0 = new float[ROWS * C], bias = new float[C];
        for (int i = 0; i < pre0.length; i++) { pre0[i] = (float) rnd.nextGaussian(); res0[i] = (float) rnd.nextGaussian(); }
        for (int i = 0; i < C; i++) bias[i] = (float) rnd.nextGaussian();
        float[][] out = new float[2][];
        for (int variant = 0; variant < 2; variant++) {
            Buffer buf = new Buffer("residual", 2 * ROWS * C + C);
            View pre = buf.view(0, ROWS * C), res = buf.view(ROWS * C, ROWS * C), b = buf.view(2 * ROWS * C, C);
            TaskGraph g = new TaskGraph("residual");
            if (variant == 0) Linear.biasResidual(g, pre, pre, b, res, ROWS, C);
            else {
                Linear.biasAdd(g, pre, b, ROWS, C);
                Tensor.add(g, pre, res);
            }
            try (Backend be = backend.get(); ExecutionPlan plan = new ExecutionPlan(be, g.snapshot())) {
                plan.write(pre, pre0);
                plan.write(res, res0);
                plan.write(b, bias);
                plan.execute();
                out[variant] = plan.read(pre);
            }
        }
        return out;
    }

    @Test
    void biasResidualEqualsBiasThenAdd() {
        float[][] cpu = biasResidual(CpuBackend::new), cl = biasResidual(OpenClSupport::open);
        assertArrayEquals(cpu[1], cpu[0], "cpu: fused bias + residual vs bias_add then add");
        GradCheck.compare("opencl: fused vs chain", toDouble(cl[0]), toDouble(cl[1]), 1e-6);
        GradCheck.compare("bias + residual, opencl vs cpu", toDouble(cl[0]), toDouble(cpu[0]), BackendParityTest.TOLERANCE);
    }

    @Test
    void cpuAndOpenClAgree() {
        for (boolean mfm : new boolean[] {false, true}) {
            float[][][] cpu = run(CpuBackend::new, mfm), cl = run(OpenClSupport::open, mfm);
            for (int k = 0; k < 3; k++)
                GradCheck.compare("epilogue " + (mfm ? "bias+mfm+gelu" : "bias+gelu") + " tensor " + k + " opencl vs cpu", toDouble(cl[0][k]),
                        toDouble(cpu[0][k]), BackendParityTest.TOLERANCE);
        }
    }
}
