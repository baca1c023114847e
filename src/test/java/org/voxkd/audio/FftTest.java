package org.voxkd.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.voxkd.engine.Philox;

class FftTest {
    private static double[] random(int n, long stream) {
        Philox.Stream r = new Philox.Stream(7, stream);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = 2 * r.nextDouble() - 1;
        return x;
    }

    @Test
    void complexMatchesNaiveDftAndInverts() {
        for (int n : new int[] {1, 2, 8, 64, 512}) {
            double[] re = random(n, n), im = random(n, 1000 + n);
            double[] r0 = re.clone(), i0 = im.clone();
            new Fft(n).transform(re, im, false);
            for (int k = 0; k < n; k++) {
                double sr = 0, si = 0;
                for (int j = 0; j < n; j++) {
                    double a = -2 * Math.PI * (long) j * k / n;
                    sr += r0[j] * Math.cos(a) - i0[j] * Math.sin(a);
                    si += r0[j] * Math.sin(a) + i0[j] * Math.cos(a);
                }
                assertEquals(sr, re[k], 1e-9 * n, "re n=" + n + " k=" + k);
                assertEquals(si, im[k], 1e-9 * n, "im n=" + n + " k=" + k);
            }
            new Fft(n).transform(re, im, true);
            for (int j = 0; j < n; j++) {
                assertEquals(r0[j], re[j], 1e-12);
                assertEquals(i0[j], im[j], 1e-12);
            }
        }
    }

    @Test
    void realMatchesNaiveDft() {
        for (int n : new int[] {4, 16, 512}) {
            double[] x = random(n, 2000 + n);
            double[] re = new double[n / 2 + 1], im = new double[n / 2 + 1], pw = new double[n / 2 + 1];
            new RealFft(n).power(x.clone(), re, im, pw);
            for (int k = 0; k <= n / 2; k++) {
                double sr = 0, si = 0;
                for (int j = 0; j < n; j++) {
                    double a = -2 * Math.PI * (long) j * k / n;
                    sr += x[j] * Math.cos(a);
                    si += x[j] * Math.sin(a);
                }
                assertEquals(sr, re[k], 1e-9 * n, "n=" + n + " k=" + k);
                assertEquals(si, im[k], 1e-9 * n, "n=" + n + " k=" + k);
                assertEquals(sr * sr + si * si, pw[k], 1e-8 * n * n);
            }
        }
    }

    @Test
    void convolutionMatchesDirectSum() {
        double[] x = random(300, 1), h = random(37, 2);
        double[] y = Fft.convolve(x, h, 320);
        for (int i = 0; i < 320; i++) {
            double s = 0;
            for (int j = 0; j < h.length; j++) if (i - j >= 0 && i - j < x.length) s += h[j] * x[i - j];
            assertEquals(s, y[i], 1e-10, "i=" + i);
        }
    }
}
