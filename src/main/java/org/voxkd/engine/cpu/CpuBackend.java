package org.voxkd.engine.cpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.function.Function;
import org.bytedeco.javacpp.FloatPointer;
import org.voxkd.engine.Backend;
import org.voxkd.engine.Buffer;
import org.voxkd.engine.DeviceInfo;
import org.voxkd.engine.Numerics;
import org.voxkd.engine.Precision;
import org.voxkd.engine.Task;
import org.voxkd.engine.View;

/**
 * The reference backend: kernels are the Java bodies declared with each {@link org.voxkd.engine.Kernel},
 * GEMMs go to a {@link Gemm} provider of {@link GemmProviders} ({@code fast} numerics: oneDNN or OpenBLAS) or to {@link PortableGemm} ({@code portable}: the same bits on every CPU,
 * see {@link Numerics}). Memory is native (direct buffers) so the providers work in place, without copies; in portable
 * numerics it is Java arrays (heap buffers), which voxkd's GEMM reads in place.
 * Launches run synchronously on the calling thread (bodies may fork through {@link Parallel}).
 */
public final class CpuBackend implements Backend {
    private static final class CpuMemory implements Memory {
        final Buffer buffer;
        final FloatBuffer floats;
        final FloatPointer pointer;

        /** Native memory for the GEMM providers (fast numerics), or a Java array for voxkd's own GEMM (portable; no native pointer). */
        CpuMemory(Buffer buffer, boolean heap) {
            this.buffer = buffer;
            this.floats = heap ? FloatBuffer.wrap(new float[buffer.length()])
                    : ByteBuffer.allocateDirect(Math.multiplyExact(buffer.length(), Float.BYTES)).order(ByteOrder.nativeOrder()).asFloatBuffer();
            this.pointer = heap ? null : new FloatPointer(floats);
        }

        @Override public Buffer buffer() { return buffer; }

        @Override public void close() { /* the direct buffer is freed with its last reference */ }
    }

    private final Numerics numerics;

    /** A backend in the process's active numerics mode ({@link Numerics#active()}). */
    public CpuBackend() { this(Numerics.active()); }

    /** Fails with what to do when the JVM lacks the Vector API module the kernels are written with (see {@link Simd}). */
    public CpuBackend(Numerics numerics) {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty())
            throw new IllegalStateException("the cpu backend's kernels need the jdk.incubator.vector module: run bin/voxkd, "
                    + "or add --add-modules jdk.incubator.vector to the java command line");
        if (numerics == null) throw new IllegalArgumentException("numerics mode must not be null");
        this.numerics = numerics;
    }

    @Override public String name() { return "cpu"; }

    /** This backend's numerics mode, fixed when it was created. */
    public Numerics numerics() { return numerics; }

    @Override public DeviceInfo device() { return describe(numerics); }

    /** The one cpu device in the active numerics mode. */
    public static DeviceInfo describe() { return describe(Numerics.active()); }

    /** The one cpu device: this machine's processors, the JVM's memory limit, the numerics mode and what it computes with. */
    public static DeviceInfo describe(Numerics numerics) {
        Runtime rt = Runtime.getRuntime();
        // Simd needs the Vector API module; `voxkd devices` must describe the cpu even in a JVM started without it.
        boolean simd = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
        String vectors = simd ? Simd.F.vectorBitSize() + "-bit vectors" : "no Vector API module (jdk.incubator.vector)";
        String how = numerics.portable()
                ? "numerics portable: GEMM voxkd (Java, one fma chain per output), " + Numerics.LOGICAL_LANES + "-lane reductions, StrictMath; " + vectors
                : "numerics fast: GEMM " + GemmProviders.describe() + "; " + (simd ? Simd.LANES + "-lane reductions, " : "") + "Math; " + vectors;
        return new DeviceInfo("cpu", 0, System.getProperty("os.arch") + " (" + Parallel.threads() + " kernel threads, numerics " + numerics.id() + ")",
                System.getProperty("java.vendor"), "Java " + Runtime.version(), rt.maxMemory(), rt.availableProcessors(), how);
    }

    @Override public Memory allocate(Buffer buffer) { return new CpuMemory(buffer, numerics.portable()); }

    @Override public void write(Memory dst, int offset, float[] src, int srcOffset, int length) {
        ((CpuMemory) dst).floats.put(offset, src, srcOffset, length);
    }

    @Override public void read(Memory src, int offset, float[] dst, int dstOffset, int length) {
        ((CpuMemory) src).floats.get(offset, dst, dstOffset, length);
    }

    @Override public Bound bind(Task task, Function<Buffer, Memory> memory) {
        Object[] raw = task.args();
        FloatBuffer[] bufs = new FloatBuffer[raw.length];
        int[] offs = new int[raw.length];
        FloatPointer[] ptrs = new FloatPointer[raw.length];
        for (int k = 0; k < raw.length; k++) {
            if (raw[k] instanceof View v) {
                CpuMemory m = (CpuMemory) memory.apply(v.buffer());
                bufs[k] = m.floats;
                offs[k] = v.offset();
                if (m.pointer != null) ptrs[k] = new FloatPointer(m.pointer).position(v.offset());
            }
        }
        CpuArgs args = new CpuArgs(raw, bufs, offs, ptrs, numerics);
        var body = task.kernel().cpu();
        if (body == null) throw new IllegalStateException("kernel " + task.kernel() + " has no cpu body");
        return profile -> {
            if (!profile) {
                body.run(args);
                return 0;
            }
            long t0 = profileClock();
            body.run(args);
            return profileClock() - t0;
        };
    }

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    /**
     * A profiled launch's clock: with one kernel thread every kernel runs on the calling thread, and its CPU time is the
     * launch's time whatever else the machine runs (on an idle machine the same as its wall time; on a shared one far
     * steadier); with more threads, wall time.
     */
    private static long profileClock() {
        return Parallel.threads() == 1 ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
    }

    @Override public String unsupported(Precision p) {
        return p == Precision.BF16 ? GemmProviders.bf16Unavailable() : null;
    }

    @Override public void finish() { /* launches are synchronous */ }

    @Override public void close() {}
}
