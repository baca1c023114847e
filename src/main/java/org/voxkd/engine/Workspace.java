package org.voxkd.engine;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The activations of one (model, batch, frames) shape, planned once into a single buffer: every
 * tensor a recorded step reads or writes gets a fixed, 64-byte-aligned slot, so replaying the step
 * allocates nothing. Reserve all slots, {@link Builder#build()}, then ask for views by name.
 */
public final class Workspace {
    /** Slots start on multiples of 16 floats (64 bytes): cache lines, OpenCL alignment. */
    static final int ALIGN = 16;

    private final Buffer buffer;
    private final Map<String, View> views;

    private Workspace(Buffer buffer, Map<String, View> views) {
        this.buffer = buffer;
        this.views = Collections.unmodifiableMap(views);
    }

    public static Builder builder(String name) { return new Builder(name); }

    public static final class Builder {
        private final String name;
        private final Map<String, int[]> slots = new LinkedHashMap<>();
        private long size;

        private Builder(String name) { this.name = name; }

        public Builder reserve(String slot, int length) {
            if (length <= 0) throw new IllegalArgumentException("workspace slot " + slot + " must be positive, got " + length);
            if (slots.containsKey(slot)) throw new IllegalArgumentException("workspace slot " + slot + " reserved twice");
            slots.put(slot, new int[] {(int) size, length});
            size += (length + ALIGN - 1) / ALIGN * ALIGN;
            if (size > Integer.MAX_VALUE) throw new IllegalArgumentException("workspace " + name + " exceeds 2^31 floats at slot " + slot);
            return this;
        }

        public Workspace build() {
            Buffer b = new Buffer(name, (int) Math.max(1, size));
            Map<String, View> views = new LinkedHashMap<>();
            slots.forEach((k, v) -> views.put(k, b.view(v[0], v[1])));
            return new Workspace(b, views);
        }
    }

    public View view(String slot) {
        View v = views.get(slot);
        if (v == null) throw new IllegalArgumentException("workspace " + buffer.name() + " has no slot " + slot);
        return v;
    }

    public Buffer buffer() { return buffer; }

    /** The whole workspace (e.g. to zero all activation gradients at once). */
    public View all() { return buffer.all(); }

    public Map<String, View> slots() { return views; }
}
