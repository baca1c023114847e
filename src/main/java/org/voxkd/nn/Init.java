package org.voxkd.nn;

import org.voxkd.engine.ParameterSet.Initializer;

/** PyTorch's default initialisations, drawn from voxkd's counter-based streams. */
public final class Init {
    private Init() {}

    /** U(−b, b): Conv1d/Linear weights and biases use b = 1/√fan_in (kaiming_uniform with a = √5); LSTM uses 1/√H. */
    public static Initializer uniform(double bound) {
        return (r, d, o, n) -> {
            for (int i = 0; i < n; i++) d[o + i] = (float) ((2 * r.nextDouble() - 1) * bound);
        };
    }

    public static Initializer fanIn(int fanIn) { return uniform(1 / Math.sqrt(fanIn)); }

    /** Xavier normal: N(0, 2/(fan_in + fan_out)) (the AAM-softmax class weights). */
    public static Initializer xavierNormal(int fanIn, int fanOut) {
        double std = Math.sqrt(2.0 / (fanIn + fanOut));
        return (r, d, o, n) -> {
            for (int i = 0; i < n; i++) d[o + i] = (float) (std * r.nextGaussian());
        };
    }
}
