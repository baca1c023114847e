package org.voxkd.engine.cpu;

import java.nio.FloatBuffer;
import org.bytedeco.javacpp.FloatPointer;
import org.voxkd.engine.Numerics;
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
    private final Numerics numerics;

    CpuArgs(Object[] raw, FloatBuffer[] bufs, int[] offs, FloatPointer[] ptrs, Numerics numerics) {
        this.raw = raw;
        this.numerics = numerics;
        this.bufs = bufs;
        this.offs = offs;
        this.ptrs = ptrs;
    }

    /** The numerics mode of the backend this launch runs on: which GEMM, reduction width and transcendental functions. */
    public Numerics numerics() { return numerics; }

    /** The whole buffer behind view argument {@code k}; index it from {@link #off(int)}. */
    public FloatBuffer buf(int k) {
        FloatBuffer b = bufs[k];
        if (b == null) throw new IllegalArgumentException("argument " + k + " is not a view: " + raw[k]);
        return b;
    }

    /** The offset in floats of view argument {@code k}. */
    public int off(int k) { return offs[k]; }

    /** A native pointer to the first float of view argument {@code k} (for BLAS; fast numerics' native memory only). */
    public FloatPointer ptr(int k) {
        FloatPointer p = ptrs[k];
        if (p == null) throw new IllegalArgumentException("argument " + k + " is not a view in native memory: " + raw[k]);
        return p;
    }

    /** The Java array behind view argument {@code k} (portable numerics' memory), indexed from {@link #off(int)}. */
    public float[] array(int k) {
        FloatBuffer b = buf(k);
        if (!b.hasArray() || b.arrayOffset() != 0) throw new IllegalArgumentException("argument " + k + " is not a view in Java memory: " + raw[k]);
        return b.array();
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
