package org.voxkd.nn;

/**
 * The MLP-Mixer student of the spec: {@code hidden} H, {@code blocks} N, {@code expansion} E,
 * {@code groups} G, over {@code mels} input channels, to an {@code embedding}-dimensional embedding.
 */
public record StudentConfig(int mels, int hidden, int blocks, int expansion, int groups, int embedding, float dropout) {
    public StudentConfig {
        positive("mels", mels);
        positive("hidden", hidden);
        positive("blocks", blocks);
        positive("expansion", expansion);
        positive("groups", groups);
        positive("embedding", embedding);
        if (hidden % groups != 0)
            throw new IllegalArgumentException("student hidden width " + hidden + " must be divisible by groups " + groups);
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("student dropout must be in [0, 1): " + dropout);
    }

    /** V1/V2 of the report: H192 N6 E3 G4, 2,664,576 parameters. */
    public static StudentConfig v2() { return new StudentConfig(80, 192, 6, 3, 4, 512, 0.1f); }

    /** V2_Large: H256 N8 E4 G4, 7,844,864 parameters. */
    public static StudentConfig large() { return new StudentConfig(80, 256, 8, 4, 4, 512, 0.1f); }

    static void positive(String what, int v) {
        if (v <= 0) throw new IllegalArgumentException(what + " must be positive, got " + v);
    }
}
