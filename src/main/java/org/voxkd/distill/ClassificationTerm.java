package org.voxkd.distill;

import java.util.List;
import java.util.function.DoubleFunction;
import org.voxkd.engine.TaskGraph;
import org.voxkd.engine.View;
import org.voxkd.kernels.Loss;

/**
 * The hard-label loss (AAM or AM softmax on the student's embedding), weighted by what the distillation terms leave:
 * 1 − Σ their weights at each epoch. Writes the training accuracy as column {@code train_accuracy}.
 */
public final class ClassificationTerm implements Term {
    private final LossSpec cfg;
    private final List<Term> distillation;
    private View labelStatus;

    public ClassificationTerm(LossSpec cfg, List<Term> distillation) {
        this.cfg = cfg;
        this.distillation = distillation;
    }

    @Override public String name() { return "cls"; }

    @Override public boolean distills() { return false; }

    @Override public double weight(int epoch, int epochs) {
        double w = 1;
        for (Term t : distillation) w -= t.weight(epoch, epochs);
        return w;
    }

    @Override public void record(TaskGraph g, Context ctx, View loss, DoubleFunction<Object> weight) {
        int b = ctx.batch(), k = ctx.classes(), d = ctx.student().embeddingSize();
        View scratch = ctx.scratch(Loss.classificationScratch(b, k, d)), emb = ctx.studentPass().embedding(), w = ctx.classifier().value("weight");
        Loss.classificationForward(g, loss, ctx.metric("train_accuracy"), scratch, emb, w, ctx.labels(), b, k, d, cfg.classifier().margin(), cfg.margin(), cfg.scale(),
                weight.apply(1));
        Loss.classificationBackward(g, ctx.gradient("embedding"), ctx.classifier().grad("weight"), scratch, emb, w, b, k, d);
        labelStatus = Loss.labelStatus(scratch, b, k, d);
    }

    /** Where the recorded step's label check writes its status (see {@link Loss#CHECK_LABELS}); after {@link #record}. */
    public View labelStatus() {
        if (labelStatus == null) throw new IllegalStateException("the classification term has not been recorded");
        return labelStatus;
    }
}
