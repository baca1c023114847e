package org.voxkd.export;

import static org.voxkd.export.OnnxGraph.in;

import java.util.LinkedHashMap;
import java.util.Map;
import org.voxkd.export.OnnxGraph.Attr;
import org.voxkd.export.proto.Onnx;

/**
 * The int8 arithmetics, and the float32 probe that calibrates one of them. Weights are int8, symmetric (zero point
 * 0), one scale per output channel, on a 7-bit grid: {@code s_c = max|w_c|/63}, {@code q = round(w/s_c)} in
 * [−63, 63] (ONNX Runtime's "reduce_range"). Why 7 bits: on x86 CPUs without VNNI (AVX2, AVX-512 without VNNI) ONNX
 * Runtime multiplies uint8 activations by int8 weights with an instruction whose int16 pair sums saturate at full
 * range; measured on this project's AVX2 machine, a reduced student's int8 embeddings had cosine 0.964 to float32
 * with 8-bit weights and 0.9999 with 7-bit ones. The file does not depend on the CPU that made it.
 * Activations are uint8, asymmetric, over a range that includes 0: {@code s = (hi − lo)/255}, {@code zp = round(−lo/s)}.
 * Parameters outside the affine layers (LayerNorm, biases of MatMuls) stay float32.
 */
public final class Quantized {
    /** Largest weight level: 7-bit weights (see above). */
    static final int WEIGHT_LEVELS = 63;

    private Quantized() {}

    // ---- the quantization arithmetic ----

    /** Per-channel symmetric int8 weights: {@code values} in the input's layout, one {@code scales} entry per channel. */
    record Int8(byte[] values, float[] scales) {}

    /**
     * Quantizes {@code w} with one scale per index along {@code axis} of a tensor of {@code shape} (row-major).
     */
    static Int8 perChannel(float[] w, int[] shape, int axis) {
        int channels = shape[axis], inner = 1;
        for (int i = axis + 1; i < shape.length; i++) inner *= shape[i];
        float[] max = new float[channels];
        for (int i = 0; i < w.length; i++) {
            int c = (i / inner) % channels;
            max[c] = Math.max(max[c], Math.abs(w[i]));
        }
        float[] scales = new float[channels];
        for (int c = 0; c < channels; c++) scales[c] = max[c] > 0 ? max[c] / WEIGHT_LEVELS : 1f;
        byte[] q = new byte[w.length];
        for (int i = 0; i < w.length; i++) q[i] = (byte) Math.max(-WEIGHT_LEVELS, Math.min(WEIGHT_LEVELS, Math.round(w[i] / scales[(i / inner) % channels])));
        return new Int8(q, scales);
    }

    /** uint8 activation quantization of a calibrated range [lo, hi]: {scale, zero point}. */
    static float[] uint8Params(float lo, float hi) {
        if (!(Float.isFinite(lo) && Float.isFinite(hi) && lo <= hi)) throw new IllegalArgumentException("bad calibration range [" + lo + ", " + hi + "]");
        double l = Math.min(lo, 0), h = Math.max(hi, 0);
        double scale = h > l ? (h - l) / 255 : 1;
        long zp = Math.max(0, Math.min(255, Math.round(-l / scale)));
        return new float[] {(float) scale, zp};
    }

    static String int8Weight(OnnxGraph g, String name, float[] w, int[] shape, int axis) {
        return int8Weight(g, name, perChannel(w, shape, axis), shape, axis);
    }

    /** DequantizeLinear of stored int8 weights {@code q} (per channel along {@code axis}). */
    static String int8Weight(OnnxGraph g, String name, Int8 q, int[] shape, int axis) {
        return g.node(name, "DequantizeLinear", in(g.int8s(name, q.values(), shape), g.floats(name + ".scale", q.scales(), q.scales().length),
                g.int8s(name + ".zero_point", new byte[q.scales().length], q.scales().length)), Attr.i("axis", axis));
    }

    /** An LSTM weight [dirs, rows, cols], int8 per (direction, row), dequantized in the graph: storage only. */
    static String int8LstmWeight(OnnxGraph g, String name, float[] w, int dirs, int rows, int cols) {
        String flat = int8Weight(g, name, w, new int[] {dirs * rows, cols}, 0);
        return g.node(name, "Reshape", in(flat, g.longs(name + ".shape", dirs, rows, cols)));
    }

    // ---- calibration probe ----

    /** The tensors a calibration must see: each affine layer's input ({@code name.in}) and each convolution's output ({@code name.out}). */
    public static final class Probe extends Arithmetic.Fp32 {
        private final Map<String, String> tensors = new LinkedHashMap<>();

        /** Probe key → tensor name in the graph. */
        public Map<String, String> tensors() { return tensors; }

        @Override public String linear(OnnxGraph g, String name, String x, float[] w, float[] b, int n, int k) {
            tensors.put(name + ".in", x);
            return super.linear(g, name, x, w, b, n, k);
        }

        @Override public String conv(OnnxGraph g, String name, String x, float[] w, float[] b, int out, int inPerGroup, int kernel, int group) {
            tensors.put(name + ".in", x);
            String y = super.conv(g, name, x, w, b, out, inPerGroup, kernel, group);
            tensors.put(name + ".out", y);
            return y;
        }

        @Override public void finish(OnnxGraph g) {
            for (String t : new java.util.LinkedHashSet<>(tensors.values())) g.output(t, Onnx.TensorProto.DataType.FLOAT);
        }
    }

    // ---- static (QDQ) ----

    /**
     * Post-training static quantization in QDQ form: QuantizeLinear → DequantizeLinear on every affine layer's input
     * (calibrated range), DequantizeLinear on its int8 per-channel weight; convolutions also get an int32 bias
     * ({@code scale = s_x·s_w}) and a quantized output, the pattern ONNX Runtime turns into QLinearConv; a MatMul
     * without a quantized output becomes MatMulIntegerToFloat. LSTM weights are stored int8 and dequantized (the
     * recurrence runs in float32: no standard int8 LSTM exists).
     */
    public static final class Static extends Arithmetic.Fp32 {
        private final Map<String, float[]> ranges;

        /** {@code ranges}: probe key ({@link Probe}) → {min, max} over the calibration crops. */
        public Static(Map<String, float[]> ranges) { this.ranges = ranges; }

        private float[] range(String key) {
            float[] r = ranges.get(key);
            if (r == null) throw new IllegalArgumentException("no calibration range for " + key);
            return uint8Params(r[0], r[1]);
        }

        private String qdq(OnnxGraph g, String name, String x, float[] p) {
            String s = g.scalar(name + ".scale", p[0]), zp = g.uint8s(name + ".zero_point", new byte[] {(byte) (int) p[1]});
            return g.node(name, "DequantizeLinear", in(g.node(name, "QuantizeLinear", in(x, s, zp)), s, zp));
        }

        @Override public String linear(OnnxGraph g, String name, String x, float[] w, float[] b, int n, int k) {
            String xq = qdq(g, name + ".in", x, range(name + ".in"));
            String y = g.node(name, "MatMul", in(xq, int8Weight(g, name + ".weight", transpose(w, n, k), new int[] {k, n}, 1)));
            return g.node(name, "Add", in(y, param(g, name + ".bias", b, n)));
        }

        @Override public String conv(OnnxGraph g, String name, String x, float[] w, float[] b, int out, int inPerGroup, int kernel, int group) {
            float[] px = range(name + ".in");
            String xq = qdq(g, name + ".in", x, px);
            int[] shape = {out, inPerGroup, kernel};
            Int8 q = perChannel(w, shape, 0);
            String wt = int8Weight(g, name + ".weight", q, shape, 0);
            String[] inputs = {xq, wt};
            if (b != null) {
                int[] bq = new int[out];
                float[] bs = new float[out];
                for (int c = 0; c < out; c++) {
                    bs[c] = px[0] * q.scales()[c];
                    bq[c] = (int) Math.max(Integer.MIN_VALUE + 1L, Math.min(Integer.MAX_VALUE, Math.round((double) b[c] / bs[c])));
                }
                inputs = in(xq, wt, g.node(name + ".bias", "DequantizeLinear", in(g.int32s(name + ".bias", bq, out), g.floats(name + ".bias.scale", bs, out),
                        g.int32s(name + ".bias.zero_point", new int[out], out)), Attr.i("axis", 0)));
            }
            String y = g.node(name, "Conv", inputs, convAttrs(kernel, group));
            return qdq(g, name + ".out", y, range(name + ".out"));
        }

        @Override public String lstmWeight(OnnxGraph g, String name, float[] w, int dirs, int rows, int cols) {
            return int8LstmWeight(g, name, w, dirs, rows, cols);
        }
    }

    // ---- dynamic ----

    /**
     * Dynamic quantization: int8 per-channel weights; each MatMul's input is quantized at run time
     * (DynamicQuantizeLinear: uint8 over the tensor's own range) and multiplied in integers (MatMulInteger), then
     * rescaled by {@code s_x·s_w} — the pattern ONNX Runtime fuses into DynamicQuantizeMatMul. Convolutions keep
     * float32 arithmetic on int8-stored weights (DequantizeLinear), as do LSTM weights. No calibration.
     */
    public static final class Dynamic extends Arithmetic.Fp32 {
        @Override public String linear(OnnxGraph g, String name, String x, float[] w, float[] b, int n, int k) {
            Int8 q = perChannel(transpose(w, n, k), new int[] {k, n}, 1);
            String[] xq = g.nodeN(name, "DynamicQuantizeLinear", "", 3, in(x));
            String y = g.node(name, "MatMulInteger", in(xq[0], g.int8s(name + ".weight", q.values(), k, n), xq[2],
                    g.int8s(name + ".weight.zero_point", new byte[n], n)));
            String scale = g.node(name, "Mul", in(xq[1], g.floats(name + ".weight.scale", q.scales(), n)));
            String yf = g.node(name, "Mul", in(g.node(name, "Cast", in(y), Attr.i("to", OnnxGraph.FLOAT)), scale));
            return g.node(name, "Add", in(yf, param(g, name + ".bias", b, n)));
        }

        @Override public String conv(OnnxGraph g, String name, String x, float[] w, float[] b, int out, int inPerGroup, int kernel, int group) {
            String wt = int8Weight(g, name + ".weight", w, new int[] {out, inPerGroup, kernel}, 0);
            return g.node(name, "Conv", b == null ? in(x, wt) : in(x, wt, param(g, name + ".bias", b, out)), convAttrs(kernel, group));
        }

        @Override public String lstmWeight(OnnxGraph g, String name, float[] w, int dirs, int rows, int cols) {
            return int8LstmWeight(g, name, w, dirs, rows, cols);
        }
    }
}
