package org.voxkd.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Op cases of GEMM (every transpose combination, strided batches) and the linear layer. */
public final class LinearCases {
    private LinearCases() {}

    /** Reference row-major C = alpha·op(A)·op(B) + beta·C for a strided batch. */
    static double[] gemm(boolean ta, boolean tb, int m, int n, int k, double alpha, double[] a, int lda, int sa,
                         double[] b, int ldb, int sb, double beta, double[] c0, int ldc, int sc, int batch) {
        double[] c = c0.clone();
        for (int p = 0; p < batch; p++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int q = 0; q < k; q++) {
                        double av = ta ? a[p * sa + q * lda + i] : a[p * sa + i * lda + q];
                        double bv = tb ? b[p * sb + j * ldb + q] : b[p * sb + q * ldb + j];
                        s += av * bv;
                    }
                    int ci = p * sc + i * ldc + j;
                    c[ci] = alpha * s + beta * c0[ci];
                }
        return c;
    }

    public static List<OpCase> cases() {
        List<OpCase> out = new ArrayList<>();
        int m = 7, n = 5, k = 9, batch = 3;
        for (boolean ta : new boolean[] {false, true})
            for (boolean tb : new boolean[] {false, true}) {
                // Padded leading dimensions and batch strides, so offsets are exercised, not just dense layouts.
                int lda = (ta ? m : k) + 2, ldb = (tb ? k : n) + 1, ldc = n + 3;
                int sa = (ta ? k : m) * lda + 4, sb = (tb ? n : k) * ldb + 1, sc = m * ldc + 2;
                float alpha = 0.75f, beta = 0.5f;
                out.add(OpCase.named("sgemm " + (ta ? "T" : "N") + (tb ? "T" : "N") + " batch " + batch)
                        .input("a", sa * batch).input("b", sb * batch).input("c0", sc * batch).output("c", sc * batch)
                        .forward((g, v) -> {
                            Tensor.copy(g, v.get("c"), v.get("c0"));
                            Blas.gemmStridedBatched(g, ta, tb, m, n, k, alpha, v.get("a"), lda, sa, v.get("b"), ldb, sb,
                                    beta, v.get("c"), ldc, sc, batch);
                        })
                        .reference(in -> Map.of("c", gemm(ta, tb, m, n, k, alpha, in.get("a"), lda, sa, in.get("b"), ldb, sb,
                                beta, in.get("c0"), ldc, sc, batch))));
            }
        int rows = 13, cin = 7, cout = 11;
        out.add(OpCase.named("linear " + rows + "x" + cin + "→" + cout)
                .input("x", rows * cin).input("w", cout * cin, OpCase.Init.normal(0.5)).input("b", cout).output("y", rows * cout)
                .forward((g, v) -> Linear.forward(g, v.get("y"), v.get("x"), v.get("w"), v.get("b"), rows, cin, cout))
                .backward((g, v) -> Linear.backward(g, v.grad("x"), v.grad("w"), v.grad("b"), v.grad("y"), v.get("x"), v.get("w"), rows, cin, cout))
                .reference(in -> {
                    double[] x = in.get("x"), w = in.get("w"), b = in.get("b"), y = new double[rows * cout];
                    for (int r = 0; r < rows; r++)
                        for (int o = 0; o < cout; o++) {
                            double s = b[o];
                            for (int i = 0; i < cin; i++) s += x[r * cin + i] * w[o * cin + i];
                            y[r * cout + o] = s;
                        }
                    return Map.of("y", y);
                }));
        return out;
    }
}
