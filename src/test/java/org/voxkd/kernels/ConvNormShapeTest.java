package org.voxkd.kernels;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.voxkd.engine.Buffer;
import org.voxkd.engine.TaskGraph;
import org.voxkd.engine.View;

/** Bad shapes of conv1d and norm ops fail when recorded, with a message naming the problem. */
class ConvNormShapeTest {
    private static View v(int n) { return new Buffer("t" + n, n).all(); }

    private static void fails(String expected, Runnable record) {
        var e = assertThrows(IllegalArgumentException.class, record::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void rejectsBadShapes() {
        TaskGraph g = new TaskGraph("shapes");
        fails("divisible by G=4", () -> Conv1d.groupedPointwiseForward(g, v(5 * 12), v(5 * 9), v(12 * 2), null, 5, 9, 12, 4));
        fails("conv3 col", () -> Conv1d.conv3Forward(g, v(6 * 4), v(6 * 3 * 2), v(6 * 3), v(4 * 3 * 3), null, 2, 3, 3, 4));
        fails("depthwise w", () -> Conv1d.depthwiseForward(g, v(30), v(30), v(5), 2, 3, 5));
        fails("more than one row", () -> Norm.batchNormForward(g, v(5), v(5), v(5), v(5), v(5), v(5), v(5), v(5), 1, 5));
        fails("layernorm rstd", () -> Norm.layerNormForward(g, v(21), v(7), v(3), v(21), v(3), v(3), 7, 3));
        assertTrue(g.taskCount() == 0, "nothing recorded by failed ops");
    }
}
