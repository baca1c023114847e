package org.voxkd.distill;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import org.voxkd.kernels.Loss;

/**
 * The {@code loss} section of a configuration: the classification margin loss and the final-embedding distillation,
 * its weight α and temperature τ. The vocabularies are parsed once, into enums, when the configuration is read (an
 * unknown word is a binding error with its file and line).
 */
public record LossSpec(Classifier classifier, Float margin, Float scale, Distillation distillation, Float alpha, Float tau) {
    /** {@code loss.classifier}: the margin of the classification softmax. */
    public enum Classifier {
        AAM(Loss.Margin.AAM),
        AM(Loss.Margin.AM);

        private final Loss.Margin margin;

        Classifier(Loss.Margin margin) { this.margin = margin; }

        /** The kernels' margin kind. */
        public Loss.Margin margin() { return margin; }

        @JsonValue public String id() { return name().toLowerCase(Locale.ROOT); }

        @Override public String toString() { return id(); }
    }

    /** {@code loss.distillation}: the final-embedding distillation loss, or none. */
    public enum Distillation {
        NONE(null),
        COSINE(Loss.Distillation.COSINE),
        MSE(Loss.Distillation.MSE),
        MSE_RESCALED(Loss.Distillation.MSE_RESCALED),
        KL(Loss.Distillation.KL);

        private final Loss.Distillation kernel;

        Distillation(Loss.Distillation kernel) { this.kernel = kernel; }

        /** The kernels' loss kind (null for none). */
        public Loss.Distillation kernel() { return kernel; }

        @JsonValue public String id() { return name().toLowerCase(Locale.ROOT).replace('_', '-'); }

        @Override public String toString() { return id(); }
    }

    /** Whether the final embedding is distilled: a loss, and a weight (constant α or a curriculum). */
    public boolean finalKd(DistillSpec distill) {
        return distillation != Distillation.NONE && (alpha > 0 || distill.alphaSchedule() != null);
    }
}
