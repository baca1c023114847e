package org.voxkd.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.voxkd.engine.cpu.CpuBackend;
import org.voxkd.kernels.Tensor;

class ExecutionPlanTest {
    @Test
    void transferModesAndScalarsFollowTheRecording() {
        Buffer x = new Buffer("x", 3), y = new Buffer("y", 3);
        float[] weights = {1, 2, 3}, out = new float[3];
        Scalar alpha = Scalar.ofFloat("alpha", 2f);
        TaskGraph g = new TaskGraph("scale")
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, x.all(), weights)
                .task(Tensor.AXPBY, Range.of(3), y.all(), x.all(), alpha, 1f, 3)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, y.all(), out);
        try (ExecutionPlan plan = new ExecutionPlan(new CpuBackend(), g.snapshot())) {
            plan.execute();
            assertArrayEquals(new float[] {2, 4, 6}, out);
            weights[0] = 100; // FIRST_EXECUTION: not copied again
            alpha.set(0.5);
            plan.execute();
            assertArrayEquals(new float[] {2.5f, 5, 7.5f}, out);
            assertArrayEquals(new float[] {1, 2, 3}, plan.read(x.all()));
        }
    }

    @Test
    void graphsOfOnePlanShareBuffers() {
        Buffer acc = new Buffer("acc", 4), one = new Buffer("one", 4);
        TaskGraph init = new TaskGraph("init");
        Tensor.fill(init, one.all(), 1f);
        TaskGraph add = new TaskGraph("add");
        Tensor.add(add, acc.all(), one.all());
        try (ExecutionPlan plan = new ExecutionPlan(new CpuBackend(), init.snapshot(), add.snapshot())) {
            plan.execute(0);
            for (int i = 0; i < 3; i++) plan.execute(1);
            assertArrayEquals(new float[] {3, 3, 3, 3}, plan.read(acc.all()));
        }
    }

    @Test
    void snapshotIsFrozenAndShapesAreCheckedWhenRecorded() {
        Buffer a = new Buffer("a", 4);
        TaskGraph g = new TaskGraph("g");
        Tensor.fill(g, a.all(), 1f);
        ImmutableTaskGraph frozen = g.snapshot();
        Tensor.fill(g, a.all(), 2f);
        assertEquals(1, frozen.tasks().size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.view(2, 3));
        assertTrue(e.getMessage().contains("outside a[4]"), e.getMessage());
        Buffer b = new Buffer("b", 5);
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.add(g, a.all(), b.all()));
        assertTrue(e.getMessage().contains("expected 4 floats"), e.getMessage());
    }

    @Test
    void profilerCountsEveryLaunchByScopedName() {
        Buffer a = new Buffer("a", 8);
        TaskGraph g = new TaskGraph("g");
        try (var s = g.scope("block1")) {
            Tensor.fill(g, a.all(), 1f);
        }
        try (ExecutionPlan plan = new ExecutionPlan(new CpuBackend(), g.snapshot()).withProfiler(true)) {
            plan.execute();
            plan.execute();
            assertEquals(2, plan.profile().get("block1/fill")[1]);
        }
    }
}
