package org.voxkd.distill;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleFunction;
import org.voxkd.engine.ParameterSet;
import org.voxkd.engine.TaskGraph;
import org.voxkd.engine.View;
import org.voxkd.kernels.Distill;
import org.voxkd.kernels.Linear;
import org.voxkd.kernels.Loss;
import org.voxkd.kernels.Tensor;
import org.voxkd.nn.Init;

/**
 * Multi-stage (layer-wise) distillation, the seed's P3: each listed student activation is mapped by a learned linear
 * adapter (student width → teacher width) onto a teacher activation and matched with cosine or MSE; the term's loss is
 * the mean over the pairs. {@code align: frame} matches every frame (student and teacher see the same crops, frame t to
 * frame t: time-aligned by construction); {@code align: mean} matches the time averages. Configuration:
 * <pre>
 *   distill: {terms: {stages: {weight: 0.3, loss: cosine, align: frame,
 *             pairs: {student.block2.out: teacher.encoder3.out, student.block4.out: teacher.lstm1.out, student.block6.out: teacher.lstm2.out}}}}
 * </pre>
 * A pair mapped to null is dropped (how a profile's overlay removes a pair of the base file).
 * Adapters: {@code stages.K.weight} [teacher width, student width] and {@code stages.K.bias}, PyTorch Linear's default
 * initialisation, in the adapter group (optimised, checkpointed, strictly restored).
 */
public final class StagesTerm implements Term {
    /** {@code distill.terms.stages}. */
    public record Spec(Float weight, String loss, String align, Map<String, String> pairs) implements Terms.Spec {
        @Override public Spec resolved(String at, Terms.Defaults defaults, List<String> errors) {
            String l = loss == null ? "cosine" : loss, a = align == null ? "frame" : align;
            if (!List.of("cosine", "mse").contains(l)) errors.add(at + ".loss must be cosine or mse, got " + l);
            if (!List.of("frame", "mean").contains(a)) errors.add(at + ".align must be frame or mean, got " + a);
            // A pair mapped to null is dropped: a profile's overlay removes a base file's pair that way (overlays merge maps).
            Map<String, String> kept = new LinkedHashMap<>();
            if (pairs != null) pairs.forEach((s, t) -> {
                if (t == null) return;
                if (!s.startsWith("student.") || !t.startsWith("teacher."))
                    errors.add(at + ".pairs: '" + s + ": " + t + "' must map a student.TAP to a teacher.TAP");
                kept.put(s, t);
            });
            if (kept.isEmpty()) errors.add(at + ".pairs must map student taps to teacher taps, e.g. {student.block2.out: teacher.lstm1.out}");
            return new Spec(weight, l, a, kept);
        }

        @Override public Term build(String key) { return new StagesTerm(key, this); }
    }

    private final String name;
    private final Spec spec;
    private final List<String[]> pairs = new ArrayList<>();

    StagesTerm(String name, Spec spec) {
        this.name = name;
        this.spec = spec;
        spec.pairs().forEach((s, t) -> pairs.add(new String[] {s, t}));
    }

    @Override public String name() { return name; }

    @Override public double weight(int epoch, int epochs) { return spec.weight(); }

    @Override public void declare(ParameterSet.Builder adapters, Context ctx) {
        for (int k = 0; k < pairs.size(); k++) {
            Context.Tap s = ctx.tap(pairs.get(k)[0]), t = ctx.tap(pairs.get(k)[1]);
            int in = s.tap().width(), out = t.tap().width();
            if (!s.student() || t.student())
                throw new IllegalArgumentException("distill.terms." + name + ": pair " + pairs.get(k)[0] + " → " + pairs.get(k)[1] + " must go from the student to the teacher");
            if (s.tap().perFrame() != t.tap().perFrame())
                throw new IllegalArgumentException("distill.terms." + name + ": " + pairs.get(k)[0] + " and " + pairs.get(k)[1]
                        + " are not both per-frame or both per-utterance activations");
            adapters.param(name + "." + k + ".weight", Init.fanIn(in), out, in).param(name + "." + k + ".bias", Init.fanIn(in), out);
        }
    }

    @Override public void record(TaskGraph g, Context ctx, View loss, DoubleFunction<Object> weight) {
        int b = ctx.batch(), t = ctx.frames(), p = pairs.size();
        View each = ctx.scratch(p);
        ParameterSet ad = ctx.adapters();
        for (int k = 0; k < p; k++) {
            Context.Tap s = ctx.tap(pairs.get(k)[0]), tt = ctx.tap(pairs.get(k)[1]);
            int cs = s.tap().width(), ct = tt.tap().width();
            boolean pool = spec.align().equals("mean") && s.tap().perFrame();
            int rows = pool ? b : s.rows();
            View x = s.act(), target = tt.act(), dx = ctx.gradient(s.tap().name());
            View dPooled = null;
            if (pool) {
                View px = ctx.scratch(b * cs), pt = ctx.scratch(b * ct);
                Distill.timeMeanForward(g, px, x, b, t, cs);
                Distill.timeMeanForward(g, pt, target, b, t, ct);
                x = px;
                target = pt;
                dPooled = ctx.scratch(b * cs);
                Tensor.fill(g, dPooled, 0f);
            }
            String w = name + "." + k;
            View a = ctx.scratch(rows * ct), da = ctx.scratch(rows * ct), r = ctx.scratch(rows);
            Linear.forward(g, a, x, ad.value(w + ".weight"), ad.value(w + ".bias"), rows, cs, ct);
            Tensor.fill(g, da, 0f);
            Object wk = weight.apply(1.0 / p); // the term is the mean over its pairs
            if (spec.loss().equals("cosine")) Loss.distillation(g, each.slice(k, 1), da, r, a, target, rows, ct, Loss.Distillation.COSINE, 1f, wk);
            else Distill.featureMse(g, each.slice(k, 1), da, r, a, target, rows, ct, wk);
            Linear.backward(g, pool ? dPooled : dx, ad.grad(w + ".weight"), ad.grad(w + ".bias"), da, x, ad.value(w + ".weight"), rows, cs, ct);
            if (pool) Distill.timeMeanBackward(g, dx, dPooled, b, t, cs);
        }
        Distill.mean(g, loss, each, p);
    }
}
