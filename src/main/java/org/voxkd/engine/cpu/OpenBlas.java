package org.voxkd.engine.cpu;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas;

/** OpenBLAS SGEMM (row-major single precision), the provider that is always there. */
public final class OpenBlas implements Gemm {
    static final OpenBlas INSTANCE = new OpenBlas();

    private OpenBlas() {}

    @Override public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, FloatPointer a, int lda,
                                FloatPointer b, int ldb, float beta, FloatPointer c, int ldc) {
        openblas.cblas_sgemm(openblas.CblasRowMajor, transA ? openblas.CblasTrans : openblas.CblasNoTrans,
                transB ? openblas.CblasTrans : openblas.CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    @Override public String describe() { return "OpenBLAS " + version(); }

    /** The OpenBLAS build in use. */
    public static String version() {
        String v = openblas.class.getPackage().getImplementationVersion();
        return (v == null ? "0.3.31" : v) + " (DYNAMIC_ARCH, OPENBLAS_NUM_THREADS="
                + System.getenv().getOrDefault("OPENBLAS_NUM_THREADS", "default") + ", OPENBLAS_THREAD_TIMEOUT="
                + System.getenv().getOrDefault("OPENBLAS_THREAD_TIMEOUT", "default (spin ~0.1 s)") + ")";
    }

    /** The core kernel set OpenBLAS's DYNAMIC_ARCH chose at run time (e.g. Haswell, Zen, SkylakeX): it decides the GEMM's rounding. */
    public static String coreName() {
        // The JavaCPP preset does not map openblas_get_corename, but the library it loaded exports it: call it through the
        // JDK's foreign-function API, reflectively because that API is final only after the language level voxkd compiles at (21).
        try {
            Class.forName(openblas.class.getName(), true, OpenBlas.class.getClassLoader()); // the library is loaded with this class
            Class<?> lookup = Class.forName("java.lang.foreign.SymbolLookup"), linker = Class.forName("java.lang.foreign.Linker"),
                    descriptor = Class.forName("java.lang.foreign.FunctionDescriptor"), layout = Class.forName("java.lang.foreign.MemoryLayout"),
                    segment = Class.forName("java.lang.foreign.MemorySegment"), addressLayout = Class.forName("java.lang.foreign.ValueLayout");
            Object found = ((java.util.Optional<?>) lookup.getMethod("find", String.class)
                    .invoke(lookup.getMethod("loaderLookup").invoke(null), "openblas_get_corename")).orElse(null);
            if (found == null) return "unknown (openblas_get_corename not exported)";
            Object address = addressLayout.getField("ADDRESS").get(null);
            Object layouts = java.lang.reflect.Array.newInstance(layout, 0);
            Object fd = descriptor.getMethod("of", layout, layouts.getClass()).invoke(null, address, layouts);
            Object nativeLinker = linker.getMethod("nativeLinker").invoke(null);
            Object options = java.lang.reflect.Array.newInstance(Class.forName("java.lang.foreign.Linker$Option"), 0);
            java.lang.invoke.MethodHandle h = (java.lang.invoke.MethodHandle) linker.getMethod("downcallHandle", segment, descriptor, options.getClass())
                    .invoke(nativeLinker, found, fd, options);
            Object p = h.invoke();
            Object wide = segment.getMethod("reinterpret", long.class).invoke(p, 64L);
            return (String) segment.getMethod("getString", long.class).invoke(wide, 0L);
        } catch (Throwable t) {
            return "unknown (" + t.getClass().getSimpleName() + ")";
        }
    }
}
