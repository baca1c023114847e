package org.voxkd.distill;

import java.util.List;
import java.util.function.DoubleFunction;
import org.voxkd.engine.TaskGraph;
import org.voxkd.engine.View;
import org.voxkd.kernels.Distill;

/**
 * Relational KD (Park et al. 2019), distance-wise (RKD-D): the batch's matrix of pairwise distances between student
 * embeddings, each over its mean, matched to the teacher's under smooth-L1 — the structure of the batch, not the
 * embeddings themselves, so the widths may differ. Configuration: {@code distill: {terms: {relational: {weight: 0.5}}}}.
 */
public final class RelationalTerm implements Term {
    /** {@code distill.terms.relational}; {@code kind} is {@code distance} (the only variant implemented). */
    public record Spec(Float weight, String kind) implements Terms.Spec {
        @Override public Spec resolved(String at, Terms.Defaults defaults, List<String> errors) {
            String k = kind == null ? "distance" : kind;
            if (!k.equals("distance")) errors.add(at + ".kind must be distance (Park et al.'s distance-wise RKD), got " + k);
            return new Spec(weight, k);
        }

        @Override public Term build(String key) { return new RelationalTerm(key, this); }
    }

    private final String name;
    private final Spec spec;

    RelationalTerm(String name, Spec spec) {
        this.name = name;
        this.spec = spec;
    }

    @Override public String name() { return name; }

    @Override public double weight(int epoch, int epochs) { return spec.weight(); }

    @Override public void record(TaskGraph g, Context ctx, View loss, DoubleFunction<Object> weight) {
        Context.Tap s = ctx.tap("student.embedding"), t = ctx.tap("teacher.embedding");
        int b = ctx.batch();
        Distill.relationalDistance(g, loss, ctx.gradient("embedding"), ctx.scratch(Distill.relationalScratch(b)), s.act(), t.act(), b,
                s.tap().width(), t.tap().width(), weight.apply(1));
    }
}
