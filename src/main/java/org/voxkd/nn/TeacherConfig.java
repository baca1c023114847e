package org.voxkd.nn;

/**
 * The LSTM + autoencoder teacher of the spec: encoder convs {@code mels → channels → channels → latent},
 * a mirrored decoder (parameters only, unless a reconstruction weight is set), a bidirectional LSTM of
 * {@code lstmLayers} layers with {@code lstmHidden} units per direction, attentive statistics with scalar
 * attention, and an {@code embedding}-dimensional output.
 */
public record TeacherConfig(int mels, int channels, int latent, int lstmHidden, int lstmLayers, int embedding,
                            float encoderDropout, float lstmDropout) {
    public TeacherConfig {
        StudentConfig.positive("mels", mels);
        StudentConfig.positive("channels", channels);
        StudentConfig.positive("latent", latent);
        StudentConfig.positive("lstm_hidden", lstmHidden);
        StudentConfig.positive("lstm_layers", lstmLayers);
        StudentConfig.positive("embedding", embedding);
        if (!(encoderDropout >= 0 && encoderDropout < 1) || !(lstmDropout >= 0 && lstmDropout < 1))
            throw new IllegalArgumentException("teacher dropout must be in [0, 1)");
    }

    /** The report's teacher: 3,873,745 parameters (3,515,777 without the decoder). */
    public static TeacherConfig standard() { return new TeacherConfig(80, 256, 128, 256, 2, 512, 0.2f, 0.3f); }
}
