package org.voxkd.audio;

/**
 * In-place iterative radix-2 complex FFT in float64, plus the real-input helpers the front-end and the
 * convolutions need. voxkd's sizes are small powers of two (512 for features, up to a few 2^16 for
 * reverberation), so a plain, tested radix-2 transform is enough and keeps the jar free of another
 * dependency. Twiddles come from {@link StrictMath} so results are identical on every JVM.
 */
public final class Fft {
    private final int n, log2;
    private final double[] cos, sin;
    private final int[] bitrev;

    private static final java.util.concurrent.ConcurrentHashMap<Integer, Fft> CACHE = new java.util.concurrent.ConcurrentHashMap<>();

    /** A shared instance of size n (an Fft holds only read-only tables, so it is thread-safe). */
    public static Fft of(int n) {
        return CACHE.computeIfAbsent(n, Fft::new);
    }

    public Fft(int n) {
        if (n < 1 || Integer.bitCount(n) != 1) throw new IllegalArgumentException("FFT size must be a power of two: " + n);
        this.n = n;
        this.log2 = Integer.numberOfTrailingZeros(n);
        cos = new double[n / 2];
        sin = new double[n / 2];
        for (int k = 0; k < n / 2; k++) {
            double a = -2 * StrictMath.PI * k / n;
            cos[k] = StrictMath.cos(a);
            sin[k] = StrictMath.sin(a);
        }
        bitrev = new int[n];
        for (int i = 0; i < n; i++) bitrev[i] = log2 == 0 ? 0 : Integer.reverse(i) >>> (32 - log2);
    }

    public int size() {
        return n;
    }

    /** Forward transform X[k] = Σ x[j]·e^{-2πijk/n}, in place; {@code inverse} uses e^{+…} and divides by n. */
    public void transform(double[] re, double[] im, boolean inverse) {
        for (int i = 0; i < n; i++) {
            int j = bitrev[i];
            if (j > i) {
                double t = re[i]; re[i] = re[j]; re[j] = t;
                t = im[i]; im[i] = im[j]; im[j] = t;
            }
        }
        double sign = inverse ? -1 : 1;
        for (int len = 2; len <= n; len <<= 1) {
            int half = len >> 1, step = n / len;
            for (int start = 0; start < n; start += len) {
                for (int k = 0; k < half; k++) {
                    double wr = cos[k * step], wi = sign * sin[k * step];
                    int a = start + k, b = a + half;
                    double xr = re[b] * wr - im[b] * wi, xi = re[b] * wi + im[b] * wr;
                    re[b] = re[a] - xr; im[b] = im[a] - xi;
                    re[a] += xr; im[a] += xi;
                }
            }
        }
        if (inverse) {
            double s = 1.0 / n;
            for (int i = 0; i < n; i++) { re[i] *= s; im[i] *= s; }
        }
    }

    /** Full linear convolution of two real signals, truncated to the first {@code outLength} samples. */
    public static double[] convolve(double[] x, double[] h, int outLength) {
        int full = x.length + h.length - 1, size = Integer.highestOneBit(Math.max(1, full - 1)) << 1;
        if (size < full) size <<= 1;
        Fft fft = of(size);
        double[] ar = new double[size], ai = new double[size], br = new double[size], bi = new double[size];
        System.arraycopy(x, 0, ar, 0, x.length);
        System.arraycopy(h, 0, br, 0, h.length);
        fft.transform(ar, ai, false);
        fft.transform(br, bi, false);
        for (int k = 0; k < size; k++) {
            double r = ar[k] * br[k] - ai[k] * bi[k], i = ar[k] * bi[k] + ai[k] * br[k];
            ar[k] = r; ai[k] = i;
        }
        fft.transform(ar, ai, true);
        double[] out = new double[outLength];
        System.arraycopy(ar, 0, out, 0, Math.min(outLength, full));
        return out;
    }
}
