package org.voxkd.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.voxkd.engine.Buffer;
import org.voxkd.engine.ExecutionPlan;
import org.voxkd.engine.TaskGraph;
import org.voxkd.engine.cpu.CpuBackend;

/** Adam and StepLR against values computed by hand from PyTorch's formulas. */
class OptimTest {
    /**
     * p = 1, constant gradient 0.5, lr 0.1, weight decay 0.01 (so g = 0.51 every step while p stays near 1):
     * t=1: m = 0.051, v = 0.00026010, m̂ = 0.51, v̂ = 0.2601, p = 1 − 0.1·0.51/(0.51 + 1e-8) = 0.9000000196...
     */
    @Test
    void adamFollowsPyTorchByHand() {
        Buffer p = new Buffer("p", 1), g = new Buffer("g", 1), m = new Buffer("m", 1), v = new Buffer("v", 1);
        Optim.Adam adam = new Optim.Adam(0.01f);
        TaskGraph graph = new TaskGraph("adam");
        adam.record(graph, p.all(), g.all(), m.all(), v.all());
        try (ExecutionPlan plan = new ExecutionPlan(new CpuBackend(), graph.snapshot())) {
            plan.write(p.all(), new float[] {1f});
            plan.write(g.all(), new float[] {0.5f});
            adam.step(0.1);
            plan.execute();
            // g = 0.5 + 0.01·1 = 0.51; m = 0.051; v = 0.001·0.2601; step_size = 0.1/0.1 = 1; denom = √0.00026010/√0.001 + 1e-8
            assertEquals(0.051, plan.read(m.all())[0], 5e-8); // float32 arithmetic: a few ulp
            assertEquals(0.0002601, plan.read(v.all())[0], 1e-10);
            assertEquals(1 - 0.051 / (Math.sqrt(0.0002601) / Math.sqrt(0.001) + 1e-8), plan.read(p.all())[0], 1e-6);
            assertEquals(0.9f, plan.read(p.all())[0], 1e-6);
            // t = 2: g = 0.5 + 0.01·0.9 = 0.509; m = 0.9·0.051 + 0.1·0.509 = 0.0968; v = 0.999·0.0002601 + 0.001·0.509²
            adam.step(0.1);
            plan.execute();
            double m2 = 0.9 * 0.051 + 0.1 * 0.509, v2 = 0.999 * 0.0002601 + 0.001 * 0.509 * 0.509;
            double p2 = 0.9 - (0.1 / (1 - 0.81)) * m2 / (Math.sqrt(v2) / Math.sqrt(1 - 0.999 * 0.999) + 1e-8);
            assertEquals(m2, plan.read(m.all())[0], 1e-7);
            assertEquals(v2, plan.read(v.all())[0], 1e-9);
            assertEquals(p2, plan.read(p.all())[0], 2e-6);
            assertEquals(2, adam.steps());
        }
    }

    @Test
    void stepLrDecaysOncePerEpoch() {
        Optim.StepLR s = new Optim.StepLR(1e-3, 0.95);
        assertEquals(1e-3, s.lr(0), 0);
        assertEquals(0.00095, s.lr(1), 1e-15);
        assertEquals(0.0009025, s.lr(2), 1e-15);
        assertEquals(1e-3 * Math.pow(0.95, 10), s.lr(10), 1e-15);
        assertEquals(5e-4 * Math.pow(0.98, 3), new Optim.StepLR(5e-4, 0.98).lr(3), 1e-15);
    }
}
