package org.voxkd.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * bf16 rounding (to nearest, ties to even, specials kept), the exact emulation of a bf16 GEMM, CPU feature
 * detection, and the message a CPU without bf16 gets.
 */
class Bf16Test {
    @Test
    void roundsToNearestTiesToEven() {
        assertEquals(1f, Bf16.round(1f));
        assertEquals(1f, Bf16.round(1f + 0x1p-9f), "below half an ulp (2^-8 at 1) rounds down");
        assertEquals(1f, Bf16.round(1f + 0x1p-8f), "a tie rounds to the even mantissa (down here)");
        assertEquals(1f + 0x1p-6f, Bf16.round(1f + 0x1p-7f + 0x1p-8f), "a tie on an odd mantissa rounds up to even");
        assertEquals(1f + 0x1p-7f, Bf16.round(1f + 0x1p-8f + 0x1p-12f), "above half rounds up");
        assertEquals(-3.140625f, Bf16.round(-3.14159265f));
        assertEquals(2f, Bf16.round(2f - 0x1p-10f), "a carry into the exponent");
        assertEquals(Float.POSITIVE_INFINITY, Bf16.round(Float.MAX_VALUE), "beyond bf16's largest finite value");
        assertEquals(Float.NEGATIVE_INFINITY, Bf16.round(Float.NEGATIVE_INFINITY));
        assertTrue(Float.isNaN(Bf16.round(Float.NaN)));
        assertTrue(Float.isNaN(Bf16.round(Float.intBitsToFloat(0x7F800001))), "a signalling NaN with low mantissa bits stays NaN");
        assertEquals(0f, Bf16.round(0f));
        // every result has a zero low half, and no rounding moves by more than half a bf16 ulp
        for (float x : GemmProvidersTest.random(10_000, 9)) {
            float r = Bf16.round(x * 1000);
            assertEquals(0, Float.floatToRawIntBits(r) & 0xFFFF);
            assertTrue(Math.abs(r - x * 1000) <= Math.ulp(r) * 65536 / 2 * 1.0000001, x + " → " + r);
        }
    }

    @Test
    void emulatedGemmIsTheFp32ProductOfRoundedOperands() {
        Gemm emu = Bf16.emulated(GemmProviders.named("openblas"));
        int m = 37, n = 11, k = 70, lda = k, ldb = k, ldc = n;
        float[] a = GemmProvidersTest.random(m * lda, 4), b = GemmProvidersTest.random(n * ldb, 5), c = new float[m * ldc];
        float[] ra = a.clone(), rb = b.clone();
        for (int i = 0; i < ra.length; i++) ra[i] = Bf16.round(ra[i]);
        for (int i = 0; i < rb.length; i++) rb[i] = Bf16.round(rb[i]);
        float[] got = GemmProvidersTest.run(emu, false, true, m, n, k, 1f, a, lda, b, ldb, 0f, c, ldc);
        double[] exact = GemmProvidersTest.reference(false, true, m, n, k, 1f, ra, lda, rb, ldb, 0f, c, ldc);
        double[] fp32 = GemmProvidersTest.reference(false, true, m, n, k, 1f, a, lda, b, ldb, 0f, c, ldc);
        double maxBf16Effect = 0;
        for (int i = 0; i < got.length; i++) {
            assertEquals(exact[i], got[i], 1e-5 * k, "emulation differs from the exact product of rounded operands at " + i);
            maxBf16Effect = Math.max(maxBf16Effect, Math.abs(exact[i] - fp32[i]));
        }
        assertTrue(maxBf16Effect > 1e-3, "bf16 rounding must be visible against fp32 (it is " + maxBf16Effect + ")");
        assertTrue(maxBf16Effect < 0.1, "bf16 rounding moved a 70-term dot product by " + maxBf16Effect);
    }

    @Test
    void detectsBf16FromCpuFlags() {
        assertTrue(CpuFeatures.hasBf16(Set.of("avx2", "avx512f", "avx512_bf16")));
        assertTrue(CpuFeatures.hasBf16(Set.of("amx_bf16", "amx_tile")));
        assertFalse(CpuFeatures.hasBf16(Set.of("avx2", "fma", "f16c")));
        assertEquals("avx2 fma", CpuFeatures.summary(Set.of("avx2", "fma", "sse4_2")));
        assertTrue(CpuFeatures.summary(Set.of()).startsWith("none of"));
        assertTrue(CpuFeatures.read(java.nio.file.Path.of("/no/such/cpuinfo")).isEmpty());
    }

    @Test
    void withoutBf16TheMessageSaysWhyAndWhatToDo() {
        String old = System.getProperty("voxkd.bf16");
        try {
            System.clearProperty("voxkd.bf16");
            if (CpuFeatures.bf16()) {
                assertNull(GemmProviders.bf16Unavailable(), "this CPU has bf16: " + CpuFeatures.summary());
                return;
            }
            String why = GemmProviders.bf16Unavailable();
            assertNotNull(why);
            assertTrue(why.contains("AVX512-BF16 or AMX-BF16") && why.contains("fp32") && why.contains("-Dvoxkd.bf16=emulate"), why);
            IllegalStateException e = assertThrows(IllegalStateException.class, GemmProviders::bf16);
            assertEquals(why, e.getMessage());
            System.setProperty("voxkd.bf16", "emulate");
            assertNull(GemmProviders.bf16Unavailable());
            assertTrue(GemmProviders.bf16().describe().startsWith("bf16 emulation"));
        } finally {
            if (old == null) System.clearProperty("voxkd.bf16"); else System.setProperty("voxkd.bf16", old);
        }
    }
}
