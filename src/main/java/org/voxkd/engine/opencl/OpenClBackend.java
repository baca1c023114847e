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
import org.voxkd.engine.Lowering;
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
    /** Work-group size of 1-D launches where the kernel and device allow it (see {@link #localSize}). */
    static final int PREFERRED_LOCAL = 256;

    private final DeviceInfo info;
    private final cl_device_id device;
    private final cl_context context;
    private final cl_command_queue queue;
    private final Programs programs;
    private final List<cl_kernel> kernels = new ArrayList<>();
    /**
     * Device scratch shared by every task (the queue is in order, so one task's use ends before the next begins):
     * the reductions' partial sums, and the bf16-rounded copies of a bf16 GEMM's two operands.
     */
    private final Scratch partials = new Scratch(), operandA = new Scratch(), operandB = new Scratch();
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
        Lowering lowering = task.kernel().lowering();
        if (lowering != null) return bindStages(task, mems, lowering.plan(task.args()));
        cl_kernel kernel = programs.kernel(task.kernel());
        kernels.add(kernel);
        List<Object> spec = new ArrayList<>();
        for (int k = 0; k < task.args().length; k++) spec.add(new Lowering.TaskArg(k));
        Launch launch = new Launch(kernel, spec, task.args(), mems);
        long[] global = new long[task.range().global().length];
        for (int d = 0; d < global.length; d++) global[d] = Math.max(1, task.range().global()[d]);
        long[] local = null;
        if (global.length == 1) {
            long l = localSize(kernel);
            global[0] = (global[0] + l - 1) / l * l;
            local = new long[] {l};
        }
        long[] localFinal = local;
        String name = task.name();
        return profile -> launch.enqueue(global, localFinal, profile, name);
    }

    /** A kernel's {@link Lowering}: several launches, their partial sums in the shared scratch buffer. */
    private Bound bindStages(Task task, cl_mem[] mems, Lowering.Plan plan) {
        partials.ensure(plan.scratch() * Sizeof.cl_double);
        List<Launch> launches = new ArrayList<>();
        for (Lowering.Stage st : plan.stages()) {
            cl_kernel kernel = programs.kernel(st.kernel());
            kernels.add(kernel);
            long[] limit = new long[1];
            clGetKernelWorkGroupInfo(kernel, device, CL_KERNEL_WORK_GROUP_SIZE, Sizeof.size_t, Pointer.to(limit), null);
            long size = 1;
            for (long l : st.local()) size *= l;
            if (size > limit[0])
                throw new IllegalStateException(st.kernel() + " needs work groups of " + size + " items; " + info.name()
                        + " allows " + limit[0] + " for it");
            launches.add(new Launch(kernel, st.args(), task.args(), mems));
        }
        String name = task.name();
        return profile -> {
            long ns = 0;
            for (int i = 0; i < launches.size(); i++) {
                Lowering.Stage st = plan.stages().get(i);
                ns += launches.get(i).enqueue(st.global(), st.local(), profile, name + " (" + st.kernel().name() + ")");
            }
            return ns;
        };
    }

    /**
     * The work-group size of a 1-D launch of {@code kernel}: the size its source requires, else 256 items (a multiple of
     * every GPU's warp/wavefront) or less where the device allows less for this kernel, kept a multiple of the
     * kernel's preferred multiple. Elementwise kernels give the same bits with any size; kernels that reduce inside a
     * group fix their size in the source (reqd_work_group_size).
     */
    private long localSize(cl_kernel kernel) {
        long[] req = new long[3];
        clGetKernelWorkGroupInfo(kernel, device, CL_KERNEL_COMPILE_WORK_GROUP_SIZE, 3L * Sizeof.size_t, Pointer.to(req), null);
        if (req[0] > 0) return req[0];
        long[] max = new long[1], multiple = new long[1];
        clGetKernelWorkGroupInfo(kernel, device, CL_KERNEL_WORK_GROUP_SIZE, Sizeof.size_t, Pointer.to(max), null);
        clGetKernelWorkGroupInfo(kernel, device, CL_KERNEL_PREFERRED_WORK_GROUP_SIZE_MULTIPLE, Sizeof.size_t, Pointer.to(multiple), null);
        long l = Math.min(PREFERRED_LOCAL, Math.max(1, max[0]));
        if (multiple[0] > 0 && l >= multiple[0]) l = l / multiple[0] * multiple[0];
        return l;
    }

    /** A device buffer that grows when a bind needs more; launches read {@link #mem} then, so later binds may grow it. */
    private final class Scratch {
        cl_mem mem;
        long bytes;

        void ensure(long need) {
            if (need <= bytes) return;
            clFinish(queue);
            if (mem != null) clReleaseMemObject(mem);
            mem = clCreateBuffer(context, CL_MEM_READ_WRITE, need, null, null);
            bytes = need;
        }

        void release() {
            if (mem != null) clReleaseMemObject(mem);
            mem = null;
        }
    }

    /**
     * One kernel with its arguments: {@code spec} lists, per kernel argument, a task argument (a View takes two slots:
     * buffer and offset), the scratch buffer with an offset (two slots), or an Integer/Float constant. Constants are set
     * once; Scalars and the scratch buffer at every launch.
     */
    private final class Launch {
        final cl_kernel kernel;
        final List<Runnable> dynamic = new ArrayList<>();

        Launch(cl_kernel kernel, List<Object> spec, Object[] taskArgs, cl_mem[] mems) {
            this.kernel = kernel;
            int s = 0;
            for (Object item : spec) {
                Object a = item instanceof Lowering.TaskArg t ? taskArgs[t.index()] : item;
                int slot = s;
                if (item instanceof Lowering.ScratchArg sc) {
                    dynamic.add(() -> clSetKernelArg(kernel, slot, Sizeof.cl_mem, Pointer.to(partials.mem)));
                    clSetKernelArg(kernel, slot + 1, Sizeof.cl_int, Pointer.to(new int[] {sc.offset()}));
                    s += 2;
                } else if (a instanceof View v) {
                    clSetKernelArg(kernel, s++, Sizeof.cl_mem, Pointer.to(mems[((Lowering.TaskArg) item).index()]));
                    clSetKernelArg(kernel, s++, Sizeof.cl_int, Pointer.to(new int[] {v.offset()}));
                } else if (a instanceof Integer i) {
                    clSetKernelArg(kernel, s++, Sizeof.cl_int, Pointer.to(new int[] {i}));
                } else if (a instanceof Float f) {
                    clSetKernelArg(kernel, s++, Sizeof.cl_float, Pointer.to(new float[] {f}));
                } else {
                    Scalar sc = (Scalar) a;
                    dynamic.add(() -> {
                        if (sc.isInt()) clSetKernelArg(kernel, slot, Sizeof.cl_int, Pointer.to(new int[] {sc.asInt()}));
                        else clSetKernelArg(kernel, slot, Sizeof.cl_float, Pointer.to(new float[] {sc.asFloat()}));
                    });
                    s++;
                }
            }
        }

        long enqueue(long[] global, long[] local, boolean profile, String name) {
            for (Runnable r : dynamic) r.run();
            cl_event ev = profile ? new cl_event() : null;
            try {
                clEnqueueNDRangeKernel(queue, kernel, global.length, null, global, local, 0, null, ev);
            } catch (CLException e) {
                throw new IllegalStateException("launch of " + name + " failed: " + e.getMessage(), e);
            }
            return profile ? elapsed(ev) : 0;
        }
    }

    /**
     * CLBlast SGEMM (strided batched): A, B, C, transA, transB, M, N, K, lda, ldb, ldc, batch, strideA, strideB, strideC,
     * alpha, beta (the BLAS kernels' signature); a kernel with an {@link Kernel#operandRounding} (bf16) rounds A and B first.
     */
    private Bound bindBlas(Task task, cl_mem[] mems) {
        Kernel rounding = task.kernel().operandRounding();
        boolean bf16 = rounding != null;
        Object[] a = task.args();
        int ta = (Integer) a[3] != 0 ? CLBlastTranspose.CLBlastTransposeYes : CLBlastTranspose.CLBlastTransposeNo;
        int tb = (Integer) a[4] != 0 ? CLBlastTranspose.CLBlastTransposeYes : CLBlastTranspose.CLBlastTransposeNo;
        int m = (Integer) a[5], n = (Integer) a[6], k = (Integer) a[7], lda = (Integer) a[8], ldb = (Integer) a[9], ldc = (Integer) a[10];
        int batch = (Integer) a[11], sa = (Integer) a[12], sb = (Integer) a[13], sc = (Integer) a[14];
        long oc = ((View) a[2]).offset();
        // bf16: the operands' extents are rounded into scratch copies first (the rounding kernel), then CLBlast multiplies the
        // copies in fp32 — bf16 operands, fp32 accumulation, the cpu backend's numerics on any device.
        int ea = extent(ta != CLBlastTranspose.CLBlastTransposeNo ? k : m, ta != CLBlastTranspose.CLBlastTransposeNo ? m : k, lda, sa, batch);
        int eb = extent(tb != CLBlastTranspose.CLBlastTransposeNo ? n : k, tb != CLBlastTranspose.CLBlastTransposeNo ? k : n, ldb, sb, batch);
        Launch roundA = bf16 ? rounding(rounding, operandA, mems[0], ((View) a[0]).offset(), ea) : null;
        Launch roundB = bf16 ? rounding(rounding, operandB, mems[1], ((View) a[1]).offset(), eb) : null;
        long[] globalA = {(ea + 255L) / 256 * 256}, globalB = {(eb + 255L) / 256 * 256}, local = {256};
        return profile -> {
            float alpha = floatArg(a[15]), beta = floatArg(a[16]);
            long ns = 0;
            cl_mem ma = mems[0], mb = mems[1];
            long oa = ((View) a[0]).offset(), ob = ((View) a[1]).offset();
            if (bf16) {
                ns += roundA.enqueue(globalA, local, profile, task.name() + " (round A)") + roundB.enqueue(globalB, local, profile, task.name() + " (round B)");
                ma = operandA.mem;
                mb = operandB.mem;
                oa = 0;
                ob = 0;
            }
            cl_event ev = new cl_event();
            if (batch == 1)
                CLBlast.CLBlastSgemm(CLBlastLayout.CLBlastLayoutRowMajor, ta, tb, m, n, k, alpha, ma, oa, lda, mb, ob, ldb,
                        beta, mems[2], oc, ldc, queue, ev);
            else
                CLBlast.CLBlastSgemmStridedBatched(CLBlastLayout.CLBlastLayoutRowMajor, ta, tb, m, n, k, alpha, ma, oa, lda, sa,
                        mb, ob, ldb, sb, beta, mems[2], oc, ldc, sc, batch, queue, ev);
            if (profile) return ns + elapsed(ev);
            clReleaseEvent(ev);
            return 0;
        };
    }

    private static int extent(int rows, int cols, int ld, int stride, int batch) {
        return Math.toIntExact((long) (batch - 1) * stride + (long) (rows - 1) * ld + cols);
    }

    /** {@code k} ({@code out y, in x, int n}) over {@code n} floats of {@code src} from {@code offset} into {@code into}'s buffer from 0. */
    private Launch rounding(Kernel k, Scratch into, cl_mem src, int offset, int n) {
        into.ensure((long) n * Sizeof.cl_float);
        cl_kernel kernel = programs.kernel(k);
        kernels.add(kernel);
        Launch l = new Launch(kernel, List.of(), new Object[0], new cl_mem[0]);
        l.dynamic.add(() -> {
            clSetKernelArg(kernel, 0, Sizeof.cl_mem, Pointer.to(into.mem));
            clSetKernelArg(kernel, 1, Sizeof.cl_int, Pointer.to(new int[] {0}));
            clSetKernelArg(kernel, 2, Sizeof.cl_mem, Pointer.to(src));
            clSetKernelArg(kernel, 3, Sizeof.cl_int, Pointer.to(new int[] {offset}));
            clSetKernelArg(kernel, 4, Sizeof.cl_int, Pointer.to(new int[] {n}));
        });
        return l;
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
        for (Scratch sc : new Scratch[] {partials, operandA, operandB}) sc.release();
        programs.close();
        clReleaseCommandQueue(queue);
        clReleaseContext(context);
    }
}
