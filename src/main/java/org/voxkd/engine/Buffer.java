package org.voxkd.engine;

/**
 * A named, fixed-size array of floats that lives on whichever device runs the plan.
 * A buffer is a logical handle: an {@link ExecutionPlan} allocates the real memory once on its
 * backend, and every task graph of that plan that names the buffer sees the same memory.
 */
public final class Buffer {
    private final String name;
    private final int length;

    public Buffer(String name, int length) {
        if (length <= 0) throw new IllegalArgumentException("buffer '" + name + "' must hold at least one float, got " + length);
        this.name = name;
        this.length = length;
    }

    public String name() { return name; }

    public int length() { return length; }

    /** The whole buffer as a view. */
    public View all() { return new View(this, 0, length); }

    /** A window of {@code length} floats starting at {@code offset}. */
    public View view(int offset, int length) { return new View(this, offset, length); }

    @Override public String toString() { return name + "[" + length + "]"; }
}
