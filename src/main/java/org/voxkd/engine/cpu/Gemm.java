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
}
