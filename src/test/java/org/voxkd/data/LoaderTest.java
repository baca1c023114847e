package org.voxkd.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.voxkd.audio.Augment;
import org.voxkd.audio.Dsp;
import org.voxkd.audio.FrontEnd;
import org.voxkd.audio.Wav;

class LoaderTest {
    @TempDir Path dir;

    static List<TrainLoader.Batch> all(TrainLoader l, int epoch) {
        List<TrainLoader.Batch> out = new ArrayList<>();
        for (Iterator<TrainLoader.Batch> it = l.epoch(epoch); it.hasNext(); ) out.add(it.next());
        return out;
    }

    @Test
    void batchesAreIdenticalWhateverTheThreadCount() throws IOException {
        SynthVox.Manifest m = SmokeCorpus.get();
        List<Lists.Utterance> list = Lists.readTrainList(m.trainList());
        TrainLoader.Config c = TrainLoader.Config.of(16, 7).withFrames(100);
        List<List<TrainLoader.Batch>> runs = new ArrayList<>();
        for (int threads : new int[] {0, 1, 3}) {
            try (TrainLoader l = new TrainLoader(m.wavRoot(), list, c.withThreads(threads))) {
                assertEquals(6, l.batchesPerEpoch()); // 96 utterances / 16
                runs.add(all(l, 2));
            }
        }
        for (int r = 1; r < runs.size(); r++) {
            for (int b = 0; b < 6; b++) {
                assertArrayEquals(runs.get(0).get(b).features(), runs.get(r).get(b).features(), "batch " + b);
                assertArrayEquals(runs.get(0).get(b).labels(), runs.get(r).get(b).labels());
            }
        }
        TrainLoader.Batch b0 = runs.get(0).get(0);
        assertEquals(16 * 100 * 80, b0.features().length);
        assertEquals(16, b0.labels().length);
    }

    @Test
    void epochOrderLabelsAndCrops() throws IOException {
        SynthVox.Manifest m = SmokeCorpus.get();
        List<Lists.Utterance> list = Lists.readTrainList(m.trainList());
        try (TrainLoader l = new TrainLoader(m.wavRoot(), list, TrainLoader.Config.of(8, 3).withThreads(0))) {
            assertEquals(Lists.speakers(list), l.classes());
            int[] o0 = l.order(0), o1 = l.order(1);
            assertFalse(Arrays.equals(o0, o1));
            assertArrayEquals(o0, l.order(0));
            int[] sorted = o0.clone();
            Arrays.sort(sorted);
            for (int i = 0; i < sorted.length; i++) assertEquals(i, sorted[i]);
            TrainLoader.Batch b = l.batch(0, 1);
            assertEquals(200, b.frames());
            for (int i = 0; i < b.size(); i++) {
                int u = b.utterances()[i];
                assertEquals(o0[8 + i], u);
                assertEquals(l.classes().indexOf(list.get(u).speaker()), (int) b.labels()[i]);
            }
            // the item is the normalised first 200 frames of the 32,240-sample window at the drawn start
            int u = b.utterances()[0];
            float[] wav = Wav.read(m.wavRoot().resolve(list.get(u).path()));
            float[] item = Arrays.copyOf(b.features(), 200 * 80);
            FrontEnd fe = new FrontEnd();
            int start = new org.voxkd.audio.Rng(3, org.voxkd.audio.Rng.id(18, 0, u, 0)).nextInt(wav.length - 32240 + 1);
            assertArrayEquals(fe.features(Arrays.copyOfRange(wav, start, start + 32240), 200), item);
        }
    }

    @Test
    void shortAudioIsWrapped() throws IOException {
        float[] x = new float[16000];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(i * 0.013 + Math.sin(i * 0.0007)) * 0.3f;
        Files.createDirectories(dir.resolve("a/v"));
        Wav.write(dir.resolve("a/v/1.wav"), x, 16000);
        float[] stored = Wav.read(dir.resolve("a/v/1.wav"));
        List<Lists.Utterance> list = List.of(new Lists.Utterance("a", "a/v/1.wav"), new Lists.Utterance("a", "a/v/1.wav"));
        try (TrainLoader l = new TrainLoader(dir, list, TrainLoader.Config.of(2, 1).withThreads(0))) {
            float[] expected = new FrontEnd().features(Dsp.wrapCrop(stored, 0, 32240), 200);
            assertArrayEquals(expected, Arrays.copyOf(l.batch(0, 0).features(), 200 * 80));
        }
    }

    @Test
    void perSpeakerCapIsAFixedSubset() throws IOException {
        SynthVox.Manifest m = SmokeCorpus.get();
        List<Lists.Utterance> list = Lists.readTrainList(m.trainList());
        TrainLoader.Config c = TrainLoader.Config.of(4, 5).withThreads(0).withMaxPerSpeaker(3);
        try (TrainLoader a = new TrainLoader(m.wavRoot(), list, c); TrainLoader b = new TrainLoader(m.wavRoot(), list, c);
             TrainLoader otherSeed = new TrainLoader(m.wavRoot(), list, TrainLoader.Config.of(4, 6).withThreads(0).withMaxPerSpeaker(3));
             TrainLoader other = new TrainLoader(m.wavRoot(), list, new TrainLoader.Config(4, 200, 5, 3, 2, 0, 4, null))) {
            assertEquals(36, a.utterances().size());
            Map<String, Integer> perSpeaker = new HashMap<>();
            for (Lists.Utterance u : a.utterances()) perSpeaker.merge(u.speaker(), 1, Integer::sum);
            assertEquals(12, perSpeaker.size());
            assertTrue(perSpeaker.values().stream().allMatch(n -> n == 3));
            assertEquals(a.utterances(), b.utterances());
            assertEquals(a.utterances(), otherSeed.utterances(), "every training seed trains on the same subset");
            assertFalse(a.utterances().equals(other.utterances()), "another subset seed picks another subset");
            assertEquals(9, a.batchesPerEpoch());
        }
    }

    /**
     * The loader's waveform augmentation with SynthVox's MUSAN-style set (noise, babble, music; no reverberation): every
     * crop it changes differs from the clean crop by noise at the recipe's SNR — noise 0–15 dB, music 5–15 dB, babble of
     * 3–7 talkers at 13–20 dB each (13 − 10·log10 7 … 20 − 10·log10 3 dB together) — measured on the difference.
     */
    @Test
    void augmentedCropsCarryNoiseAtTheRecipeSnr() throws IOException {
        SynthVox.Manifest m = SmokeCorpus.get();
        List<Lists.Utterance> list = Lists.readTrainList(m.trainList());
        Augment aug = new Augment(Augment.Config.waveform(m.musan(), null));
        TrainLoader.Config c = TrainLoader.Config.of(16, 3).withFrames(100).withThreads(0);
        double lo = 99, hi = -99;
        int changed = 0, same = 0;
        try (TrainLoader clean = new TrainLoader(m.wavRoot(), list, c); TrainLoader noisy = new TrainLoader(m.wavRoot(), list, c.withAugment(aug))) {
            for (int u = 0; u < 60; u++) {
                float[] x = clean.waveform(2, u, null), y = noisy.waveform(2, u, noisy.augmentStream(2, u));
                if (Arrays.equals(x, y)) {
                    same++;
                    continue;
                }
                changed++;
                double s = 0, n = 0;
                for (int i = 0; i < x.length; i++) {
                    s += (double) x[i] * x[i];
                    n += (y[i] - (double) x[i]) * (y[i] - (double) x[i]);
                }
                double snr = 10 * Math.log10(s / n);
                lo = Math.min(lo, snr);
                hi = Math.max(hi, snr);
            }
        }
        assertTrue(lo >= -0.05 && hi <= 20 - 10 * Math.log10(3) + 0.5, "noise-to-signal of the augmented crops: SNR " + lo + " … " + hi + " dB");
        assertTrue(hi - lo > 5, "the SNR is drawn, not fixed: " + lo + " … " + hi);
        // four choices (none, noise, speech, music): about a quarter of the crops stay clean
        assertTrue(same >= 5 && same <= 30 && changed >= 30, same + " clean, " + changed + " augmented of 60");
    }

    @Test
    void augmentedBatchesAreSeededAndThreadIndependent() throws IOException {
        SynthVox.Manifest m = SmokeCorpus.get();
        List<Lists.Utterance> list = Lists.readTrainList(m.trainList()).subList(0, 24);
        Path rirs = dir.resolve("rirs");
        Files.createDirectories(rirs);
        float[] rir = new float[800];
        rir[0] = 1;
        for (int i = 40; i < rir.length; i++) rir[i] = (float) (0.3 * Math.exp(-i / 150.0) * Math.sin(i * 1.7));
        Wav.write(rirs.resolve("room.wav"), rir, 16000);
        Augment aug = new Augment(Augment.Config.waveform(null, rirs).withSpecAugment(1, 10, 1, 8));
        TrainLoader.Config c = TrainLoader.Config.of(8, 9).withFrames(50).withAugment(aug);
        float[] plain, t0, t2;
        try (TrainLoader l = new TrainLoader(m.wavRoot(), list, c.withAugment(null).withThreads(0))) { plain = l.batch(1, 0).features(); }
        try (TrainLoader l = new TrainLoader(m.wavRoot(), list, c.withThreads(0))) { t0 = l.batch(1, 0).features(); }
        try (TrainLoader l = new TrainLoader(m.wavRoot(), list, c.withThreads(2))) { t2 = all(l, 1).get(0).features(); }
        assertArrayEquals(t0, t2);
        assertFalse(Arrays.equals(plain, t0));
        int zeros = 0;
        for (float v : t0) if (v == 0f) zeros++;
        assertTrue(zeros > 0, "SpecAugment masked nothing");
    }

    @Test
    void evalLoaderCropsAndWholeUtterances() throws IOException {
        float[] x = new float[40000];
        for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(i * 0.021 + Math.sin(i * 0.0011)) * 0.4f;
        FrontEnd fe = new FrontEnd();
        List<float[]> whole = EvalLoader.wholeUtterance(dir).features(x);
        assertEquals(1, whole.size());
        assertArrayEquals(fe.features(x), whole.get(0));
        assertEquals(FrontEnd.numFrames(40000) * 80, whole.get(0).length);
        EvalLoader ten = new EvalLoader(dir, 100, 10);
        List<float[]> crops = ten.features(x);
        assertEquals(10, crops.size());
        int len = 16240; // 100·160 + 240
        assertArrayEquals(fe.features(Arrays.copyOfRange(x, 0, len), 100), crops.get(0));
        int s3 = (int) (3 * ((40000.0 - len) / 9));
        assertArrayEquals(fe.features(Arrays.copyOfRange(x, s3, s3 + len), 100), crops.get(3));
        assertArrayEquals(fe.features(Arrays.copyOfRange(x, 40000 - len, 40000), 100), crops.get(9));
        // shorter than a crop: wrapped to len + 1 samples, all crops start at 0 or 1
        float[] shortX = Arrays.copyOf(x, 5000);
        List<float[]> sc = ten.features(shortX);
        assertArrayEquals(fe.features(Dsp.wrapCrop(shortX, 0, len), 100), sc.get(0));
        assertArrayEquals(fe.features(Dsp.wrapCrop(shortX, 1, len), 100), sc.get(9));
    }
}
