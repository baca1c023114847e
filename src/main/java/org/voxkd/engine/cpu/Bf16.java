package org.voxkd.engine.cpu;

import org.bytedeco.javacpp.FloatPointer;

/**
 * bfloat16 (1 sign, 8 exponent, 7 mantissa bits: the top half of a float) rounding, and the exact emulation of
 * a bf16 GEMM: operands rounded to bf16 (to nearest, ties to even, as oneDNN and the AVX512-BF16 / AMX convert
 * instructions do), products and sums in fp32. A product of two bf16 values has at most 16 significant bits, so
 * it is exact in fp32, and what remains is the fp32 accumulation the hardware does too — only the summation order
 * differs from a real bf16 kernel. The emulation runs on any CPU: tests bound bf16 training against fp32 with it,
 * and {@code -Dvoxkd.bf16=emulate} lets a user check a configuration's numerics on a CPU without bf16.
 */
public final class Bf16 {
    private Bf16() {}

    /** x rounded to the nearest bf16 (ties to even), as a float; NaN stays NaN, ±inf stays ±inf. */
    public static float round(float x) {
        int bits = Float.floatToRawIntBits(x);
        if ((bits & 0x7F800000) == 0x7F800000) return (bits & 0x007FFFFF) != 0 ? Float.intBitsToFloat(bits | 0x00400000) : x;
        int rounded = bits + 0x7FFF + ((bits >>> 16) & 1); // carries into the exponent round up to the next binade (or inf)
        return Float.intBitsToFloat(rounded & 0xFFFF0000);
    }

    /** An exact emulation of bf16 GEMMs over {@code fp32}: rounded copies of A and B, then fp32 products. */
    public static Gemm emulated(Gemm fp32) {
        return new Gemm() {
            @Override public String describe() { return "bf16 emulation (operands rounded to bf16, fp32 accumulation) over " + fp32.describe(); }

            @Override public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, FloatPointer a, int lda,
                                        FloatPointer b, int ldb, float beta, FloatPointer c, int ldc) {
                Scratch s = SCRATCH.get();
                FloatPointer ra = s.rounded(0, a, transA ? k : m, transA ? m : k, lda);
                FloatPointer rb = s.rounded(1, b, transB ? n : k, transB ? k : n, ldb);
                fp32.sgemm(transA, transB, m, n, k, alpha, ra, lda, rb, ldb, beta, c, ldc);
            }
        };
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** Per-thread native copies of the two operands, grown to the largest extent seen. */
    private static final class Scratch {
        final FloatPointer[] copies = new FloatPointer[2];
        final float[] chunk = new float[4096];

        /** The rows×cols operand at {@code src} (leading dimension ld), rounded, in a copy with the same layout. */
        FloatPointer rounded(int which, FloatPointer src, int rows, int cols, int ld) {
            long extent = (long) (rows - 1) * ld + cols;
            if (copies[which] == null || copies[which].capacity() < extent) {
                if (copies[which] != null) copies[which].close();
                copies[which] = new FloatPointer(extent);
            }
            FloatPointer dst = copies[which];
            long base = src.position();
            for (long at = 0; at < extent; at += chunk.length) {
                int len = (int) Math.min(chunk.length, extent - at);
                src.position(base + at).get(chunk, 0, len);
                for (int i = 0; i < len; i++) chunk[i] = round(chunk[i]);
                dst.position(at).put(chunk, 0, len);
            }
            src.position(base);
            return dst.position(0);
        }
    }
}
