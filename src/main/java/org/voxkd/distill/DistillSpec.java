package org.voxkd.distill;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code distill} section of a configuration: a curriculum for α ({@link AlphaSchedule}), how several teachers'
 * embeddings combine into the final-embedding target ({@code combine}: {@code fixed} with {@code teacher_weights}, or
 * {@code confidence}: per sample, from each teacher's cross-entropy on the label with its own head), and the extra
 * distillation terms by key ({@link Terms}).
 */
public record DistillSpec(AlphaSchedule alphaSchedule, Combine combine, List<Float> teacherWeights, Map<String, JsonNode> terms) {
    /** {@code distill.combine}: how several teachers' embeddings make the final-embedding target. */
    public enum Combine {
        /** Fixed weights ({@code teacher_weights}, equal by default). */
        FIXED,
        /** Per sample, from each teacher's cross-entropy on the label with its own classifier head. */
        CONFIDENCE;

        @JsonValue public String id() { return name().toLowerCase(Locale.ROOT); }

        @Override public String toString() { return id(); }
    }

    /** Checks and defaults the section for a run with {@code teachers} teachers. */
    public static DistillSpec resolve(DistillSpec raw, int teachers, ObjectMapper mapper, Terms.Defaults defaults, List<String> errors) {
        DistillSpec d = raw == null ? new DistillSpec(null, null, null, null) : raw;
        if (d.alphaSchedule() != null) d.alphaSchedule().check(errors);
        Combine combine = d.combine() == null ? Combine.FIXED : d.combine();
        List<Float> w = d.teacherWeights();
        if (w != null && (teachers < 2 || combine != Combine.FIXED))
            errors.add("distill.teacher_weights applies to several teachers combined with fixed weights");
        if (w == null && teachers > 1 && combine == Combine.FIXED) w = Collections.nCopies(teachers, 1f / teachers);
        if (w != null && teachers > 1) {
            if (w.size() != teachers) errors.add("distill.teacher_weights needs one weight per teacher (" + teachers + "), got " + w);
            for (Float x : w) if (x == null || !(x >= 0)) errors.add("distill.teacher_weights must be non-negative, got " + w);
        }
        if (combine == Combine.CONFIDENCE && teachers < 2) errors.add("distill.combine confidence needs at least two teachers");
        return new DistillSpec(d.alphaSchedule(), combine, w, Terms.resolve(d.terms(), mapper, defaults, errors));
    }

    /** The sum of the extra terms' weights. */
    public double termWeight() { return Terms.weight(terms); }

    /** The extra terms, built. */
    public List<Term> build(ObjectMapper mapper, Terms.Defaults defaults) { return Terms.build(terms, mapper, defaults); }
}
