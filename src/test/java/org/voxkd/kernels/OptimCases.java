package org.voxkd.kernels;

import java.util.List;
import java.util.Map;

/** The Adam kernel as an op case (forward only: an update has no gradient) against a float64 loop. */
public final class OptimCases {
    private OptimCases() {}

    public static List<OpCase> cases() {
        int n = 37;
        Optim.Adam adam = new Optim.Adam(0.01f);
        adam.gradScale.set(0.5);
        adam.restore(2);
        adam.step(0.1); // t = 3
        double stepSize = adam.stepSize.asFloat(), bc2sqrt = adam.bc2sqrt.asFloat();
        return List.of(OpCase.named("adam t3 " + n)
                .constant("p", n, OpCase.Init.normal(1)).constant("g", n, OpCase.Init.normal(1))
                .constant("m", n, OpCase.Init.normal(0.1)).constant("v", n, OpCase.Init.uniform(0, 0.2))
                .forward((g, v) -> adam.record(g, v.get("p"), v.get("g"), v.get("m"), v.get("v")))
                .reference(in -> {
                    double[] p = in.get("p"), gr = in.get("g"), m = in.get("m"), v = in.get("v");
                    double[] po = new double[n], mo = new double[n], vo = new double[n];
                    for (int i = 0; i < n; i++) {
                        double gi = 0.5 * gr[i] + 0.01 * p[i];
                        mo[i] = 0.9 * m[i] + 0.1 * gi;
                        vo[i] = 0.999 * v[i] + 0.001 * gi * gi;
                        po[i] = p[i] - stepSize * mo[i] / (Math.sqrt(vo[i]) / bc2sqrt + 1e-8);
                    }
                    return Map.of("p", po, "m", mo, "v", vo);
                }));
    }
}
