package org.voxkd.export;

import static org.voxkd.export.OnnxGraph.in;

import org.voxkd.export.OnnxGraph.Attr;

/**
 * How an exported graph stores its weights and computes its affine layers (the only layers that quantization
 * changes). {@link OnnxModels} describes each network once through this interface; each {@link Variant} is one
 * implementation. Weights arrive in PyTorch's layouts: Linear [N, K], Conv1d [O, C/groups, kernel].
 */
public abstract class Arithmetic {
    /** A float parameter tensor (LayerNorm affine, biases …) as the graph consumes it: a float32 tensor name. */
    public abstract String param(OnnxGraph g, String name, float[] v, int... shape);

    /** {@code y[…, N] = x[…, K]·Wᵀ + b} for {@code w} [N, K] and bias {@code b} [N] (never null here). */
    public abstract String linear(OnnxGraph g, String name, String x, float[] w, float[] b, int n, int k);

    /** Conv1d over {@code x} [B, C, T], weight [out, inPerGroup, kernel], padding (kernel − 1)/2, bias (may be null). */
    public abstract String conv(OnnxGraph g, String name, String x, float[] w, float[] b, int out, int inPerGroup, int kernel, int group);

    /** One LSTM weight input (W or R): {@code w} [dirs, rows, cols] in ONNX's gate order, as a float32 tensor name. */
    public abstract String lstmWeight(OnnxGraph g, String name, float[] w, int dirs, int rows, int cols);

    /** Called once the network is complete (a probe adds its graph outputs here). */
    public void finish(OnnxGraph g) {}

    /** Linear [N, K] → MatMul's [K, N]. */
    static float[] transpose(float[] w, int n, int k) {
        float[] t = new float[w.length];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < k; j++) t[j * n + i] = w[i * k + j];
        return t;
    }

    static Attr[] convAttrs(int kernel, int group) {
        int pad = (kernel - 1) / 2;
        return new Attr[] {Attr.ints("kernel_shape", kernel), Attr.ints("pads", pad, pad), Attr.i("group", group)};
    }

    /** float32 weights and arithmetic: what voxkd computes. {@link #param} is the one place weights are stored. */
    public static class Fp32 extends Arithmetic {
        @Override public String param(OnnxGraph g, String name, float[] v, int... shape) { return g.floats(name, v, shape); }

        @Override public String linear(OnnxGraph g, String name, String x, float[] w, float[] b, int n, int k) {
            String y = g.node(name, "MatMul", in(x, param(g, name + ".weight", transpose(w, n, k), k, n)));
            return g.node(name, "Add", in(y, param(g, name + ".bias", b, n)));
        }

        @Override public String conv(OnnxGraph g, String name, String x, float[] w, float[] b, int out, int inPerGroup, int kernel, int group) {
            String wt = param(g, name + ".weight", w, out, inPerGroup, kernel);
            return g.node(name, "Conv", b == null ? in(x, wt) : in(x, wt, param(g, name + ".bias", b, out)), convAttrs(kernel, group));
        }

        @Override public String lstmWeight(OnnxGraph g, String name, float[] w, int dirs, int rows, int cols) {
            return param(g, name, w, dirs, rows, cols);
        }
    }

    /**
     * float16 storage, float32 arithmetic: every float parameter is stored as float16 and Cast to float32 in the
     * graph (ONNX Runtime folds the casts when it loads the model). Half the size; the input and output stay float32.
     */
    public static final class Fp16Weights extends Fp32 {
        @Override public String param(OnnxGraph g, String name, float[] v, int... shape) {
            return g.node(name, "Cast", in(g.halfs(name, v, shape)), Attr.i("to", OnnxGraph.FLOAT));
        }
    }
}
