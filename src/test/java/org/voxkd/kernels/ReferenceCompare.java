package org.voxkd.kernels;

/** Float arrays against a reference, with {@link GradCheck}'s scaled relative error. */
public final class ReferenceCompare {
    private ReferenceCompare() {}

    /** Fails unless |a − e| ≤ tol·(|e| + rms(e)) everywhere; returns the worst error. */
    public static double assertClose(String what, float[] actual, float[] expected, double tol) {
        return assertClose(what, actual, expected, tol, 0);
    }

    /** With a scale floor (see {@link GradCheck#compare(String, double[], double[], double, double)}). */
    public static double assertClose(String what, float[] actual, float[] expected, double tol, double floor) {
        double[] a = new double[actual.length], e = new double[expected.length];
        for (int i = 0; i < a.length; i++) a[i] = actual[i];
        for (int i = 0; i < e.length; i++) e[i] = expected[i];
        if (a.length != e.length) org.junit.jupiter.api.Assertions.fail(what + ": " + a.length + " values, expected " + e.length);
        return GradCheck.compare(what, a, e, tol, floor);
    }
}
