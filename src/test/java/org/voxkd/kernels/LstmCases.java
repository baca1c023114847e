package org.voxkd.kernels;

import java.util.List;
import java.util.Map;
import org.voxkd.engine.TaskGraph;
import org.voxkd.engine.View;

/** Op cases of the bidirectional LSTM: one layer, and a two-layer stack, against a float64 PyTorch-equation reference. */
public final class LstmCases {
    private LstmCases() {}

    private static final String[] DIRECTIONS = {"f", "r"};

    private static double sigmoid(double v) { return 1 / (1 + Math.exp(-v)); }

    /**
     * Float64 bidirectional layer, straight from PyTorch's documentation: i = σ(W_ii x + b_ii + W_hi h + b_hi),
     * f, g (tanh), o likewise; c' = f⊙c + i⊙g; h' = o⊙tanh(c'); zero initial states; y = [h_fwd | h_rev].
     */
    static double[] layer(Map<String, double[]> in, String prefix, double[] x, int batch, int t, int inCh, int h) {
        double[] y = new double[batch * t * 2 * h];
        for (int d = 0; d < 2; d++) {
            String p = prefix + DIRECTIONS[d];
            double[] wih = in.get(p + "wih"), whh = in.get(p + "whh"), bih = in.get(p + "bih"), bhh = in.get(p + "bhh");
            for (int b = 0; b < batch; b++) {
                double[] hs = new double[h], cs = new double[h];
                for (int s = 0; s < t; s++) {
                    int tt = d == 0 ? s : t - 1 - s;
                    double[] pre = new double[4 * h];
                    for (int k = 0; k < 4 * h; k++) {
                        double v = bih[k] + bhh[k];
                        for (int q = 0; q < inCh; q++) v += wih[k * inCh + q] * x[(b * t + tt) * inCh + q];
                        for (int q = 0; q < h; q++) v += whh[k * h + q] * hs[q];
                        pre[k] = v;
                    }
                    for (int j = 0; j < h; j++) {
                        double i = sigmoid(pre[j]), f = sigmoid(pre[h + j]), g = Math.tanh(pre[2 * h + j]), o = sigmoid(pre[3 * h + j]);
                        cs[j] = f * cs[j] + i * g;
                        hs[j] = o * Math.tanh(cs[j]);
                        y[(b * t + tt) * 2 * h + d * h + j] = hs[j];
                    }
                }
            }
        }
        return y;
    }

    /** Declares the weights of layer {@code prefix} (both directions). */
    private static OpCase weights(OpCase c, String prefix, int inCh, int h) {
        for (String d : DIRECTIONS)
            c.input(prefix + d + "wih", 4 * h * inCh, OpCase.Init.normal(0.5)).input(prefix + d + "whh", 4 * h * h, OpCase.Init.normal(0.5))
                    .input(prefix + d + "bih", 4 * h, OpCase.Init.normal(0.3)).input(prefix + d + "bhh", 4 * h, OpCase.Init.normal(0.3));
        return c;
    }

    private static Lstm.Params params(OpCase.Views v, String p) {
        return new Lstm.Params(v.get(p + "wih"), v.get(p + "whh"), v.get(p + "bih"), v.get(p + "bhh"));
    }

    private static Lstm.Params grads(OpCase.Views v, String p) {
        return new Lstm.Params(v.grad(p + "wih"), v.grad(p + "whh"), v.grad(p + "bih"), v.grad(p + "bhh"));
    }

    /** Saved views of layer {@code l}. */
    private static OpCase saved(OpCase c, String l, int batch, int t, int h) {
        return c.scratch("gates" + l, Lstm.gatesSize(batch, t, h)).scratch("cells" + l, Lstm.stateSize(batch, t, h))
                .scratch("hprev" + l, Lstm.stateSize(batch, t, h));
    }

    private static void forward(TaskGraph g, OpCase.Views v, String l, String y, String x, int batch, int t, int in, int h) {
        Lstm.lstmLayerForward(g, v.get(y), v.get("gates" + l), v.get("cells" + l), v.get("hprev" + l), v.get(x),
                params(v, "l" + l + "f"), params(v, "l" + l + "r"), batch, t, in, h);
    }

    private static void backward(TaskGraph g, OpCase.Views v, String l, View dx,
                                 View dy, String x, int batch, int t, int in, int h) {
        Lstm.lstmLayerBackward(g, dx, grads(v, "l" + l + "f"), grads(v, "l" + l + "r"), v.get("scratch"), dy, v.get(x),
                v.get("gates" + l), v.get("cells" + l), v.get("hprev" + l), params(v, "l" + l + "f"), params(v, "l" + l + "r"),
                batch, t, in, h);
    }

    public static List<OpCase> cases() {
        int batch = 2, t = 5, in = 3, h = 4, rows = batch * t;
        OpCase one = weights(OpCase.named("lstm bidirectional layer B2 T5 In3 H4").input("x", rows * in), "l0", in, h)
                .output("y", rows * 2 * h).scratch("scratch", Lstm.scratchSize(batch, t, h));
        saved(one, "0", batch, t, h)
                .forward((g, v) -> forward(g, v, "0", "y", "x", batch, t, in, h))
                .backward((g, v) -> backward(g, v, "0", v.grad("x"), v.grad("y"), "x", batch, t, in, h))
                .reference(m -> Map.of("y", layer(m, "l0", m.get("x"), batch, t, in, h)));

        OpCase stack = weights(weights(OpCase.named("lstm 2-layer stack B2 T5 In3 H4").input("x", rows * in), "l0", in, h), "l1", 2 * h, h)
                .output("y", rows * 2 * h).scratch("y0", rows * 2 * h).scratch("dy0", rows * 2 * h)
                .scratch("scratch", Lstm.scratchSize(batch, t, h));
        saved(saved(stack, "0", batch, t, h), "1", batch, t, h)
                .forward((g, v) -> {
                    forward(g, v, "0", "y0", "x", batch, t, in, h);
                    forward(g, v, "1", "y", "y0", batch, t, 2 * h, h);
                })
                .backward((g, v) -> {
                    Tensor.fill(g, v.get("dy0"), 0f); // the layer backward accumulates into dx
                    backward(g, v, "1", v.get("dy0"), v.grad("y"), "y0", batch, t, 2 * h, h);
                    backward(g, v, "0", v.grad("x"), v.get("dy0"), "x", batch, t, in, h);
                })
                .reference(m -> Map.of("y", layer(m, "l1", layer(m, "l0", m.get("x"), batch, t, in, h), batch, t, 2 * h, h)));
        return List.of(one, stack);
    }
}
