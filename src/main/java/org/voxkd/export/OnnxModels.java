package org.voxkd.export;

import static org.voxkd.export.OnnxGraph.in;

import java.util.Arrays;
import java.util.Map;
import org.voxkd.export.OnnxGraph.Attr;
import org.voxkd.export.proto.Onnx;
import org.voxkd.kernels.Norm;
import org.voxkd.nn.NamedTensors;
import org.voxkd.nn.SpeakerModel;
import org.voxkd.nn.Student;
import org.voxkd.nn.StudentConfig;
import org.voxkd.nn.Teacher;
import org.voxkd.nn.TeacherConfig;

/**
 * voxkd's two networks in inference mode as ONNX graphs of standard operators (opset {@value OnnxGraph#OPSET}).
 * Input {@value #INPUT}: normalised log-mel features {@code [batch, mels, frames]} (channel-first, as PyTorch's
 * Conv1d takes them; voxkd's own layout is [B, T, C]), both axes dynamic. Output {@value #OUTPUT}:
 * {@code [batch, D]}, the embedding as voxkd's model gives it (not L2-normalised).
 *
 * <p>Every BatchNorm (inference statistics) is folded into the convolution or linear layer before it:
 * {@code W' = W·γ/√(var + ε)}, {@code b' = (b − mean)·γ/√(var + ε) + β} — what ONNX Runtime would do at load, done
 * once here so that quantization sees the folded weights. Layout inside the graph: the student's stem and the
 * depthwise + grouped pointwise branch run channel-first (Conv), the rest channel-last [B, T, C] (MatMul,
 * LayerNormalization over the last axis), with one Transpose each way per block; MFM is the Max of two
 * half-width linears (fc1's two output halves). The teacher's BiLSTM is ONNX's
 * LSTM (time-major), with the gate blocks reordered from PyTorch's i, f, g, o to ONNX's i, o, f, c and the two
 * bias vectors concatenated. Dropout is absent (inference).
 */
public final class OnnxModels {
    public static final String INPUT = "features", OUTPUT = "embedding";

    private OnnxModels() {}

    /** The graph of {@code model} with {@code tensors} (PyTorch names, as {@link NamedTensors#unpack} gives them). */
    public static OnnxGraph graph(SpeakerModel model, Map<String, NamedTensors.Tensor> tensors, Arithmetic a) {
        OnnxGraph g = new OnnxGraph("voxkd-" + model.kind());
        String x = g.input(INPUT, Onnx.TensorProto.DataType.FLOAT, "batch", model.mels(), "frames");
        Weights w = new Weights(tensors);
        String y = switch (model) {
            case Student s -> student(g, a, w, s.config(), x);
            case Teacher t -> teacher(g, a, w, t.config(), x);
            default -> throw new IllegalArgumentException("no ONNX export for model kind " + model.kind());
        };
        g.nodeTo(OUTPUT, OUTPUT, "Identity", in(y));
        g.output(OUTPUT, Onnx.TensorProto.DataType.FLOAT, "batch", model.embeddingSize());
        a.finish(g);
        return g;
    }

    /** Read access to the checkpoint's tensors by PyTorch name, with the BatchNorm folds. */
    static final class Weights {
        private final Map<String, NamedTensors.Tensor> t;

        Weights(Map<String, NamedTensors.Tensor> t) { this.t = t; }

        float[] get(String name) {
            NamedTensors.Tensor v = t.get(name);
            if (v == null) throw new IllegalArgumentException("the model has no tensor " + name);
            return v.data();
        }

        /**
         * Weight [O, …] and bias [O] of affine layer {@code layer} (bias null: none) with BatchNorm {@code bn} folded in.
         */
        float[][] folded(String layer, boolean hasBias, String bn) {
            float[] w = get(layer + ".weight").clone(), gamma = get(bn + ".weight"), beta = get(bn + ".bias");
            float[] mean = get(bn + ".running_mean"), var = get(bn + ".running_var");
            float[] b = hasBias ? get(layer + ".bias") : null;
            int o = gamma.length, per = w.length / o;
            float[] bias = new float[o];
            for (int c = 0; c < o; c++) {
                double s = gamma[c] / Math.sqrt((double) var[c] + Norm.EPS);
                for (int i = 0; i < per; i++) w[c * per + i] = (float) (w[c * per + i] * s);
                bias[c] = (float) (((b == null ? 0 : b[c]) - mean[c]) * s + beta[c]);
            }
            return new float[][] {w, bias};
        }
    }

    // ---- shared pieces ----

    static String layerNorm(OnnxGraph g, Arithmetic a, Weights w, String name, String x, int c) {
        return g.node(name, "LayerNormalization", in(x, a.param(g, name + ".weight", w.get(name + ".weight"), c),
                a.param(g, name + ".bias", w.get(name + ".bias"), c)), Attr.i("axis", -1), Attr.f("epsilon", Norm.EPS));
    }

    /** Exact GELU, 0.5·x·(1 + erf(x/√2)): the pattern ONNX Runtime fuses into one Gelu kernel. */
    static String gelu(OnnxGraph g, String name, String x) {
        String e = g.node(name, "Erf", in(g.node(name, "Div", in(x, g.scalar(name + ".sqrt2", (float) Math.sqrt(2))))));
        String h = g.node(name, "Mul", in(x, g.node(name, "Add", in(e, g.scalar(name + ".one", 1f)))));
        return g.node(name, "Mul", in(h, g.scalar(name + ".half", 0.5f)));
    }

    static String transpose(OnnxGraph g, String name, String x, long... perm) {
        return g.node(name, "Transpose", in(x), Attr.ints("perm", perm));
    }

    static String reduceSum(OnnxGraph g, String name, String x, long axis, boolean keep) {
        return g.node(name, "ReduceSum", in(x, g.longs(name + ".axes", axis)), Attr.i("keepdims", keep ? 1 : 0));
    }

    /** sqrt(max(v, 1e-5)): the variance floor of both pooling variants. */
    static String floorSqrt(OnnxGraph g, String name, String v) {
        return g.node(name, "Sqrt", in(g.node(name, "Max", in(v, g.scalar(name + ".floor", 1e-5f)))));
    }

    /** Linear + folded BatchNorm: the embedding layer of both models. */
    static String embeddingHead(OnnxGraph g, Arithmetic a, Weights w, String stats, int in, int d) {
        float[][] f = w.folded("fc", true, "bn");
        return a.linear(g, "fc", stats, f[0], f[1], d, in);
    }

    // ---- the student ----

    static String student(OnnxGraph g, Arithmetic a, Weights w, StudentConfig c, String input) {
        int m = c.mels(), h = c.hidden(), eh = c.expansion() * h, gr = c.groups();
        float[][] stem = w.folded("stem_conv", false, "stem_bn");
        String x = g.node("stem", "Relu", in(a.conv(g, "stem_conv", input, stem[0], stem[1], h, m, 3, 1)));
        x = transpose(g, "stem", x, 0, 2, 1); // [B, T, H] from here on, but for the channel-mixing convolutions
        for (int i = 0; i < c.blocks(); i++) {
            String p = "blocks." + i + ".";
            String ln1 = transpose(g, p + "ln1", layerNorm(g, a, w, p + "ln1", x, h), 0, 2, 1);
            float[][] dw = w.folded(p + "idconv", false, p + "idbn");
            String u = g.node(p + "idconv", "Add", in(ln1, a.conv(g, p + "idconv", ln1, dw[0], dw[1], h, 1, 3, h)));
            String g1 = gelu(g, p + "gp1", a.conv(g, p + "gp1", u, w.get(p + "gp1.weight"), w.get(p + "gp1.bias"), eh, h / gr, 1, gr));
            String gp2 = a.conv(g, p + "gp2", g1, w.get(p + "gp2.weight"), w.get(p + "gp2.bias"), h, eh / gr, 1, gr);
            x = g.node(p + "gp2", "Add", in(x, transpose(g, p + "gp2", gp2, 0, 2, 1)));
            // MFM as two half-width linears (fc1's first and second output halves) and their Max: no Split copy.
            String ln2 = layerNorm(g, a, w, p + "ln2", x, h);
            float[] w1 = w.get(p + "fc1.weight"), b1 = w.get(p + "fc1.bias");
            String lo = a.linear(g, p + "fc1.lo", ln2, Arrays.copyOfRange(w1, 0, eh * h), Arrays.copyOfRange(b1, 0, eh), eh, h);
            String hi = a.linear(g, p + "fc1.hi", ln2, Arrays.copyOfRange(w1, eh * h, 2 * eh * h), Arrays.copyOfRange(b1, eh, 2 * eh), eh, h);
            String g2 = gelu(g, p + "fc2", g.node(p + "mfm", "Max", in(lo, hi)));
            x = g.node(p + "fc2", "Add", in(x, a.linear(g, p + "fc2", g2, w.get(p + "fc2.weight"), w.get(p + "fc2.bias"), h, eh)));
        }
        String xn = layerNorm(g, a, w, "norm", x, h);
        // Channel-wise attention: a softmax over time per channel; mu = Σ w·x, sigma = sqrt(max(Σ w·x² − mu², 1e-5)).
        String hid = g.node("attn1", "Tanh", in(a.linear(g, "attn1", xn, w.get("attn1.weight"), w.get("attn1.bias"), h, h)));
        String wt = g.node("attn2", "Softmax", in(a.linear(g, "attn2", hid, w.get("attn2.weight"), w.get("attn2.bias"), h, h)), Attr.i("axis", 1));
        String wx = g.node("pool", "Mul", in(wt, xn));
        String mu = reduceSum(g, "pool.mu", wx, 1, false);
        String sq = reduceSum(g, "pool.sq", g.node("pool", "Mul", in(wx, xn)), 1, false);
        String sigma = floorSqrt(g, "pool.sigma", g.node("pool", "Sub", in(sq, g.node("pool", "Mul", in(mu, mu)))));
        String stats = g.node("pool", "Concat", in(mu, sigma), Attr.i("axis", 1));
        return embeddingHead(g, a, w, stats, 2 * h, c.embedding());
    }

    // ---- the teacher ----

    /** PyTorch's gate blocks i, f, g, o → ONNX's i, o, f, c (c is PyTorch's g): source block of each ONNX block. */
    static final int[] ONNX_GATE_FROM_TORCH = {0, 3, 1, 2};

    /** Reorders the four [H, cols] gate blocks of a PyTorch [4H, cols] tensor (cols 1 for biases) into ONNX order. */
    static void reorderGates(float[] src, float[] dst, int dstOffset, int h, int cols) {
        for (int blk = 0; blk < 4; blk++)
            System.arraycopy(src, ONNX_GATE_FROM_TORCH[blk] * h * cols, dst, dstOffset + blk * h * cols, h * cols);
    }

    static String teacher(OnnxGraph g, Arithmetic a, Weights w, TeacherConfig c, String input) {
        int[] ch = {c.mels(), c.channels(), c.channels(), c.latent()};
        int h = c.lstmHidden();
        String x = input;
        for (int i = 0; i < 3; i++) {
            float[][] f = w.folded("encoder." + i + ".conv", true, "encoder." + i + ".bn");
            x = g.node("encoder." + i, "Relu", in(a.conv(g, "encoder." + i + ".conv", x, f[0], f[1], ch[i + 1], ch[i], 3, 1)));
        }
        x = transpose(g, "lstm", x, 2, 0, 1); // [T, B, latent]: ONNX Runtime's LSTM is time-major
        String shape = g.longs("lstm.shape", 0, 0, -1);
        for (int l = 0; l < c.lstmLayers(); l++) {
            int in = l == 0 ? c.latent() : 2 * h;
            float[] wi = new float[2 * 4 * h * in], r = new float[2 * 4 * h * h], b = new float[2 * 8 * h];
            String[] dirs = {"", "_reverse"};
            for (int d = 0; d < 2; d++) {
                String s = "_l" + l + dirs[d];
                reorderGates(w.get("lstm.weight_ih" + s), wi, d * 4 * h * in, h, in);
                reorderGates(w.get("lstm.weight_hh" + s), r, d * 4 * h * h, h, h);
                reorderGates(w.get("lstm.bias_ih" + s), b, d * 8 * h, h, 1);
                reorderGates(w.get("lstm.bias_hh" + s), b, d * 8 * h + 4 * h, h, 1);
            }
            String name = "lstm.l" + l;
            String y = g.nodeN(name, "LSTM", "", 1, in(x, a.lstmWeight(g, name + ".W", wi, 2, 4 * h, in), a.lstmWeight(g, name + ".R", r, 2, 4 * h, h),
                    a.param(g, name + ".B", b, 2, 8 * h)), Attr.i("hidden_size", h), Attr.s("direction", "bidirectional"))[0];
            // Y [T, 2, B, H] → [T, B, 2H]: forward direction in channels 0..H−1, reverse in H..2H−1, as voxkd and PyTorch.
            x = g.node(name, "Reshape", in(transpose(g, name, y, 0, 2, 1, 3), shape));
        }
        String hs = layerNorm(g, a, w, "ln", transpose(g, "ln", x, 1, 0, 2), 2 * h); // [B, T, 2H]
        // Scalar attention per frame: w = softmax_t(fc2(tanh(fc1(h)))); mu = Σ w·h, sigma = sqrt(max(Σ w·(h − mu)², 1e-5)).
        String hid = g.node("attn_fc1", "Tanh", in(a.linear(g, "attn_fc1", hs, w.get("attn_fc1.weight"), w.get("attn_fc1.bias"), 2 * h, 2 * h)));
        String wt = g.node("attn_fc2", "Softmax", in(a.linear(g, "attn_fc2", hid, w.get("attn_fc2.weight"), w.get("attn_fc2.bias"), 1, 2 * h)),
                Attr.i("axis", 1));
        String muK = reduceSum(g, "pool.mu", g.node("pool", "Mul", in(wt, hs)), 1, true);
        String dev = g.node("pool", "Sub", in(hs, muK));
        String var = reduceSum(g, "pool.var", g.node("pool", "Mul", in(wt, g.node("pool", "Mul", in(dev, dev)))), 1, false);
        String mu = g.node("pool", "Squeeze", in(muK, g.longs("pool.squeeze", 1)));
        String stats = g.node("pool", "Concat", in(mu, floorSqrt(g, "pool.sigma", var)), Attr.i("axis", 1));
        return embeddingHead(g, a, w, stats, 4 * h, c.embedding());
    }
}
