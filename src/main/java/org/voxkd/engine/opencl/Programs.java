package org.voxkd.engine.opencl;

import static org.jocl.CL.*;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_context;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_program;
import org.voxkd.engine.DeviceInfo;
import org.voxkd.engine.Kernel;

/**
 * Compiles tornado-kernels/FAMILY.cl once per device (with common.cl in front, and a {@code #line}
 * directive so the driver's messages name the family file and its own line numbers).
 */
public final class Programs implements AutoCloseable {
    /** No fast-math flags: kernels must agree with the cpu backend within float tolerance. */
    public static final String OPTIONS = "-cl-std=CL1.2";

    private final cl_context context;
    private final cl_device_id device;
    private final DeviceInfo info;
    private final Map<String, cl_program> programs = new LinkedHashMap<>();
    private final Map<String, String> logs = new LinkedHashMap<>();

    Programs(cl_context context, cl_device_id device, DeviceInfo info) {
        this.context = context;
        this.device = device;
        this.info = info;
    }

    /** A fresh kernel object for one recorded task (each task keeps its own arguments). */
    cl_kernel kernel(Kernel k) { return kernel(k.family(), k.name()); }

    /** A fresh kernel object for function {@code name} of tornado-kernels/{@code family}.cl. */
    cl_kernel kernel(String family, String name) {
        cl_program p = program(family);
        try {
            return clCreateKernel(p, name, null);
        } catch (CLException e) {
            throw new IllegalStateException("tornado-kernels/" + family + ".cl has no kernel '" + name + "' (" + e.getMessage() + ")", e);
        }
    }

    /** The compiled program of a family, building it on first use. */
    public synchronized cl_program program(String family) {
        cl_program p = programs.get(family);
        if (p != null) return p;
        p = compile(family, source(family));
        programs.put(family, p);
        return p;
    }

    /**
     * Builds {@code source} as file {@code family}.cl (common.cl in front); on failure throws an
     * {@link OpenClBuildException} carrying the driver's log, whose messages read "family.cl:LINE:COL".
     */
    public cl_program compile(String family, String source) {
        String full = source("common") + "\n#line 1 \"" + family + ".cl\"\n" + source;
        cl_program p = clCreateProgramWithSource(context, 1, new String[] {full}, null, null);
        try {
            clBuildProgram(p, 1, new cl_device_id[] {device}, OPTIONS, null, null);
        } catch (CLException e) {
            String log = buildLog(p);
            clReleaseProgram(p);
            throw new OpenClBuildException("building tornado-kernels/" + family + ".cl for " + info.name() + " failed ("
                    + e.getMessage() + "); driver log:\n" + log);
        }
        logs.put(family, buildLog(p));
        return p;
    }

    /** The driver's build log of a built family. */
    public String log(String family) {
        program(family);
        return logs.get(family);
    }

    /** The device binary the driver produced (PTX text on NVIDIA, an ELF or LLVM module on PoCL). */
    public byte[] binary(String family) {
        cl_program p = program(family);
        long[] sizes = new long[1];
        clGetProgramInfo(p, CL_PROGRAM_BINARY_SIZES, Sizeof.size_t, Pointer.to(sizes), null);
        byte[] bin = new byte[(int) sizes[0]];
        clGetProgramInfo(p, CL_PROGRAM_BINARIES, Sizeof.POINTER, Pointer.to(new Pointer[] {Pointer.to(bin)}), null);
        return bin;
    }

    private String buildLog(cl_program p) {
        long[] size = new long[1];
        clGetProgramBuildInfo(p, device, CL_PROGRAM_BUILD_LOG, 0, null, size);
        byte[] buf = new byte[(int) Math.max(1, size[0])];
        clGetProgramBuildInfo(p, device, CL_PROGRAM_BUILD_LOG, buf.length, Pointer.to(buf), null);
        int n = 0;
        while (n < buf.length && buf[n] != 0) n++;
        return new String(buf, 0, n, StandardCharsets.UTF_8).trim();
    }

    /** The source of one family, from the jar (tornado-kernels/ is packaged as a resource). */
    public static String source(String family) {
        String path = "/tornado-kernels/" + family + ".cl";
        try (InputStream in = Programs.class.getResourceAsStream(path)) {
            if (in == null) throw new IllegalStateException("kernel source " + path + " is missing from the build");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + path, e);
        }
    }

    @Override public synchronized void close() {
        for (cl_program p : programs.values()) clReleaseProgram(p);
        programs.clear();
    }

    /** A kernel file that the driver refused, with its log (file:line: message). */
    public static final class OpenClBuildException extends RuntimeException {
        public OpenClBuildException(String message) { super(message); }
    }
}
