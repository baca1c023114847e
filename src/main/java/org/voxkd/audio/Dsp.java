package org.voxkd.audio;

/** Small signal helpers shared by augmentation and synthesis. Deterministic: StrictMath only. */
public final class Dsp {
    private Dsp() {}

    /** Mean square of x. */
    public static double power(double[] x) {
        double s = 0;
        for (double v : x) s += v * v;
        return x.length == 0 ? 0 : s / x.length;
    }

    public static double power(float[] x) {
        double s = 0;
        for (float v : x) s += (double) v * v;
        return x.length == 0 ? 0 : s / x.length;
    }

    /** {@code length} samples of x starting at {@code start}, wrapping around (numpy 'wrap' padding for short audio). */
    public static float[] wrapCrop(float[] x, int start, int length) {
        float[] out = new float[length];
        for (int i = 0, j = start % x.length; i < length; i++, j = j + 1 == x.length ? 0 : j + 1) out[i] = x[j];
        return out;
    }

    /** Direct-form-I biquad, RBJ audio-EQ cookbook designs. Stateful: one per signal. */
    public static final class Biquad {
        private final double b0, b1, b2, a1, a2;
        private double x1, x2, y1, y2;

        private Biquad(double b0, double b1, double b2, double a0, double a1, double a2) {
            this.b0 = b0 / a0; this.b1 = b1 / a0; this.b2 = b2 / a0; this.a1 = a1 / a0; this.a2 = a2 / a0;
        }

        public static Biquad lowpass(double f, double q, double fs) {
            double w = 2 * StrictMath.PI * f / fs, c = StrictMath.cos(w), al = StrictMath.sin(w) / (2 * q);
            return new Biquad((1 - c) / 2, 1 - c, (1 - c) / 2, 1 + al, -2 * c, 1 - al);
        }

        public static Biquad highpass(double f, double q, double fs) {
            double w = 2 * StrictMath.PI * f / fs, c = StrictMath.cos(w), al = StrictMath.sin(w) / (2 * q);
            return new Biquad((1 + c) / 2, -(1 + c), (1 + c) / 2, 1 + al, -2 * c, 1 - al);
        }

        public static Biquad bandpass(double f, double q, double fs) {
            double w = 2 * StrictMath.PI * f / fs, c = StrictMath.cos(w), al = StrictMath.sin(w) / (2 * q);
            return new Biquad(al, 0, -al, 1 + al, -2 * c, 1 - al);
        }

        public static Biquad peaking(double f, double q, double gainDb, double fs) {
            double a = StrictMath.pow(10, gainDb / 40), w = 2 * StrictMath.PI * f / fs;
            double c = StrictMath.cos(w), al = StrictMath.sin(w) / (2 * q);
            return new Biquad(1 + al * a, -2 * c, 1 - al * a, 1 + al / a, -2 * c, 1 - al / a);
        }

        public double step(double x) {
            double y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
            x2 = x1; x1 = x; y2 = y1; y1 = y;
            return y;
        }

        public void apply(double[] x) {
            for (int i = 0; i < x.length; i++) x[i] = step(x[i]);
        }
    }
}
