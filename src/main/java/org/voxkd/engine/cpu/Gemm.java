package org.voxkd.engine.cpu;

import org.bytedeco.javacpp.FloatPointer;

/**
 * A row-major GEMM provider of the cpu backend: {@code C = alpha·op(A)·op(B) + beta·C}, pointers positioned at
 * the first element of each operand. Implementations: {@link OpenBlas}, {@link OneDnn} (fp32, and bf16 operands
 * with fp32 accumulation where the CPU has the instructions), {@link Bf16#emulated} (bf16-rounded operands through
 * an fp32 provider, exact emulation for checking numerics on any CPU). {@link GemmProviders} picks them.
 */
public interface Gemm {
    /** The provider and its configuration, for `voxkd devices` and benchmark headers. */
    String describe();

    void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, FloatPointer a, int lda,
               FloatPointer b, int ldb, float beta, FloatPointer c, int ldc);

    /**
     * For i in [0, batch): the GEMM of the operands that start {@code i·strideX} floats after {@code a}, {@code b},
     * {@code c}. By default one {@link #sgemm} per i; a provider may run the batch as one call.
     */
    default void sgemmStridedBatched(boolean transA, boolean transB, int m, int n, int k, float alpha, FloatPointer a, int lda, long strideA,
                                     FloatPointer b, int ldb, long strideB, float beta, FloatPointer c, int ldc, long strideC, int batch) {
        if (batch == 1) {
            sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            return;
        }
        FloatPointer pa = new FloatPointer(a), pb = new FloatPointer(b), pc = new FloatPointer(c);
        for (int i = 0; i < batch; i++) {
            pa.position(a.position() + i * strideA);
            pb.position(b.position() + i * strideB);
            pc.position(c.position() + i * strideC);
            sgemm(transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
        }
    }
}
