package org.voxkd.engine;

import org.voxkd.engine.cpu.CpuArgs;

/**
 * One device kernel: its name (the OpenCL C function in {@code tornado-kernels/<family>.cl}), and the
 * Java body the cpu backend runs. Kernels are declared as constants next to the ops that launch them.
 *
 * <p>Argument convention, the same on every backend: a {@link View} is passed as the buffer followed
 * by its offset in floats ({@code global float* x, int x_off} in OpenCL C); an {@link Integer} or an
 * integer {@link Scalar} as {@code int}; a {@link Float} or a float {@link Scalar} as {@code float}.
 */
public final class Kernel {
    /** What the cpu backend runs for a launch. */
    @FunctionalInterface
    public interface CpuBody {
        void run(CpuArgs args);
    }

    /** Where the opencl backend finds the kernel. */
    public enum Kind {
        /** OpenCL C source in tornado-kernels/. */
        SOURCE,
        /** A BLAS routine (CLBlast on opencl, OpenBLAS on cpu); the family names the routine. */
        BLAS
    }

    private final String name;
    private final String family;
    private final Kind kind;
    private final CpuBody cpu;

    private Kernel(String name, String family, Kind kind, CpuBody cpu) {
        this.name = name;
        this.family = family;
        this.kind = kind;
        this.cpu = cpu;
    }

    /** A kernel whose OpenCL C source is function {@code name} in {@code tornado-kernels/family.cl}. */
    public static Kernel source(String family, String name, CpuBody cpu) { return new Kernel(name, family, Kind.SOURCE, cpu); }

    /** A BLAS routine. */
    public static Kernel blas(String name, CpuBody cpu) { return new Kernel(name, "blas", Kind.BLAS, cpu); }

    public String name() { return name; }

    public String family() { return family; }

    public Kind kind() { return kind; }

    public CpuBody cpu() { return cpu; }

    @Override public String toString() { return family + "/" + name; }
}
