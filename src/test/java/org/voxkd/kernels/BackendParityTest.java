package org.voxkd.kernels;

import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.voxkd.engine.Backend;
import org.voxkd.engine.Numerics;
import org.voxkd.engine.cpu.CpuBackend;

/**
 * Every op case of {@link KernelGradientTest#allCases()} run on cpu and on opencl: every tensor the
 * forward writes and every input gradient must agree within {@link #TOLERANCE}, relative to
 * {@code |cpu| + rms(cpu)}. Why 1e-4: both backends compute in float32, but they sum in different
 * orders (OpenBLAS and CLBlast block their GEMMs differently), use different exp/erf/tanh
 * implementations (a few ulp), and may contract a·b+c into FMAs; over the few hundred terms of these
 * odd-sized reductions that stays near 1e-6, while a wrong kernel is off by order one. Both cpu numerics modes are
 * checked: fast (OpenBLAS) and portable (voxkd's GEMM, 16-lane reductions, StrictMath).
 */
class BackendParityTest {
    static final double TOLERANCE = 1e-4;
    static Backend cpu, portable, opencl;

    @BeforeAll
    static void open() {
        cpu = new CpuBackend(Numerics.FAST);
        portable = new CpuBackend(Numerics.PORTABLE);
        opencl = OpenClSupport.open();
    }

    @AfterAll
    static void close() {
        if (opencl != null) opencl.close();
        if (cpu != null) cpu.close();
        if (portable != null) portable.close();
    }

    @TestFactory
    Stream<DynamicTest> cpuAndOpenClAgree() { return agree(cpu); }

    @TestFactory
    Stream<DynamicTest> portableCpuAndOpenClAgree() { return agree(portable); }

    private static Stream<DynamicTest> agree(Backend host) {
        return KernelGradientTest.allCases().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            OpCase.Result a = c.run(host), b = c.run(opencl);
            for (var e : a.values().entrySet())
                GradCheck.compare(c.name() + " opencl " + e.getKey(), b.values().get(e.getKey()), e.getValue(), TOLERANCE);
            for (var e : a.grads().entrySet())
                GradCheck.compare(c.name() + " opencl gradient of " + e.getKey(), b.grads().get(e.getKey()), e.getValue(), TOLERANCE);
        }));
    }
}
