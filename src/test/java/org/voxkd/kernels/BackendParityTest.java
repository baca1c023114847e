package org.voxkd.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.List;
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

    /**
     * The OpenCL reductions over rows (the kernels' Lowerings, kernels/Reductions: partial work-group trees, fixed-order finals) at sizes
     * where they split into many chunks with a ragged last chunk and a partial channel block (5,003 rows × 37 channels:
     * 19 chunks; 100,003 elements for the sum of squares: 24 groups) — the cases above fit in one chunk. Each agrees
     * with cpu within {@link #TOLERANCE} and gives the same bits twice on opencl.
     */
    static final int ROWS = 5003, C = 37;

    static List<OpCase> manyRowCases() {
        int n = 100_003;
        return List.of(NormCases.batchNormTrain(ROWS, C), NormCases.batchNormInference(ROWS, C), NormCases.layerNorm(ROWS, C),
                OpCase.named("bias grad " + ROWS + "x" + C).input("x", ROWS * C).input("b", C).output("y", ROWS * C)
                        .forward((g, v) -> {
                            Tensor.copy(g, v.get("y"), v.get("x"));
                            Linear.biasAdd(g, v.get("y"), v.get("b"), ROWS, C);
                        })
                        .backward((g, v) -> {
                            Tensor.add(g, v.grad("x"), v.grad("y"));
                            Linear.biasGrad(g, v.grad("b"), v.grad("y"), ROWS, C);
                        }),
                OpCase.named("sum of squares " + n).input("x", n).output("out", 1).forward((g, v) -> Tensor.sumOfSquares(g, v.get("out"), v.get("x"))));
    }

    @TestFactory
    Stream<DynamicTest> manyChunksAgreeWithCpuAndRepeatExactly() {
        return manyRowCases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            OpCase.Result a = c.run(cpu), b = c.run(opencl), again = c.run(opencl);
            for (var e : a.values().entrySet()) {
                GradCheck.compare(c.name() + " opencl " + e.getKey(), b.values().get(e.getKey()), e.getValue(), TOLERANCE);
                assertArrayEquals(b.values().get(e.getKey()), again.values().get(e.getKey()), c.name() + " " + e.getKey() + " not reproducible");
            }
            for (var e : a.grads().entrySet()) {
                GradCheck.compare(c.name() + " opencl gradient of " + e.getKey(), b.grads().get(e.getKey()), e.getValue(), TOLERANCE);
                assertArrayEquals(b.grads().get(e.getKey()), again.grads().get(e.getKey()), c.name() + " d" + e.getKey() + " not reproducible");
            }
        }));
    }
}
