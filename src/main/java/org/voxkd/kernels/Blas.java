package org.voxkd.kernels;

import org.voxkd.engine.Kernel;
import org.voxkd.engine.Precision;
import org.voxkd.engine.Range;
import org.voxkd.engine.TaskGraph;
import org.voxkd.engine.View;
import org.voxkd.engine.cpu.CpuArgs;
import org.voxkd.engine.cpu.Gemm;
import org.voxkd.engine.cpu.GemmProviders;
import org.voxkd.engine.cpu.PortableGemm;

/**
 * GEMM, row-major, optionally as a strided batch: for i in [0, batch)
 * {@code C_i = alpha·op(A_i)·op(B_i) + beta·C_i} with {@code X_i} starting {@code i·strideX} floats
 * after the view's first float. On cpu, in fast numerics, the provider of {@link GemmProviders} (oneDNN or OpenBLAS);
 * in portable numerics voxkd's own {@link PortableGemm} (the same bits on every CPU); on opencl CLBlast
 * ({@code SgemmStridedBatched}). A graph recorded with {@link Precision#BF16} gets the bf16 kernel: operands rounded
 * to bfloat16, fp32 accumulation (fast numerics only).
 *
 * <p>Both kernels take {@link #SIGNATURE}.
 */
public final class Blas {
    private Blas() {}

    static final String SIGNATURE = "in a, in b, inout c, int trans_a, int trans_b, int m, int n, int k, int lda, int ldb, int ldc, "
            + "int batch, int stride_a, int stride_b, int stride_c, float alpha, float beta";

    public static final Kernel SGEMM = Kernel.blas("sgemm_strided_batched", SIGNATURE, null, a -> {
        if (a.numerics().portable()) portable(a);
        else stridedBatched(a, GemmProviders.fp32());
    });

    /** bf16 operands, fp32 accumulation and output (mixed precision); same arguments as {@link #SGEMM}. */
    public static final Kernel GEMM_BF16 = Kernel.blas("gemm_bf16_strided_batched", SIGNATURE, Tensor.ROUND_BF16, a -> {
        if (a.numerics().portable()) throw new IllegalStateException("precision bf16 is a fast-numerics mode: portable numerics compute in fp32");
        stridedBatched(a, GemmProviders.bf16());
    });

    private static void stridedBatched(CpuArgs a, Gemm gemm) {
        gemm.sgemmStridedBatched(a.i(3) != 0, a.i(4) != 0, a.i(5), a.i(6), a.i(7), a.f(15), a.ptr(0), a.i(8), a.i(12), a.ptr(1), a.i(9), a.i(13),
                a.f(16), a.ptr(2), a.i(10), a.i(14), a.i(11));
    }

    /** Portable numerics: voxkd's GEMM on the backend's Java arrays, one product per batch entry. */
    private static void portable(CpuArgs a) {
        boolean ta = a.i(3) != 0, tb = a.i(4) != 0;
        int m = a.i(5), n = a.i(6), k = a.i(7), lda = a.i(8), ldb = a.i(9), ldc = a.i(10);
        int batch = a.i(11), sa = a.i(12), sb = a.i(13), sc = a.i(14);
        float alpha = a.f(15), beta = a.f(16);
        for (int i = 0; i < batch; i++)
            PortableGemm.sgemm(ta, tb, m, n, k, alpha, a.array(0), a.off(0) + i * sa, lda, a.array(1), a.off(1) + i * sb, ldb,
                    beta, a.array(2), a.off(2) + i * sc, ldc);
    }

    /** C = alpha·op(A)·op(B) + beta·C (row-major). */
    public static void gemm(TaskGraph g, boolean transA, boolean transB, int m, int n, int k, float alpha,
                            View a, int lda, View b, int ldb, float beta, View c, int ldc) {
        gemmStridedBatched(g, transA, transB, m, n, k, alpha, a, lda, 0, b, ldb, 0, beta, c, ldc, 0, 1);
    }

    /** Strided batched GEMM in the graph's precision; every operand's extent is checked against its view when recorded. */
    public static void gemmStridedBatched(TaskGraph g, boolean transA, boolean transB, int m, int n, int k, float alpha,
                                          View a, int lda, int strideA, View b, int ldb, int strideB,
                                          float beta, View c, int ldc, int strideC, int batch) {
        if (m <= 0 || n <= 0 || k <= 0 || batch <= 0)
            throw new IllegalArgumentException("gemm sizes must be positive: m=" + m + " n=" + n + " k=" + k + " batch=" + batch);
        check("A", a, transA ? k : m, transA ? m : k, lda, strideA, batch);
        check("B", b, transB ? n : k, transB ? k : n, ldb, strideB, batch);
        check("C", c, m, n, ldc, strideC, batch);
        g.task(g.gemmPrecision() == Precision.BF16 ? GEMM_BF16 : SGEMM, Range.NONE, a, b, c, transA ? 1 : 0, transB ? 1 : 0, m, n, k,
                lda, ldb, ldc, batch, strideA, strideB, strideC, alpha, beta);
    }

    private static void check(String what, View v, int rows, int cols, int ld, int stride, int batch) {
        if (ld < cols) throw new IllegalArgumentException("gemm " + what + ": leading dimension " + ld + " < " + cols + " columns");
        long extent = (long) (batch - 1) * stride + (long) (rows - 1) * ld + cols;
        if (extent > v.length())
            throw new IllegalArgumentException("gemm " + what + ": needs " + extent + " floats (" + batch + " × " + rows + "×" + cols
                    + ", ld " + ld + ", stride " + stride + "), view " + v + " holds " + v.length());
    }
}
