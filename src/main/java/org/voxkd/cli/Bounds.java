package org.voxkd.cli;

/**
 * Limits of the evaluation options, checked before any work: beyond them a command would run for hours and look
 * hung (`eval --crops 100000`) without changing what it measures.
 */
final class Bounds {
    private Bounds() {}

    /** Crops per utterance: evenly spaced crops overlap completely long before this (voxceleb_trainer's protocol uses 10). */
    static final int MAX_CROPS = 100;
    /** Frames per crop: 60 s at the front-end's 10 ms hop; a longer crop is better served by whole utterances (--crops 0). */
    static final int MAX_FRAMES = 6000;
    /** Feature threads: more than this many per core only queue up. */
    static final int THREADS_PER_CORE = 4;

    static void crops(int crops, int frames) {
        if (crops < 0 || crops > MAX_CROPS)
            throw new IllegalArgumentException("--crops must be 0 (whole utterances) to " + MAX_CROPS + ", got " + crops
                    + (crops > MAX_CROPS ? " (evenly spaced crops overlap completely well before that; the protocol uses 10)" : ""));
        if (crops > 0 && (frames < 1 || frames > MAX_FRAMES))
            throw new IllegalArgumentException("--frames must be 1 to " + MAX_FRAMES + " (60 s) per crop, got " + frames
                    + (frames > MAX_FRAMES ? "; for whole utterances use --crops 0" : ""));
    }

    static void threads(int threads) {
        int max = THREADS_PER_CORE * Runtime.getRuntime().availableProcessors();
        if (threads < 1 || threads > Math.max(max, 8))
            throw new IllegalArgumentException("--threads must be 1 to " + Math.max(max, 8) + " (" + THREADS_PER_CORE + " per core here), got " + threads);
    }
}
