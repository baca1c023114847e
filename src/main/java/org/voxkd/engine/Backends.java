package org.voxkd.engine;

import java.util.List;
import org.voxkd.engine.cpu.CpuBackend;
import org.voxkd.engine.opencl.OpenClBackend;

/**
 * Creates a backend by name: {@code cpu} or {@code opencl} (with a device selector). A cpu backend takes the active
 * numerics mode ({@link Numerics#active()}); opencl refuses portable numerics.
 */
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
            case "opencl" -> {
                if (Numerics.active().portable())
                    throw new IllegalArgumentException("numerics portable is a mode of the cpu backend: the opencl backend's bits depend on "
                            + "its driver's compiler and CLBlast's tuning; use --backend cpu, or --numerics fast");
                yield openCl(device);
            }
            default -> throw new IllegalArgumentException("unknown backend '" + name + "'; choose one of " + NAMES);
        };
    }

    private static Backend openCl(String device) {
        return OpenClBackend.open(device);
    }
}
