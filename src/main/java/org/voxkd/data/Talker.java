package org.voxkd.data;

import static java.lang.StrictMath.PI;
import static java.lang.StrictMath.cos;
import static java.lang.StrictMath.exp;
import static java.lang.StrictMath.pow;
import static java.lang.StrictMath.sin;

import org.voxkd.audio.Dsp.Biquad;
import org.voxkd.audio.Rng;

/**
 * A synthetic talker for SynthVox: a source–filter voice with fixed traits that renders random syllable
 * sequences. Spectral traits: pitch range, vocal-tract length, glottal spectral tilt, breathiness,
 * jitter/shimmer, per-vowel formant offsets, vowel preferences. Temporal traits — a speaking style that shows
 * only over hundreds of milliseconds, as in real voices: speaking rate and rhythm (pause habits, syllable-length
 * spread, consonant preferences), how fast formants move between targets, an intonation style (declination and
 * the tempo of the pitch contour), a vocal tremor (rate and depth), and habitual vowel sequences (a Markov chain
 * over vowels). A {@link Style} of the recording session shifts pitch and tempo (effort, mood). Deterministic
 * given the trait, style and utterance streams.
 */
final class Talker {
    static final double FS = 16000;
    /** Reference (adult male) vowel formants F1..F3 in Hz; F4, F5 follow the vocal-tract scale only. */
    private static final double[][] VOWELS = {
        {270, 2290, 3010}, {390, 1990, 2550}, {530, 1840, 2480}, {730, 1090, 2440},
        {570, 840, 2410}, {440, 1020, 2240}, {300, 870, 2240}, {640, 1190, 2390}, {490, 1350, 1690}};
    private static final double[] BASE_BW = {60, 90, 120, 180, 250};
    /** Log-normal spreads of the per-speaker vowel formant offsets, F4/F5 offsets, and vowel preferences. */
    private static final double T_VOWEL = 0.15, T_HIGH = 0.12, T_PREF = 1.2, T_SEQ = 1.0;
    private static final int BLOCK = 32; // formant coefficient update interval (2 ms)

    final double f0, f0RangeSemitones, vtScale, tiltPole, breathiness, jitter, shimmer, rate, bwScale;
    final double[][] vowelFormants; // [vowel][5] in Hz, traits applied
    final double fricativeScale;
    /** Temporal traits: formant glide per 2 ms block, pause habit, syllable-length spread, intonation tempo, tremor. */
    final double glide, pauseProb, sylSpread, declination, contourHz1, contourHz2, tremorHz, tremorSemitones;
    /** Consonant habits: cumulative probabilities of fricative / stop / no consonant before a vowel. */
    final double[] consonantCdf = new double[3];
    /** Cumulative vowel preferences (accent / habit): the long-term spectrum depends on them. */
    final double[] vowelCdf = new double[VOWELS.length];
    /** Habitual vowel sequences: cumulative transition probabilities [previous vowel][next vowel]. */
    final double[][] vowelNextCdf = new double[VOWELS.length][VOWELS.length];

    /** How a recording session changes delivery: a pitch shift (semitones) and a tempo factor. */
    record Style(double pitchSemitones, double tempo) {
        static final Style NEUTRAL = new Style(0, 1);
    }

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
        glide = r.logUniform(0.025, 0.12);
        pauseProb = r.uniform(0.03, 0.2);
        sylSpread = r.uniform(0.1, 0.4);
        declination = r.uniform(0.0, 1.2);
        contourHz1 = r.logUniform(0.3, 1.2);
        contourHz2 = r.logUniform(1.5, 4.0);
        tremorHz = r.uniform(3.5, 7.5);
        tremorSemitones = r.logUniform(0.02, 0.6);
        double c0 = exp(0.8 * r.gaussian()), c1 = exp(0.8 * r.gaussian()), c2 = exp(0.8 * r.gaussian()), cs = c0 + c1 + c2;
        consonantCdf[0] = c0 / cs;
        consonantCdf[1] = (c0 + c1) / cs;
        consonantCdf[2] = 1;
        for (int a = 0; a < VOWELS.length; a++) {
            double t = 0;
            for (int v = 0; v < VOWELS.length; v++) vowelNextCdf[a][v] = t += (vowelCdf[v] - (v == 0 ? 0 : vowelCdf[v - 1])) * exp(T_SEQ * r.gaussian());
            for (int v = 0; v < VOWELS.length; v++) vowelNextCdf[a][v] /= t;
        }
    }

    /** Renders {@code n} samples of speech (arbitrary scale) with the utterance stream {@code r}, in a neutral style. */
    double[] speak(int n, Rng r) {
        return speak(n, r, Style.NEUTRAL);
    }

    /** Renders {@code n} samples of speech (arbitrary scale) with the utterance stream {@code r} in a session's style. */
    double[] speak(int n, Rng r, Style style) {
        double[] out = new double[n];
        double rate = this.rate * style.tempo();
        // ---- plan: segments of (start, end, kind, vowel) ----
        int maxSeg = (int) (n / FS * rate * 3) + 8;
        int[] segStart = new int[maxSeg], segKind = new int[maxSeg], segVowel = new int[maxSeg];
        double[] segFric = new double[maxSeg];
        int segs = 0, pos = (int) (r.uniform(0.02, 0.15) * FS), prevVowel = -1;
        while (pos < n && segs < maxSeg - 3) {
            if (segs > 0 && r.chance(pauseProb)) { // pause
                segStart[segs] = pos; segKind[segs++] = 0;
                pos += (int) (r.uniform(0.08, 0.3) * FS / style.tempo());
                continue;
            }
            double syl = FS / rate * (1 + sylSpread * (2 * r.uniform() - 1));
            double u = r.uniform();
            int cons = u < consonantCdf[0] ? 0 : u < consonantCdf[1] ? 1 : 2; // 0 fricative, 1 stop burst, 2 none (voiced onset)
            if (cons == 0) { segStart[segs] = pos; segKind[segs] = 2; segFric[segs++] = r.uniform(2500, 6500) * fricativeScale; pos += (int) (syl * 0.3); }
            else if (cons == 1) { segStart[segs] = pos; segKind[segs] = 3; segFric[segs++] = r.uniform(1500, 4500) * fricativeScale; pos += (int) (syl * 0.12); }
            prevVowel = prevVowel < 0 ? vowel(vowelCdf, r.uniform()) : vowel(vowelNextCdf[prevVowel], r.uniform());
            segStart[segs] = pos; segKind[segs] = 1; segVowel[segs++] = prevVowel;
            pos += (int) (syl * (cons == 2 ? 0.8 : 0.6));
        }
        segStart[segs] = Integer.MAX_VALUE;

        // ---- intonation: the speaker's declination and contour tempo (±15% per utterance), plus a vocal tremor ----
        double p1 = r.uniform(0, 2 * PI), p2 = r.uniform(0, 2 * PI), pt = r.uniform(0, 2 * PI);
        double fr1 = contourHz1 * r.uniform(0.85, 1.15) * style.tempo(), fr2 = contourHz2 * r.uniform(0.85, 1.15) * style.tempo();
        double decl = declination * r.uniform(0.7, 1.3);
        double f0Utt = f0 * pow(2, (style.pitchSemitones() + r.uniform(-1.0, 1.0)) / 12);

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
                    cur[k] += (target[k] - cur[k]) * glide;
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
                double semis = f0RangeSemitones * (0.5 * sin(2 * PI * fr1 * t + p1) + 0.3 * sin(2 * PI * fr2 * t + p2) - decl * t / (n / FS))
                        + tremorSemitones * sin(2 * PI * tremorHz * t + pt);
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

    private static int vowel(double[] cdf, double u) {
        int v = 0;
        while (v < cdf.length - 1 && u >= cdf[v]) v++;
        return v;
    }

    private static int firstVowel(int[] kind, int segs) {
        for (int s = 0; s < segs; s++) if (kind[s] == 1) return s;
        return 0;
    }
}
