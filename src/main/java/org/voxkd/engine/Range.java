package org.voxkd.engine;

import java.util.Arrays;

/**
 * The global work size of a launch (one work item per output element, usually). The cpu backend
 * ignores it, since its kernels loop themselves; the opencl backend rounds it up to a multiple of
 * the work-group size, so every kernel checks its bounds.
 */
public record Range(int[] global) {
    public Range {
        if (global.length < 1 || global.length > 3) throw new IllegalArgumentException("1 to 3 dimensions, got " + global.length);
        for (int g : global) if (g < 0) throw new IllegalArgumentException("negative work size " + Arrays.toString(global));
        global = global.clone();
    }

    public static Range of(int x) { return new Range(new int[] {x}); }

    public static Range of(int x, int y) { return new Range(new int[] {x, y}); }

    public static Range of(int x, int y, int z) { return new Range(new int[] {x, y, z}); }

    /** No work items: for launches that are not OpenCL kernels (BLAS calls). */
    public static final Range NONE = new Range(new int[] {0});

    public long items() {
        long n = 1;
        for (int g : global) n *= g;
        return n;
    }

    @Override public String toString() { return Arrays.toString(global); }
}
