package org.voxkd.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.voxkd.engine.Backend;
import org.voxkd.engine.Numerics;
import org.voxkd.engine.cpu.CpuBackend;

/**
 * The same recorded step, replayed from the same state, gives identical bits: on cpu (whatever the
 * kernel thread count, since chunks never share a reduction) and on opencl (in-order queue, fixed-order
 * reductions).
 */
class DeterminismTest {
    @Test
    void cpuStepIsBitIdenticalAcrossRuns() {
        assertIdentical(CpuBackend::new);
    }

    @Test
    void portableCpuStepIsBitIdenticalAcrossRuns() {
        assertIdentical(() -> new CpuBackend(Numerics.PORTABLE));
    }

    @Test
    void openClStepIsBitIdenticalAcrossRuns() {
        assertIdentical(OpenClSupport::open);
    }

    /** The whole recorded step agrees across backends (cpu in both numerics modes) within float tolerance, and it really trains. */
    @Test
    void wholeStepAgreesAcrossBackends() {
        float[][] cl = TrainingStepFixture.run(OpenClSupport::open, 3);
        for (Numerics mode : Numerics.values()) agrees(TrainingStepFixture.run(() -> new CpuBackend(mode), 3), cl);
    }

    private static void agrees(float[][] cpu, float[][] cl) {
        double[] a = new double[cpu[0].length], b = new double[cpu[0].length];
        for (int i = 0; i < a.length; i++) { a[i] = cpu[0][i]; b[i] = cl[0][i]; }
        GradCheck.compare("parameters after 3 steps, opencl vs cpu", b, a, BackendParityTest.TOLERANCE);
        for (int s = 0; s < 3; s++) assertEquals(cpu[1][s], cl[1][s], 1e-4 * Math.abs(cpu[1][s]), "loss of step " + s);
        assertNotEquals(cpu[1][0], cpu[1][1], "the steps must see different batches and weights");
    }

    private static void assertIdentical(Supplier<Backend> backend) {
        float[][] a = TrainingStepFixture.run(backend, 3), b = TrainingStepFixture.run(backend, 3);
        for (int i = 0; i < a.length; i++) assertArrayEquals(a[i], b[i], "output " + i + " differs between two runs");
    }
}
