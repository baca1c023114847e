package org.voxkd.distill;

import java.util.function.DoubleFunction;
import org.voxkd.engine.TaskGraph;
import org.voxkd.engine.View;
import org.voxkd.kernels.Loss;

/**
 * The spec's distillation of the final embedding ({@code loss.distillation}: cosine, mse or kl) against the target — the
 * teacher's embedding, or the mix of several teachers — weighted by α, constant or a curriculum (columns {@code loss_kd},
 * {@code grad_kd}).
 */
public final class EmbeddingTerm implements Term {
    private final LossSpec cfg;
    private final AlphaSchedule schedule;

    public EmbeddingTerm(LossSpec cfg, AlphaSchedule schedule) {
        this.cfg = cfg;
        this.schedule = schedule;
    }

    @Override public String name() { return "kd"; }

    @Override public double weight(int epoch, int epochs) { return schedule != null ? schedule.alpha(epoch, epochs) : cfg.alpha(); }

    @Override public void record(TaskGraph g, Context ctx, View loss, DoubleFunction<Object> weight) {
        int b = ctx.batch(), d = ctx.student().embeddingSize();
        Loss.Distillation kind = cfg.distillation().kernel();
        Loss.distillationScaled(g, loss, ctx.gradient("embedding"), ctx.scratch(b), ctx.studentPass().embedding(), ctx.target(), b, d,
                kind, cfg.tau(), weight.apply(Loss.scale(kind, d, cfg.tau())));
    }
}
