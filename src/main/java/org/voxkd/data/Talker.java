package org.voxkd.data;

import static java.lang.StrictMath.PI;
import static java.lang.StrictMath.cos;
import static java.lang.StrictMath.exp;
import static java.lang.StrictMath.pow;
import static java.lang.StrictMath.sin;

import org.voxkd.audio.Dsp.Biquad;
import org.voxkd.audio.Rng;

/**
 * A synthetic talker for SynthVox: a source–filter voice with fixed traits (pitch range, vocal-tract
 * length, glottal spectral tilt, breathiness, jitter/shimmer, speaking rate, per-vowel formant offsets)
 * that renders random syllable sequences. Deterministic given the trait and utterance streams.
 */
final class Talker {
    static final double FS = 16000;
    /** Reference (adult male) vowel formants F1..F3 in Hz; F4, F5 follow the vocal-tract scale only. */
    private static final double[][] VOWELS = {
        {270, 2290, 3010}, {390, 1990, 2550}, {530, 1840, 2480}, {730, 1090, 2440},
        {570, 840, 2410}, {440, 1020, 2240}, {300, 870, 2240}, {640, 1190, 2390}, {490, 1350, 1690}};
    private static final double[] BASE_BW = {60, 90, 120, 180, 250};
    /** Log-normal spreads of the per-speaker vowel formant offsets, F4/F5 offsets, and vowel preferences. */
    private static final double T_VOWEL = 0.15, T_HIGH = 0.12, T_PREF = 1.2;
    private static final int BLOCK = 32; // formant coefficient update interval (2 ms)

    final double f0, f0RangeSemitones, vtScale, tiltPole, breathiness, jitter, shimmer, rate, bwScale;
    final double[][] vowelFormants; // [vowel][5] in Hz, traits applied
    final double fricativeScale;
    /** Cumulative vowel preferences (accent / habit): the long-term spectrum depends on them. */
    final double[] vowelCdf = new double[VOWELS.length];

    Talker(Rng r) {
        boolean female = r.chance(0.5);
        f0 = female ? r.logUniform(160, 260) : r.logUniform(85, 160);
        f0RangeSemitones = r.uniform(1.5, 5.0);
        vtScale = (female ? r.uniform(1.04, 1.22) : r.uniform(0.86, 1.04));
        tiltPole = r.uniform(0.55, 0.93);
        breathiness = r.logUniform(0.01, 0.25);
        jitter = r.uniform(0.002, 0.02);
        shimmer = r.uniform(0.02, 0.12);
        rate = r.uniform(3.0, 6.0);
        bwScale = r.uniform(0.75, 1.4);
        fricativeScale = r.uniform(0.85, 1.2);
        vowelFormants = new double[VOWELS.length][5];
        for (int v = 0; v < VOWELS.length; v++) {
            for (int k = 0; k < 3; k++) vowelFormants[v][k] = VOWELS[v][k] * vtScale * exp(T_VOWEL * r.gaussian());
        }
        double f4 = 3500 * vtScale * exp(T_HIGH * r.gaussian()), f5 = 4500 * vtScale * exp(T_HIGH * r.gaussian());
        for (double[] f : vowelFormants) { f[3] = f4; f[4] = f5; }
        double total = 0;
        for (int v = 0; v < VOWELS.length; v++) vowelCdf[v] = total += exp(T_PREF * r.gaussian());
        for (int v = 0; v < VOWELS.length; v++) vowelCdf[v] /= total;
    }

    /** Renders {@code n} samples of speech (arbitrary scale) with the utterance stream {@code r}. */
    double[] speak(int n, Rng r) {
        double[] out = new double[n];
        // ---- plan: segments of (start, end, kind, vowel) ----
        int maxSeg = (int) (n / FS * rate * 3) + 8;
        int[] segStart = new int[maxSeg], segKind = new int[maxSeg], segVowel = new int[maxSeg];
        double[] segFric = new double[maxSeg];
        int segs = 0, pos = (int) (r.uniform(0.02, 0.15) * FS);
        while (pos < n && segs < maxSeg - 3) {
            if (segs > 0 && r.chance(0.1)) { // pause
                segStart[segs] = pos; segKind[segs++] = 0;
                pos += (int) (r.uniform(0.08, 0.3) * FS);
                continue;
            }
            double syl = FS / rate * r.uniform(0.7, 1.3);
            int cons = r.nextInt(3); // 0 fricative, 1 stop burst, 2 none (voiced onset)
            if (cons == 0) { segStart[segs] = pos; segKind[segs] = 2; segFric[segs++] = r.uniform(2500, 6500) * fricativeScale; pos += (int) (syl * 0.3); }
            else if (cons == 1) { segStart[segs] = pos; segKind[segs] = 3; segFric[segs++] = r.uniform(1500, 4500) * fricativeScale; pos += (int) (syl * 0.12); }
            segStart[segs] = pos; segKind[segs] = 1; segVowel[segs++] = vowel(r.uniform());
            pos += (int) (syl * (cons == 2 ? 0.8 : 0.6));
        }
        segStart[segs] = Integer.MAX_VALUE;

        // ---- intonation: declination plus two slow random sinusoids ----
        double p1 = r.uniform(0, 2 * PI), p2 = r.uniform(0, 2 * PI), fr1 = r.uniform(0.3, 1.2), fr2 = r.uniform(1.5, 3.5);
        double decl = r.uniform(0.0, 1.0);
        double f0Utt = f0 * pow(2, r.uniform(-1.5, 1.5) / 12);

        // ---- filters ----
        double[] y1 = new double[5], y2 = new double[5], a1 = new double[5], a2 = new double[5], g = new double[5];
        double[] cur = vowelFormants[segVowel[firstVowel(segKind, segs)]].clone();
        double[] target = cur.clone();
        Biquad fric = null;
        double glot1 = 0, glot2 = 0, rad = 0, phase = 1, period = FS / f0Utt, amp = 1;
        double voiceEnv = 0, noiseEnv = 0;
        int seg = -1;
        for (int i = 0; i < n; i++) {
            while (i >= segStart[seg + 1]) {
                seg++;
                if (segKind[seg] == 1) target = vowelFormants[segVowel[seg]];
                else if (segKind[seg] >= 2) fric = Biquad.bandpass(Math.min(segFric[seg], 7600), segKind[seg] == 2 ? 2.5 : 1.2, FS);
            }
            int kind = seg < 0 ? 0 : segKind[seg];
            double voiceTarget = kind == 1 ? 1 : 0, noiseTarget = kind == 2 ? 0.5 : kind == 3 ? (i - segStart[seg] < 400 ? 1.2 : 0.1) : 0;
            voiceEnv += (voiceTarget - voiceEnv) * 0.004;
            noiseEnv += (noiseTarget - noiseEnv) * 0.02;
            if (i % BLOCK == 0) {
                for (int k = 0; k < 5; k++) {
                    cur[k] += (target[k] - cur[k]) * 0.06;
                    double bw = BASE_BW[k] * bwScale, rr = exp(-PI * bw / FS);
                    a1[k] = -2 * rr * cos(2 * PI * cur[k] / FS);
                    a2[k] = rr * rr;
                    g[k] = 1 + a1[k] + a2[k];
                }
            }
            // glottal source: impulse per period, jitter and shimmer drawn per period
            double src = 0;
            phase += 1;
            if (phase >= period) {
                phase -= period;
                double t = i / FS;
                double semis = f0RangeSemitones * (0.5 * sin(2 * PI * fr1 * t + p1) + 0.3 * sin(2 * PI * fr2 * t + p2) - decl * t / (n / FS));
                period = FS / (f0Utt * pow(2, semis / 12)) * (1 + jitter * r.gaussian());
                amp = 1 + shimmer * r.gaussian();
                src = amp;
            }
            glot1 = tiltPole * glot1 + src;
            glot2 = tiltPole * glot2 + glot1 * (1 - tiltPole);
            double v = voiceEnv * (glot2 * (1 - tiltPole) + breathiness * r.noise());
            for (int k = 0; k < 5; k++) {
                double yk = g[k] * v - a1[k] * y1[k] - a2[k] * y2[k];
                y2[k] = y1[k];
                y1[k] = yk;
                v = yk;
            }
            double s = v;
            if (fric != null) s += noiseEnv * 0.15 * fric.step(r.noise());
            out[i] = s - 0.97 * rad; // lip radiation
            rad = s;
        }
        return out;
    }

    private int vowel(double u) {
        int v = 0;
        while (v < VOWELS.length - 1 && u >= vowelCdf[v]) v++;
        return v;
    }

    private static int firstVowel(int[] kind, int segs) {
        for (int s = 0; s < segs; s++) if (kind[s] == 1) return s;
        return 0;
    }
}
