package org.voxkd.engine;

import java.util.Locale;

/**
 * How the cpu backend and the host-side numerics (front-end, losses) round: {@link #FAST} or {@link #PORTABLE}.
 *
 * <p>{@code fast}: OpenBLAS's GEMM (its kernels and summation order depend on the CPU it detects), reductions across
 * SIMD lanes at the hardware's vector width, and {@code Math.exp/log/tanh} (HotSpot intrinsics whose last bit the
 * JDK leaves unspecified). Same bits on the same machine, not across machines.
 *
 * <p>{@code portable}: every operation that affects a result is specified bit for bit by Java itself, whatever
 * the CPU, its vector width or the thread count: voxkd's own GEMM (engine/cpu/PortableGemm: a fused multiply-add chain
 * per output in a fixed order), reductions across lanes at a fixed logical width ({@link #LOGICAL_LANES}), and
 * {@code StrictMath} (fdlibm) for every transcendental function. Same bits on any x86-64 or other JVM platform.
 *
 * <p>Element-wise SIMD code is portable in both modes: its lanes are independent IEEE operations (an explicit fma
 * is correctly rounded everywhere), so the vector width only decides how many elements go at once.
 *
 * <p>The mode is process-wide for host code ({@link #active()}, set by the command line or a run's configuration;
 * the system property {@code voxkd.numerics} gives the start value), and fixed per backend for the kernels (a cpu
 * backend takes the active mode when it is created, see {@code CpuBackend#numerics()}).
 */
public enum Numerics {
    FAST,
    PORTABLE;

    /** Lanes of the fixed-order reductions across SIMD lanes in portable mode: 512 bits, the widest x86 vectors. */
    public static final int LOGICAL_LANES = 16;

    private static volatile Numerics active = fromProperty();

    /** The mode host code uses now, and that a cpu backend created now will use. */
    public static Numerics active() { return active; }

    /** Sets the process-wide mode; returns the previous one (restore it when a scope ends). */
    public static Numerics activate(Numerics mode) {
        if (mode == null) throw new IllegalArgumentException("numerics mode must not be null");
        Numerics was = active;
        active = mode;
        return was;
    }

    /** {@code fast} or {@code portable} (case-insensitive); anything else is an error that lists both. */
    public static Numerics parse(String name) {
        if (name != null)
            for (Numerics n : values()) if (n.id().equalsIgnoreCase(name.trim())) return n;
        throw new IllegalArgumentException("numerics must be fast or portable, got " + (name == null ? "nothing" : "'" + name + "'"));
    }

    private static Numerics fromProperty() {
        String p = System.getProperty("voxkd.numerics");
        try {
            return p == null ? FAST : parse(p);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("-Dvoxkd.numerics: " + e.getMessage(), e);
        }
    }

    /** The name in configurations, on the command line and in records: {@code fast} or {@code portable}. */
    public String id() { return name().toLowerCase(Locale.ROOT); }

    public boolean portable() { return this == PORTABLE; }

    /** Lanes of a reduction across SIMD lanes: the hardware's ({@code hardwareLanes}) in fast mode, {@link #LOGICAL_LANES} in portable. */
    public int reductionLanes(int hardwareLanes) { return portable() ? LOGICAL_LANES : hardwareLanes; }

    public double exp(double x) { return portable() ? StrictMath.exp(x) : Math.exp(x); }

    public double log(double x) { return portable() ? StrictMath.log(x) : Math.log(x); }

    public double tanh(double x) { return portable() ? StrictMath.tanh(x) : Math.tanh(x); }

    @Override public String toString() { return id(); }
}
