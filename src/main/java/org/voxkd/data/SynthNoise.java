package org.voxkd.data;

import static java.lang.StrictMath.PI;
import static java.lang.StrictMath.exp;
import static java.lang.StrictMath.pow;
import static java.lang.StrictMath.sin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.voxkd.audio.Dsp.Biquad;
import org.voxkd.audio.Rng;
import org.voxkd.audio.Wav;

/**
 * The augmentation sets of a SynthVox corpus, laid out as MUSAN and the simulated RIRs are, so that
 * {@code data.musan} and {@code data.rirs} can point at them exactly as at the real sets:
 * <pre>
 *   musan/noise/synth/noise-NNNN.wav    stationary and slowly modulated noises: white, pink, brown, band-limited, hum, fan
 *   musan/speech/synth/speech-NNNN.wav  one synthetic talker each (traits drawn from their own streams: none is a corpus speaker)
 *   musan/music/synth/music-NNNN.wav    tonal music: a melody, a bass line and chords of harmonic notes, percussion on the beat
 *   rirs/simulated/rir-NNNN.wav         room impulse responses: direct path, early reflections, exponentially decaying diffuse tail
 * </pre>
 * Every file is a pure function of (seed, category, index), 16 kHz 16-bit mono; sizes are modest (a few seconds per
 * file) so that generating them costs little next to the speech.
 */
final class SynthNoise {
    private SynthNoise() {}

    private static final int P_NOISE = 6, P_SPEECH = 7, P_MUSIC = 8, P_RIR = 9;

    /** How many files of each category, and the length of the noise, speech and music files. */
    record Sizes(int noise, int speech, int music, int rirs, double seconds) {
        static Sizes of(SynthVox.Profile p) {
            return p.name().equals("smoke") ? new Sizes(4, 7, 3, 6, 4.0) : new Sizes(10, 20, 8, 20, 6.0);
        }
    }

    private record Job(String path, int category, int index) {}

    /** Writes the sets under {@code dir} (musan/, rirs/); returns the files, paths relative to {@code dir}. */
    static List<SynthVox.FileEntry> generate(SynthVox.Profile p, long seed, Path dir, int threads) throws IOException {
        Sizes s = Sizes.of(p);
        List<Job> jobs = new ArrayList<>();
        for (int k = 0; k < s.noise(); k++) jobs.add(new Job(String.format("musan/noise/synth/noise-%04d.wav", k + 1), P_NOISE, k));
        for (int k = 0; k < s.speech(); k++) jobs.add(new Job(String.format("musan/speech/synth/speech-%04d.wav", k + 1), P_SPEECH, k));
        for (int k = 0; k < s.music(); k++) jobs.add(new Job(String.format("musan/music/synth/music-%04d.wav", k + 1), P_MUSIC, k));
        for (int k = 0; k < s.rirs(); k++) jobs.add(new Job(String.format("rirs/simulated/rir-%04d.wav", k + 1), P_RIR, k));
        SynthVox.FileEntry[] out = new SynthVox.FileEntry[jobs.size()];
        int n = (int) (s.seconds() * Talker.FS);
        Workers.forEach(jobs.size(), threads, i -> {
            Job j = jobs.get(i);
            Rng r = new Rng(seed, Rng.id(j.category(), 0, j.index(), 0));
            double[] x = switch (j.category()) {
                case P_NOISE -> noise(n, j.index(), r);
                case P_SPEECH -> new Talker(r).speak(n, new Rng(seed, Rng.id(P_SPEECH, 0, j.index(), 1)));
                case P_MUSIC -> music(n, r);
                default -> rir(r);
            };
            short[] pcm = pcm(x, j.category() == P_RIR ? 0 : -20);
            byte[] bytes = Wav.encodePcm16(pcm, (int) Talker.FS);
            Path f = dir.resolve(j.path());
            Files.createDirectories(f.getParent());
            Files.write(f, bytes);
            out[i] = new SynthVox.FileEntry(j.path(), DatasetHash.sha256(bytes), pcm.length);
        });
        return List.of(out);
    }

    /**
     * The hash of the files under {@code folder} ("musan" or "rirs"), as {@link DatasetHash#ofFolder} computes it from
     * the written files.
     */
    static String folderHash(List<SynthVox.FileEntry> files, String folder) {
        Map<String, String> m = new LinkedHashMap<>();
        for (SynthVox.FileEntry e : files) if (e.path().startsWith(folder + "/")) m.put(e.path().substring(folder.length() + 1), e.sha256());
        return DatasetHash.combine(null, List.of(), m);
    }

    /** Scaled to an RMS of {@code dbfs} dBFS (impulse responses: to a peak of 0.9 instead), peak at most 0.98, as 16-bit PCM. */
    private static short[] pcm(double[] x, double dbfs) {
        double peak = 0;
        if (dbfs == 0) {
            for (double v : x) peak = Math.max(peak, Math.abs(v));
            for (int i = 0; i < x.length; i++) x[i] *= 0.9 / peak;
        } else {
            SynthVox.normalise(x, pow(10, dbfs / 20));
        }
        peak = 0;
        for (double v : x) peak = Math.max(peak, Math.abs(v));
        double limit = peak > 0.98 ? 0.98 / peak : 1;
        short[] out = new short[x.length];
        for (int i = 0; i < x.length; i++) out[i] = Wav.toPcm16(x[i] * limit);
        return out;
    }

    /** Noise kind {@code index mod 6}: white, pink, brown, band-limited, mains hum over pink, fan (low-passed, slowly modulated). */
    static double[] noise(int n, int index, Rng r) {
        double[] x = new double[n];
        switch (index % 6) {
            case 0 -> { for (int i = 0; i < n; i++) x[i] = r.noise(); }
            case 1 -> SynthVox.pink(x, r);
            case 2 -> { double b = 0; for (int i = 0; i < n; i++) { b = 0.995 * b + r.noise(); x[i] = b; } }
            case 3 -> {
                Biquad bp = Biquad.bandpass(r.logUniform(200, 5000), r.uniform(0.7, 3), Talker.FS);
                for (int i = 0; i < n; i++) x[i] = bp.step(r.noise());
            }
            case 4 -> {
                double mains = r.chance(0.5) ? 50 : 60, floor = r.uniform(0.05, 0.3);
                double[] amp = new double[8];
                for (int h = 0; h < amp.length; h++) amp[h] = r.uniform(0.2, 1) / (h + 1);
                SynthVox.pink(x, r);
                for (int i = 0; i < n; i++) {
                    double s = 0;
                    for (int h = 0; h < amp.length; h++) s += amp[h] * sin(2 * PI * mains * (h + 1) * i / Talker.FS);
                    x[i] = s + floor * x[i];
                }
            }
            default -> {
                Biquad lp = Biquad.lowpass(r.logUniform(300, 1500), 0.707, Talker.FS);
                double rate = r.uniform(0.2, 2), depth = r.uniform(0.1, 0.5), ph = r.uniform(0, 2 * PI);
                for (int i = 0; i < n; i++) x[i] = lp.step(r.noise()) * (1 + depth * sin(2 * PI * rate * i / Talker.FS + ph));
            }
        }
        return x;
    }

    /** Tonal music: a pentatonic melody, a bass line on the chord roots, a sustained triad, hi-hat noise on the beats. */
    static double[] music(int n, Rng r) {
        double[] x = new double[n];
        double beat = 60 / r.uniform(70, 160) * Talker.FS, key = 110 * pow(2, r.nextInt(12) / 12.0);
        int[] scale = {0, 2, 4, 7, 9}, chordRoots = {0, 5, 7, 3};
        double bright = r.uniform(0.4, 0.9);
        int note = 0;
        for (double t0 = 0; t0 < n; t0 += beat / 2, note++) {
            // melody: one note per half beat, two octaves above the key
            int deg = scale[r.nextInt(scale.length)] + 12 * r.nextInt(2);
            tone(x, (int) t0, (int) (beat * r.uniform(0.3, 0.5)), 4 * key * pow(2, deg / 12.0), 0.5, bright);
            if (note % 2 == 0) {
                int root = chordRoots[(note / 8) % chordRoots.length];
                tone(x, (int) t0, (int) (beat * 0.9), key * pow(2, root / 12.0), 0.7, 0.3); // bass
                hat(x, (int) t0, r);
            }
            if (note % 8 == 0) {
                int root = chordRoots[(note / 8) % chordRoots.length];
                for (int iv : new int[] {0, 4, 7}) tone(x, (int) t0, (int) (beat * 4), 2 * key * pow(2, (root + iv) / 12.0), 0.15, 0.5);
            }
        }
        return x;
    }

    /** Adds a note of six harmonics (amplitudes bright^h) with a short attack and an exponential decay. */
    private static void tone(double[] x, int start, int length, double f, double amp, double bright) {
        int end = Math.min(x.length, start + length), attack = 160;
        for (int i = start; i < end; i++) {
            int t = i - start;
            double env = amp * Math.min(1, t / (double) attack) * exp(-3.0 * t / length);
            double s = 0, a = 1;
            for (int h = 1; h <= 6 && f * h < 7500; h++, a *= bright) s += a * sin(2 * PI * f * h * t / Talker.FS);
            x[i] += env * s;
        }
    }

    /** A 40 ms burst of high-passed noise. */
    private static void hat(double[] x, int start, Rng r) {
        Biquad hp = Biquad.highpass(6000, 0.707, Talker.FS);
        int len = 640;
        for (int i = start; i < Math.min(x.length, start + len); i++) x[i] += 0.2 * exp(-8.0 * (i - start) / len) * hp.step(r.noise());
    }

    /**
     * A room impulse response: RT60 0.2–0.9 s, a pre-delay of 0.5–3 ms to the direct path, 6–12 early reflections in the
     * first 50 ms, then a diffuse tail (noise under the RT60 decay, darkened by air absorption) at a direct-to-reverberant
     * ratio of −3…12 dB; length 1.1·RT60.
     */
    static double[] rir(Rng r) {
        double rt60 = r.uniform(0.2, 0.9), drr = r.uniform(-3, 12);
        int len = (int) (1.1 * rt60 * Talker.FS), pre = (int) (r.uniform(0.0005, 0.003) * Talker.FS);
        double[] h = new double[len];
        double absorb = r.uniform(0.2, 0.7), lp = 0, tail = 0;
        for (int i = pre + 1; i < len; i++) {
            lp = absorb * lp + (1 - absorb) * r.noise();
            h[i] = lp * exp(-6.908 * (i - pre) / (rt60 * Talker.FS));
            tail += h[i] * h[i];
        }
        double scale = Math.sqrt(pow(10, -drr / 10) / Math.max(tail, 1e-12));
        for (int i = pre + 1; i < len; i++) h[i] *= scale;
        h[pre] = 1;
        int reflections = r.between(6, 12);
        for (int k = 0; k < reflections; k++) {
            int at = pre + (int) (r.uniform(0.002, 0.05) * Talker.FS);
            if (at < len) h[at] += (r.chance(0.5) ? 1 : -1) * r.uniform(0.1, 0.6) * exp(-6.908 * (at - pre) / (rt60 * Talker.FS));
        }
        return h;
    }
}
