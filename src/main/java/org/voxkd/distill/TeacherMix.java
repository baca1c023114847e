package org.voxkd.distill;

import java.util.List;
import java.util.function.Function;
import org.voxkd.engine.Buffer;
import org.voxkd.engine.TaskGraph;
import org.voxkd.engine.View;
import org.voxkd.kernels.Distill;
import org.voxkd.kernels.Tensor;

/**
 * The final-embedding target of several teachers ({@code distill.combine}): each teacher's unit embedding weighted per
 * sample — fixed weights, or from each teacher's cross-entropy on the label with its own head — and summed.
 * <pre>
 *   teachers' embeddings [K, B, D] ─► (confidence: head cosines ─► cross-entropy on the labels ─► softmax weights [K, B])
 *                                     (fixed: teacher_weights)  ─► Σ_k w_kb·unit(x_kb) ─► target [B, D]
 * </pre>
 * Columns {@code teacher_weight_K}: the mean weights.
 */
public final class TeacherMix {
    private TeacherMix() {}

    /**
     * Records the mix into {@code g} and returns the target [B, D]; {@code metric} gives a one-float metric column by name.
     * With one teacher the target is its embedding and nothing is recorded.
     */
    public static View record(TaskGraph g, List<Context.Teacher> teachers, DistillSpec spec, LossSpec loss, View labels,
                              Function<String, View> metric, int b, int d, int k) {
        int nt = teachers.size();
        if (nt == 1) return teachers.get(0).pass().embedding();
        View stack = new Buffer("step.teachers", nt * b * d).all(), w = new Buffer("step.teacher_weights", nt * b).all(),
                target = new Buffer("step.target", b * d).all();
        try (var s = g.scope("teachers")) {
            for (int i = 0; i < nt; i++) Tensor.copy(g, stack.slice(i * b * d, b * d), teachers.get(i).pass().embedding());
            if (spec.combine() == DistillSpec.Combine.CONFIDENCE) {
                View ce = new Buffer("step.teacher_ce", nt * b).all();
                for (int i = 0; i < nt; i++) {
                    Context.Teacher t = teachers.get(i);
                    if (t.head() == null)
                        throw new IllegalArgumentException("distill.combine confidence needs every teacher's classifier head; " + t.source() + " carries none");
                    View cos = new Buffer("step.teacher" + i + ".cos", b * k).all();
                    Distill.headCosines(g, cos, new Buffer("step.teacher" + i + ".heads", Distill.headScratch(b, k, d)).all(), t.pass().embedding(),
                            t.head(), b, k, d);
                    Distill.crossEntropyRows(g, ce.slice(i * b, b), new Buffer("step.teacher" + i + ".ce", b * k + b).all(), cos, labels, b, k,
                            loss.scale());
                }
                Distill.confidenceWeights(g, w, ce, nt, b);
            } else {
                for (int i = 0; i < nt; i++) Tensor.fill(g, w.slice(i * b, b), spec.teacherWeights().get(i));
            }
            Distill.mix(g, target, w, stack, nt, b, d);
            for (int i = 0; i < nt; i++) Distill.mean(g, metric.apply("teacher_weight_" + i), w.slice(i * b, b), b);
        }
        return target;
    }
}
