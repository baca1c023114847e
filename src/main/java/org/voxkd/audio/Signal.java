package org.voxkd.audio;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Whether a recording holds enough signal to be scored: at least {@value #MIN_SECONDS} s of 25 ms frames whose RMS is
 * at least {@value #MIN_DBFS} dBFS. Digital silence, a few samples, or a click in silence give no speaker information,
 * yet every such file is embedded near the same point (they all scored 0.294 against a real voice, and 1.000 against
 * each other): scoring them would be a confident wrong answer, so they are refused as "insufficient audio".
 */
public final class Signal {
    private Signal() {}

    /** Least active speech a recording must hold, in seconds (25 frames of the front-end's 10 ms hop). */
    public static final double MIN_SECONDS = 0.25;
    /** The level a 25 ms frame must reach to count as signal: −60 dBFS (RMS re full scale), below any speech at a usable level. */
    public static final double MIN_DBFS = -60;
    static final int FRAME = FrontEnd.SAMPLE_RATE / 40;

    /** Seconds of {@code x} (at the front-end's rate) in 25 ms frames at or above {@link #MIN_DBFS}; a last partial frame counts by its length. */
    public static double activeSeconds(float[] x) {
        double floor = Math.pow(10, MIN_DBFS / 20), floor2 = floor * floor;
        long active = 0;
        for (int s = 0; s < x.length; s += FRAME) {
            int n = Math.min(FRAME, x.length - s);
            double e = 0;
            for (int i = s; i < s + n; i++) e += (double) x[i] * x[i];
            if (e / n >= floor2) active += n;
        }
        return active / (double) FrontEnd.SAMPLE_RATE;
    }

    /** Throws a {@link WavException} "insufficient audio: …" naming {@code file} when {@code x} holds too little signal. */
    public static void requireUsable(Path file, float[] x) throws WavException {
        double seconds = x.length / (double) FrontEnd.SAMPLE_RATE;
        if (seconds < MIN_SECONDS)
            throw new WavException(file, String.format(Locale.ROOT, "insufficient audio: %d sample%s (%.3f s), under the %.2f s a speaker embedding needs",
                    x.length, x.length == 1 ? "" : "s", seconds, MIN_SECONDS));
        double active = activeSeconds(x);
        if (active >= MIN_SECONDS) return;
        boolean zero = true;
        for (float v : x) zero &= v == 0;
        throw new WavException(file, zero ? String.format(Locale.ROOT, "insufficient audio: digital silence (all %.2f s are zero)", seconds)
                : String.format(Locale.ROOT, "insufficient audio: only %.3f s of %.2f s is above %.0f dBFS, under the %.2f s of signal a speaker "
                        + "embedding needs (silence, or a recording far too quiet)", active, seconds, MIN_DBFS, MIN_SECONDS));
    }
}
