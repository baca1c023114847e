package org.voxkd.bench;

import java.util.ArrayList;
import java.util.List;
import org.voxkd.engine.Scalar;
import org.voxkd.engine.View;
import org.voxkd.kernels.Activation;
import org.voxkd.kernels.Conv1d;
import org.voxkd.kernels.Linear;
import org.voxkd.kernels.Lstm;
import org.voxkd.kernels.Norm;
import org.voxkd.kernels.Pooling;

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
                .forward((gr, v) -> Activation.mfmForward(gr, v.get("y"), v.get("x"), rows, eh))
                .backward((gr, v) -> Activation.mfmBackward(gr, v.get("dx"), v.get("dy"), v.get("x"), rows, eh)));
        int m = 80, g = 4; // mels and groups of the student
        out.add(new OpBench("conv3 (stem)", rs + "×" + m + "→" + h).tensor("x", rows * m).tensor("col", rows * 3 * m).tensor("w", h * m * 3)
                .tensor("y", rows * h).tensor("dw", h * m * 3).tensor("dy", rows * h).flops(2.0 * rows * 3 * m * h / 1e9, 2.0 * rows * 3 * m * h / 1e9)
                .forward((gr, v) -> Conv1d.conv3Forward(gr, v.get("y"), v.get("col"), v.get("x"), v.get("w"), null, b, t, m, h))
                .backward((gr, v) -> Conv1d.conv3Backward(gr, null, v.get("dw"), null, null, v.get("dy"), v.get("col"), v.get("w"), b, t, m, h)));
        out.add(new OpBench("depthwise3", rs + "×" + h).tensor("x", rows * h).tensor("w", h * 3).tensor("y", rows * h)
                .tensor("dx", rows * h).tensor("dw", h * 3).tensor("dy", rows * h)
                .forward((gr, v) -> Conv1d.depthwiseForward(gr, v.get("y"), v.get("x"), v.get("w"), b, t, h))
                .backward((gr, v) -> Conv1d.depthwiseBackward(gr, v.get("dx"), v.get("dw"), v.get("dy"), v.get("x"), v.get("w"), b, t, h)));
        double gpFlop = 2.0 * rows * h * eh / g / 1e9;
        out.add(new OpBench("grouped 1x1", rs + "×" + h + "→" + eh + " G" + g).tensor("x", rows * h).tensor("w", eh * h / g).tensor("b", eh)
                .tensor("y", rows * eh).tensor("dx", rows * h).tensor("dw", eh * h / g).tensor("db", eh).tensor("dy", rows * eh)
                .flops(gpFlop, 2 * gpFlop)
                .forward((gr, v) -> Conv1d.groupedPointwiseForward(gr, v.get("y"), v.get("x"), v.get("w"), v.get("b"), rows, h, eh, g))
                .backward((gr, v) -> Conv1d.groupedPointwiseBackward(gr, v.get("dx"), v.get("dw"), v.get("db"), v.get("dy"), v.get("x"), v.get("w"), rows, h, eh, g)));
        out.add(new OpBench("batchnorm", rs + "×" + h).tensor("x", rows * h).tensor("y", rows * h).tensor("mean", h).tensor("rstd", h)
                .tensor("rm", h).tensor("rv", h).tensor("gamma", h).tensor("beta", h).tensor("dx", rows * h).tensor("dg", h).tensor("db", h).tensor("dy", rows * h)
                .forward((gr, v) -> Norm.batchNormForward(gr, v.get("y"), v.get("mean"), v.get("rstd"), v.get("rm"), v.get("rv"), v.get("x"), v.get("gamma"), v.get("beta"), rows, h))
                .backward((gr, v) -> Norm.batchNormBackward(gr, v.get("dx"), v.get("dg"), v.get("db"), v.get("dy"), v.get("x"), v.get("mean"), v.get("rstd"), v.get("gamma"), rows, h)));
        out.add(new OpBench("layernorm", rs + "×" + h).tensor("x", rows * h).tensor("y", rows * h).tensor("mean", rows).tensor("rstd", rows)
                .tensor("gamma", h).tensor("beta", h).tensor("dx", rows * h).tensor("dg", h).tensor("db", h).tensor("dy", rows * h)
                .forward((gr, v) -> Norm.layerNormForward(gr, v.get("y"), v.get("mean"), v.get("rstd"), v.get("x"), v.get("gamma"), v.get("beta"), rows, h))
                .backward((gr, v) -> Norm.layerNormBackward(gr, v.get("dx"), v.get("dg"), v.get("db"), v.get("dy"), v.get("x"), v.get("mean"), v.get("rstd"), v.get("gamma"), rows, h)));
        out.add(new OpBench("softmax_time", rs + "×" + h).tensor("x", rows * h).tensor("w", rows * h).tensor("dx", rows * h).tensor("dw", rows * h)
                .forward((gr, v) -> Pooling.softmaxTimeForward(gr, v.get("w"), v.get("x"), b, t, h))
                .backward((gr, v) -> Pooling.softmaxTimeBackward(gr, v.get("dx"), v.get("dw"), v.get("w"), b, t, h)));
        out.add(new OpBench("attn_stats", rs + "×" + h + "→2·" + h).tensor("x", rows * h).tensor("w", rows * h).tensor("y", b * 2 * h)
                .tensor("dx", rows * h).tensor("dw", rows * h).tensor("dy", b * 2 * h)
                .forward((gr, v) -> Pooling.statsForward(gr, v.get("y"), v.get("x"), v.get("w"), b, t, h, Pooling.Attention.CHANNEL))
                .backward((gr, v) -> Pooling.statsBackward(gr, v.get("dx"), v.get("dw"), v.get("dy"), v.get("x"), v.get("w"), b, t, h, Pooling.Attention.CHANNEL)));
        Scalar step = Scalar.ofInt("step", 1);
        out.add(new OpBench("dropout 0.1", rs + "×" + eh).tensor("x", rows * eh).tensor("y", rows * eh)
                .tensor("dx", rows * eh).tensor("dy", rows * eh)
                .forward((gr, v) -> Activation.dropoutForward(gr, v.get("y"), v.get("x"), rows * eh, 0.1f, 7, step, 1))
                .backward((gr, v) -> Activation.dropoutBackward(gr, v.get("dx"), v.get("dy"), rows * eh, 0.1f, 7, step, 1)));
        return out;
    }

    /** One bidirectional LSTM layer at the teacher's shapes (batch {@code b}, frames {@code t}, input {@code in}, hidden {@code h}). */
    public static OpBench lstmLayer(int b, int t, int in, int h) {
        int rows = b * t;
        double gflop = 2 * 2.0 * rows * 4 * h * (in + h) / 1e9;
        return new OpBench("bilstm layer", b + "×" + t + "×" + in + "→2·" + h).tensor("x", rows * in).tensor("y", rows * 2 * h)
                .tensor("gates", Lstm.gatesSize(b, t, h)).tensor("cells", Lstm.stateSize(b, t, h)).tensor("hprev", Lstm.stateSize(b, t, h))
                .tensor("wih", 2 * 4 * h * in).tensor("whh", 2 * 4 * h * h).tensor("bih", 2 * 4 * h).tensor("bhh", 2 * 4 * h)
                .tensor("dx", rows * in).tensor("dwih", 2 * 4 * h * in).tensor("dwhh", 2 * 4 * h * h).tensor("dbih", 2 * 4 * h).tensor("dbhh", 2 * 4 * h)
                .tensor("dy", rows * 2 * h).tensor("scratch", Lstm.scratchSize(b, t, h))
                .flops(gflop, 2 * gflop)
                .forward((g, v) -> Lstm.lstmLayerForward(g, v.get("y"), v.get("gates"), v.get("cells"), v.get("hprev"), v.get("x"),
                        lstmParams(v, "", 0, in, h), lstmParams(v, "", 1, in, h), b, t, in, h))
                .backward((g, v) -> Lstm.lstmLayerBackward(g, v.get("dx"), lstmParams(v, "d", 0, in, h), lstmParams(v, "d", 1, in, h), v.get("scratch"),
                        v.get("dy"), v.get("x"), v.get("gates"), v.get("cells"), v.get("hprev"), lstmParams(v, "", 0, in, h), lstmParams(v, "", 1, in, h), b, t, in, h));
    }

    private static Lstm.Params lstmParams(java.util.Map<String, View> v, String p, int dir, int in, int h) {
        int g4 = 4 * h;
        return new Lstm.Params(v.get(p + "wih").slice(dir * g4 * in, g4 * in), v.get(p + "whh").slice(dir * g4 * h, g4 * h),
                v.get(p + "bih").slice(dir * g4, g4), v.get(p + "bhh").slice(dir * g4, g4));
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
