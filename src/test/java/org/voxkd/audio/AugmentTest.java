package org.voxkd.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AugmentTest {
    @TempDir Path dir;
    Path musan, rirs;
    final float[] clean = new float[8000];

    static void noiseWav(Path p, int n, long stream, double amp) throws IOException {
        Files.createDirectories(p.getParent());
        Rng r = new Rng(11, stream);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (amp * r.noise());
        Wav.write(p, x, 16000);
    }

    @BeforeEach
    void folders() throws IOException {
        musan = dir.resolve("musan");
        noiseWav(musan.resolve("noise/free-sound/n1.wav"), 12000, 1, 0.5);
        for (int k = 0; k < 4; k++) noiseWav(musan.resolve("speech/s" + k + ".wav"), 5000 + 3000 * k, 10 + k, 0.2);
        noiseWav(musan.resolve("music/m1.wav"), 20000, 20, 0.05);
        rirs = dir.resolve("rirs");
        Files.createDirectories(rirs);
        float[] h = new float[3];
        h[0] = 0.5f;
        h[2] = 0.5f;
        Wav.write(rirs.resolve("two-tap.wav"), h, 16000);
        for (int i = 0; i < clean.length; i++) clean[i] = (float) (0.3 * Math.sin(i * 0.05));
    }

    static double snrDb(float[] clean, float[] noisy) {
        double s = 0, n = 0;
        for (int i = 0; i < clean.length; i++) { s += clean[i] * (double) clean[i]; double d = noisy[i] - clean[i]; n += d * d; }
        return 10 * Math.log10(s / n);
    }

    @Test
    void additiveNoiseFollowsTheMusanSnrRanges() throws IOException {
        Augment a = new Augment(Augment.Config.waveform(musan, null));
        double lo = 99, hi = -99;
        for (int k = 0; k < 40; k++) {
            double snr = snrDb(clean, a.addNoise(clean, Augment.Noise.NOISE, new Rng(5, k)));
            lo = Math.min(lo, snr);
            hi = Math.max(hi, snr);
        }
        assertTrue(lo >= -0.01 && hi <= 15.01 && hi - lo > 8, lo + " .. " + hi);
        for (int k = 0; k < 10; k++) {
            double snr = snrDb(clean, a.addNoise(clean, Augment.Noise.MUSIC, new Rng(5, 100 + k)));
            assertTrue(snr >= 4.99 && snr <= 15.01, "music " + snr);
        }
        // babble: 3–4 of the 4 speech files at 13–20 dB each: the sum is 13 − 10·log10(4) … 20 dB below the clip
        for (int k = 0; k < 10; k++) {
            double snr = snrDb(clean, a.addNoise(clean, Augment.Noise.SPEECH, new Rng(5, 200 + k)));
            assertTrue(snr >= 13 - 10 * Math.log10(4) - 0.01 && snr <= 20 - 10 * Math.log10(3) + 0.01, "speech " + snr);
        }
    }

    @Test
    void seededDraws() throws IOException {
        Augment a = new Augment(Augment.Config.waveform(musan, rirs).withSpecAugment(2, 10, 2, 8));
        assertArrayEquals(a.waveform(clean, new Rng(1, 42)), a.waveform(clean, new Rng(1, 42)));
        int changed = 0, same = 0;
        for (int k = 0; k < 50; k++) {
            float[] y = a.waveform(clean, new Rng(1, k));
            if (y == clean) same++; else changed++;
        }
        // five choices (none, reverb, noise, speech, music): about one in five leaves the clip alone
        assertTrue(same >= 3 && same <= 20 && changed > same, same + " untouched of 50");
        float[] f1 = new float[100 * 80], f2 = new float[100 * 80];
        Arrays.fill(f1, 1f);
        Arrays.fill(f2, 1f);
        a.specAugment(f1, 100, 80, new Rng(3, 9));
        a.specAugment(f2, 100, 80, new Rng(3, 9));
        assertArrayEquals(f1, f2);
        int zeroRows = 0, zeroCols = 0;
        for (int t = 0; t < 100; t++) { boolean all = true; for (int m = 0; m < 80; m++) all &= f1[t * 80 + m] == 0; if (all) zeroRows++; }
        for (int m = 0; m < 80; m++) { boolean all = true; for (int t = 0; t < 100; t++) all &= f1[t * 80 + m] == 0; if (all) zeroCols++; }
        assertTrue(zeroRows <= 20 && zeroCols <= 16 && zeroRows + zeroCols > 0, zeroRows + " rows, " + zeroCols + " columns");
    }

    @Test
    void reverberationNormalisesTheRir() throws IOException {
        float[] y = Augment.reverberate(clean, rirs.resolve("two-tap.wav"));
        float[] h = Wav.read(rirs.resolve("two-tap.wav"));
        double norm = Math.sqrt(h[0] * h[0] + h[2] * h[2]);
        assertEquals(clean.length, y.length);
        for (int i = 0; i < clean.length; i++) {
            double expect = (h[0] * clean[i] + (i >= 2 ? h[2] * clean[i - 2] : 0)) / norm;
            assertEquals(expect, y[i], 1e-6);
        }
    }

    @Test
    void offByDefaultAndFolderErrors() throws IOException {
        Augment off = new Augment(Augment.Config.OFF);
        assertFalse(off.waveformEnabled() || off.specAugmentEnabled());
        assertSame(clean, off.waveform(clean, new Rng(1, 1)));
        IOException e = assertThrows(IOException.class, () -> new Augment(Augment.Config.waveform(dir.resolve("rirs"), null)));
        assertTrue(e.getMessage().contains("no noise/, speech/ or music/"), e.getMessage());
        assertThrows(IOException.class, () -> new Augment(Augment.Config.waveform(null, dir.resolve("nothing"))));
    }
}
