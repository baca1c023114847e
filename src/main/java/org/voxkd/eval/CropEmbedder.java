package org.voxkd.eval;

import java.util.List;

/**
 * Embeddings of equally long feature crops ([frames·mels] each, frame-major): voxkd's own {@link Embedder}, or an
 * exported model under another runtime (org.voxkd.export.OrtModel), so that both are scored by the same code.
 */
public interface CropEmbedder {
    /** The embeddings [crops][D], as the model outputs them (not normalised). */
    float[][] embed(List<float[]> crops);
}
