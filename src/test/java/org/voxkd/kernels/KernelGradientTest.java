package org.voxkd.kernels;

import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.voxkd.engine.Backend;
import org.voxkd.engine.Numerics;
import org.voxkd.engine.cpu.CpuBackend;

/**
 * Every op of every kernel family: float32 forward vs float64 reference, backward vs finite differences, on cpu in
 * both numerics modes.
 */
class KernelGradientTest {
    /** All op cases, family by family; the backend parity tests use the same list. */
    static Stream<OpCase> allCases() {
        return Stream.of(
                ActivationCases.cases(),
                LinearCases.cases(),
                Conv1dCases.cases(),
                NormCases.cases(),
                PoolingCases.cases(),
                LstmCases.cases(),
                LossCases.cases(),
                DistillCases.cases(),
                OptimCases.cases()
        ).flatMap(List::stream);
    }

    static final Supplier<Backend> CPU = () -> new CpuBackend(Numerics.FAST), PORTABLE = () -> new CpuBackend(Numerics.PORTABLE);

    @TestFactory
    Stream<DynamicTest> gradients() {
        return allCases().map(c -> DynamicTest.dynamicTest(c.name(), () -> GradCheck.check(c, CPU)));
    }

    @TestFactory
    Stream<DynamicTest> portableGradients() {
        return allCases().map(c -> DynamicTest.dynamicTest(c.name(), () -> GradCheck.check(c, PORTABLE)));
    }
}
