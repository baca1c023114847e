package org.voxkd.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The profile's line of shares: kinds read from kernel names, per-step launches, host = wall − kernels. */
class ProfileSharesTest {
    @Test
    void kindsAndShares() {
        assertEquals(ProfileShares.Kind.GEMM, ProfileShares.kind("sgemm_strided_batched"));
        assertEquals(ProfileShares.Kind.GEMM, ProfileShares.kind("gemm_bf16_strided_batched"));
        assertEquals(ProfileShares.Kind.REDUCTION, ProfileShares.kind("layernorm_bwd_params"));
        assertEquals(ProfileShares.Kind.REDUCTION, ProfileShares.kind("softmax_time_fwd"));
        assertEquals(ProfileShares.Kind.ELEMENTWISE, ProfileShares.kind("dropout_fwd"));
        assertEquals(ProfileShares.Kind.ELEMENTWISE, ProfileShares.kind("lstm_cell_bwd"));
        Map<String, long[]> totals = new LinkedHashMap<>();
        // two steps: 40 ms GEMM, 20 ms element-wise, 20 ms reductions; 6 launches
        totals.put("student.block1/sgemm_strided_batched", new long[] {40_000_000, 2});
        totals.put("student.block1/gelu_bwd", new long[] {20_000_000, 2});
        totals.put("sumsq", new long[] {20_000_000, 2});
        assertEquals("  3 launches per step; of 50.0 ms (profiled steps, --clock): GEMM 40%, element-wise 20%, reductions 20%, host 20%",
                ProfileShares.line(totals, 2, 50.0));
    }
}
