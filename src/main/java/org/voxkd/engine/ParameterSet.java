package org.voxkd.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's parameters, gradients and Adam moments, each one flat buffer carved into named views in
 * the same order (llm.c style): the optimiser is one kernel over the whole buffer, a checkpoint is
 * one array plus this table. Non-trainable state (BatchNorm running statistics) lives in a fourth
 * buffer with its own table; it is saved with the model but is not a parameter.
 */
public final class ParameterSet {
    /** Fills one tensor's initial values from a counter-based stream (PyTorch's default rules live in nn.Init). */
    @FunctionalInterface
    public interface Initializer {
        void fill(Philox.Stream rnd, float[] dst, int offset, int size);

        Initializer ZEROS = (r, d, o, n) -> {};
        Initializer ONES = (r, d, o, n) -> java.util.Arrays.fill(d, o, o + n, 1f);
    }

    /**
     * One named tensor: where it sits in its flat buffer, its shape, how it starts, and whether the model's backward
     * gives it a gradient ({@code gradient} false: a trainable parameter nothing reads, which the optimiser leaves
     * untouched — PyTorch skips parameters whose .grad is None, weight decay included).
     */
    public record Entry(String name, int[] shape, int offset, int size, boolean trainable, Initializer init, boolean gradient) {
        public String shapeString() { return Arrays.toString(shape); }
    }

    private final String prefix;
    private final Map<String, Entry> entries;
    private final int trainableSize, stateSize;
    private final Buffer params, grads, adamM, adamV, state;

    private ParameterSet(String prefix, Map<String, Entry> entries, int trainableSize, int stateSize) {
        this.prefix = prefix;
        this.entries = Collections.unmodifiableMap(entries);
        this.trainableSize = trainableSize;
        this.stateSize = stateSize;
        this.params = new Buffer(prefix + ".params", Math.max(1, trainableSize));
        this.grads = new Buffer(prefix + ".grads", Math.max(1, trainableSize));
        this.adamM = new Buffer(prefix + ".adam_m", Math.max(1, trainableSize));
        this.adamV = new Buffer(prefix + ".adam_v", Math.max(1, trainableSize));
        this.state = new Buffer(prefix + ".state", Math.max(1, stateSize));
    }

    public static Builder builder(String prefix) { return new Builder(prefix); }

    /** Declares tensors in order; {@link #build()} lays them out. */
    public static final class Builder {
        private final String prefix;
        private final Map<String, Entry> entries = new LinkedHashMap<>();
        private int trainable, state;

        private Builder(String prefix) { this.prefix = prefix; }

        /** A trainable parameter, initialised to zeros. */
        public Builder param(String name, int... shape) { return add(name, shape, true, Initializer.ZEROS); }

        /** A trainable parameter with its initialiser. */
        public Builder param(String name, Initializer init, int... shape) { return add(name, shape, true, init); }

        /** Non-trainable state saved with the model (running statistics), initialised to zeros. */
        public Builder state(String name, int... shape) { return add(name, shape, false, Initializer.ZEROS); }

        public Builder state(String name, Initializer init, int... shape) { return add(name, shape, false, init); }

        private Builder add(String name, int[] shape, boolean isTrainable, Initializer init) {
            if (entries.containsKey(name)) throw new IllegalArgumentException("parameter " + name + " declared twice");
            long size = 1;
            for (int d : shape) {
                if (d <= 0) throw new IllegalArgumentException("parameter " + name + " has a non-positive dimension: " + Arrays.toString(shape));
                size *= d;
            }
            int offset = isTrainable ? trainable : state;
            long end = offset + size;
            if (end > Integer.MAX_VALUE) throw new IllegalArgumentException("parameter set " + prefix + " exceeds 2^31 floats at " + name);
            entries.put(name, new Entry(name, shape.clone(), offset, (int) size, isTrainable, init, isTrainable));
            if (isTrainable) trainable = (int) end;
            else state = (int) end;
            return this;
        }

        /**
         * Declares that the trainable parameters named {@code prefix}… (declared before this call) receive no gradient
         * from the model's backward: the optimiser skips them.
         */
        public Builder noGradient(String prefix) {
            int marked = 0;
            for (Map.Entry<String, Entry> me : entries.entrySet()) {
                Entry e = me.getValue();
                if (e.trainable && e.name.startsWith(prefix)) {
                    me.setValue(new Entry(e.name, e.shape, e.offset, e.size, true, e.init, false));
                    marked++;
                }
            }
            if (marked == 0) throw new IllegalArgumentException("no trainable parameter of " + this.prefix + " starts with " + prefix);
            return this;
        }

        public ParameterSet build() { return new ParameterSet(prefix, new LinkedHashMap<>(entries), trainable, state); }
    }

    public String prefix() { return prefix; }

    /**
     * Initial values of the trainable buffer ({@code trainable}) or of the state buffer: tensor k draws
     * from Philox stream (seed, k), so a tensor's values do not depend on the tensors declared before it.
     */
    public float[] initialValues(long seed, boolean trainable) {
        float[] out = new float[trainable ? trainableSize : stateSize];
        int k = 0;
        for (Entry e : entries.values()) {
            k++;
            if (e.trainable == trainable) e.init.fill(new Philox.Stream(seed, k), out, e.offset, e.size);
        }
        return out;
    }

    /**
     * The ranges {offset, length} of the trainable buffer whose parameters receive gradients, adjacent entries
     * merged: what the optimiser updates (all of it unless some parameters were declared {@link Builder#noGradient}).
     */
    public List<int[]> gradientRanges() {
        List<int[]> out = new ArrayList<>();
        for (Entry e : entries.values()) {
            if (!e.trainable || !e.gradient) continue;
            int[] last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && last[0] + last[1] == e.offset) last[1] += e.size;
            else out.add(new int[] {e.offset, e.size});
        }
        return out;
    }

    /** Trainable floats: the model's parameter count. */
    public int parameterCount() { return trainableSize; }

    public int stateCount() { return stateSize; }

    public List<Entry> entries() { return new ArrayList<>(entries.values()); }

    public Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) throw new IllegalArgumentException("no parameter named " + name + " in " + prefix);
        return e;
    }

    public View value(String name) {
        Entry e = entry(name);
        return (e.trainable ? params : state).view(e.offset, e.size);
    }

    public View grad(String name) { return trainableView(grads, name); }

    public View adamM(String name) { return trainableView(adamM, name); }

    public View adamV(String name) { return trainableView(adamV, name); }

    private View trainableView(Buffer b, String name) {
        Entry e = entry(name);
        if (!e.trainable) throw new IllegalArgumentException(name + " is state, not a trainable parameter");
        return b.view(e.offset, e.size);
    }

    public View params() { return params.view(0, trainableSize); }

    public View grads() { return grads.view(0, trainableSize); }

    public View adamM() { return adamM.view(0, trainableSize); }

    public View adamV() { return adamV.view(0, trainableSize); }

    public View state() { return state.view(0, stateSize); }
}
