package org.voxkd.engine.cpu;

import java.nio.FloatBuffer;
import org.bytedeco.javacpp.FloatPointer;
import org.voxkd.engine.Scalar;
import org.voxkd.engine.View;

/**
 * The arguments of one bound launch, resolved once when the plan is built: views become direct
 * buffers (for Java bodies) and native pointers (for OpenBLAS), constants stay constants, and
 * {@link Scalar}s are read at each launch. Indices are the positions in the recorded argument list.
 */
public final class CpuArgs {
    private final Object[] raw;
    private final FloatBuffer[] bufs;
    private final int[] offs;
    private final FloatPointer[] ptrs;

    CpuArgs(Object[] raw, FloatBuffer[] bufs, int[] offs, FloatPointer[] ptrs) {
        this.raw = raw;
        this.bufs = bufs;
        this.offs = offs;
        this.ptrs = ptrs;
    }

    /** The whole buffer behind view argument {@code k}; index it from {@link #off(int)}. */
    public FloatBuffer buf(int k) {
        FloatBuffer b = bufs[k];
        if (b == null) throw new IllegalArgumentException("argument " + k + " is not a view: " + raw[k]);
        return b;
    }

    /** The offset in floats of view argument {@code k}. */
    public int off(int k) { return offs[k]; }

    /** A native pointer to the first float of view argument {@code k} (for BLAS). */
    public FloatPointer ptr(int k) {
        FloatPointer p = ptrs[k];
        if (p == null) throw new IllegalArgumentException("argument " + k + " is not a view: " + raw[k]);
        return p;
    }

    /** The length in floats of view argument {@code k}. */
    public int len(int k) { return ((View) raw[k]).length(); }

    public int i(int k) {
        Object o = raw[k];
        if (o instanceof Integer v) return v;
        if (o instanceof Scalar s && s.isInt()) return s.asInt();
        throw new IllegalArgumentException("argument " + k + " is not an int: " + o);
    }

    public float f(int k) {
        Object o = raw[k];
        if (o instanceof Float v) return v;
        if (o instanceof Scalar s && !s.isInt()) return s.asFloat();
        throw new IllegalArgumentException("argument " + k + " is not a float: " + o);
    }
}
