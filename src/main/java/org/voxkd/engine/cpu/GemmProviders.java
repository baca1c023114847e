package org.voxkd.engine.cpu;

import java.util.Locale;

/**
 * Which {@link Gemm} the cpu backend uses, chosen once per JVM.
 *
 * <p>fp32: system property {@code voxkd.gemm} or environment {@code VOXKD_GEMM} = {@code auto} (default: oneDNN
 * when its native library loads, else OpenBLAS — the choice and the reason are in `voxkd devices`),
 * {@code onednn} (an error when it cannot load) or {@code openblas}. Results are deterministic per provider; two
 * providers sum in different orders, so their bits differ (within float tolerance).
 *
 * <p>bf16 ({@code optim.precision: bf16}): oneDNN's bf16 matmul on CPUs with AVX512-BF16 or AMX-BF16; elsewhere an
 * error that says so, unless {@code -Dvoxkd.bf16=emulate} asks for the exact emulation ({@link Bf16}).
 */
public final class GemmProviders {
    private GemmProviders() {}

    private static String fallbackNote;
    private static final Gemm FP32 = chooseFp32(setting("voxkd.gemm", "VOXKD_GEMM", "auto"));

    private static String setting(String property, String env, String otherwise) {
        String v = System.getProperty(property);
        if (v == null) v = System.getenv(env);
        return v == null || v.isBlank() ? otherwise : v.trim().toLowerCase(Locale.ROOT);
    }

    private static Gemm chooseFp32(String choice) {
        switch (choice) {
            case "openblas":
                return OpenBlas.INSTANCE;
            case "onednn":
                if (OneDnn.unavailable() != null)
                    throw new IllegalStateException("VOXKD_GEMM / voxkd.gemm asks for oneDNN, which did not load: " + OneDnn.unavailable()
                            + " (set it to auto or openblas)");
                return OneDnn.fp32();
            case "auto":
                if (OneDnn.unavailable() == null) return OneDnn.fp32();
                fallbackNote = "oneDNN unavailable (" + OneDnn.unavailable() + "), using OpenBLAS";
                return OpenBlas.INSTANCE;
            default:
                throw new IllegalStateException("VOXKD_GEMM / voxkd.gemm must be auto, onednn or openblas, got '" + choice + "'");
        }
    }

    /** A provider by name, for benchmarks: openblas, onednn (dnnl_sgemm), onednn-matmul (the matmul primitive in strict fp32). */
    public static Gemm named(String name) {
        return switch (name) {
            case "openblas" -> OpenBlas.INSTANCE;
            case "onednn" -> OneDnn.fp32();
            case "onednn-matmul" -> OneDnn.strictMatmul();
            default -> throw new IllegalArgumentException("GEMM provider must be openblas, onednn or onednn-matmul, got " + name);
        };
    }

    /** The fp32 GEMM provider. */
    public static Gemm fp32() { return FP32; }

    /** What `voxkd devices` prints: the provider, and why auto fell back if it did. */
    public static String describe() { return FP32.describe() + (fallbackNote == null ? "" : "; " + fallbackNote); }

    /** Null when bf16 GEMMs can run here, else why not and what to do. */
    public static String bf16Unavailable() {
        if (emulateBf16()) return null;
        if (!CpuFeatures.bf16())
            return "precision bf16 needs a CPU with AVX512-BF16 or AMX-BF16; this one (" + CpuFeatures.model() + ": " + CpuFeatures.summary()
                    + ") has neither. Use precision fp32, or run with -Dvoxkd.bf16=emulate (in VOXKD_JAVA_OPTS) to check bf16 numerics "
                    + "through an exact emulation (slower than fp32)";
        if (OneDnn.unavailable() != null) return "precision bf16 runs on oneDNN, which did not load: " + OneDnn.unavailable();
        return null;
    }

    /** The bf16-operand GEMM provider; throws with {@link #bf16Unavailable()}'s message where there is none. */
    public static Gemm bf16() {
        boolean emulate = emulateBf16();
        Gemm[] cached = emulate ? EMULATED : NATIVE;
        if (cached[0] != null) return cached[0];
        String why = bf16Unavailable();
        if (why != null) throw new IllegalStateException(why);
        return cached[0] = emulate ? Bf16.emulated(FP32) : OneDnn.bf16();
    }

    /** The bf16 providers once made (a GEMM launch asks for one each time; the emulation switch is read each time). */
    private static final Gemm[] EMULATED = new Gemm[1], NATIVE = new Gemm[1];

    private static boolean emulateBf16() { return "emulate".equals(setting("voxkd.bf16", "VOXKD_BF16", "")); }
}
