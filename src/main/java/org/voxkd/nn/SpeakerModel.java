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

    /** Records the forward pass: {@code p.input()} to {@code p.embedding()}. */
    void forward(TaskGraph g, Pass p);

    /**
     * Records the backward pass from {@code p.dEmbedding()} (which the loss wrote), accumulating into the
     * parameter gradients. Zeroes the other activation gradients first.
     */
    void backward(TaskGraph g, Pass p);
}
