package org.voxkd.nn;

import org.voxkd.engine.ParameterSet;
import org.voxkd.engine.TaskGraph;
import org.voxkd.engine.View;
import org.voxkd.kernels.Activation;
import org.voxkd.kernels.Norm;
import org.voxkd.kernels.Tensor;

/**
 * The pieces both models share: PyTorch-named parameter declarations with PyTorch's default
 * initialisation, and the layers whose behaviour depends on the pass mode (BatchNorm, dropout).
 */
final class Layers {
    private Layers() {}

    static void batchNormParams(ParameterSet.Builder b, String name, int c) {
        b.param(name + ".weight", ParameterSet.Initializer.ONES, c).param(name + ".bias", c)
                .state(name + ".running_mean", c).state(name + ".running_var", ParameterSet.Initializer.ONES, c);
    }

    static void layerNormParams(ParameterSet.Builder b, String name, int c) {
        b.param(name + ".weight", ParameterSet.Initializer.ONES, c).param(name + ".bias", c);
    }

    /** Linear [out, in] or Conv1d [out, in/groups, k] weights and an optional bias, U(±1/√fan_in). */
    static void affineParams(ParameterSet.Builder b, String name, boolean bias, int out, int... inShape) {
        int fanIn = 1;
        for (int d : inShape) fanIn *= d;
        int[] shape = new int[inShape.length + 1];
        shape[0] = out;
        System.arraycopy(inShape, 0, shape, 1, inShape.length);
        b.param(name + ".weight", Init.fanIn(fanIn), shape);
        if (bias) b.param(name + ".bias", Init.fanIn(fanIn), out);
    }

    /** Saved statistics of a BatchNorm (train) or a LayerNorm (per row). */
    static void normSlots(Pass.Builder pb, String name, int n) {
        pb.saved(name + ".mean", n).saved(name + ".rstd", n);
    }

    /** BatchNorm1d over rows: batch statistics and a running-statistics update in TRAIN, running statistics in EVAL. */
    static void batchNorm(TaskGraph g, Pass p, ParameterSet ps, String name, View y, View x, int rows, int c) {
        if (p.training())
            Norm.batchNormForward(g, y, p.act(name + ".mean"), p.act(name + ".rstd"), ps.value(name + ".running_mean"),
                    ps.value(name + ".running_var"), x, ps.value(name + ".weight"), ps.value(name + ".bias"), rows, c);
        else
            Norm.batchNormInferenceForward(g, y, ps.value(name + ".running_mean"), ps.value(name + ".running_var"), x,
                    ps.value(name + ".weight"), ps.value(name + ".bias"), rows, c);
    }

    static void batchNormBackward(TaskGraph g, Pass p, ParameterSet ps, String name, View dx, View dy, View x, int rows, int c) {
        Norm.batchNormBackward(g, dx, ps.grad(name + ".weight"), ps.grad(name + ".bias"), dy, x, p.act(name + ".mean"),
                p.act(name + ".rstd"), ps.value(name + ".weight"), rows, c);
    }

    static void layerNorm(TaskGraph g, Pass p, ParameterSet ps, String name, View y, View x, int rows, int c) {
        Norm.layerNormForward(g, y, p.act(name + ".mean"), p.act(name + ".rstd"), x, ps.value(name + ".weight"),
                ps.value(name + ".bias"), rows, c);
    }

    static void layerNormBackward(TaskGraph g, Pass p, ParameterSet ps, String name, View dx, View dy, View x, int rows, int c) {
        Norm.layerNormBackward(g, dx, ps.grad(name + ".weight"), ps.grad(name + ".bias"), dy, x, p.act(name + ".mean"),
                p.act(name + ".rstd"), ps.value(name + ".weight"), rows, c);
    }

    /**
     * Dropout site {@code layer}: a Philox mask in TRAIN; the identity in EVAL, where {@code y} is usually {@code x}
     * itself (see {@link Pass.Builder#dropoutSlot}) and nothing is recorded, else a copy.
     */
    static void dropout(TaskGraph g, Pass p, View y, View x, float prob, int layer) {
        if (p.training() && prob > 0) Activation.dropoutForward(g, y, x, x.length(), prob, p.seed, p.step, layer);
        else if (!y.equals(x)) Tensor.copy(g, y, x);
    }

    static void dropoutBackward(TaskGraph g, Pass p, View dx, View dy, float prob, int layer) {
        if (prob > 0) Activation.dropoutBackward(g, dx, dy, dy.length(), prob, p.seed, p.step, layer);
        else Tensor.add(g, dx, dy);
    }
}
