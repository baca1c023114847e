package org.voxkd.api;

import java.util.Arrays;
import org.voxkd.eval.Scoring;

/**
 * An utterance embedding: the mean of the recording's unit-length crop embeddings (not normalised again), so the dot
 * product of two embeddings is voxkd's score — the mean cosine over all crop pairs. Immutable; {@link #values()} returns
 * a copy.
 */
public final class Embedding {
    private final float[] values;
    private final float[][] crops; // unit crop embeddings when known: scores then follow eval's order of summation

    Embedding(float[] values, float[][] crops) {
        for (float v : values) if (!Float.isFinite(v)) throw new IllegalArgumentException("an embedding holds " + v);
        this.values = values.clone();
        this.crops = crops;
    }

    /** An embedding from stored values (e.g. a row of {@code voxkd embed}'s output). */
    public static Embedding of(float[] values) {
        if (values.length == 0) throw new IllegalArgumentException("an embedding needs at least one value");
        return new Embedding(values, null);
    }

    public float[] values() { return values.clone(); }

    public int dimension() { return values.length; }

    /**
     * The score of two embeddings: the mean cosine over crop pairs (the dot product of the means; computed over the crops
     * when both were made here, exactly as {@code voxkd eval} sums).
     */
    public double score(Embedding other) {
        if (other.values.length != values.length)
            throw new IllegalArgumentException("embeddings differ in size: " + values.length + " vs " + other.values.length + " (two different models?)");
        if (crops != null && other.crops != null) return Scoring.score(crops, other.crops);
        double s = 0;
        for (int i = 0; i < values.length; i++) s += (double) values[i] * other.values[i];
        return s;
    }

    @Override public boolean equals(Object o) {
        return o instanceof Embedding e && Arrays.equals(values, e.values);
    }

    @Override public int hashCode() { return Arrays.hashCode(values); }

    @Override public String toString() { return "Embedding[" + values.length + " values]"; }
}
