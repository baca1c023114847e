package org.voxkd.bench;

import java.util.ArrayList;
import java.util.List;
import org.voxkd.engine.Scalar;
import org.voxkd.kernels.Activation;
import org.voxkd.kernels.Linear;

/** The ops of the student and teacher at their training shapes, as benchmarks. */
public final class OpCatalog {
    private OpCatalog() {}

    /** Student-shaped ops: batch {@code b}, frames {@code t}, hidden {@code h}, expansion {@code e}. */
    public static List<OpBench> student(int b, int t, int h, int e) {
        int rows = b * t, eh = e * h;
        String rs = b + "×" + t;
        List<OpBench> out = new ArrayList<>();
        out.add(linear(rows, h, 2 * eh, rs));
        out.add(linear(rows, 2 * eh, h, rs));
        out.add(linear(rows, eh, h, rs));
        out.add(pointwise("relu", rows * h, rs + "×" + h));
        out.add(pointwise("gelu", rows * eh, rs + "×" + eh));
        out.add(pointwise("tanh", rows * h, rs + "×" + h));
        out.add(new OpBench("mfm", rs + "×" + 2 * eh + "→" + eh).tensor("x", rows * 2 * eh).tensor("y", rows * eh)
                .tensor("dx", rows * 2 * eh).tensor("dy", rows * eh)
                .forward((g, v) -> Activation.mfmForward(g, v.get("y"), v.get("x"), rows, eh))
                .backward((g, v) -> Activation.mfmBackward(g, v.get("dx"), v.get("dy"), v.get("x"), rows, eh)));
        Scalar step = Scalar.ofInt("step", 1);
        out.add(new OpBench("dropout 0.1", rs + "×" + eh).tensor("x", rows * eh).tensor("y", rows * eh)
                .tensor("dx", rows * eh).tensor("dy", rows * eh)
                .forward((g, v) -> Activation.dropoutForward(g, v.get("y"), v.get("x"), rows * eh, 0.1f, 7, step, 1))
                .backward((g, v) -> Activation.dropoutBackward(g, v.get("dx"), v.get("dy"), rows * eh, 0.1f, 7, step, 1)));
        return out;
    }

    /** Linear over channels at every frame, with bias: the op the 70%-of-SGEMM target is about. */
    public static OpBench linear(int rows, int cin, int cout, String rowShape) {
        double gflop = 2.0 * rows * cin * cout / 1e9;
        return new OpBench("linear", rowShape + "×" + cin + "→" + cout)
                .tensor("x", rows * cin).tensor("w", cout * cin).tensor("b", cout).tensor("y", rows * cout)
                .tensor("dx", rows * cin).tensor("dw", cout * cin).tensor("db", cout).tensor("dy", rows * cout)
                .flops(gflop, 2 * gflop)
                .forward((g, v) -> Linear.forward(g, v.get("y"), v.get("x"), v.get("w"), v.get("b"), rows, cin, cout))
                .backward((g, v) -> Linear.backward(g, v.get("dx"), v.get("dw"), v.get("db"), v.get("dy"), v.get("x"), v.get("w"), rows, cin, cout));
    }

    private static OpBench pointwise(String name, int n, String shape) {
        return new OpBench(name, shape).tensor("x", n).tensor("y", n).tensor("dx", n).tensor("dy", n)
                .forward((g, v) -> {
                    switch (name) {
                        case "relu" -> Activation.reluForward(g, v.get("y"), v.get("x"), n);
                        case "gelu" -> Activation.geluForward(g, v.get("y"), v.get("x"), n);
                        default -> Activation.tanhForward(g, v.get("y"), v.get("x"), n);
                    }
                })
                .backward((g, v) -> {
                    switch (name) {
                        case "relu" -> Activation.reluBackward(g, v.get("dx"), v.get("dy"), v.get("x"), n);
                        case "gelu" -> Activation.geluBackward(g, v.get("dx"), v.get("dy"), v.get("x"), n);
                        default -> Activation.tanhBackward(g, v.get("dx"), v.get("dy"), v.get("y"), n);
                    }
                });
    }
}
