package org.voxkd.report;

import java.util.List;

/** The report's experiments in their fixed order, with what a reader needs to know about each. */
public final class Experiments {
    private Experiments() {}

    public static final String TEACHER = "teacher", V1 = "v1-mse", RESCALED = "v1-mse-rescaled", V2 = "v2-cosine", LARGE = "v2-large",
            LOWALPHA = "v2-large-lowalpha", NOKD = "v2-nokd", LARGE_NOKD = "v2-large-nokd", AUG = "v2-cosine-aug";

    /** Every experiment, in report order. */
    public static final List<String> ALL = List.of(TEACHER, V1, RESCALED, V2, LARGE, LOWALPHA, NOKD, LARGE_NOKD, AUG);

    /** The name the original report used ("new" for the controls it lacked). */
    public static String originalName(String experiment) {
        return switch (experiment) {
            case TEACHER -> "Teacher";
            case V1 -> "V1";
            case RESCALED -> "(new) V1's mse × D·τ²/2 at V2's α";
            case V2 -> "V2";
            case LARGE -> "V2_Large";
            case LOWALPHA -> "V2_Large_LowAlpha";
            case NOKD -> "(new) small, no teacher";
            case LARGE_NOKD -> "(new) large, no teacher";
            case AUG -> "(new) V2 + augmentation";
            default -> experiment;
        };
    }

    /** The student of the same size trained without a teacher, or null for the teacher and the controls. */
    public static String control(String experiment) {
        return switch (experiment) {
            case V1, RESCALED, V2, AUG -> NOKD;
            case LARGE, LOWALPHA -> LARGE_NOKD;
            default -> null;
        };
    }
}
