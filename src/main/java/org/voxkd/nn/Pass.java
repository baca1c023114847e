package org.voxkd.nn;

import org.voxkd.engine.Scalar;
import org.voxkd.engine.TaskGraph;
import org.voxkd.engine.View;
import org.voxkd.engine.Workspace;
import org.voxkd.kernels.Tensor;

/**
 * One planned run of a model at one (batch, frames, mode): the activation workspace, and in TRAIN mode
 * the gradient workspace whose slots mirror the activations. Planned once, replayed every step.
 * Every pass has the slots {@code input} [B·T·mels] and {@code embedding} [B·D].
 */
public final class Pass {
    public final int batch, frames;
    public final Mode mode;
    /** Dropout key and per-step counter (the trainer advances {@code step}). */
    public final long seed;
    public final Scalar step;
    private final Workspace act, grad;
    /** EVAL-mode names of dropout outputs → the slot they are (dropout is the identity there: no copy, no memory). */
    private final java.util.Map<String, String> aliases;
    /** Gradient slots the losses write before the backward (the embedding and any tapped activation). */
    private final java.util.Set<String> injected = new java.util.LinkedHashSet<>(java.util.List.of("embedding"));
    private boolean backwardRecorded;

    private Pass(int batch, int frames, Mode mode, long seed, Scalar step, Workspace act, Workspace grad, java.util.Map<String, String> aliases) {
        this.batch = batch;
        this.frames = frames;
        this.mode = mode;
        this.seed = seed;
        this.step = step;
        this.act = act;
        this.grad = grad;
        this.aliases = aliases;
    }

    public boolean training() { return mode == Mode.TRAIN; }

    public int rows() { return batch * frames; }

    public View act(String slot) {
        String target = aliases.get(slot);
        return act.view(target != null ? target : slot);
    }

    public View grad(String slot) {
        if (grad == null) throw new IllegalStateException("an EVAL pass has no gradients (slot " + slot + ")");
        return grad.view(slot);
    }

    public View input() { return act("input"); }

    public View embedding() { return act("embedding"); }

    /** The gradient of the loss with respect to the embedding: where the loss's backward writes. */
    public View dEmbedding() { return grad("embedding"); }

    public Workspace activations() { return act; }

    /** All activation gradients (zeroed at the start of each backward, except the injected ones). */
    public Workspace gradients() { return grad; }

    /**
     * The gradient of {@code slot}, which a loss writes (accumulates into) before the backward is recorded: the
     * backward then starts from it instead of zeroing it. The embedding's is always such a slot; a loss on a hidden
     * activation (a tap, see {@link SpeakerModel#taps()}) injects its gradient here and the backward adds the rest.
     * The caller zeroes the slot before its losses accumulate into it.
     */
    public View injectGradient(String slot) {
        if (backwardRecorded) throw new IllegalStateException("gradient of " + slot + " injected after the backward was recorded");
        View v = grad(slot);
        injected.add(slot);
        return v;
    }

    /** The slots whose gradients losses write ({@link #injectGradient}), the embedding first. */
    public java.util.Set<String> injectedGradients() { return java.util.Collections.unmodifiableSet(injected); }

    /**
     * Records the zeroing of every activation gradient except the injected ones, which the losses have just
     * written: backward kernels accumulate, so each backward starts from zero everywhere else.
     */
    public void zeroGradientsExceptInjected(TaskGraph g) {
        backwardRecorded = true;
        View all = grad.all();
        java.util.List<View> keep = new java.util.ArrayList<>();
        for (String s : injected) keep.add(grad(s));
        keep.sort(java.util.Comparator.comparingInt(View::offset));
        int at = 0;
        for (View k : keep) {
            if (k.offset() > at) Tensor.fill(g, all.slice(at, k.offset() - at), 0f);
            at = Math.max(at, k.offset() + k.length());
        }
        if (at < all.length()) Tensor.fill(g, all.slice(at, all.length() - at), 0f);
    }

    /** Collects slot sizes; a model declares its slots, then {@link #build()}. */
    public static final class Builder {
        final int batch, frames;
        final Mode mode;
        final long seed;
        final Scalar step;
        private final Workspace.Builder act, grad;
        private final java.util.Map<String, String> aliases = new java.util.HashMap<>();

        public Builder(String name, int batch, int frames, Mode mode, long seed, Scalar step) {
            if (batch <= 0 || frames <= 0) throw new IllegalArgumentException("batch and frames must be positive: " + batch + ", " + frames);
            this.batch = batch;
            this.frames = frames;
            this.mode = mode;
            this.seed = seed;
            this.step = step;
            this.act = Workspace.builder(name + ".act");
            this.grad = mode == Mode.TRAIN ? Workspace.builder(name + ".grad") : null;
        }

        /** An activation with a gradient (in TRAIN mode). */
        public Builder slot(String name, int length) {
            act.reserve(name, length);
            if (grad != null) grad.reserve(name, length);
            return this;
        }

        /**
         * The output of a dropout over slot {@code input}: a slot of its own in TRAIN mode, the input itself in EVAL mode,
         * where dropout is the identity (the {@code Layers.dropout} of a view onto itself records nothing).
         */
        public Builder dropoutSlot(String name, String input, int length) {
            if (grad != null) return slot(name, length);
            aliases.put(name, input);
            return this;
        }

        /** Saved statistics (means, inverse deviations): no gradient. */
        public Builder saved(String name, int length) {
            act.reserve(name, length);
            return this;
        }

        /** Backward-only scratch. */
        public Builder scratch(String name, int length) {
            if (grad != null) grad.reserve(name, length);
            return this;
        }

        public Pass build() {
            return new Pass(batch, frames, mode, seed, step, act.build(), grad == null ? null : grad.build(), java.util.Map.copyOf(aliases));
        }
    }
}
