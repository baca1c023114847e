package org.voxkd.audio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Seeded data augmentation, off unless configured. Waveform level, as voxceleb_trainer does it: each crop
 * gets one of {nothing, reverberation, music, babble speech, noise}, uniformly among those whose folder
 * was given. Additive noise follows voxceleb_trainer's MUSAN recipe: noise 0–15 dB SNR with 1 file,
 * speech 13–20 dB with 3–7 files (babble), music 5–15 dB with 1 file; each file is cropped (wrapping
 * when short) to the clip length at a random start and scaled to its own SNR against the clean clip.
 * Levels are 10·log10(mean square + ε) with ε = 1e-4/32768² (voxceleb_trainer's 1e-4 on int16 samples).
 * Reverberation convolves with a random RIR normalised to unit energy and keeps the first len samples.
 * Feature level: SpecAugment time and frequency masks (masked values set to 0, the normalised mean).
 * Every draw comes from the {@link Rng} the caller passes (derived from seed, epoch and utterance).
 */
public final class Augment {
    public record Config(Path musan, Path rirs, int timeMasks, int maxTimeWidth, int freqMasks, int maxFreqWidth) {
        public static final Config OFF = new Config(null, null, 0, 0, 0, 0);

        /** Waveform augmentation from MUSAN-style and RIR folders (either may be null), SpecAugment off. */
        public static Config waveform(Path musan, Path rirs) {
            return new Config(musan, rirs, 0, 0, 0, 0);
        }

        public Config withSpecAugment(int timeMasks, int maxTimeWidth, int freqMasks, int maxFreqWidth) {
            return new Config(musan, rirs, timeMasks, maxTimeWidth, freqMasks, maxFreqWidth);
        }
    }

    /** A MUSAN category: sub-folder name, SNR range and number of files mixed in. */
    public enum Noise {
        NOISE("noise", 0, 15, 1, 1), SPEECH("speech", 13, 20, 3, 7), MUSIC("music", 5, 15, 1, 1);

        public final String folder;
        public final double minSnr, maxSnr;
        public final int minFiles, maxFiles;

        Noise(String folder, double minSnr, double maxSnr, int minFiles, int maxFiles) {
            this.folder = folder; this.minSnr = minSnr; this.maxSnr = maxSnr; this.minFiles = minFiles; this.maxFiles = maxFiles;
        }
    }

    static final double LEVEL_EPS = 1e-4 / (32768.0 * 32768.0);

    private final Config config;
    private final List<List<Path>> noiseFiles = new ArrayList<>(); // by Noise ordinal
    private final List<Path> rirFiles;
    /** Choices: -1 nothing, -2 reverberation, else a Noise ordinal. */
    private final int[] choices;

    public Augment(Config config) throws IOException {
        this.config = config;
        List<Integer> c = new ArrayList<>(List.of(-1));
        rirFiles = config.rirs() == null ? List.of() : wavs(config.rirs(), "RIR");
        if (!rirFiles.isEmpty()) c.add(-2);
        for (Noise n : Noise.values()) {
            List<Path> files = List.of();
            if (config.musan() != null) {
                Path sub = config.musan().resolve(n.folder);
                if (Files.isDirectory(sub)) files = wavs(sub, "MUSAN " + n.folder);
            }
            noiseFiles.add(files);
            if (!files.isEmpty()) c.add(n.ordinal());
        }
        if (config.musan() != null && c.stream().allMatch(i -> i < 0)) {
            throw new IOException(config.musan() + ": no noise/, speech/ or music/ sub-folder with WAV files");
        }
        choices = c.stream().mapToInt(Integer::intValue).toArray();
    }

    public Config config() {
        return config;
    }

    public boolean waveformEnabled() {
        return choices.length > 1;
    }

    /** Applies one randomly chosen waveform augmentation (or none); returns x itself when nothing applies. */
    public float[] waveform(float[] x, Rng r) throws IOException {
        if (!waveformEnabled()) return x;
        int choice = choices[r.nextInt(choices.length)];
        if (choice == -1) return x;
        if (choice == -2) return reverberate(x, rirFiles.get(r.nextInt(rirFiles.size())));
        return addNoise(x, Noise.values()[choice], r);
    }

    /** voxceleb_trainer's additive_noise for one category. */
    public float[] addNoise(float[] x, Noise kind, Rng r) throws IOException {
        List<Path> files = noiseFiles.get(kind.ordinal());
        if (files.isEmpty()) return x;
        int count = Math.min(files.size(), r.between(kind.minFiles, kind.maxFiles));
        int[] pick = r.permutation(files.size()); // sample without replacement: the first `count`
        double cleanDb = 10 * StrictMath.log10(Dsp.power(x) + LEVEL_EPS);
        double[] sum = new double[x.length];
        for (int k = 0; k < count; k++) {
            float[] noise = Wav.read(files.get(pick[k]));
            int start = noise.length > x.length ? r.nextInt(noise.length - x.length + 1) : 0;
            float[] crop = Dsp.wrapCrop(noise, start, x.length);
            double snr = r.uniform(kind.minSnr, kind.maxSnr);
            double noiseDb = 10 * StrictMath.log10(Dsp.power(crop) + LEVEL_EPS);
            double scale = StrictMath.sqrt(StrictMath.pow(10, (cleanDb - noiseDb - snr) / 10));
            for (int i = 0; i < x.length; i++) sum[i] += scale * crop[i];
        }
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) out[i] = (float) (x[i] + sum[i]);
        return out;
    }

    /** Convolution with the RIR in {@code rirFile} (normalised to unit energy), truncated to the input length. */
    public static float[] reverberate(float[] x, Path rirFile) throws IOException {
        float[] h = Wav.read(rirFile);
        double e = Dsp.power(h) * h.length;
        if (e <= 0) throw new WavException(rirFile, "room impulse response is silent");
        double[] hd = new double[h.length], xd = new double[x.length];
        double s = 1 / StrictMath.sqrt(e);
        for (int i = 0; i < h.length; i++) hd[i] = h[i] * s;
        for (int i = 0; i < x.length; i++) xd[i] = x[i];
        double[] y = Fft.convolve(xd, hd, x.length);
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) out[i] = (float) y[i];
        return out;
    }

    /** SpecAugment on a row-major [frames, bins] feature array, in place. */
    public void specAugment(float[] feat, int frames, int bins, Rng r) {
        for (int m = 0; m < config.timeMasks(); m++) {
            int w = r.between(0, Math.min(config.maxTimeWidth(), frames)), t0 = r.between(0, frames - w);
            java.util.Arrays.fill(feat, t0 * bins, (t0 + w) * bins, 0f);
        }
        for (int m = 0; m < config.freqMasks(); m++) {
            int w = r.between(0, Math.min(config.maxFreqWidth(), bins)), f0 = r.between(0, bins - w);
            for (int t = 0; t < frames; t++) java.util.Arrays.fill(feat, t * bins + f0, t * bins + f0 + w, 0f);
        }
    }

    public boolean specAugmentEnabled() {
        return config.timeMasks() > 0 || config.freqMasks() > 0;
    }

    /** One line for logs: what each choice mixes in and from how many files. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        for (Noise n : Noise.values()) {
            int k = noiseFiles.get(n.ordinal()).size();
            if (k > 0) parts.add(String.format(Locale.ROOT, "%s %.0f–%.0f dB SNR (%s of %d files)", n.folder, n.minSnr, n.maxSnr,
                    n.minFiles == n.maxFiles ? Integer.toString(n.minFiles) : n.minFiles + "–" + n.maxFiles, k));
        }
        if (!rirFiles.isEmpty()) parts.add("reverberation (" + rirFiles.size() + " impulse responses)");
        String wave = parts.isEmpty() ? "no waveform augmentation" : "one of {none, " + String.join(", ", parts) + "} per crop";
        return wave + "; SpecAugment " + (specAugmentEnabled() ? config.timeMasks() + "×≤" + config.maxTimeWidth() + " frames, "
                + config.freqMasks() + "×≤" + config.maxFreqWidth() + " mel bins" : "off");
    }

    private static List<Path> wavs(Path dir, String what) throws IOException {
        if (!Files.isDirectory(dir)) throw new IOException(what + " folder " + dir + " is not a directory");
        List<Path> files = wavFiles(dir);
        if (files.isEmpty()) throw new IOException(what + " folder " + dir + " has no .wav files");
        return files;
    }

    /**
     * Every .wav file under {@code dir}, sorted: the files augmentation draws from (and the data hash covers). Symbolic
     * links are followed (a prepared data folder links the user's MUSAN and RIR folders).
     */
    public static List<Path> wavFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir, java.nio.file.FileVisitOption.FOLLOW_LINKS)) {
            return s.filter(p -> Files.isRegularFile(p) && p.toString().toLowerCase(Locale.ROOT).endsWith(".wav")).sorted().toList();
        }
    }
}
