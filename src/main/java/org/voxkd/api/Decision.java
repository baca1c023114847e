package org.voxkd.api;

import java.util.Locale;

/** A verification decision: the score, the threshold it was compared with, and the answer (same when score ≥ threshold). */
public record Decision(double score, Threshold threshold, boolean sameSpeaker) {
    @Override public String toString() {
        return String.format(Locale.ROOT, "score %.6f, threshold %.6f (%s): %s", score, threshold.value(), threshold.source(),
                sameSpeaker ? "same speaker" : "different speakers");
    }
}
