package org.voxkd.engine.cpu;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas;

/** The OpenBLAS calls of the cpu backend (row-major single precision). */
public final class OpenBlas {
    private OpenBlas() {}

    /** C = alpha·op(A)·op(B) + beta·C, row-major, pointers already positioned at the first element. */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, FloatPointer a, int lda,
                             FloatPointer b, int ldb, float beta, FloatPointer c, int ldc) {
        openblas.cblas_sgemm(openblas.CblasRowMajor, transA ? openblas.CblasTrans : openblas.CblasNoTrans,
                transB ? openblas.CblasTrans : openblas.CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /** The OpenBLAS build in use. */
    public static String version() {
        String v = openblas.class.getPackage().getImplementationVersion();
        return (v == null ? "0.3.31" : v) + " (DYNAMIC_ARCH, OPENBLAS_NUM_THREADS="
                + System.getenv().getOrDefault("OPENBLAS_NUM_THREADS", "default") + ", OPENBLAS_THREAD_TIMEOUT="
                + System.getenv().getOrDefault("OPENBLAS_THREAD_TIMEOUT", "default (spin ~0.1 s)") + ")";
    }
}
