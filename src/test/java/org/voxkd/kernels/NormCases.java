package org.voxkd.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Op cases of the norm family: BatchNorm1d (training and inference) and LayerNorm, at odd sizes. */
public final class NormCases {
    private NormCases() {}

    static final double EPS = 1e-5, MOMENTUM = 0.1;

    /** Activations off zero mean and unit scale, so that a missing mean or variance term shows. */
    static final OpCase.Init SHIFTED = (n, r) -> {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = 1.5 + 2 * OpCase.gaussian(r);
        return v;
    };

    public static List<OpCase> cases() {
        List<OpCase> out = new ArrayList<>();
        out.add(batchNormTrain(3 * 7, 5));   // [B=3, T=7, C=5] frames
        out.add(batchNormTrain(5, 7));       // [B=5, C=7]: the embedding BatchNorm
        out.add(batchNormTrain(5 * 8, 13));  // 40 rows
        out.add(batchNormInference(3 * 7, 5));
        out.add(layerNorm(3 * 7, 13));
        out.add(layerNorm(5, 3));
        return out;
    }

    static OpCase batchNormTrain(int rows, int c) {
        return OpCase.named("batchnorm train " + rows + "x" + c)
                .input("x", rows * c, SHIFTED).input("gamma", c, OpCase.Init.uniform(0.5, 1.5)).input("beta", c)
                .constant("runMean", c, OpCase.Init.normal(0.5)).constant("runVar", c, OpCase.Init.uniform(0.5, 2))
                .output("y", rows * c).aux("mean", c).aux("rstd", c)
                .forward((g, v) -> Norm.batchNormForward(g, v.get("y"), v.get("mean"), v.get("rstd"), v.get("runMean"), v.get("runVar"),
                        v.get("x"), v.get("gamma"), v.get("beta"), rows, c))
                .backward((g, v) -> Norm.batchNormBackward(g, v.grad("x"), v.grad("gamma"), v.grad("beta"), v.grad("y"), v.get("x"),
                        v.get("mean"), v.get("rstd"), v.get("gamma"), rows, c))
                .reference(in -> {
                    double[] x = in.get("x"), gamma = in.get("gamma"), beta = in.get("beta");
                    double[] rm = in.get("runMean").clone(), rv = in.get("runVar").clone();
                    double[] y = new double[rows * c], mean = new double[c], rstd = new double[c];
                    for (int j = 0; j < c; j++) {
                        double s = 0, sq = 0;
                        for (int r = 0; r < rows; r++) s += x[r * c + j];
                        double m = s / rows;
                        for (int r = 0; r < rows; r++) sq += (x[r * c + j] - m) * (x[r * c + j] - m);
                        double var = sq / rows;
                        mean[j] = m;
                        rstd[j] = 1 / Math.sqrt(var + EPS);
                        for (int r = 0; r < rows; r++) y[r * c + j] = (x[r * c + j] - m) * rstd[j] * gamma[j] + beta[j];
                        rm[j] = (1 - MOMENTUM) * rm[j] + MOMENTUM * m;
                        rv[j] = (1 - MOMENTUM) * rv[j] + MOMENTUM * sq / (rows - 1);
                    }
                    return Map.of("y", y, "mean", mean, "rstd", rstd, "runMean", rm, "runVar", rv);
                });
    }

    /** Forward only: inference mode runs in frozen teachers and evaluation, which never take its gradient. */
    static OpCase batchNormInference(int rows, int c) {
        return OpCase.named("batchnorm inference " + rows + "x" + c)
                .input("x", rows * c, SHIFTED).input("gamma", c, OpCase.Init.uniform(0.5, 1.5)).input("beta", c)
                .constant("runMean", c, OpCase.Init.normal(1)).constant("runVar", c, OpCase.Init.uniform(0.5, 4))
                .output("y", rows * c)
                .forward((g, v) -> Norm.batchNormInferenceForward(g, v.get("y"), v.get("runMean"), v.get("runVar"), v.get("x"),
                        v.get("gamma"), v.get("beta"), rows, c))
                .reference(in -> {
                    double[] x = in.get("x"), gamma = in.get("gamma"), beta = in.get("beta"), rm = in.get("runMean"), rv = in.get("runVar");
                    double[] y = new double[rows * c];
                    for (int r = 0; r < rows; r++)
                        for (int j = 0; j < c; j++) y[r * c + j] = (x[r * c + j] - rm[j]) / Math.sqrt(rv[j] + EPS) * gamma[j] + beta[j];
                    // Inference must leave the running statistics untouched.
                    return Map.of("y", y, "runMean", rm.clone(), "runVar", rv.clone());
                });
    }

    static OpCase layerNorm(int rows, int c) {
        return OpCase.named("layernorm " + rows + "x" + c)
                .input("x", rows * c, SHIFTED).input("gamma", c, OpCase.Init.uniform(0.5, 1.5)).input("beta", c)
                .output("y", rows * c).aux("mean", rows).aux("rstd", rows)
                .forward((g, v) -> Norm.layerNormForward(g, v.get("y"), v.get("mean"), v.get("rstd"), v.get("x"), v.get("gamma"),
                        v.get("beta"), rows, c))
                .backward((g, v) -> Norm.layerNormBackward(g, v.grad("x"), v.grad("gamma"), v.grad("beta"), v.grad("y"), v.get("x"),
                        v.get("mean"), v.get("rstd"), v.get("gamma"), rows, c))
                .reference(in -> {
                    double[] x = in.get("x"), gamma = in.get("gamma"), beta = in.get("beta");
                    double[] y = new double[rows * c], mean = new double[rows], rstd = new double[rows];
                    for (int r = 0; r < rows; r++) {
                        double s = 0, sq = 0;
                        for (int j = 0; j < c; j++) s += x[r * c + j];
                        double m = s / c;
                        for (int j = 0; j < c; j++) sq += (x[r * c + j] - m) * (x[r * c + j] - m);
                        mean[r] = m;
                        rstd[r] = 1 / Math.sqrt(sq / c + EPS);
                        for (int j = 0; j < c; j++) y[r * c + j] = (x[r * c + j] - m) * rstd[r] * gamma[j] + beta[j];
                    }
                    return Map.of("y", y, "mean", mean, "rstd", rstd);
                });
    }
}
