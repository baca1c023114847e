package org.voxkd.distill;

import java.util.List;
import java.util.function.DoubleFunction;
import org.voxkd.engine.TaskGraph;
import org.voxkd.engine.View;
import org.voxkd.kernels.Distill;

/**
 * Label-level KD (Hinton et al. 2015): τ²·KL between the temperature-softened class posteriors of the teacher — its own
 * AAM head over the same speakers, read from its checkpoint — and of the student's classifier, both on the logits
 * scale·cos (no margin: the margin belongs to the hard-label loss). Unlike {@code loss.distillation: kl}, which treats
 * the embeddings as logits, this compares distributions over the speakers. The student must train on the teacher's
 * classes (checked). Configuration: {@code distill: {terms: {label: {weight: 0.3, tau: 4}}}} ({@code scale} defaults
 * to {@code loss.scale}).
 */
public final class LabelTerm implements Term {
    /** {@code distill.terms.label}. */
    public record Spec(Float weight, Float tau, Float scale) implements Terms.Spec {
        @Override public Spec resolved(String at, Terms.Defaults defaults, List<String> errors) {
            float t = tau == null ? defaults.tau() : tau, s = scale == null ? defaults.scale() : scale;
            if (!(t > 0)) errors.add(at + ".tau must be positive, got " + t);
            if (!(s > 0)) errors.add(at + ".scale must be positive, got " + s);
            return new Spec(weight, t, s);
        }

        @Override public Term build(String key) { return new LabelTerm(key, this); }
    }

    private final String name;
    private final Spec spec;

    LabelTerm(String name, Spec spec) {
        this.name = name;
        this.spec = spec;
    }

    @Override public String name() { return name; }

    @Override public double weight(int epoch, int epochs) { return spec.weight(); }

    @Override public void record(TaskGraph g, Context ctx, View loss, DoubleFunction<Object> weight) {
        Context.Teacher teacher = ctx.teacher(name);
        if (teacher.head() == null)
            throw new IllegalArgumentException("distill.terms." + name + " needs the teacher's classifier head, which " + teacher.source()
                    + " does not carry (a checkpoint from before heads were saved: retrain the teacher)");
        int b = ctx.batch(), k = ctx.classes(), d = ctx.student().embeddingSize(), dt = teacher.model().embeddingSize();
        View ct = ctx.scratch(b * k);
        Distill.headCosines(g, ct, ctx.scratch(Distill.headScratch(b, k, dt)), teacher.pass().embedding(), teacher.head(), b, k, dt);
        Distill.labelKd(g, loss, ctx.gradient("embedding"), ctx.classifier().grad("weight"), ctx.scratch(Distill.labelScratch(b, k, d)),
                ctx.studentPass().embedding(), ctx.classifier().value("weight"), ct, b, k, d, spec.scale(), spec.tau(), weight.apply(1));
    }
}
