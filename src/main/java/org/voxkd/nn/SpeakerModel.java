package org.voxkd.nn;

import org.voxkd.engine.ParameterSet;
import org.voxkd.engine.Scalar;
import org.voxkd.engine.TaskGraph;

/**
 * A speaker-embedding network made of engine ops: features [B, T, mels] in, embedding [B, D] out.
 * Parameter names and shapes are PyTorch's, so checkpoints and reference fixtures line up by name.
 */
public interface SpeakerModel {
    /** "student" or "teacher". */
    String kind();

    ParameterSet parameters();

    int mels();

    int embeddingSize();

    /** Plans the workspaces of one (batch, frames, mode); {@code step} advances the dropout masks. */
    Pass plan(int batch, int frames, Mode mode, long dropoutSeed, Scalar step);

    /**
     * A named activation of the model that a loss may read and, in TRAIN mode, inject gradient into
     * ({@link Pass#injectGradient}): {@code slot} in the pass, {@code width} channels per row, rows per frame
     * (B·T) or per utterance (B).
     */
    record Tap(String name, String slot, int width, boolean perFrame) {
        /** Rows of this tap in a pass. */
        public int rows(Pass p) { return perFrame ? p.rows() : p.batch; }
    }

    /**
     * The taps of this model, in data-flow order. Names are 1-based like the report's layers ("block4.out" is the
     * output of the fourth mixer block, "lstm1.out" that of the first LSTM layer); configurations prefix them with
     * the role of the model ({@code student.block4.out}, {@code teacher.lstm1.out}).
     */
    java.util.List<Tap> taps();

    /** The tap named {@code name}; an error lists the known ones. */
    default Tap tap(String name) {
        for (Tap t : taps()) if (t.name().equals(name)) return t;
        throw new IllegalArgumentException("the " + kind() + " model has no tap '" + name + "'; taps: "
                + String.join(", ", taps().stream().map(Tap::name).toList()));
    }

    /** Records the forward pass: {@code p.input()} to {@code p.embedding()}. */
    void forward(TaskGraph g, Pass p);

    /**
     * Records the backward pass from {@code p.dEmbedding()} (which the loss wrote), accumulating into the
     * parameter gradients. Zeroes the other activation gradients first.
     */
    void backward(TaskGraph g, Pass p);
}
