package org.voxkd.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.voxkd.engine.Backend;
import org.voxkd.engine.Buffer;
import org.voxkd.engine.DataTransferMode;
import org.voxkd.engine.ExecutionPlan;
import org.voxkd.engine.ParameterSet;
import org.voxkd.engine.TaskGraph;
import org.voxkd.engine.View;
import org.voxkd.engine.cpu.CpuBackend;
import org.voxkd.nn.Teacher;
import org.voxkd.nn.TeacherConfig;

/**
 * Two guards that must hold on every backend: a label that is not a class index is reported as an error after the
 * step (the OpenCL kernel used to map it to class 0 silently), and the optimiser leaves parameters without gradient
 * untouched (the teacher's decoder used to shrink under Adam's L2 term).
 */
class GuardsTest {
    static final int B = 5, K = 4, D = 3;

    /** The label status after one classification forward with {@code labels}. */
    static float[] labelStatus(Backend backend, float[] labels) {
        Buffer io = new Buffer("io", 2 + B * D + K * D + B), scratch = new Buffer("scratch", Loss.classificationScratch(B, K, D));
        View loss = io.view(0, 1), acc = io.view(1, 1), x = io.view(2, B * D), w = io.view(2 + B * D, K * D), lab = io.view(2 + B * D + K * D, B);
        float[] status = new float[2], xs = new float[B * D], ws = new float[K * D];
        for (int i = 0; i < xs.length; i++) xs[i] = (float) Math.sin(i + 1);
        for (int i = 0; i < ws.length; i++) ws[i] = (float) Math.cos(i + 2);
        TaskGraph g = new TaskGraph("cls")
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, x, xs).transferToDevice(DataTransferMode.EVERY_EXECUTION, w, ws)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, lab, labels);
        Loss.classificationForward(g, loss, acc, scratch.all(), x, w, lab, B, K, D, Loss.Margin.AAM, 0.2f, 30f, 1f);
        g.transferToHost(DataTransferMode.EVERY_EXECUTION, Loss.labelStatus(scratch.all(), B, K, D), status);
        try (ExecutionPlan plan = new ExecutionPlan(backend, g.snapshot())) {
            plan.execute();
        }
        return status;
    }

    static void checkLabels(Backend backend) {
        assertArrayEquals(new float[] {0, 0}, labelStatus(backend, new float[] {0, 3, 1, 2, 0}));
        for (float bad : new float[] {4, -1, 1.5f, Float.NaN, 1e9f}) {
            float[] status = labelStatus(backend, new float[] {0, 1, 2, bad, 7});
            assertEquals(4, status[0], "first bad row + 1 for label " + bad);
            assertEquals(bad, status[1], 0f);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Loss.requireLabels(status, K));
            assertTrue(e.getMessage().contains("batch row 3 has label " + bad) && e.getMessage().contains("[0, 4)"), e.getMessage());
        }
    }

    @Test
    void badLabelsAreFlaggedOnCpu() {
        checkLabels(new CpuBackend());
    }

    @Test
    void badLabelsAreFlaggedOnOpenCl() {
        try (Backend b = OpenClSupport.open()) {
            checkLabels(b);
        }
    }

    /** Three parameters, the middle one without gradient: one Adam step with weight decay. */
    static List<float[]> adamOverGaps(Backend backend) {
        ParameterSet ps = ParameterSet.builder("m").param("a", 3).param("skip.w", 4).param("skip.b", 2).param("c", 5).noGradient("skip.").build();
        float[] p = new float[ps.parameterCount()], g = new float[p.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = 1 + i * 0.25f;
            g[i] = 0.1f * (i % 3 - 1) + 0.05f;
        }
        Optim.Adam adam = new Optim.Adam(0.01f);
        TaskGraph u = new TaskGraph("update");
        adam.record(u, ps);
        try (ExecutionPlan plan = new ExecutionPlan(backend, u.snapshot())) {
            plan.write(ps.params(), p);
            plan.write(ps.grads(), g);
            adam.step(0.1);
            plan.execute();
            return List.of(p, plan.read(ps.params()), plan.read(ps.adamM()));
        }
    }

    static void checkGaps(Backend backend) {
        List<float[]> r = adamOverGaps(backend);
        float[] before = r.get(0), after = r.get(1), m = r.get(2);
        for (int i = 0; i < before.length; i++) {
            boolean skipped = i >= 3 && i < 9;
            if (skipped) {
                assertEquals(before[i], after[i], 0f, "a parameter without gradient changed at " + i);
                assertEquals(0f, m[i], 0f);
            } else {
                assertFalse(before[i] == after[i], "parameter " + i + " was not updated");
            }
        }
    }

    @Test
    void parametersWithoutGradientAreLeftAloneOnCpu() {
        checkGaps(new CpuBackend());
        assertEquals(List.of("[0, 3]", "[9, 5]"), ParameterSet.builder("m").param("a", 3).param("skip.w", 4).param("skip.b", 2).param("c", 5)
                .noGradient("skip.").build().gradientRanges().stream().map(Arrays::toString).toList());
        assertThrows(IllegalArgumentException.class, () -> ParameterSet.builder("m").param("a", 3).noGradient("b"));
    }

    @Test
    void parametersWithoutGradientAreLeftAloneOnOpenCl() {
        try (Backend b = OpenClSupport.open()) {
            checkGaps(b);
            // the same update on both backends, up to float rounding
            List<float[]> cpu = adamOverGaps(new CpuBackend()), cl = adamOverGaps(b);
            assertArrayEquals(cpu.get(1), cl.get(1), 1e-6f);
        }
    }

    /** The teacher declares its decoder gradient-free: the optimiser's ranges cover everything else. */
    @Test
    void teacherDecoderIsOutsideTheOptimisersRanges() {
        Teacher t = new Teacher(new TeacherConfig(8, 6, 4, 5, 1, 6, 0.1f, 0.1f));
        ParameterSet ps = t.parameters();
        int covered = ps.gradientRanges().stream().mapToInt(x -> x[1]).sum();
        int decoder = ps.entries().stream().filter(e -> e.trainable() && e.name().startsWith("decoder.")).mapToInt(ParameterSet.Entry::size).sum();
        assertTrue(decoder > 0);
        assertEquals(ps.parameterCount() - decoder, covered);
        assertEquals(t.parameterCountWithoutDecoder(), covered);
    }
}
