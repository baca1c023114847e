package org.voxkd.engine.opencl;

import static org.jocl.CL.*;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_queue_properties;
import org.jocl.blast.CLBlast;
import org.jocl.blast.CLBlastLayout;
import org.jocl.blast.CLBlastTranspose;
import org.voxkd.engine.Backend;
import org.voxkd.engine.Buffer;
import org.voxkd.engine.DeviceInfo;
import org.voxkd.engine.Kernel;
import org.voxkd.engine.Scalar;
import org.voxkd.engine.Task;
import org.voxkd.engine.View;

/**
 * The OpenCL backend (JOCL): one context and one in-order, profiling-enabled queue on the chosen device;
 * buffers live on the device; kernels come from tornado-kernels/*.cl, compiled by the driver at run time
 * (PTX on NVIDIA) once per family; GEMMs go to CLBlast. In-order execution plus kernels that reduce in a
 * fixed order make repeated runs bit-identical on the same device.
 *
 * <pre>
 *   bind(task):  kernel = program(family).createKernel(name); set constant args once
 *   launch():    set Scalar args; enqueueNDRange (or CLBlast) ; [profile: wait on the event]
 *   finish():    clFinish(queue)
 * </pre>
 */
public final class OpenClBackend implements Backend {
    /** Work-group size for 1-D launches; global sizes are rounded up to a multiple of it. */
    static final int LOCAL = 64;

    private final DeviceInfo info;
    private final cl_device_id device;
    private final cl_context context;
    private final cl_command_queue queue;
    private final Programs programs;
    private final List<cl_kernel> kernels = new ArrayList<>();
    private boolean closed;

    private OpenClBackend(OpenClDevices.Found found) {
        this.info = found.info();
        this.device = found.device();
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL_CONTEXT_PLATFORM, found.platform());
        this.context = clCreateContext(props, 1, new cl_device_id[] {device}, null, null, null);
        this.queue = createQueue(context, device);
        this.programs = new Programs(context, device, info);
        CLBlast.setExceptionsEnabled(true);
    }

    /** Opens the device chosen by index or name substring (null: the first device). */
    public static OpenClBackend open(String selector) {
        return new OpenClBackend(OpenClDevices.select(selector));
    }

    /** OpenCL 2.0's queue call where the platform has it, the 1.x call where it does not. */
    private static cl_command_queue createQueue(cl_context context, cl_device_id device) {
        try {
            cl_queue_properties qp = new cl_queue_properties();
            qp.addProperty(CL_QUEUE_PROPERTIES, CL_QUEUE_PROFILING_ENABLE);
            return clCreateCommandQueueWithProperties(context, device, qp, null);
        } catch (UnsupportedOperationException | CLException | UnsatisfiedLinkError e) {
            @SuppressWarnings("deprecation")
            cl_command_queue q = clCreateCommandQueue(context, device, CL_QUEUE_PROFILING_ENABLE, null);
            return q;
        }
    }

    @Override public String name() { return "opencl"; }

    @Override public DeviceInfo device() { return info; }

    /** The compiled programs (for `voxkd kernels --dump`). */
    public Programs programs() { return programs; }

    private static final class ClMemory implements Memory {
        final Buffer buffer;
        cl_mem mem;

        ClMemory(Buffer buffer, cl_mem mem) {
            this.buffer = buffer;
            this.mem = mem;
        }

        @Override public Buffer buffer() { return buffer; }

        @Override public void close() {
            if (mem != null) {
                clReleaseMemObject(mem);
                mem = null;
            }
        }
    }

    @Override public Memory allocate(Buffer buffer) {
        long bytes = (long) buffer.length() * Sizeof.cl_float;
        cl_mem mem = clCreateBuffer(context, CL_MEM_READ_WRITE, bytes, null, null);
        clEnqueueFillBuffer(queue, mem, Pointer.to(new float[] {0f}), Sizeof.cl_float, 0, bytes, 0, null, null);
        return new ClMemory(buffer, mem);
    }

    @Override public void write(Memory dst, int offset, float[] src, int srcOffset, int length) {
        if (length == 0) return;
        clEnqueueWriteBuffer(queue, ((ClMemory) dst).mem, CL_TRUE, (long) offset * Sizeof.cl_float, (long) length * Sizeof.cl_float,
                Pointer.to(src).withByteOffset((long) srcOffset * Sizeof.cl_float), 0, null, null);
    }

    @Override public void read(Memory src, int offset, float[] dst, int dstOffset, int length) {
        if (length == 0) return;
        clEnqueueReadBuffer(queue, ((ClMemory) src).mem, CL_TRUE, (long) offset * Sizeof.cl_float, (long) length * Sizeof.cl_float,
                Pointer.to(dst).withByteOffset((long) dstOffset * Sizeof.cl_float), 0, null, null);
    }

    @Override public Bound bind(Task task, Function<Buffer, Memory> memory) {
        Object[] args = task.args();
        cl_mem[] mems = new cl_mem[args.length];
        for (int k = 0; k < args.length; k++) if (args[k] instanceof View v) mems[k] = ((ClMemory) memory.apply(v.buffer())).mem;
        return task.kernel().kind() == Kernel.Kind.BLAS ? bindBlas(task, mems) : bindSource(task, mems);
    }

    private Bound bindSource(Task task, cl_mem[] mems) {
        cl_kernel kernel = programs.kernel(task.kernel());
        kernels.add(kernel);
        Object[] args = task.args();
        // Argument slots: a View takes two (buffer, offset), everything else one.
        int[] slot = new int[args.length];
        List<Integer> dynamic = new ArrayList<>();
        int s = 0;
        for (int k = 0; k < args.length; k++) {
            slot[k] = s;
            Object a = args[k];
            if (a instanceof View v) {
                clSetKernelArg(kernel, s++, Sizeof.cl_mem, Pointer.to(mems[k]));
                clSetKernelArg(kernel, s++, Sizeof.cl_int, Pointer.to(new int[] {v.offset()}));
            } else if (a instanceof Integer i) {
                clSetKernelArg(kernel, s++, Sizeof.cl_int, Pointer.to(new int[] {i}));
            } else if (a instanceof Float f) {
                clSetKernelArg(kernel, s++, Sizeof.cl_float, Pointer.to(new float[] {f}));
            } else {
                dynamic.add(k);
                s++;
            }
        }
        int[] dyn = dynamic.stream().mapToInt(Integer::intValue).toArray();
        long[] global = new long[task.range().global().length];
        long[] local = null;
        for (int d = 0; d < global.length; d++) global[d] = Math.max(1, task.range().global()[d]);
        if (global.length == 1) {
            global[0] = (global[0] + LOCAL - 1) / LOCAL * LOCAL;
            local = new long[] {LOCAL};
        }
        long[] localFinal = local;
        String name = task.name();
        return profile -> {
            for (int k : dyn) {
                Scalar sc = (Scalar) args[k];
                if (sc.isInt()) clSetKernelArg(kernel, slot[k], Sizeof.cl_int, Pointer.to(new int[] {sc.asInt()}));
                else clSetKernelArg(kernel, slot[k], Sizeof.cl_float, Pointer.to(new float[] {sc.asFloat()}));
            }
            cl_event ev = profile ? new cl_event() : null;
            try {
                clEnqueueNDRangeKernel(queue, kernel, global.length, null, global, localFinal, 0, null, ev);
            } catch (CLException e) {
                throw new IllegalStateException("launch of " + name + " failed: " + e.getMessage(), e);
            }
            return profile ? elapsed(ev) : 0;
        };
    }

    /** CLBlast SGEMM (strided batched); arguments as in {@link org.voxkd.kernels.Blas#SGEMM}. */
    private Bound bindBlas(Task task, cl_mem[] mems) {
        if (!task.kernel().name().equals("sgemm_strided_batched"))
            throw new IllegalStateException("no CLBlast routine for " + task.kernel());
        Object[] a = task.args();
        int ta = (Integer) a[3] != 0 ? CLBlastTranspose.CLBlastTransposeYes : CLBlastTranspose.CLBlastTransposeNo;
        int tb = (Integer) a[4] != 0 ? CLBlastTranspose.CLBlastTransposeYes : CLBlastTranspose.CLBlastTransposeNo;
        int m = (Integer) a[5], n = (Integer) a[6], k = (Integer) a[7], lda = (Integer) a[8], ldb = (Integer) a[9], ldc = (Integer) a[10];
        int batch = (Integer) a[11], sa = (Integer) a[12], sb = (Integer) a[13], sc = (Integer) a[14];
        long oa = ((View) a[0]).offset(), ob = ((View) a[1]).offset(), oc = ((View) a[2]).offset();
        return profile -> {
            float alpha = floatArg(a[15]), beta = floatArg(a[16]);
            cl_event ev = new cl_event();
            if (batch == 1)
                CLBlast.CLBlastSgemm(CLBlastLayout.CLBlastLayoutRowMajor, ta, tb, m, n, k, alpha, mems[0], oa, lda, mems[1], ob, ldb,
                        beta, mems[2], oc, ldc, queue, ev);
            else
                CLBlast.CLBlastSgemmStridedBatched(CLBlastLayout.CLBlastLayoutRowMajor, ta, tb, m, n, k, alpha, mems[0], oa, lda, sa,
                        mems[1], ob, ldb, sb, beta, mems[2], oc, ldc, sc, batch, queue, ev);
            if (profile) return elapsed(ev);
            clReleaseEvent(ev);
            return 0;
        };
    }

    private static float floatArg(Object o) { return o instanceof Scalar s ? s.asFloat() : (Float) o; }

    private static long elapsed(cl_event ev) {
        clWaitForEvents(1, new cl_event[] {ev});
        long[] start = new long[1], end = new long[1];
        clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_START, Sizeof.cl_ulong, Pointer.to(start), null);
        clGetEventProfilingInfo(ev, CL_PROFILING_COMMAND_END, Sizeof.cl_ulong, Pointer.to(end), null);
        clReleaseEvent(ev);
        return end[0] - start[0];
    }

    @Override public void finish() { clFinish(queue); }

    @Override public void close() {
        if (closed) return;
        closed = true;
        clFinish(queue);
        for (cl_kernel k : kernels) clReleaseKernel(k);
        kernels.clear();
        programs.close();
        clReleaseCommandQueue(queue);
        clReleaseContext(context);
    }
}
