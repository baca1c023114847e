package org.voxkd.engine;

import java.util.List;
import org.voxkd.engine.cpu.CpuBackend;

/** Creates a backend by name: {@code cpu} or {@code opencl} (with a device selector). */
public final class Backends {
    private Backends() {}

    public static final List<String> NAMES = List.of("cpu", "opencl");

    public static Backend create(String name, String device) {
        return switch (name) {
            case "cpu" -> {
                if (device != null && !device.isBlank() && !device.equals("0"))
                    throw new IllegalArgumentException("the cpu backend has one device (0), got --device " + device);
                yield new CpuBackend();
            }
            case "opencl" -> openCl(device);
            default -> throw new IllegalArgumentException("unknown backend '" + name + "'; choose one of " + NAMES);
        };
    }

    private static Backend openCl(String device) {
        try {
            Class<?> c = Class.forName("org.voxkd.engine.opencl.OpenClBackend");
            return (Backend) c.getMethod("open", String.class).invoke(null, device);
        } catch (ClassNotFoundException e) {
            throw new UnsupportedOperationException("the opencl backend is not part of this build yet (cpu works)");
        } catch (java.lang.reflect.InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
