package org.voxkd.engine.cpu;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.util.HashMap;
import java.util.Map;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_post_ops;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.dnnl.dnnl_version_t;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.Loader;

/**
 * oneDNN (JavaCPP preset {@code org.bytedeco:dnnl}, its own libdnnl and OpenMP runtime) as a GEMM provider.
 * fp32 GEMMs go to {@code dnnl_sgemm}, whose JIT kernels beat OpenBLAS at the models' shapes on the machines
 * measured (README, `voxkd bench gemm`), and strided batches (the grouped 1×1 convolutions) to one 3-D matmul
 * primitive instead of one call per group. bf16 GEMMs go to the matmul primitive with fp32 operands, fp32
 * accumulation and fp32 output under {@code fpmath_mode bf16}: oneDNN rounds the operands to bf16 inside its
 * AVX512-BF16 / AMX kernels, so no bf16 copies are made here. The library is optional: {@link #unavailable()}
 * says why it did not load, and {@link GemmProviders} falls back to OpenBLAS.
 *
 * <p>Threads: the OpenMP runtime reads {@code OMP_NUM_THREADS} when the library loads (bin/voxkd sets it to the
 * core count, like {@code OPENBLAS_NUM_THREADS}); results are deterministic for a fixed thread count.
 */
public final class OneDnn implements Gemm {
    private static final String LOAD_ERROR = load();
    private static OneDnn fp32, strictMatmul, bf16;

    private final int fpmath;
    /** False: single GEMMs through dnnl_sgemm (batches through the matmul primitive); true: everything through matmul. */
    private final boolean matmul;
    private final Map<Shape, Matmul> cache = new HashMap<>();
    private dnnl_engine engine;
    private dnnl_stream stream;

    private OneDnn(boolean matmul, int fpmath) {
        this.matmul = matmul;
        this.fpmath = fpmath;
    }

    private static String load() {
        try {
            Loader.load(org.bytedeco.dnnl.global.dnnl.class);
            return null;
        } catch (Throwable e) { // UnsatisfiedLinkError, NoClassDefFoundError (jar missing), ExceptionInInitializerError
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }

    /** Why oneDNN cannot be used here, or null when it loaded. */
    public static String unavailable() { return LOAD_ERROR; }

    /** fp32 GEMMs through {@code dnnl_sgemm}. */
    public static synchronized OneDnn fp32() {
        requireLoaded();
        if (fp32 == null) fp32 = new OneDnn(false, dnnl_fpmath_mode_strict);
        return fp32;
    }

    /** bf16 operands, fp32 accumulation (matmul primitive, fpmath mode bf16); only meaningful where the CPU has bf16. */
    public static synchronized OneDnn bf16() {
        requireLoaded();
        if (bf16 == null) bf16 = new OneDnn(true, dnnl_fpmath_mode_bf16);
        return bf16;
    }

    /** The matmul path in strict fp32: the same code as {@link #bf16()} with one attribute changed, testable on any CPU. */
    public static synchronized OneDnn strictMatmul() {
        requireLoaded();
        if (strictMatmul == null) strictMatmul = new OneDnn(true, dnnl_fpmath_mode_strict);
        return strictMatmul;
    }

    private static void requireLoaded() {
        if (LOAD_ERROR != null) throw new IllegalStateException("oneDNN is not available: " + LOAD_ERROR);
    }

    /** oneDNN's version and the instruction set its JIT picked on this CPU. */
    public static String version() {
        requireLoaded();
        dnnl_version_t v = dnnl_version();
        return v.major() + "." + v.minor() + "." + v.patch() + " (ISA " + isaName(dnnl_get_effective_cpu_isa()) + ", OMP_NUM_THREADS="
                + System.getenv().getOrDefault("OMP_NUM_THREADS", "default") + ")";
    }

    private static String isaName(int isa) {
        if (isa == dnnl_cpu_isa_avx512_core_amx || isa == dnnl_cpu_isa_avx512_core_amx_fp16) return "avx512_core_amx";
        if (isa == dnnl_cpu_isa_avx512_core_bf16) return "avx512_core_bf16";
        if (isa == dnnl_cpu_isa_avx512_core) return "avx512_core";
        if (isa == dnnl_cpu_isa_avx2) return "avx2";
        return "0x" + Integer.toHexString(isa);
    }

    @Override public String describe() {
        return "oneDNN " + version() + (matmul ? (fpmath == dnnl_fpmath_mode_bf16 ? ", bf16 matmul" : ", fp32 matmul") : "");
    }

    @Override public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, FloatPointer a, int lda,
                                FloatPointer b, int ldb, float beta, FloatPointer c, int ldc) {
        if (!matmul) {
            check(dnnl_sgemm((byte) (transA ? 'T' : 'N'), (byte) (transB ? 'T' : 'N'), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc), "dnnl_sgemm");
            return;
        }
        matmul(new Shape(transA, transB, m, n, k, lda, ldb, ldc, 0, 0, 0, 1, alpha, beta)).run(a, b, c);
    }

    @Override public void sgemmStridedBatched(boolean transA, boolean transB, int m, int n, int k, float alpha, FloatPointer a, int lda,
                                              long strideA, FloatPointer b, int ldb, long strideB, float beta, FloatPointer c, int ldc,
                                              long strideC, int batch) {
        if (batch == 1) {
            sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            return;
        }
        matmul(new Shape(transA, transB, m, n, k, lda, ldb, ldc, strideA, strideB, strideC, batch, alpha, beta)).run(a, b, c);
    }

    private synchronized Matmul matmul(Shape s) { return cache.computeIfAbsent(s, this::create); }

    /**
     * The address of {@code p}'s current float as a void* argument: JavaCPP adds a {@code Pointer} argument's position
     * in bytes, not in floats, so a float position must be converted (a view at offset k would otherwise start k·3 bytes early).
     */
    private static Pointer bytes(FloatPointer p) { return new BytePointer(p).position(p.position() * Float.BYTES); }

    /** One GEMM shape; primitives are made once per shape (a recorded graph repeats a few shapes). */
    private record Shape(boolean transA, boolean transB, int m, int n, int k, int lda, int ldb, int ldc, long strideA, long strideB, long strideC,
                         int batch, float alpha, float beta) {}

    private final class Matmul {
        final dnnl_primitive primitive;
        final dnnl_memory ma, mb, mc;
        final dnnl_exec_arg_t args = new dnnl_exec_arg_t(3);

        Matmul(dnnl_primitive primitive, dnnl_memory ma, dnnl_memory mb, dnnl_memory mc) {
            this.primitive = primitive;
            this.ma = ma;
            this.mb = mb;
            this.mc = mc;
            args.position(0).arg(DNNL_ARG_SRC_0).memory(ma);
            args.position(1).arg(DNNL_ARG_WEIGHTS_0).memory(mb);
            args.position(2).arg(DNNL_ARG_DST_0).memory(mc);
            args.position(0);
        }

        synchronized void run(FloatPointer a, FloatPointer b, FloatPointer c) {
            check(dnnl_memory_set_data_handle(ma, bytes(a)), "dnnl_memory_set_data_handle");
            check(dnnl_memory_set_data_handle(mb, bytes(b)), "dnnl_memory_set_data_handle");
            check(dnnl_memory_set_data_handle(mc, bytes(c)), "dnnl_memory_set_data_handle");
            check(dnnl_primitive_execute(primitive, stream, 3, args), "dnnl_primitive_execute");
            check(dnnl_stream_wait(stream), "dnnl_stream_wait");
        }
    }

    /**
     * The matmul of one shape: row-major operands as 2-D memory with explicit strides (a transpose is a stride
     * swap), {@code alpha} as a linear post-op and {@code beta} as a sum post-op (dst = alpha·A·B + beta·dst).
     */
    private Matmul create(Shape s) {
        if (engine == null) {
            engine = new dnnl_engine();
            check(dnnl_engine_create(engine, dnnl_cpu, 0), "dnnl_engine_create");
            stream = new dnnl_stream();
            check(dnnl_stream_create(stream, engine, dnnl_stream_default_flags), "dnnl_stream_create");
        }
        dnnl_memory_desc da = desc(s.batch(), s.strideA(), s.m(), s.k(), s.transA(), s.lda()),
                db = desc(s.batch(), s.strideB(), s.k(), s.n(), s.transB(), s.ldb()), dc = desc(s.batch(), s.strideC(), s.m(), s.n(), false, s.ldc());
        dnnl_primitive_attr attr = new dnnl_primitive_attr();
        check(dnnl_primitive_attr_create(attr), "dnnl_primitive_attr_create");
        check(dnnl_primitive_attr_set_fpmath_mode(attr, fpmath), "dnnl_primitive_attr_set_fpmath_mode");
        dnnl_post_ops ops = new dnnl_post_ops();
        check(dnnl_post_ops_create(ops), "dnnl_post_ops_create");
        if (s.alpha() != 1f) check(dnnl_post_ops_append_eltwise(ops, dnnl_eltwise_linear, s.alpha(), 0f), "dnnl_post_ops_append_eltwise");
        if (s.beta() != 0f) check(dnnl_post_ops_append_sum(ops, s.beta(), 0, dnnl_data_type_undef), "dnnl_post_ops_append_sum");
        check(dnnl_primitive_attr_set_post_ops(attr, ops), "dnnl_primitive_attr_set_post_ops");
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        check(dnnl_matmul_primitive_desc_create(pd, engine, da, db, null, dc, attr), "dnnl_matmul_primitive_desc_create " + s);
        dnnl_primitive p = new dnnl_primitive();
        check(dnnl_primitive_create(p, pd), "dnnl_primitive_create");
        dnnl_memory ma = new dnnl_memory(), mb = new dnnl_memory(), mc = new dnnl_memory();
        check(dnnl_memory_create(ma, da, engine, null), "dnnl_memory_create");
        check(dnnl_memory_create(mb, db, engine, null), "dnnl_memory_create");
        check(dnnl_memory_create(mc, dc, engine, null), "dnnl_memory_create");
        dnnl_primitive_desc_destroy(pd);
        dnnl_post_ops_destroy(ops);
        dnnl_primitive_attr_destroy(attr);
        for (dnnl_memory_desc d : new dnnl_memory_desc[] {da, db, dc}) dnnl_memory_desc_destroy(d);
        return new Matmul(p, ma, mb, mc);
    }

    /**
     * rows×cols as stored row-major with leading dimension ld, or (transposed) as the transpose of cols×rows; with
     * batch > 1 a 3-D tensor whose matrices start {@code stride} floats apart (they may interleave, as the column
     * blocks of a grouped convolution do).
     */
    private static dnnl_memory_desc desc(int batch, long stride, int rows, int cols, boolean transposed, int ld) {
        dnnl_memory_desc d = new dnnl_memory_desc();
        long[] strides = transposed ? new long[] {1, ld} : new long[] {ld, 1};
        long[] dims = {rows, cols};
        if (batch > 1) {
            strides = new long[] {stride, strides[0], strides[1]};
            dims = new long[] {batch, rows, cols};
        }
        check(dnnl_memory_desc_create_with_strides(d, dims.length, dims, dnnl_f32, strides), "dnnl_memory_desc_create_with_strides");
        return d;
    }

    private static void check(int status, String call) {
        if (status != dnnl_success)
            throw new IllegalStateException(call + " failed with oneDNN status " + status
                    + (status == dnnl_unimplemented ? " (unimplemented: no oneDNN kernel for this shape and precision on this CPU)" : ""));
    }
}
