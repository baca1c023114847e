package org.voxkd.engine.cpu;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas;

/** OpenBLAS SGEMM (row-major single precision), the provider that is always there. */
public final class OpenBlas implements Gemm {
    static final OpenBlas INSTANCE = new OpenBlas();

    private OpenBlas() {}

    @Override public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, FloatPointer a, int lda,
                                FloatPointer b, int ldb, float beta, FloatPointer c, int ldc) {
        openblas.cblas_sgemm(openblas.CblasRowMajor, transA ? openblas.CblasTrans : openblas.CblasNoTrans,
                transB ? openblas.CblasTrans : openblas.CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    @Override public String describe() { return "OpenBLAS " + version(); }

    /** The OpenBLAS build in use. */
    public static String version() {
        String v = openblas.class.getPackage().getImplementationVersion();
        return (v == null ? "0.3.31" : v) + " (DYNAMIC_ARCH, OPENBLAS_NUM_THREADS="
                + System.getenv().getOrDefault("OPENBLAS_NUM_THREADS", "default") + ", OPENBLAS_THREAD_TIMEOUT="
                + System.getenv().getOrDefault("OPENBLAS_THREAD_TIMEOUT", "default (spin ~0.1 s)") + ")";
    }
}
