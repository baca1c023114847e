package org.voxkd.kernels;

import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import org.voxkd.engine.Scalar;

/** Op cases of the activation family at odd sizes. */
public final class ActivationCases {
    private ActivationCases() {}

    static Map<String, double[]> map1(double[] x, DoubleUnaryOperator f) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) y[i] = f.applyAsDouble(x[i]);
        return Map.of("y", y);
    }

    public static List<OpCase> cases() {
        int n = 7 * 13;
        int rows = 5, c = 11;
        long seed = 0x1234_5678_9ABCL;
        float p = 0.3f;
        Scalar step = Scalar.ofInt("step", 17);
        return List.of(
                OpCase.named("relu " + n).input("x", n).output("y", n)
                        .forward((g, v) -> Activation.reluForward(g, v.get("y"), v.get("x"), n))
                        .backward((g, v) -> Activation.reluBackward(g, v.grad("x"), v.grad("y"), v.get("x"), n))
                        .reference(in -> map1(in.get("x"), x -> Math.max(0, x))),
                OpCase.named("gelu " + n).input("x", n, OpCase.Init.normal(3)).output("y", n)
                        .forward((g, v) -> Activation.geluForward(g, v.get("y"), v.get("x"), n))
                        .backward((g, v) -> Activation.geluBackward(g, v.grad("x"), v.grad("y"), v.get("x"), n))
                        .reference(in -> map1(in.get("x"), Ref::gelu)),
                OpCase.named("tanh " + n).input("x", n, OpCase.Init.normal(2)).output("y", n)
                        .forward((g, v) -> Activation.tanhForward(g, v.get("y"), v.get("x"), n))
                        .backward((g, v) -> Activation.tanhBackward(g, v.grad("x"), v.grad("y"), v.get("y"), n))
                        .reference(in -> map1(in.get("x"), Math::tanh)),
                OpCase.named("mfm " + rows + "x2·" + c).input("x", rows * 2 * c).output("y", rows * c)
                        .forward((g, v) -> Activation.mfmForward(g, v.get("y"), v.get("x"), rows, c))
                        .backward((g, v) -> Activation.mfmBackward(g, v.grad("x"), v.grad("y"), v.get("x"), rows, c))
                        .reference(in -> {
                            double[] x = in.get("x"), y = new double[rows * c];
                            for (int r = 0; r < rows; r++)
                                for (int j = 0; j < c; j++) y[r * c + j] = Math.max(x[r * 2 * c + j], x[r * 2 * c + c + j]);
                            return Map.of("y", y);
                        }),
                OpCase.named("dropout p" + p + " " + n).input("x", n).output("y", n)
                        .forward((g, v) -> Activation.dropoutForward(g, v.get("y"), v.get("x"), n, p, seed, step, 3))
                        .backward((g, v) -> Activation.dropoutBackward(g, v.grad("x"), v.grad("y"), n, p, seed, step, 3))
                        .reference(in -> {
                            double[] x = in.get("x"), y = new double[n];
                            for (int i = 0; i < n; i++) {
                                boolean keep = Activation.dropoutKeeps(i, p, 17, 3, seed);
                                y[i] = keep ? x[i] / (1 - (double) p) : 0;
                            }
                            return Map.of("y", y);
                        }));
    }
}
