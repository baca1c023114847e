package org.voxkd.audio;

import org.voxkd.engine.Numerics;

/**
 * The front-end of both models (spec "Front-end"): power mel spectrogram → log(x + 1e-6) → instance
 * normalisation per mel bin over time. Matches torchaudio's {@code MelSpectrogram(sample_rate=16000,
 * n_fft=512, win_length=400, hop_length=160, window_fn=torch.hamming_window, n_mels=80, f_min=0,
 * f_max=8000, mel_scale='htk', norm=None, power=2, center=True, pad_mode='reflect')}.
 *
 * <p>Output layout is row-major {@code [T, 80]}: frame t occupies {@code [t*80, t*80+80)}. Arithmetic is
 * float64 inside a frame and the results are stored as float32. An instance owns scratch buffers and is
 * not thread-safe: use one per thread (they are cheap). Every step is specified to the bit by Java (StrictMath
 * twiddles and filters, IEEE float64 arithmetic in a fixed order) except the log, which follows the numerics mode.
 */
public final class FrontEnd {
    public static final int SAMPLE_RATE = 16000, N_FFT = 512, WIN_LENGTH = 400, HOP = 160, N_MELS = 80;
    public static final int N_FREQS = N_FFT / 2 + 1;
    public static final double LOG_EPS = 1e-6, NORM_EPS = 1e-5;

    /** The Hamming window (periodic, length 400) zero-padded to 512, centred (56 zeros each side). */
    private static final double[] WINDOW = window();
    /** For each FFT bin k, the (at most two) mel filters with non-zero weight: index and weight. */
    private static final int[][] FB_INDEX;
    private static final double[][] FB_WEIGHT;
    static {
        double[][] fb = melFilterbank();
        FB_INDEX = new int[N_FREQS][];
        FB_WEIGHT = new double[N_FREQS][];
        for (int k = 0; k < N_FREQS; k++) {
            int count = 0;
            for (int m = 0; m < N_MELS; m++) if (fb[k][m] != 0) count++;
            FB_INDEX[k] = new int[count];
            FB_WEIGHT[k] = new double[count];
            for (int m = 0, c = 0; m < N_MELS; m++) if (fb[k][m] != 0) { FB_INDEX[k][c] = m; FB_WEIGHT[k][c++] = fb[k][m]; }
        }
    }

    private final RealFft fft = new RealFft(N_FFT);
    private final double[] frame = new double[N_FFT], re = new double[N_FREQS], im = new double[N_FREQS];
    private final double[] power = new double[N_FREQS], mel = new double[N_MELS];

    /** Features that are not all finite are an error naming the audio they came from (never a NaN batch). */
    public static void requireFinite(float[] features, java.nio.file.Path source) throws WavException {
        for (int i = 0; i < features.length; i++)
            if (!Float.isFinite(features[i]))
                throw new WavException(source, "its features hold " + features[i] + " (frame " + i / N_MELS + ", mel bin " + i % N_MELS
                        + "); the audio's level is out of range");
    }

    /** Centred framing: 1 + len/160 frames. */
    public static int numFrames(int samples) {
        return 1 + samples / HOP;
    }

    /** Waveform samples whose centred framing yields {@code frames} frames: (frames − 1)·160 + 240 as in voxceleb_trainer. */
    public static int cropSamples(int frames) {
        return frames * HOP + (WIN_LENGTH - HOP);
    }

    /** Power mel spectrogram, row-major [T, 80], T = 1 + len/160. Needs at least 2 samples. */
    public float[] powerMel(float[] wav) {
        return powerMel(wav, numFrames(wav.length));
    }

    /** The first {@code frames} frames of the power mel spectrogram (frames ≤ 1 + len/160). */
    public float[] powerMel(float[] wav, int frames) {
        int len = wav.length;
        if (len < 2) throw new IllegalArgumentException("front-end needs at least 2 samples, got " + len);
        if (frames > numFrames(len)) throw new IllegalArgumentException(frames + " frames requested from " + len + " samples");
        float[] out = new float[frames * N_MELS];
        int pad = N_FFT / 2;
        for (int t = 0; t < frames; t++) {
            int start = t * HOP - pad;
            for (int j = 0; j < N_FFT; j++) {
                double w = WINDOW[j];
                frame[j] = w == 0 ? 0 : w * wav[reflect(start + j, len)];
            }
            fft.power(frame, re, im, power);
            java.util.Arrays.fill(mel, 0);
            for (int k = 0; k < N_FREQS; k++) {
                int[] idx = FB_INDEX[k];
                double[] wt = FB_WEIGHT[k];
                for (int c = 0; c < idx.length; c++) mel[idx[c]] += wt[c] * power[k];
            }
            for (int m = 0; m < N_MELS; m++) out[t * N_MELS + m] = (float) mel[m];
        }
        return out;
    }

    /** log(x + 1e-6) elementwise, in place: {@code Math.log}, or {@code StrictMath.log} in portable numerics ({@link Numerics#active()}). */
    public static void log(float[] x) {
        Numerics n = Numerics.active();
        for (int i = 0; i < x.length; i++) x[i] = (float) n.log(x[i] + LOG_EPS);
    }

    /** Per column (mel bin) of a row-major [frames, bins] array: (x − mean) / sqrt(biased var + 1e-5), in place. */
    public static void instanceNorm(float[] x, int frames, int bins) {
        if (x.length != frames * bins) throw new IllegalArgumentException("length " + x.length + " != " + frames + "x" + bins);
        double[] mean = new double[bins], var = new double[bins];
        for (int t = 0; t < frames; t++) for (int m = 0; m < bins; m++) mean[m] += x[t * bins + m];
        for (int m = 0; m < bins; m++) mean[m] /= frames;
        for (int t = 0; t < frames; t++) for (int m = 0; m < bins; m++) { double d = x[t * bins + m] - mean[m]; var[m] += d * d; }
        for (int m = 0; m < bins; m++) var[m] = 1.0 / Math.sqrt(var[m] / frames + NORM_EPS);
        for (int t = 0; t < frames; t++) for (int m = 0; m < bins; m++) x[t * bins + m] = (float) ((x[t * bins + m] - mean[m]) * var[m]);
    }

    /** The full front-end: power mel → log → instance norm; [T, 80]. */
    public float[] features(float[] wav) {
        return features(wav, numFrames(wav.length));
    }

    /** The full front-end on the first {@code frames} frames (normalised over exactly those frames). */
    public float[] features(float[] wav, int frames) {
        float[] x = powerMel(wav, frames);
        log(x);
        instanceNorm(x, frames, N_MELS);
        return x;
    }

    /** Reflect padding index (torch 'reflect': the edge sample is not repeated), bouncing for very short signals. */
    static int reflect(int i, int len) {
        int period = 2 * (len - 1);
        i = Math.floorMod(i, period);
        return i < len ? i : period - i;
    }

    private static double[] window() {
        double[] w = new double[N_FFT];
        int left = (N_FFT - WIN_LENGTH) / 2;
        for (int n = 0; n < WIN_LENGTH; n++) w[left + n] = 0.54 - 0.46 * StrictMath.cos(2 * StrictMath.PI * n / WIN_LENGTH);
        return w;
    }

    static double hzToMel(double f) {
        return 2595.0 * StrictMath.log10(1.0 + f / 700.0);
    }

    static double melToHz(double m) {
        return 700.0 * (StrictMath.pow(10.0, m / 2595.0) - 1.0);
    }

    /** torchaudio.functional.melscale_fbanks(257, 0, 8000, 80, 16000, norm=None, mel_scale='htk'): [257][80]. */
    public static double[][] melFilterbank() {
        double fMin = 0, fMax = SAMPLE_RATE / 2.0;
        double[] freqs = new double[N_FREQS];
        for (int k = 0; k < N_FREQS; k++) freqs[k] = (SAMPLE_RATE / 2.0) * k / (N_FREQS - 1);
        double mMin = hzToMel(fMin), mMax = hzToMel(fMax);
        double[] fPts = new double[N_MELS + 2];
        for (int i = 0; i < N_MELS + 2; i++) fPts[i] = melToHz(mMin + (mMax - mMin) * i / (N_MELS + 1));
        double[][] fb = new double[N_FREQS][N_MELS];
        for (int k = 0; k < N_FREQS; k++) {
            for (int m = 0; m < N_MELS; m++) {
                double down = (freqs[k] - fPts[m]) / (fPts[m + 1] - fPts[m]);
                double up = (fPts[m + 2] - freqs[k]) / (fPts[m + 2] - fPts[m + 1]);
                fb[k][m] = Math.max(0.0, Math.min(down, up));
            }
        }
        return fb;
    }
}
