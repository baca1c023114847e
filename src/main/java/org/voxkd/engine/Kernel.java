package org.voxkd.engine;

import org.voxkd.engine.cpu.CpuArgs;

/**
 * One device kernel: its name (the OpenCL C function in {@code tornado-kernels/<family>.cl}), its {@link Signature}
 * (declared once, checked when a task is recorded and against the {@code .cl} source by a test), the Java body the
 * cpu backend runs, and — for a kernel that opencl runs as several launches — its {@link Lowering}. Kernels are declared
 * as constants next to the ops that launch them.
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
        /** A strided-batched SGEMM (CLBlast on opencl, a GEMM provider on cpu), optionally on bf16-rounded operands. */
        BLAS,
        /** A stage of another kernel's {@link Lowering}: OpenCL C only, never recorded itself. */
        STAGE
    }

    private final String name;
    private final String family;
    private final Kind kind;
    private final Signature signature;
    private final Lowering lowering;
    private final Kernel operandRounding;
    private final CpuBody cpu;

    private Kernel(String name, String family, Kind kind, Signature signature, Lowering lowering, Kernel operandRounding, CpuBody cpu) {
        this.name = name;
        this.family = family;
        this.kind = kind;
        this.signature = signature;
        this.lowering = lowering;
        this.operandRounding = operandRounding;
        this.cpu = cpu;
    }

    /**
     * A kernel whose OpenCL C source is function {@code name} in {@code tornado-kernels/family.cl}, with parameters
     * {@code signature} (see {@link Signature#of}).
     */
    public static Kernel source(String family, String name, String signature, CpuBody cpu) {
        return new Kernel(name, family, Kind.SOURCE, Signature.of(signature), null, null, cpu);
    }

    /** A kernel that opencl runs as the stages of {@code lowering} (no {@code .cl} function of its own). */
    public static Kernel source(String family, String name, String signature, Lowering lowering, CpuBody cpu) {
        return new Kernel(name, family, Kind.SOURCE, Signature.of(signature), lowering, null, cpu);
    }

    /** A stage of a {@link Lowering}: OpenCL C function {@code name} of {@code family.cl}; its parameters may be scratch. */
    public static Kernel stage(String family, String name, String signature) {
        Kernel[] self = new Kernel[1];
        self[0] = new Kernel(name, family, Kind.STAGE, Signature.of(signature), null, null, a -> {
            throw new IllegalStateException(self[0] + " is an OpenCL lowering stage; it has no cpu body and is never recorded");
        });
        return self[0];
    }

    /**
     * A strided-batched SGEMM ({@code name} for profiles); {@code operandRounding}, when not null, is the stage kernel
     * ({@code out y, in x, int n}) that the opencl backend runs over both operands first (bf16 GEMMs).
     */
    public static Kernel blas(String name, String signature, Kernel operandRounding, CpuBody cpu) {
        return new Kernel(name, "blas", Kind.BLAS, Signature.of(signature), null, operandRounding, cpu);
    }

    public String name() { return name; }

    public String family() { return family; }

    public Kind kind() { return kind; }

    public Signature signature() { return signature; }

    /** The opencl backend's multi-launch plan, or null for one launch of the kernel's own function. */
    public Lowering lowering() { return lowering; }

    /** For a BLAS kernel: the kernel that rounds its operands first on opencl, or null. */
    public Kernel operandRounding() { return operandRounding; }

    public CpuBody cpu() { return cpu; }

    @Override public String toString() { return family + "/" + name; }
}
