package org.voxkd.distill;

import java.util.function.DoubleFunction;
import org.voxkd.engine.ParameterSet;
import org.voxkd.engine.TaskGraph;
import org.voxkd.engine.View;

/**
 * One term of the training loss, total = Σ weight_i·L_i. A term records its forward, writes its loss (one float),
 * and accumulates weight·∂L/∂(student activation) into the gradients the {@link Context} hands out — one per student
 * tap it reaches, whose norms become the term's {@code grad_NAME} column and which the step then adds into the
 * student's backward. Frozen inputs (teachers) get no gradient; learned projections live in the adapter group.
 */
public interface Term {
    /** The term's columns: {@code loss_NAME}, {@code grad_NAME}. */
    String name();

    /** Whether this is a distillation term (everything but the classification loss). */
    default boolean distills() { return true; }

    /** The term's weight at 0-based epoch {@code epoch} of {@code epochs}. */
    double weight(int epoch, int epochs);

    /** Declares the adapter parameters the term learns (PyTorch-style names under the term's own prefix). */
    default void declare(ParameterSet.Builder adapters, Context ctx) {}

    /**
     * Records the term: {@code loss} receives L, gradients are scaled by {@code weight.apply(f)} — the term's weight
     * (over the accumulation) times a factor f of the term's choosing (1 unless it splits itself into parts) — a float
     * Scalar the step sets each epoch.
     */
    void record(TaskGraph g, Context ctx, View loss, DoubleFunction<Object> weight);
}
