package org.voxkd.audio;

/**
 * Real-input FFT of size n (a power of two ≥ 4) through one complex {@link Fft} of size n/2: the even and
 * odd samples are packed as real and imaginary parts, transformed, and split with the usual twiddle step.
 * Not thread-safe (it owns scratch arrays); make one per thread.
 */
public final class RealFft {
    private final int n, h;
    private final Fft half;
    private final double[] wr, wi, zr, zi;

    public RealFft(int n) {
        if (n < 4 || Integer.bitCount(n) != 1) throw new IllegalArgumentException("real FFT size must be a power of two >= 4: " + n);
        this.n = n;
        this.h = n / 2;
        half = new Fft(h);
        wr = new double[h];
        wi = new double[h];
        for (int k = 0; k < h; k++) {
            double a = -2 * StrictMath.PI * k / n;
            wr[k] = StrictMath.cos(a);
            wi[k] = StrictMath.sin(a);
        }
        zr = new double[h];
        zi = new double[h];
    }

    public int size() {
        return n;
    }

    /** X[k] for k = 0..n/2 of the real signal x (length n): re and im need n/2 + 1 entries. */
    public void forward(double[] x, double[] re, double[] im) {
        for (int j = 0; j < h; j++) {
            zr[j] = x[2 * j];
            zi[j] = x[2 * j + 1];
        }
        half.transform(zr, zi, false);
        for (int k = 0; k <= h; k++) {
            int a = k % h, b = (h - k) % h;
            // E = (Z[k] + conj Z[h-k]) / 2, O = (Z[k] - conj Z[h-k]) / (2i)
            double er = 0.5 * (zr[a] + zr[b]), ei = 0.5 * (zi[a] - zi[b]);
            double or = 0.5 * (zi[a] + zi[b]), oi = -0.5 * (zr[a] - zr[b]);
            double tr, ti;
            if (k == h) { tr = -1; ti = 0; } else { tr = wr[k]; ti = wi[k]; }
            re[k] = er + tr * or - ti * oi;
            im[k] = ei + tr * oi + ti * or;
        }
    }

    /** |X[k]|² for k = 0..n/2 (power needs n/2 + 1 entries). */
    public void power(double[] x, double[] re, double[] im, double[] power) {
        forward(x, re, im);
        for (int k = 0; k <= h; k++) power[k] = re[k] * re[k] + im[k] * im[k];
    }
}
