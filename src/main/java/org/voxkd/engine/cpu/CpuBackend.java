package org.voxkd.engine.cpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.function.Function;
import org.bytedeco.javacpp.FloatPointer;
import org.voxkd.engine.Backend;
import org.voxkd.engine.Buffer;
import org.voxkd.engine.DeviceInfo;
import org.voxkd.engine.Task;
import org.voxkd.engine.View;

/**
 * The reference backend: kernels are the Java bodies declared with each {@link org.voxkd.engine.Kernel},
 * GEMMs go to OpenBLAS. Memory is native (direct buffers) so OpenBLAS works in place, without copies.
 * Launches run synchronously on the calling thread (bodies may fork through {@link Parallel}).
 */
public final class CpuBackend implements Backend {
    private static final class CpuMemory implements Memory {
        final Buffer buffer;
        final FloatBuffer floats;
        final FloatPointer pointer;

        CpuMemory(Buffer buffer) {
            this.buffer = buffer;
            this.floats = ByteBuffer.allocateDirect(Math.multiplyExact(buffer.length(), Float.BYTES)).order(ByteOrder.nativeOrder()).asFloatBuffer();
            this.pointer = new FloatPointer(floats);
        }

        @Override public Buffer buffer() { return buffer; }

        @Override public void close() { /* the direct buffer is freed with its last reference */ }
    }

    /** Fails with what to do when the JVM lacks the Vector API module the kernels are written with (see {@link Simd}). */
    public CpuBackend() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty())
            throw new IllegalStateException("the cpu backend's kernels need the jdk.incubator.vector module: run bin/voxkd, "
                    + "or add --add-modules jdk.incubator.vector to the java command line");
    }

    @Override public String name() { return "cpu"; }

    @Override public DeviceInfo device() { return describe(); }

    /** The one cpu device: this machine's processors and the JVM's memory limit. */
    public static DeviceInfo describe() {
        Runtime rt = Runtime.getRuntime();
        return new DeviceInfo("cpu", 0, System.getProperty("os.arch") + " (" + Parallel.threads() + " kernel threads)",
                System.getProperty("java.vendor"), "Java " + Runtime.version(), rt.maxMemory(), rt.availableProcessors(),
                "GEMM: " + GemmProviders.describe());
    }

    @Override public Memory allocate(Buffer buffer) { return new CpuMemory(buffer); }

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
                ptrs[k] = new FloatPointer(m.pointer).position(v.offset());
            }
        }
        CpuArgs args = new CpuArgs(raw, bufs, offs, ptrs);
        var body = task.kernel().cpu();
        if (body == null) throw new IllegalStateException("kernel " + task.kernel() + " has no cpu body");
        return profile -> {
            if (!profile) {
                body.run(args);
                return 0;
            }
            long t0 = System.nanoTime();
            body.run(args);
            return System.nanoTime() - t0;
        };
    }

    @Override public String unsupported(org.voxkd.engine.Precision p) {
        return p == org.voxkd.engine.Precision.BF16 ? GemmProviders.bf16Unavailable() : null;
    }

    @Override public void finish() { /* launches are synchronous */ }

    @Override public void close() {}
}
