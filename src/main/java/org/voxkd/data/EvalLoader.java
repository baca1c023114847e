package org.voxkd.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.voxkd.audio.Dsp;
import org.voxkd.audio.FrontEnd;
import org.voxkd.audio.Wav;

/**
 * Evaluation features of one utterance: the whole utterance ({@code evalFrames == 0}), or {@code crops}
 * crops of {@code evalFrames·160 + 240} samples at evenly spaced starts (voxceleb_trainer: starts
 * {@code linspace(0, len − cropLen, crops)} truncated to integers; audio not longer than a crop is first
 * wrapped to cropLen + 1 samples). Each crop keeps its first {@code evalFrames} frames and is normalised
 * on its own. Stateless apart from a scratch front-end: use one per thread.
 */
public final class EvalLoader {
    private final Path root;
    private final int evalFrames, crops;
    private final FrontEnd frontEnd = new FrontEnd();

    public EvalLoader(Path root, int evalFrames, int crops) {
        if (evalFrames < 0 || (evalFrames > 0 && crops < 1)) throw new IllegalArgumentException("evalFrames " + evalFrames + ", crops " + crops);
        this.root = root;
        this.evalFrames = evalFrames;
        this.crops = crops;
    }

    public static EvalLoader wholeUtterance(Path root) {
        return new EvalLoader(root, 0, 1);
    }

    /** The feature arrays ([frames, 80] row-major) of one listed path: one for whole utterances, else {@code crops}. */
    public List<float[]> features(String path) throws IOException {
        Path file = root.resolve(path);
        float[] wav = Wav.read(file);
        org.voxkd.audio.Signal.requireUsable(file, wav); // silence or a few samples: refused, never scored
        List<float[]> out = features(wav);
        for (float[] f : out) FrontEnd.requireFinite(f, file);
        return out;
    }

    public List<float[]> features(float[] wav) {
        if (evalFrames == 0) return List.of(frontEnd.features(wav));
        int len = FrontEnd.cropSamples(evalFrames);
        if (wav.length <= len) wav = Dsp.wrapCrop(wav, 0, len + 1);
        List<float[]> out = new ArrayList<>(crops);
        double step = crops == 1 ? 0 : (double) (wav.length - len) / (crops - 1); // numpy.linspace
        for (int c = 0; c < crops; c++) {
            int start = c == crops - 1 ? wav.length - len : (int) (c * step);
            float[] clip = new float[len];
            System.arraycopy(wav, start, clip, 0, len);
            out.add(frontEnd.features(clip, evalFrames));
        }
        return out;
    }

    /** Frames of each returned array for an utterance of {@code samples} samples. */
    public int frames(int samples) {
        return evalFrames == 0 ? FrontEnd.numFrames(samples) : evalFrames;
    }
}
