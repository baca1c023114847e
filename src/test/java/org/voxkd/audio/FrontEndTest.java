package org.voxkd.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Fixtures from tools/gen_frontend_fixtures.py: torchaudio MelSpectrogram (float64) with the spec's settings. */
class FrontEndTest {
    static float[] fixture(String name) throws IOException {
        try (InputStream in = FrontEndTest.class.getResourceAsStream("/fixtures/frontend/" + name)) {
            if (in == null) throw new IOException("missing fixture " + name);
            ByteBuffer b = ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
            float[] x = new float[b.remaining() / 4];
            b.asFloatBuffer().get(x);
            return x;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"noise", "chirp", "odd", "short"})
    void powerMelMatchesTorchaudio(String name) throws IOException {
        float[] wav = fixture(name + ".wav.f32"), ref = fixture(name + ".mel.f32");
        float[] mel = new FrontEnd().powerMel(wav);
        assertEquals(FrontEnd.numFrames(wav.length) * 80, ref.length);
        assertEquals(ref.length, mel.length);
        double worst = 0;
        for (int i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(mel[i] - ref[i]) / Math.abs(ref[i]));
        System.out.printf("front-end %s: max relative error of the power mel vs torchaudio %.3e%n", name, worst);
        assertTrue(worst < 1e-4, name + ": max relative error " + worst);
    }

    @ParameterizedTest
    @ValueSource(strings = {"noise", "chirp", "odd", "short"})
    void logAndInstanceNormMatch(String name) throws IOException {
        float[] wav = fixture(name + ".wav.f32"), ref = fixture(name + ".feat.f32");
        float[] feat = new FrontEnd().features(wav);
        double worst = 0;
        for (int i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(feat[i] - ref[i]));
        assertTrue(worst < 1e-4, name + ": max abs error " + worst);
    }

    @Test
    void framingAndCrops() {
        assertEquals(202, FrontEnd.numFrames(FrontEnd.cropSamples(200)));
        assertEquals(32240, FrontEnd.cropSamples(200));
        assertEquals(1, FrontEnd.numFrames(159));
        // reflect: -1 → 1, len → len-2
        assertEquals(1, FrontEnd.reflect(-1, 10));
        assertEquals(8, FrontEnd.reflect(10, 10));
        assertEquals(5, FrontEnd.reflect(5, 10));
        // a crop of the features equals the prefix of the full power mel
        float[] wav = new float[4000];
        for (int i = 0; i < wav.length; i++) wav[i] = (float) Math.sin(i * 0.05) * 0.3f;
        float[] full = new FrontEnd().powerMel(wav), pre = new FrontEnd().powerMel(wav, 10);
        for (int i = 0; i < pre.length; i++) assertEquals(full[i], pre[i], 0f);
        // normalised features: every mel bin has mean 0 and variance ≈ 1 over the crop
        float[] f = new FrontEnd().features(wav, 20);
        for (int m = 0; m < 80; m += 13) {
            double s = 0, ss = 0;
            for (int t = 0; t < 20; t++) { s += f[t * 80 + m]; ss += f[t * 80 + m] * f[t * 80 + m]; }
            assertEquals(0, s / 20, 1e-5);
            assertTrue(ss / 20 < 1.0 && ss / 20 > 0.5, "var " + ss / 20);
        }
    }
}
