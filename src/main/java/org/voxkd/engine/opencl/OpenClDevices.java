package org.voxkd.engine.opencl;

import static org.jocl.CL.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;
import org.voxkd.engine.DeviceInfo;

/**
 * OpenCL device discovery through JOCL: every device of every platform, numbered in platform order.
 * When no OpenCL runtime or platform exists, {@link #list()} throws an {@link OpenClUnavailableException}
 * saying what is missing and how to install it; the cpu backend never depends on this class.
 */
public final class OpenClDevices {
    private OpenClDevices() {}

    /** A device found on a platform. */
    public record Found(cl_platform_id platform, cl_device_id device, DeviceInfo info) {}

    /** No usable OpenCL runtime: the message says why and what to install. */
    public static final class OpenClUnavailableException extends RuntimeException {
        public OpenClUnavailableException(String message, Throwable cause) { super(message, cause); }
    }

    static final String INSTALL_HINT = "install an OpenCL driver (a GPU vendor's ICD, or `apt-get install pocl-opencl-icd` for CPU OpenCL)";

    public static List<Found> list() {
        try {
            CL.setExceptionsEnabled(true);
            int[] count = new int[1];
            try {
                clGetPlatformIDs(0, null, count);
            } catch (CLException e) {
                if (e.getStatus() == -1001 /* CL_PLATFORM_NOT_FOUND_KHR */)
                    throw new OpenClUnavailableException("no OpenCL platform found: " + INSTALL_HINT, e);
                throw e;
            }
            if (count[0] == 0) throw new OpenClUnavailableException("no OpenCL platform found: " + INSTALL_HINT, null);
            cl_platform_id[] platforms = new cl_platform_id[count[0]];
            clGetPlatformIDs(platforms.length, platforms, null);
            List<Found> out = new ArrayList<>();
            for (cl_platform_id p : platforms) {
                int[] n = new int[1];
                try {
                    clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 0, null, n);
                } catch (CLException e) {
                    if (e.getStatus() == CL_DEVICE_NOT_FOUND) continue;
                    throw e;
                }
                cl_device_id[] devices = new cl_device_id[n[0]];
                clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, devices.length, devices, null);
                String platformName = platformString(p, CL_PLATFORM_NAME);
                for (cl_device_id d : devices) {
                    DeviceInfo info = new DeviceInfo("opencl", out.size(), deviceString(d, CL_DEVICE_NAME).trim(),
                            deviceString(d, CL_DEVICE_VENDOR).trim(), deviceString(d, CL_DEVICE_VERSION).trim(),
                            deviceLong(d, CL_DEVICE_GLOBAL_MEM_SIZE), (int) deviceInt(d, CL_DEVICE_MAX_COMPUTE_UNITS),
                            "platform " + platformName.trim() + ", driver " + deviceString(d, CL_DRIVER_VERSION).trim()
                                    + ", type " + typeName(deviceLong(d, CL_DEVICE_TYPE)));
                    out.add(new Found(p, d, info));
                }
            }
            if (out.isEmpty()) throw new OpenClUnavailableException("OpenCL platforms exist but expose no device: " + INSTALL_HINT, null);
            return out;
        } catch (UnsatisfiedLinkError e) {
            throw new OpenClUnavailableException("the OpenCL runtime (libOpenCL.so) could not be loaded: " + INSTALL_HINT
                    + " (`apt-get install ocl-icd-libopencl1` provides the loader)", e);
        } catch (CLException e) {
            throw new OpenClUnavailableException("OpenCL discovery failed: " + e.getMessage() + "; " + INSTALL_HINT, e);
        }
    }

    /** Selects a device by index ("0") or by a case-insensitive substring of its name ("nvidia", "pthread"). */
    public static Found select(String selector) {
        List<Found> all = list();
        if (selector == null || selector.isBlank()) return all.get(0);
        if (selector.chars().allMatch(Character::isDigit)) {
            int i = Integer.parseInt(selector);
            if (i >= all.size()) throw new IllegalArgumentException("OpenCL device " + i + " does not exist; " + all.size() + " found (see `voxkd devices`)");
            return all.get(i);
        }
        for (Found f : all) if (f.info().name().toLowerCase().contains(selector.toLowerCase())) return f;
        throw new IllegalArgumentException("no OpenCL device name contains '" + selector + "' (see `voxkd devices`)");
    }

    static String typeName(long t) {
        if ((t & CL_DEVICE_TYPE_GPU) != 0) return "GPU";
        if ((t & CL_DEVICE_TYPE_CPU) != 0) return "CPU";
        if ((t & CL_DEVICE_TYPE_ACCELERATOR) != 0) return "accelerator";
        return "other";
    }

    static String platformString(cl_platform_id p, int param) {
        long[] size = new long[1];
        clGetPlatformInfo(p, param, 0, null, size);
        byte[] buf = new byte[(int) size[0]];
        clGetPlatformInfo(p, param, buf.length, Pointer.to(buf), null);
        return cString(buf);
    }

    public static String deviceString(cl_device_id d, int param) {
        long[] size = new long[1];
        clGetDeviceInfo(d, param, 0, null, size);
        byte[] buf = new byte[(int) size[0]];
        clGetDeviceInfo(d, param, buf.length, Pointer.to(buf), null);
        return cString(buf);
    }

    /** A cl_ulong device property. */
    public static long deviceLong(cl_device_id d, int param) { return deviceNumber(d, param, 8); }

    /** A cl_uint device property, unsigned. */
    public static long deviceInt(cl_device_id d, int param) { return deviceNumber(d, param, 4); }

    private static long deviceNumber(cl_device_id d, int param, int bytes) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
        clGetDeviceInfo(d, param, bytes, Pointer.to(b), null);
        return bytes == 8 ? b.getLong(0) : b.getInt(0) & 0xFFFFFFFFL;
    }

    private static String cString(byte[] buf) {
        int n = 0;
        while (n < buf.length && buf[n] != 0) n++;
        return new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8);
    }
}
