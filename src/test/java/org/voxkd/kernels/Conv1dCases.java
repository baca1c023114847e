package org.voxkd.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Op cases of the conv1d family: dense and depthwise kernel-3 convolutions, grouped pointwise convolution. */
public final class Conv1dCases {
    private Conv1dCases() {}

    /** Reference dense conv, kernel 3, padding 1, per batch item: y[b,t,o] = bias[o] + Σ_i Σ_k w[o,i,k]·x[b,t+k−1,i]. */
    static double[] conv3(double[] x, double[] w, double[] bias, int b, int t, int cin, int cout) {
        double[] y = new double[b * t * cout];
        for (int n = 0; n < b; n++)
            for (int s = 0; s < t; s++)
                for (int o = 0; o < cout; o++) {
                    double acc = bias == null ? 0 : bias[o];
                    for (int i = 0; i < cin; i++)
                        for (int k = 0; k < 3; k++) {
                            int u = s + k - 1;
                            if (u >= 0 && u < t) acc += w[(o * cin + i) * 3 + k] * x[(n * t + u) * cin + i];
                        }
                    y[(n * t + s) * cout + o] = acc;
                }
        return y;
    }

    static double[] depthwise(double[] x, double[] w, int b, int t, int c) {
        double[] y = new double[b * t * c];
        for (int n = 0; n < b; n++)
            for (int s = 0; s < t; s++)
                for (int j = 0; j < c; j++) {
                    double acc = 0;
                    for (int k = 0; k < 3; k++) {
                        int u = s + k - 1;
                        if (u >= 0 && u < t) acc += w[j * 3 + k] * x[(n * t + u) * c + j];
                    }
                    y[(n * t + s) * c + j] = acc;
                }
        return y;
    }

    /** Reference grouped 1×1 conv: output channel o of group p = o / (Cout/G) reads input channels of group p only. */
    static double[] grouped(double[] x, double[] w, double[] bias, int rows, int cin, int cout, int groups) {
        int gi = cin / groups, go = cout / groups;
        double[] y = new double[rows * cout];
        for (int r = 0; r < rows; r++)
            for (int o = 0; o < cout; o++) {
                int p = o / go;
                double acc = bias[o];
                for (int i = 0; i < gi; i++) acc += w[o * gi + i] * x[r * cin + p * gi + i];
                y[r * cout + o] = acc;
            }
        return y;
    }

    public static List<OpCase> cases() {
        List<OpCase> out = new ArrayList<>();
        out.add(conv3Case(3, 7, 5, 6, true, true));
        // T = 1: both neighbours are padding; no bias.
        out.add(conv3Case(4, 1, 3, 5, false, true));
        // Input without gradient (the stem reads features): dx and dcol are skipped.
        out.add(conv3Case(2, 9, 3, 7, true, false));
        out.add(depthwiseCase(3, 7, 5));
        out.add(depthwiseCase(2, 1, 3));
        out.add(depthwiseCase(1, 2, 7));
        out.add(groupedCase(21, 9, 12, 3));
        out.add(groupedCase(5, 5, 10, 5));
        return out;
    }

    private static OpCase conv3Case(int b, int t, int cin, int cout, boolean bias, boolean dx) {
        int rows = b * t;
        OpCase c = OpCase.named("conv3 B" + b + " T" + t + " " + cin + "→" + cout + (bias ? " bias" : "") + (dx ? "" : " no dx"));
        if (dx) c.input("x", rows * cin);
        else c.constant("x", rows * cin, OpCase.Init.normal(1));
        c.input("w", cout * cin * 3, OpCase.Init.normal(0.4));
        if (bias) c.input("b", cout);
        return c.scratch("col", rows * cin * 3).scratch("dcol", rows * cin * 3).output("y", rows * cout)
                .forward((g, v) -> Conv1d.conv3Forward(g, v.get("y"), v.get("col"), v.get("x"), v.get("w"), bias ? v.get("b") : null, b, t, cin, cout))
                .backward((g, v) -> Conv1d.conv3Backward(g, dx ? v.grad("x") : null, v.grad("w"), bias ? v.grad("b") : null,
                        dx ? v.get("dcol") : null, v.grad("y"), v.get("col"), v.get("w"), b, t, cin, cout))
                .reference(in -> Map.of("y", conv3(in.get("x"), in.get("w"), bias ? in.get("b") : null, b, t, cin, cout)));
    }

    private static OpCase depthwiseCase(int b, int t, int ch) {
        int n = b * t * ch;
        return OpCase.named("depthwise3 B" + b + " T" + t + " C" + ch)
                .input("x", n).input("w", ch * 3, OpCase.Init.normal(0.7)).output("y", n)
                .forward((g, v) -> Conv1d.depthwiseForward(g, v.get("y"), v.get("x"), v.get("w"), b, t, ch))
                .backward((g, v) -> Conv1d.depthwiseBackward(g, v.grad("x"), v.grad("w"), v.grad("y"), v.get("x"), v.get("w"), b, t, ch))
                .reference(in -> Map.of("y", depthwise(in.get("x"), in.get("w"), b, t, ch)));
    }

    private static OpCase groupedCase(int rows, int cin, int cout, int groups) {
        return OpCase.named("grouped pointwise " + rows + "x" + cin + "→" + cout + " G" + groups)
                .input("x", rows * cin).input("w", cout * (cin / groups), OpCase.Init.normal(0.5)).input("b", cout).output("y", rows * cout)
                .forward((g, v) -> Conv1d.groupedPointwiseForward(g, v.get("y"), v.get("x"), v.get("w"), v.get("b"), rows, cin, cout, groups))
                .backward((g, v) -> Conv1d.groupedPointwiseBackward(g, v.grad("x"), v.grad("w"), v.grad("b"), v.grad("y"), v.get("x"), v.get("w"),
                        rows, cin, cout, groups))
                .reference(in -> Map.of("y", grouped(in.get("x"), in.get("w"), in.get("b"), rows, cin, cout, groups)));
    }
}
